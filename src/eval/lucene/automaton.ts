import { SigmaEsError } from '../../errors';
import type { Lang } from '../../ir/regex/lang';
import { luceneFoldAlternatives } from '../../ir/regex/casefold';

/**
 * Whole-term matching of a `Lang` in linear time: a Thompson NFA over code point classes,
 * determinized lazily (one DFA state per distinct NFA state set, built on first use and cached).
 * No backtracking, so `(a+)+$` on a long run of `a` costs one table lookup per character.
 */

/** NFA size guard: Lucene unrolls counted repeats the same way, and ES refuses far smaller automata. */
const MAX_NFA_STATES = 500_000;
/** Past this many cached DFA states the cache is dropped and rebuilt on demand (still linear). */
const MAX_DFA_STATES = 20_000;

const EPS = 0;
const CHAR = 1;
const MATCH = 2;

class Nfa {
  kind: number[] = [];
  out1: number[] = [];
  out2: number[] = [];
  set: number[] = []; // set id for CHAR states

  add(kind: number, set = -1): number {
    if (this.kind.length >= MAX_NFA_STATES) {
      throw new SigmaEsError('REGEX_UNSUPPORTED', `regex too large: more than ${MAX_NFA_STATES} automaton states after unrolling repetitions`);
    }
    this.kind.push(kind);
    this.out1.push(-1);
    this.out2.push(-1);
    this.set.push(set);
    return this.kind.length - 1;
  }
}

interface Frag { start: number; ends: number[] } // ends: EPS states whose out1 is still open

export class TermAutomaton {
  private readonly nfa = new Nfa();
  private readonly sets: number[][] = []; // flat ranges per set id
  private boundaries: Int32Array = new Int32Array(0); // class k = [boundaries[k], boundaries[k+1])
  private asciiClass = new Int32Array(128);
  private numClasses = 0;
  private setClasses: Uint8Array[] = []; // setClasses[setId][class] = 1 if the class is inside the set
  private start = -1;

  // lazy DFA
  private dfaKeys = new Map<string, number>();
  private dfaSets: Int32Array[] = [];
  private dfaAccept: boolean[] = [];
  private dfaUniversal: boolean[] = [];
  private trans: Int32Array = new Int32Array(0);
  private startDfa = -1;

  constructor(lang: Lang, private readonly fold: (cp: number) => readonly number[]) {
    const setIds = new Map<string, number>();
    const frag = this.build(lang, setIds);
    const m = this.nfa.add(MATCH);
    this.patch(frag, m);
    this.start = frag.start;
    this.computeClasses();
    this.resetDfa();
  }

  private setId(ranges: number[], ids: Map<string, number>): number {
    const key = ranges.join(',');
    let id = ids.get(key);
    if (id === undefined) {
      id = this.sets.length;
      this.sets.push(ranges);
      ids.set(key, id);
    }
    return id;
  }

  private patch(f: Frag, to: number): void {
    for (const e of f.ends) this.nfa.out1[e] = to;
  }

  private build(l: Lang, ids: Map<string, number>): Frag {
    const nfa = this.nfa;
    switch (l.t) {
      case 'none': {
        const s = nfa.add(EPS); // no exits: nothing gets through
        return { start: s, ends: [] };
      }
      case 'eps': {
        const s = nfa.add(EPS);
        return { start: s, ends: [s] };
      }
      case 'cp':
      case 'set': {
        let ranges: number[];
        if (l.t === 'set') ranges = l.ranges;
        else {
          const pts = [l.cp, ...(l.fold ? this.fold(l.cp) : [])].sort((a, b) => a - b);
          ranges = [];
          for (const p of pts) ranges.push(p, p);
        }
        const c = nfa.add(CHAR, this.setId(ranges, ids));
        const e = nfa.add(EPS);
        nfa.out1[c] = e;
        return { start: c, ends: [e] };
      }
      case 'seq': {
        const frags = l.items.map((x) => this.build(x, ids));
        for (let i = 0; i + 1 < frags.length; i++) this.patch(frags[i], frags[i + 1].start);
        return { start: frags[0].start, ends: frags[frags.length - 1].ends };
      }
      case 'alt': {
        // a chain of binary splits
        const frags = l.items.map((x) => this.build(x, ids));
        let start = frags[frags.length - 1].start;
        for (let i = frags.length - 2; i >= 0; i--) {
          const s = nfa.add(EPS);
          nfa.out1[s] = frags[i].start;
          nfa.out2[s] = start;
          start = s;
        }
        return { start, ends: frags.flatMap((f) => f.ends) };
      }
      case 'rep': {
        const parts: Frag[] = [];
        for (let i = 0; i < l.min; i++) parts.push(this.build(l.body, ids));
        if (l.max === null) {
          const s = nfa.add(EPS); // loop: out1 -> body, out2 -> exit
          const body = this.build(l.body, ids);
          nfa.out1[s] = body.start;
          this.patch(body, s);
          const exit = nfa.add(EPS);
          nfa.out2[s] = exit;
          parts.push({ start: s, ends: [exit] });
        } else {
          // nested optionals, so each extra copy is only reachable after the previous one
          const opt = l.max - l.min;
          let tail: Frag | null = null;
          for (let i = 0; i < opt; i++) {
            const s = nfa.add(EPS);
            const body = this.build(l.body, ids);
            const exit = nfa.add(EPS);
            nfa.out1[s] = body.start;
            nfa.out2[s] = exit;
            if (tail) this.patch(body, tail.start); else this.patch(body, exit);
            if (tail) for (const e of tail.ends) nfa.out1[e] = exit;
            tail = { start: s, ends: [exit] };
          }
          if (tail) parts.push(tail);
        }
        if (parts.length === 0) {
          const s = nfa.add(EPS);
          return { start: s, ends: [s] };
        }
        for (let i = 0; i + 1 < parts.length; i++) this.patch(parts[i], parts[i + 1].start);
        return { start: parts[0].start, ends: parts[parts.length - 1].ends };
      }
    }
  }

