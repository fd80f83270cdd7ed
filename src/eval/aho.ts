/**
 * Aho-Corasick: every needle occurring in a haystack, in one pass. Used by the candidate index
 * and for long OR lists of `contains` values, with needles and haystacks folded the same way.
 *
 * Memory matters as much as speed: the SigmaHQ corpus puts tens of thousands of needles on
 * CommandLine, and a full DFA (states × alphabet) would take ~100 MB. States are numbered
 * breadth-first; the shallow ones, where a scan spends nearly all its time, get full DFA rows
 * (failures resolved), the deep ones keep their few edges in sorted arrays and follow failure
 * links (still linear: each character moves down at most once).
 */

/**
 * A trie over `needles`, laid out breadth-first: node 0 is the root, each node's edges sorted by
 * label and contiguous (edgeStart[s] .. edgeStart[s + 1]), and the ids of the needles ending at
 * each node in ownIds[ownStart[s] .. ownStart[s + 1]), ascending. `label(needle, i)` is the
 * label of a needle's i-th step. Built without a Map or an object per node: the corpus's witness
 * index has ~10^5 of them, and a Map per node once made this the largest part of compiling a rule set.
 */
interface TrieLayout {
  nodes: number;
  edgeStart: Int32Array;
  edgeLabel: Int32Array;
  edgeTo: Int32Array;
  ownStart: Int32Array;
  ownIds: Int32Array;
}

function layOutTrie(needles: string[], label: (needle: string, i: number) => number): TrieLayout {
  // creation-order nodes with children as sibling lists
  let total = 1;
  for (const nd of needles) total += nd.length;
  const firstChild = new Int32Array(total).fill(-1);
  const nextSibling = new Int32Array(total).fill(-1);
  const inLabel = new Int32Array(total);
  const ownCount = new Int32Array(total);
  const endOf = new Int32Array(needles.length);
  let n = 1;
  for (let id = 0; id < needles.length; id++) {
    const nd = needles[id];
    let s = 0;
    for (let i = 0; i < nd.length; i++) {
      const c = label(nd, i);
      let t = firstChild[s];
      while (t >= 0 && inLabel[t] !== c) t = nextSibling[t];
      if (t < 0) {
        t = n++;
        inLabel[t] = c;
        nextSibling[t] = firstChild[s];
        firstChild[s] = t;
      }
      s = t;
    }
    endOf[id] = s;
    ownCount[s]++;
  }
  // breadth-first ids
  const order = new Int32Array(n);
  const newId = new Int32Array(n);
  const edgeStart = new Int32Array(n + 1);
  const edgeLabel = new Int32Array(n - 1);
  const edgeTo = new Int32Array(n - 1);
  const kids: number[] = [];
  let len = 1;
  let edges = 0;
  for (let q = 0; q < n; q++) {
    edgeStart[q] = edges;
    kids.length = 0;
    for (let t = firstChild[order[q]]; t >= 0; t = nextSibling[t]) kids.push(t);
    if (kids.length > 1) kids.sort((a, b) => inLabel[a] - inLabel[b]);
    for (const t of kids) {
      edgeLabel[edges] = inLabel[t];
      edgeTo[edges++] = len;
      newId[t] = len;
      order[len++] = t;
    }
  }
  edgeStart[n] = edges;
  const ownStart = new Int32Array(n + 1);
  for (let q = 0; q < n; q++) ownStart[q + 1] = ownStart[q] + ownCount[order[q]];
  const ownIds = new Int32Array(needles.length);
  const fill = ownStart.slice(0, n);
  for (let id = 0; id < needles.length; id++) ownIds[fill[newId[endOf[id]]]++] = id;
  return { nodes: n, edgeStart, edgeLabel, edgeTo, ownStart, ownIds };
}

const DENSE_CELLS = 1 << 19; // 2 MiB of Int32 per automaton at most

export class AhoCorasick {
  private readonly cls = new Map<number, number>();
  private readonly asciiCls = new Int32Array(128);
  private readonly width: number;
  private readonly denseStates: number;
  private readonly dense: Int32Array;
  private readonly edgeStart: Int32Array;
  private readonly edgeCls: Int32Array;
  private readonly edgeTo: Int32Array;
  private readonly fail: Int32Array;
  /** Nearest state on the failure chain (self included) that ends a needle, or -1. */
  private readonly dict: Int32Array;
  /** Needle ids ending at state s: ownIds[ownStart[s] .. ownStart[s + 1]). */
  private readonly ownStart: Int32Array;
  private readonly ownIds: Int32Array;

