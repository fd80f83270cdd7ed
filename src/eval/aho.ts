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

const DENSE_CELLS = 1 << 16; // 256 KiB of Int32 per automaton at most

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
  private readonly own: Map<number, number[]>;

  constructor(needles: string[]) {
    const chars = new Set<number>();
    for (const n of needles) for (let i = 0; i < n.length; i++) chars.add(n.charCodeAt(i));
    let w = 1; // class 0 = a character no needle contains
    for (const c of [...chars].sort((a, b) => a - b)) {
      this.cls.set(c, w);
      if (c < 128) this.asciiCls[c] = w;
      w++;
    }
    this.width = w;
    // trie with creation-order ids, then renumbered breadth-first
    const trans0: Map<number, number>[] = [new Map()];
    const own0 = new Map<number, number[]>();
    needles.forEach((n, id) => {
      let s = 0;
      for (let i = 0; i < n.length; i++) {
        const c = this.cls.get(n.charCodeAt(i)) as number;
        let t = trans0[s].get(c);
        if (t === undefined) {
          t = trans0.length;
          trans0.push(new Map());
          trans0[s].set(c, t);
        }
        s = t;
      }
      const o = own0.get(s);
      if (o) o.push(id);
      else own0.set(s, [id]);
    });
    const n = trans0.length;
    const order: number[] = [0];
    const newId = new Int32Array(n);
    for (let q = 0; q < order.length; q++) {
      for (const [, t] of [...trans0[order[q]]].sort((a, b) => a[0] - b[0])) {
        newId[t] = order.length;
        order.push(t);
      }
    }
    const trans: Map<number, number>[] = order.map((old) => {
      const m = new Map<number, number>();
      for (const [c, t] of trans0[old]) m.set(c, newId[t]);
      return m;
    });
    const own = new Map<number, number[]>();
    for (const [s, ids] of own0) own.set(newId[s], ids);
    this.own = own;

    const edgeStart = new Int32Array(n + 1);
    let edges = 0;
    for (let s = 0; s < n; s++) {
      edgeStart[s] = edges;
      edges += trans[s].size;
    }
    edgeStart[n] = edges;
    const edgeCls = new Int32Array(edges);
    const edgeTo = new Int32Array(edges);
    for (let s = 0; s < n; s++) {
      let k = edgeStart[s];
      for (const [c, t] of [...trans[s]].sort((a, b) => a[0] - b[0])) {
        edgeCls[k] = c;
        edgeTo[k++] = t;
      }
    }
    this.edgeStart = edgeStart;
    this.edgeCls = edgeCls;
    this.edgeTo = edgeTo;

    // failure links and full rows for the first states, in BFS (= id) order
    const D = Math.max(1, Math.min(n, Math.floor(DENSE_CELLS / w)));
    this.denseStates = D;
    const dense = new Int32Array(D * w);
    this.dense = dense;
    const fail = new Int32Array(n);
    const dict = new Int32Array(n).fill(-1);
    this.fail = fail;
    if (own.has(0)) dict[0] = 0; // an empty needle occurs everywhere
    for (const [c, t] of trans[0]) dense[c] = t;
    for (let s = 1; s < n; s++) {
      // parent's failure already known (BFS order); fail[s] was set when the parent was visited
      dict[s] = own.has(s) ? s : dict[fail[s]];
      for (const [c, t] of trans[s]) fail[t] = this.goto(fail[s], c);
      if (s < D) {
        const row = s * w;
        const frow = fail[s] * w; // fail[s] < s, so its row is complete
        for (let c = 0; c < w; c++) dense[row + c] = dense[frow + c];
        for (const [c, t] of trans[s]) dense[row + c] = t;
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
        for (const id of this.own.get(d) as number[]) hit(id);
        if (d === 0) break;
      }
    }
  }
}