  private computeClasses(): void {
    const b = new Set<number>([0, 0x110000]);
    for (const r of this.sets) for (let i = 0; i < r.length; i += 2) { b.add(r[i]); b.add(r[i + 1] + 1); }
    const sorted = [...b].sort((x, y) => x - y);
    this.boundaries = Int32Array.from(sorted);
    this.numClasses = sorted.length - 1;
    for (let cp = 0; cp < 128; cp++) this.asciiClass[cp] = this.classOfSlow(cp);
    this.setClasses = this.sets.map((r) => {
      const m = new Uint8Array(this.numClasses);
      for (let i = 0; i < r.length; i += 2) {
        for (let k = this.classOfSlow(r[i]); k < this.numClasses && this.boundaries[k] <= r[i + 1]; k++) m[k] = 1;
      }
      return m;
    });
  }

  private classOfSlow(cp: number): number {
    const b = this.boundaries;
    let lo = 0;
    let hi = b.length - 1;
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      if (b[mid] <= cp) lo = mid; else hi = mid;
    }
    return lo;
  }

  private resetDfa(): void {
    this.dfaKeys.clear();
    this.dfaSets = [];
    this.dfaAccept = [];
    this.dfaUniversal = [];
    this.trans = new Int32Array(64 * this.numClasses).fill(-1);
    this.startDfa = this.dfaState(this.closure([this.start]));
  }

  private closure(seeds: number[]): Int32Array {
    const nfa = this.nfa;
    const seen = new Set<number>();
    const stack = [...seeds];
    const out: number[] = [];
    while (stack.length) {
      const s = stack.pop()!;
      if (s < 0 || seen.has(s)) continue;
      seen.add(s);
      const k = nfa.kind[s];
      if (k === EPS) { stack.push(nfa.out2[s], nfa.out1[s]); } else out.push(s);
    }
    out.sort((a, b) => a - b);
    return Int32Array.from(out);
  }

  private dfaState(states: Int32Array): number {
    const key = states.join(',');
    const found = this.dfaKeys.get(key);
    if (found !== undefined) return found;
    const id = this.dfaSets.length;
    this.dfaKeys.set(key, id);
    this.dfaSets.push(states);
    let accept = false;
    for (const s of states) if (this.nfa.kind[s] === MATCH) accept = true;
    this.dfaAccept.push(accept);
    this.dfaUniversal.push(false);
    if ((id + 1) * this.numClasses > this.trans.length) {
      const t = new Int32Array(this.trans.length * 2).fill(-1);
      t.set(this.trans);
      this.trans = t;
    }
    if (accept) {
      // Once every character leads back here, the rest of the term cannot change the answer.
      let universal = true;
      for (let c = 0; c < this.numClasses && universal; c++) if (this.step(id, c) !== id) universal = false;
      this.dfaUniversal[id] = universal;
    }
    return id;
  }

  private step(d: number, cls: number): number {
    const idx = d * this.numClasses + cls;
    const cached = this.trans[idx];
    if (cached >= 0) return cached;
    const next: number[] = [];
    for (const s of this.dfaSets[d]) {
      if (this.nfa.kind[s] === CHAR && this.setClasses[this.nfa.set[s]][cls]) next.push(this.nfa.out1[s]);
    }
    const to = this.dfaState(this.closure(next));
    this.trans[d * this.numClasses + cls] = to; // trans may have been reallocated by dfaState
    return to;
  }

  matches(term: string): boolean {
    if (this.dfaSets.length > MAX_DFA_STATES) this.resetDfa();
    let d = this.startDfa;
    const n = term.length;
    for (let i = 0; i < n; i++) {
      if (this.dfaUniversal[d]) return true;
      if (this.dfaSets[d].length === 0) return false;
      let cp = term.charCodeAt(i);
      if (cp >= 0xd800 && cp <= 0xdbff && i + 1 < n) {
        const lo = term.charCodeAt(i + 1);
        if (lo >= 0xdc00 && lo <= 0xdfff) { cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00); i++; }
      }
      const cls = cp < 128 ? this.asciiClass[cp] : this.classOfSlow(cp);
      const t = this.trans[d * this.numClasses + cls];
      d = t >= 0 ? t : this.step(d, cls);
    }
    return this.dfaAccept[d];
  }
}

/** Lucene 10 RegExp CASE_INSENSITIVE expansion of one pattern character. */
export const luceneRegexFold = luceneFoldAlternatives;