  constructor(needles: string[]) {
    const ascii = new Uint8Array(128);
    const chars = new Set<number>();
    for (const n of needles) {
      for (let i = 0; i < n.length; i++) {
        const ch = n.charCodeAt(i);
        if (ch < 128) ascii[ch] = 1;
        else chars.add(ch);
      }
    }
    for (let ch = 0; ch < 128; ch++) if (ascii[ch]) chars.add(ch);
    let w = 1; // class 0 = a character no needle contains
    for (const c of [...chars].sort((a, b) => a - b)) {
      this.cls.set(c, w);
      if (c < 128) this.asciiCls[c] = w;
      w++;
    }
    this.width = w;
    const asciiCls = this.asciiCls;
    const cls = this.cls;
    const { nodes: n, edgeStart, edgeLabel: edgeCls, edgeTo, ownStart, ownIds } = layOutTrie(needles, (nd, i) => {
      const ch = nd.charCodeAt(i);
      return ch < 128 ? asciiCls[ch] : (cls.get(ch) as number);
    });
    this.edgeStart = edgeStart;
    this.edgeCls = edgeCls;
    this.edgeTo = edgeTo;
    this.ownStart = ownStart;
    this.ownIds = ownIds;

    // failure links and full rows for the first states, in BFS (= id) order
    const D = Math.max(1, Math.min(n, Math.floor(DENSE_CELLS / w)));
    this.denseStates = D;
    const dense = new Int32Array(D * w);
    this.dense = dense;
    const fail = new Int32Array(n);
    const dict = new Int32Array(n).fill(-1);
    this.fail = fail;
    if (ownStart[1] > 0) dict[0] = 0; // an empty needle occurs everywhere
    for (let k = edgeStart[0]; k < edgeStart[1]; k++) dense[edgeCls[k]] = edgeTo[k];
    for (let s = 1; s < n; s++) {
      // parent's failure already known (BFS order); fail[s] was set when the parent was visited
      dict[s] = ownStart[s + 1] > ownStart[s] ? s : dict[fail[s]];
      const e0 = edgeStart[s];
      const e1 = edgeStart[s + 1];
      for (let k = e0; k < e1; k++) fail[edgeTo[k]] = this.goto(fail[s], edgeCls[k]);
      if (s < D) {
        const row = s * w;
        const frow = fail[s] * w; // fail[s] < s, so its row is complete
        dense.copyWithin(row, frow, frow + w);
        for (let k = e0; k < e1; k++) dense[row + edgeCls[k]] = edgeTo[k];
      }
    }
    this.dict = dict;
  }

  /** The full transition from state s on class c (failures followed). */
  private goto(s: number, c: number): number {
    for (;;) {
      if (s < this.denseStates) return this.dense[s * this.width + c];
      const cls = this.edgeCls;
      let lo = this.edgeStart[s];
      let hi = this.edgeStart[s + 1] - 1;
      while (lo <= hi) {
        const mid = (lo + hi) >> 1;
        const v = cls[mid];
        if (v === c) return this.edgeTo[mid];
        if (v < c) lo = mid + 1;
        else hi = mid - 1;
      }
      s = this.fail[s];
    }
  }

  /** Whether any needle occurs in the text. */
  test(text: string): boolean {
    const dict = this.dict;
    if (dict[0] === 0) return true;
    const asciiCls = this.asciiCls;
    const dense = this.dense;
    const D = this.denseStates;
    const w = this.width;
    let s = 0;
    for (let i = 0; i < text.length; i++) {
      const ch = text.charCodeAt(i);
      const c = ch < 128 ? asciiCls[ch] : (this.cls.get(ch) ?? 0);
      s = c === 0 ? 0 : s < D ? dense[s * w + c] : this.goto(s, c);
      if (dict[s] >= 0) return true;
    }
    return false;
  }

  /** Calls `hit(id)` for every needle occurrence (repeats possible). */
  scan(text: string, hit: (id: number) => void): void {
    const dict = this.dict;
    const asciiCls = this.asciiCls;
    const dense = this.dense;
    const D = this.denseStates;
    const w = this.width;
    let s = 0;
    for (let i = 0; i < text.length; i++) {
      const ch = text.charCodeAt(i);
      const c = ch < 128 ? asciiCls[ch] : (this.cls.get(ch) ?? 0);
      s = c === 0 ? 0 : s < D ? dense[s * w + c] : this.goto(s, c);
      for (let d = dict[s]; d >= 0; d = dict[this.fail[d]]) {
        for (let k = this.ownStart[d]; k < this.ownStart[d + 1]; k++) hit(this.ownIds[k]);
        if (d === 0) break;
      }
    }
  }
}

