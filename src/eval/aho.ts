/**
 * Aho-Corasick: every needle occurring in a haystack, in one pass. Used by the candidate index
 * and for long OR lists of `contains` values, with needles and haystacks folded the same way.
 *
 * Memory matters more than the last few percent: the SigmaHQ corpus puts tens of thousands of
 * needles on CommandLine, and a dense DFA (states × alphabet) would take ~100 MB. So only the
 * root has a dense table; other states keep their few edges in flat sorted arrays and the scan
 * follows failure links (still linear: each character moves down at most once).
 */

export class AhoCorasick {
  private readonly cls = new Map<number, number>();
  private readonly asciiCls = new Int32Array(128);
  private readonly root: Int32Array;
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
    const trans: Map<number, number>[] = [new Map()];
    const own = new Map<number, number[]>();
    needles.forEach((n, id) => {
      let s = 0;
      for (let i = 0; i < n.length; i++) {
        const c = this.cls.get(n.charCodeAt(i)) as number;
        let t = trans[s].get(c);
        if (t === undefined) {
          t = trans.length;
          trans.push(new Map());
          trans[s].set(c, t);
        }
        s = t;
      }
      const o = own.get(s);
      if (o) o.push(id);
      else own.set(s, [id]);
    });
    const n = trans.length;
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
    const root = new Int32Array(w);
    for (const [c, t] of trans[0]) root[c] = t;
    this.root = root;
    this.edgeStart = edgeStart;
    this.edgeCls = edgeCls;
    this.edgeTo = edgeTo;
    this.own = own;
    const fail = new Int32Array(n);
    const dict = new Int32Array(n).fill(-1);
    if (own.has(0)) dict[0] = 0; // an empty needle occurs everywhere
    const queue: number[] = [];
    for (const t of trans[0].values()) queue.push(t);
    for (let q = 0; q < queue.length; q++) {
      const s = queue[q];
      dict[s] = own.has(s) ? s : dict[fail[s]];
      for (const [c, t] of trans[s]) {
        let f = fail[s];
        let g = this.step(f, c);
        while (g < 0 && f !== 0) {
          f = fail[f];
          g = this.step(f, c);
        }
        fail[t] = g < 0 || g === t ? 0 : g;
        queue.push(t);
      }
    }
    this.fail = fail;
    this.dict = dict;
  }

  /** Child of state s on class c, or -1 (the root never fails: 0). */
  private step(s: number, c: number): number {
    if (s === 0) return this.root[c];
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
    return -1;
  }

  private next(s: number, ch: number): number {
    const c = ch < 128 ? this.asciiCls[ch] : (this.cls.get(ch) ?? 0);
    if (c === 0) return 0;
    for (;;) {
      const t = this.step(s, c);
      if (t >= 0) return t;
      s = this.fail[s];
    }
  }

  /** Whether any needle occurs in the text. */
  test(text: string): boolean {
    if (this.dict[0] === 0) return true;
    let s = 0;
    const dict = this.dict;
    for (let i = 0; i < text.length; i++) {
      s = this.next(s, text.charCodeAt(i));
      if (dict[s] >= 0) return true;
    }
    return false;
  }

  /** Calls `hit(id)` for every needle occurrence (repeats possible). */
  scan(text: string, hit: (id: number) => void): void {
    let s = 0;
    const dict = this.dict;
    for (let i = 0; i < text.length; i++) {
      s = this.next(s, text.charCodeAt(i));
      for (let d = dict[s]; d >= 0; d = dict[this.fail[d]]) {
        for (const id of this.own.get(d) as number[]) hit(id);
        if (d === 0) break;
      }
    }
  }
}
