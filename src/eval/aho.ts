/**
 * Aho-Corasick over a compact alphabet: one DFA (goto + failure folded into a dense table)
 * finds every needle occurring in a haystack in one pass. Used by the candidate index, where
 * needles are already folded and haystacks are folded the same way.
 */

export class AhoCorasick {
  private readonly cls: Map<number, number> = new Map();
  private readonly asciiCls = new Int32Array(128);
  private readonly width: number;
  private readonly table: Int32Array;
  /** out[state] = needle ids ending here (own and via suffix links). */
  private readonly out: number[][];

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
    // trie
    const trans: Map<number, number>[] = [new Map()];
    const own: number[][] = [[]];
    needles.forEach((n, id) => {
      let s = 0;
      for (let i = 0; i < n.length; i++) {
        const c = this.cls.get(n.charCodeAt(i)) as number;
        let t = trans[s].get(c);
        if (t === undefined) {
          t = trans.length;
          trans.push(new Map());
          own.push([]);
          trans[s].set(c, t);
        }
        s = t;
      }
      own[s].push(id);
    });
    const nStates = trans.length;
    const table = new Int32Array(nStates * w);
    const fail = new Int32Array(nStates);
    const out: number[][] = own.map((o) => o.slice());
    const queue: number[] = [];
    for (let c = 0; c < w; c++) {
      const t = trans[0].get(c);
      if (t !== undefined) {
        table[c] = t;
        fail[t] = 0;
        queue.push(t);
      }
    }
    for (let q = 0; q < queue.length; q++) {
      const s = queue[q];
      if (out[fail[s]].length) out[s] = out[s].concat(out[fail[s]]);
      for (let c = 0; c < w; c++) {
        const t = trans[s].get(c);
        if (t !== undefined) {
          fail[t] = table[fail[s] * w + c];
          table[s * w + c] = t;
          queue.push(t);
        } else {
          table[s * w + c] = table[fail[s] * w + c];
        }
      }
    }
    this.table = table;
    this.out = out;
  }

  /** Whether any needle occurs in the text. */
  test(text: string): boolean {
    const w = this.width;
    const table = this.table;
    const out = this.out;
    const asciiCls = this.asciiCls;
    let s = 0;
    for (let i = 0; i < text.length; i++) {
      const ch = text.charCodeAt(i);
      const c = ch < 128 ? asciiCls[ch] : (this.cls.get(ch) ?? 0);
      s = table[s * w + c];
      if (out[s].length) return true;
    }
    return false;
  }

  /** Calls `hit(id)` for every needle occurrence (repeats possible). */
  scan(text: string, hit: (id: number) => void): void {
    const w = this.width;
    const table = this.table;
    const out = this.out;
    const asciiCls = this.asciiCls;
    let s = 0;
    for (let i = 0; i < text.length; i++) {
      const ch = text.charCodeAt(i);
      const c = ch < 128 ? asciiCls[ch] : (this.cls.get(ch) ?? 0);
      s = table[s * w + c];
      const o = out[s];
      if (o.length) for (let k = 0; k < o.length; k++) hit(o[k]);
    }
  }
}