/**
 * Needles anchored at one end of the text: which needles the text starts with (or, reversed,
 * ends with). One walk from that end, as deep as some needle agrees with the text: a few
 * characters for most terms, where an Aho-Corasick scan reads every character. The candidate
 * index uses it for `startswith`/`endswith` literals (`Image|endswith: \cmd.exe`).
 */
export class AffixTrie {
  private readonly edgeStart: Int32Array;
  private readonly edgeChar: Int32Array;
  private readonly edgeTo: Int32Array;
  private readonly ownStart: Int32Array;
  private readonly ownIds: Int32Array;
  /** Children of the root by ASCII character, the one level every walk visits. */
  private readonly rootAscii: Int32Array;

  constructor(
    needles: string[],
    private readonly fromEnd: boolean,
  ) {
    const t = layOutTrie(needles, fromEnd ? (nd, i) => nd.charCodeAt(nd.length - 1 - i) : (nd, i) => nd.charCodeAt(i));
    this.edgeStart = t.edgeStart;
    this.edgeChar = t.edgeLabel;
    this.edgeTo = t.edgeTo;
    this.ownStart = t.ownStart;
    this.ownIds = t.ownIds;
    this.rootAscii = new Int32Array(128).fill(-1);
    for (let k = this.edgeStart[0]; k < this.edgeStart[1]; k++) if (this.edgeChar[k] < 128) this.rootAscii[this.edgeChar[k]] = this.edgeTo[k];
  }

  /** Calls `hit(id)` for every needle the text starts (or ends) with. */
  walk(text: string, hit: (id: number) => void): void {
    const own = this.ownStart;
    const ids = this.ownIds;
    const start = this.edgeStart;
    const chars = this.edgeChar;
    const to = this.edgeTo;
    const n = text.length;
    const fromEnd = this.fromEnd;
    for (let k = own[0]; k < own[1]; k++) hit(ids[k]);
    let s = 0;
    for (let i = 0; i < n; i++) {
      const ch = text.charCodeAt(fromEnd ? n - 1 - i : i);
      if (s === 0 && ch < 128) s = this.rootAscii[ch];
      else {
        let lo = start[s];
        let hi = start[s + 1] - 1;
        s = -1;
        while (lo <= hi) {
          const mid = (lo + hi) >> 1;
          const c = chars[mid];
          if (c === ch) {
            s = to[mid];
            break;
          }
          if (c < ch) lo = mid + 1;
          else hi = mid - 1;
        }
      }
      if (s < 0) return;
      for (let k = own[s]; k < own[s + 1]; k++) hit(ids[k]);
    }
  }
}

/**
 * Every needle occurring in a text, for large needle sets (the witness index's thousands of
 * command-line literals and hash IOCs). An Aho-Corasick automaton over them spans megabytes, and
 * a scan that touches a few dozen such automata per event spent most of its time on cache
 * misses. Here each needle is filed under one of its 8-grams (4-grams for needles of 4-7
 * characters), the one fewest other needles share; a scan slides the windows over the text,
 * tests a bit filter of a few kilobytes, and verifies the needles filed under a window that
 * passes. 8-grams keep random text (hashes against thousands of hash IOCs) from passing often.
 * Needles of 1-3 characters are looked up directly (ShortNeedles).
 */
export class NeedleScanner {
  private readonly short: ShortNeedles | undefined;
  private readonly g4: GramTable | undefined;
  private readonly g8: GramTable | undefined;

  constructor(needles: string[]) {
    const short: number[] = [];
    const mid: number[] = [];
    const long: number[] = [];
    needles.forEach((v, id) => (v.length < 4 ? short : v.length < 8 ? mid : long).push(id));
    this.short = short.length ? new ShortNeedles(needles, short) : undefined;
    this.g4 = mid.length ? new GramTable(needles, mid, 4) : undefined;
    this.g8 = long.length ? new GramTable(needles, long, 8) : undefined;
  }

