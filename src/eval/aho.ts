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

  // Construction allocates nothing per trie node: the corpus's witness index has ~10^5 states,
  // and a Map per node made this constructor the largest part of compiling a rule set.
  constructor(needles: string[]) {
    const ascii = new Uint8Array(128);
    const chars = new Set<number>();
    let total = 0;
    for (const n of needles) {
      total += n.length;
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
    // trie with creation-order ids (children as sibling lists), then renumbered breadth-first
    const cap = total + 1;
    const firstChild = new Int32Array(cap).fill(-1);
    const nextSibling = new Int32Array(cap).fill(-1);
    const inCls = new Int32Array(cap);
    const ownFirst = new Int32Array(cap).fill(-1);
    const ownLast = new Int32Array(cap).fill(-1);
    const ownNext = new Int32Array(needles.length).fill(-1);
    let n = 1;
    for (let id = 0; id < needles.length; id++) {
      const nd = needles[id];
      let s = 0;
      for (let i = 0; i < nd.length; i++) {
        const ch = nd.charCodeAt(i);
        const c = ch < 128 ? this.asciiCls[ch] : (this.cls.get(ch) as number);
        let t = firstChild[s];
        while (t >= 0 && inCls[t] !== c) t = nextSibling[t];
        if (t < 0) {
          t = n++;
          inCls[t] = c;
          nextSibling[t] = firstChild[s];
          firstChild[s] = t;
        }
        s = t;
      }
      if (ownFirst[s] < 0) ownFirst[s] = id;
      else ownNext[ownLast[s]] = id;
      ownLast[s] = id;
    }
    // breadth-first ids; each state's edges sorted by class, laid out contiguously
    const order = new Int32Array(n);
    const edgeStart = new Int32Array(n + 1);
    const edgeCls = new Int32Array(n - 1);
    const edgeTo = new Int32Array(n - 1);
    const kids: number[] = [];
    let len = 1;
    let edges = 0;
    for (let q = 0; q < n; q++) {
      edgeStart[q] = edges;
      kids.length = 0;
      for (let t = firstChild[order[q]]; t >= 0; t = nextSibling[t]) kids.push(t);
      if (kids.length > 1) kids.sort((a, b) => inCls[a] - inCls[b]);
      for (const t of kids) {
        edgeCls[edges] = inCls[t];
        edgeTo[edges++] = len;
        order[len++] = t;
      }
    }
    edgeStart[n] = edges;
    this.edgeStart = edgeStart;
    this.edgeCls = edgeCls;
    this.edgeTo = edgeTo;
    const ownStart = new Int32Array(n + 1);
    let owned = 0;
    for (let q = 0; q < n; q++) {
      ownStart[q] = owned;
      for (let id = ownFirst[order[q]]; id >= 0; id = ownNext[id]) owned++;
    }
    ownStart[n] = owned;
    const ownIds = new Int32Array(owned);
    for (let q = 0, k = 0; q < n; q++) for (let id = ownFirst[order[q]]; id >= 0; id = ownNext[id]) ownIds[k++] = id;
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