  /** Calls `hit(id)` for every needle occurring in the text (repeats possible). */
  scan(text: string, hit: (id: number) => void): void {
    if (this.short) this.short.scan(text, hit);
    const n = text.length;
    const g4 = this.g4;
    const g8 = this.g8;
    if (n < 4 || (!g4 && !g8)) return;
    const bits4 = g4 ? g4.bits : EMPTY_BITS;
    const shift4 = g4 ? g4.shift : 31;
    const bits8 = g8 ? g8.bits : EMPTY_BITS;
    const shift8 = g8 ? g8.shift : 31;
    let hi = 0;
    let lo = 0;
    for (let i = 0; i < n; i++) {
      hi = (hi << 8) | (lo >>> 24);
      lo = (lo << 8) | (text.charCodeAt(i) & 0xff);
      if (i < 3) continue;
      let b = Math.imul(lo, 0x9e3779b1) >>> shift4;
      if ((bits4[b >>> 5] & (1 << (b & 31))) !== 0 && g4) g4.verify(text, lo, i - 3, hit);
      if (i < 7) continue;
      const k = lo ^ Math.imul(hi, 0x27d4eb2f);
      b = Math.imul(k, 0x9e3779b1) >>> shift8;
      if ((bits8[b >>> 5] & (1 << (b & 31))) !== 0 && g8) g8.verify(text, k, i - 7, hit);
    }
  }
}

/**
 * Needles of 1-3 characters. ASCII ones: each window of one, two and three ASCII characters ending
 * at a position is looked up directly (a table of 128, an exact bitmap of 2^14 pairs, a hashed one of
 * triples; a few KB in all). Others (SigmaHQ's emoji and homoglyph lists: 1,600 of the command
 * line's 1,700 short needles) are filed under their first non-ASCII character and verified where
 * the text has it. One Aho-Corasick automaton over both had rows 1,300 classes wide (2 MB): a
 * cache miss per character of every command line inside the match loop.
 */
class ShortNeedles {
  /** Per window, the ids of the needles it is (needles are usually distinct; a caller may repeat one). */
  private readonly one: Array<number[] | undefined> = new Array(128).fill(undefined);
  private readonly bits2 = new Int32Array(1 << 9);
  private readonly pairs = new Map<number, number[]>();
  private readonly bits3 = new Int32Array(1 << 9);
  private readonly triples = new Map<number, number[]>();
  private readonly wide = new Map<number, number[]>();
  private readonly hasWide: boolean;

  constructor(
    private readonly needles: string[],
    ids: number[],
  ) {
    const file = (m: Map<number, number[]>, k: number, id: number): void => {
      const l = m.get(k);
      if (l) l.push(id);
      else m.set(k, [id]);
    };
    for (const id of ids) {
      const v = needles[id];
      const at = v.search(NON_ASCII);
      if (at >= 0) {
        const c = v.charCodeAt(at);
        const l = this.wide.get(c);
        if (l) l.push(id, at);
        else this.wide.set(c, [id, at]);
      } else if (v.length === 1) (this.one[v.charCodeAt(0)] ??= []).push(id);
      else if (v.length === 2) {
        const k = (v.charCodeAt(0) << 7) | v.charCodeAt(1);
        this.bits2[k >>> 5] |= 1 << (k & 31);
        file(this.pairs, k, id);
      } else {
        const k = (v.charCodeAt(0) << 14) | (v.charCodeAt(1) << 7) | v.charCodeAt(2);
        const b = Math.imul(k, 0x9e3779b1) >>> 18;
        this.bits3[b >>> 5] |= 1 << (b & 31);
        file(this.triples, k, id);
      }
    }
    this.hasWide = this.wide.size > 0;
  }

  scan(text: string, hit: (id: number) => void): void {
    const one = this.one;
    const bits2 = this.bits2;
    const bits3 = this.bits3;
    // the two characters before, while ASCII (-1 otherwise)
    let p1 = -1;
    let p2 = -1;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c >= 128) {
        if (this.hasWide) this.wideAt(text, i, c, hit);
        p1 = p2 = -1;
        continue;
      }
      const l1 = one[c];
      if (l1 !== undefined) for (let j = 0; j < l1.length; j++) hit(l1[j]);
      if (p1 >= 0) {
        const k2 = (p1 << 7) | c;
        if ((bits2[k2 >>> 5] & (1 << (k2 & 31))) !== 0) {
          const l = this.pairs.get(k2) as number[];
          for (let j = 0; j < l.length; j++) hit(l[j]);
        }
        if (p2 >= 0) {
          const k3 = (p2 << 14) | k2;
          const b = Math.imul(k3, 0x9e3779b1) >>> 18;
          if ((bits3[b >>> 5] & (1 << (b & 31))) !== 0) {
            const l = this.triples.get(k3);
            if (l !== undefined) for (let j = 0; j < l.length; j++) hit(l[j]);
          }
        }
      }
      p2 = p1;
      p1 = c;
    }
  }

  /** The needles filed under the non-ASCII character c, at position i of the text: each occurrence is found there, once. */
  private wideAt(text: string, i: number, c: number, hit: (id: number) => void): void {
    const l = this.wide.get(c);
    if (l === undefined) return;
    for (let j = 0; j < l.length; j += 2) {
      const start = i - l[j + 1];
      if (start >= 0 && text.startsWith(this.needles[l[j]], start)) hit(l[j]);
    }
  }
}

const EMPTY_BITS = new Int32Array(1);
const NON_ASCII = /[^\x00-\x7f]/;

/** Needles filed under one q-gram each (q = 4 or 8), as a bit filter and an open-addressing table. */
class GramTable {
  readonly shift: number;
  readonly bits: Int32Array;
  private readonly bits2: Int32Array;
  private readonly keys: Int32Array;
  private readonly used: Uint8Array;
  private readonly mask: number;
  private readonly listStart: Int32Array;
  /**
   * Per filed needle, four ints: its window's offset in it, its id, where its characters start in
   * `chars`, its length. Verifying against the needles' own strings, each a separate object
   * somewhere in the heap, cost a few cache misses per verification (~0.3 µs inside the match loop,
   * where ~13 verifications per ECS event made it the scan's largest line); here the entry and
   * the characters are one or two cache lines.
   */
  private readonly entries: Int32Array;
  private readonly chars: Uint16Array;

  constructor(needles: string[], ids: number[], q: 4 | 8) {
    // how many needles contain each gram: a needle is filed under its rarest one
    const freq = new Map<number, number>();
    const seen = new Set<number>();
    for (const id of ids) {
      const v = needles[id];
      seen.clear();
      for (let o = 0; o + q <= v.length; o++) seen.add(gramKey(v, o, q));
      for (const k of seen) freq.set(k, (freq.get(k) ?? 0) + 1);
    }
    const byKey = new Map<number, number[]>();
    for (const id of ids) {
      const v = needles[id];
      let best = 0;
      let bestF = Infinity;
      for (let o = 0; o + q <= v.length; o++) {
        const f = freq.get(gramKey(v, o, q)) as number;
        if (f < bestF) (bestF = f), (best = o);
      }
      const k = gramKey(v, best, q);
      let l = byKey.get(k);
      if (!l) byKey.set(k, (l = []));
      l.push(id, best);
    }
    // A window that passes the first probe (one bit per key, ~32 bits per key) is tested against a
    // second bit from another hash, and only then looked up: about 0.5% of the windows of unrelated
    // text get that far (was 4-6% with one probe into a filter of 16 bits per key, and looking a
    // window up costs as much as scanning a few dozen characters). 2^13 .. 2^18 bits.
    let logBits = 13;
    while (logBits < 18 && 1 << logBits < byKey.size * 32) logBits++;
    this.shift = 32 - logBits;
    this.bits = new Int32Array(1 << (logBits - 5));
    this.bits2 = new Int32Array(1 << (logBits - 5));
    let logSlots = 1;
    while (1 << logSlots < byKey.size * 2) logSlots++;
    this.mask = (1 << logSlots) - 1;
    this.keys = new Int32Array(1 << logSlots);
    this.used = new Uint8Array(1 << logSlots);
    this.listStart = new Int32Array((1 << logSlots) + 1);
    const lists: Array<number[] | undefined> = new Array(1 << logSlots);
    let total = 0;
    for (const [k, l] of byKey) {
      const b = Math.imul(k, 0x9e3779b1) >>> this.shift;
      this.bits[b >>> 5] |= 1 << (b & 31);
      const b2 = Math.imul(k, 0x85ebca6b) >>> this.shift;
      this.bits2[b2 >>> 5] |= 1 << (b2 & 31);
      let slot = Math.imul(k, 0x85ebca6b) & this.mask;
      while (this.used[slot]) slot = (slot + 1) & this.mask;
      this.used[slot] = 1;
      this.keys[slot] = k;
      lists[slot] = l;
      total += l.length / 2;
    }
    this.entries = new Int32Array(4 * total);
    let nChars = 0;
    for (const id of ids) nChars += needles[id].length;
    this.chars = new Uint16Array(nChars);
    let at = 0;
    let c = 0;
    for (let s = 0; s <= this.mask; s++) {
      this.listStart[s] = at;
      const l = lists[s];
      if (!l) continue;
      for (let j = 0; j < l.length; j += 2) {
        const v = needles[l[j]];
        const e = 4 * at++;
        this.entries[e] = l[j + 1];
        this.entries[e + 1] = l[j];
        this.entries[e + 2] = c;
        this.entries[e + 3] = v.length;
        for (let m = 0; m < v.length; m++) this.chars[c++] = v.charCodeAt(m);
      }
    }
    this.listStart[this.mask + 1] = at;
  }

  /** The window with key k starts at `at`: report the needles filed under k that occur there. */
  verify(text: string, k: number, at: number, hit: (id: number) => void): void {
    const b2 = Math.imul(k, 0x85ebca6b) >>> this.shift;
    if ((this.bits2[b2 >>> 5] & (1 << (b2 & 31))) === 0) return;
    const keys = this.keys;
    const used = this.used;
    let slot = Math.imul(k, 0x85ebca6b) & this.mask;
    while (used[slot]) {
      if (keys[slot] === k) {
        const entries = this.entries;
        const chars = this.chars;
        const end = 4 * this.listStart[slot + 1];
        for (let e = 4 * this.listStart[slot]; e < end; e += 4) {
          const start = at - entries[e];
          const len = entries[e + 3];
          if (start < 0 || start + len > text.length) continue;
          const c0 = entries[e + 2];
          let m = 0;
          while (m < len && text.charCodeAt(start + m) === chars[c0 + m]) m++;
          if (m === len) hit(entries[e + 1]);
        }
        return;
      }
      slot = (slot + 1) & this.mask;
    }
  }
}

/** The window key the scan computes: code units' low bytes (non-ASCII ones share keys; needles are verified). */
function gramKey(s: string, o: number, q: 4 | 8): number {
  let hi = 0;
  let lo = 0;
  for (let i = o; i < o + q; i++) {
    hi = (hi << 8) | (lo >>> 24);
    lo = (lo << 8) | (s.charCodeAt(i) & 0xff);
  }
  return q === 4 ? lo : lo ^ Math.imul(hi, 0x27d4eb2f);
}

/**
 * A pass over a text that rules out every needle at once when the text lacks, for each needle,
 * one character of it: the needle's least common one in machine-made values (digits, hex, GUID
 * and time punctuation are common; other letters rare; non-ASCII rarest). Hashes, GUIDs and
 * timestamps then skip a needle scanner whose needles are words, at a few cycles a character.
 */
export class CharFilter {
  private readonly always: boolean;
  /**
   * The test as one character class, run by the regex engine's compiled loop: a text the filter
   * rules out is read to its end (a hash, a GUID), about twice as fast as a loop of charCodeAt.
   * No `g`, `y` or `u` flag: no lastIndex, and one UTF-16 unit per step.
   */
  private readonly re: RegExp | null;

  /**
   * `raw`: for texts before witnessFold, which needles are folded with (A-Z lowered, İ ı ſ K
   * mapped to i s k): each chosen letter is taken in both cases, and every non-ASCII character
   * passes. A text it rules out has no needle in its fold either.
   */
  constructor(needles: string[], raw = false) {
    const ascii = new Uint8Array(128);
    let nonAscii = raw;
    let always = false;
    for (const v of needles) {
      if (v.length === 0) always = true;
      let best = -1;
      let bestScore = Infinity;
      for (let i = 0; i < v.length; i++) {
        const c = v.charCodeAt(i);
        const sc = commonness(c);
        if (sc < bestScore) (bestScore = sc), (best = c);
      }
      if (best >= 128) nonAscii = true;
      else if (best >= 0) {
        ascii[best] = 1;
        if (raw && ((best >= 65 && best <= 90) || (best >= 97 && best <= 122))) ascii[best ^ 32] = 1;
      }
    }
    this.always = always;
    let cls = '';
    for (let c = 0; c < 128; c++) if (ascii[c] === 1) cls += `\\x${c.toString(16).padStart(2, '0')}`;
    if (nonAscii) cls += '\\x80-\\uffff';
    this.re = cls === '' ? null : new RegExp(`[${cls}]`);
  }

  /** False only when no needle can occur in the text. */
  mayContain(text: string): boolean {
    return this.always || (this.re !== null && this.re.test(text));
  }
}

/**
 * A pass over a raw text (before witnessFold) that rules out every needle at once when the text
 * holds, for each needle, not even its least common three-character window (A-Z folded on the
 * fly; needles of one or two characters by themselves), in a table of 2^16 bits. Any non-ASCII
 * character passes the text: İ ı ſ K fold to ASCII, and a needle with a non-ASCII character needs
 * one in the text. Sharper than CharFilter on words, where one character per needle soon covers
 * the alphabet: the unbound keywords' ~60 needles let CharFilter pass nine in ten of ECS's
 * `process.args` tokens, this one one in ten. CharFilter stays the first test (FieldPlan.rawMayContain):
 * it rules out hashes and GUIDs without a false pass, where windows of hex collide in the table.
 */
export class TrigramFilter {
  private readonly ones = new Uint8Array(128);
  private readonly pairs = new Int32Array(1 << 9);
  private readonly triples = new Int32Array(1 << (TRIGRAM_BITS - 5));
  private readonly always: boolean;
  private readonly short: boolean;

  /** `needles`: folded (witnessFold), as the scanners hold them. */
  constructor(needles: string[]) {
    let always = false;
    let short = false;
    for (const v of needles) {
      if (v.length === 0) always = true;
      if (NON_ASCII.test(v)) continue;
      if (v.length === 1) {
        this.ones[v.charCodeAt(0)] = 1;
        short = true;
      } else if (v.length === 2) {
        const k = (v.charCodeAt(0) << 7) | v.charCodeAt(1);
        this.pairs[k >>> 5] |= 1 << (k & 31);
        short = true;
      } else {
        let best = 0;
        let bestScore = Infinity;
        for (let i = 0; i + 3 <= v.length; i++) {
          const sc = commonness(v.charCodeAt(i)) + commonness(v.charCodeAt(i + 1)) + commonness(v.charCodeAt(i + 2));
          if (sc < bestScore) (bestScore = sc), (best = i);
        }
        const b = trigramBit((v.charCodeAt(best) << 14) | (v.charCodeAt(best + 1) << 7) | v.charCodeAt(best + 2));
        this.triples[b >>> 5] |= 1 << (b & 31);
      }
    }
    this.always = always;
    this.short = short;
  }

  /** False only when no needle can occur in the text's fold. */
  mayContain(text: string): boolean {
    if (this.always) return true;
    const { triples, ones, pairs, short } = this;
    const n = text.length;
    // the last three folded characters, seven bits each
    let k = 0;
    for (let i = 0; i < n; i++) {
      let c = text.charCodeAt(i);
      if (c >= 128) return true;
      if (c >= 65 && c <= 90) c += 32;
      k = ((k << 7) | c) & 0x1fffff;
      if (short) {
        if (ones[c] === 1) return true;
        const k2 = k & 0x3fff;
        if (i >= 1 && (pairs[k2 >>> 5] & (1 << (k2 & 31))) !== 0) return true;
      }
      if (i >= 2) {
        const b = trigramBit(k);
        if ((triples[b >>> 5] & (1 << (b & 31))) !== 0) return true;
      }
    }
    return false;
  }
}

const TRIGRAM_BITS = 16;

/** The table bit of three 7-bit characters, `c1 << 14 | c2 << 7 | c3`: one hash for filing and testing. */
function trigramBit(k: number): number {
  return Math.imul(k, 0x9e3779b1) >>> (32 - TRIGRAM_BITS);
}

const COMMON_PUNCT = new Set([...' -.:{}/\\=,_+'].map((ch) => ch.charCodeAt(0)));

/** How often a character occurs in machine-made values (higher: more often); any total order is sound. */
function commonness(c: number): number {
  if (c >= 48 && c <= 57) return 10;
  if ((c >= 97 && c <= 102) || (c >= 65 && c <= 70)) return 9;
  if (COMMON_PUNCT.has(c)) return 8;
  // timestamps (T, Z) and 0x... numbers
  if (c === 116 || c === 122 || c === 120 || c === 84 || c === 90 || c === 88) return 7;
  if (c < 128) return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) ? 2 : 5;
  return 0;
}
