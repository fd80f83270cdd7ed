import { luceneFoldAlternatives } from './casefold';

/**
 * Port of what an Elasticsearch 9.5 `regexp` query on a keyword field pays to determinize its
 * pattern, so that a regex Elasticsearch would refuse ("Determinizing automaton with N states and
 * M transitions would require more than 10000 effort") is rejected at translation instead.
 *
 * The chain being reproduced (ES 9.5 KeywordFieldType/StringFieldType.regexpQuery, Lucene 10.3.2):
 *   AutomatonQueries.collapseConsecutiveQuantifiers(pattern)
 *   new RegExp(p, RegexpFlag.ALL = 0x100FF (ALL | DEPRECATED_COMPLEMENT), ci ? ASCII_CASE_INSENSITIVE : 0)
 *     .toAutomaton()                      -- an NFA without epsilons, built by Operations.*
 *   CircuitBreakingOperations.determinize(nfa, max_determinized_states)  -- a copy of
 *     Operations.determinize: no-op when the NFA is flagged deterministic or has <= 1 state;
 *     otherwise a subset construction that adds |subset| to `effort` for each DFA state it takes
 *     off the worklist and throws TooComplexToDeterminizeException once effort >= 10 * workLimit.
 * The total effort is the sum of the subset sizes of all reachable DFA states, independent of
 * the worklist order, so Lucene throws iff that sum >= 10 * workLimit. It depends on the exact
 * NFA (dead states, state merges, which states epsilon copies land in), hence the NFA
 * construction below follows RegExp.toAutomaton / Operations / Automata line by line.
 *
 * Scope: the RegExp syntax our renderer (lucene.ts) and the cidr regexes emit — literals, `\`
 * escapes, `.`, `(...)`, `|`, `? * + {n} {n,} {n,m}`, `[...]`/`[^...]` with ranges and
 * `\d\D\s\S\w\W`, `#`, `@`, `"..."`. Intersection `&`, complement `~` and `<...>` throw
 * LuceneCostUnsupported (they are always escaped by the renderer). Checked against Lucene itself
 * by test/regex/lucene-cost.test.ts.
 */

export class LuceneCostUnsupported extends Error {}

const MAX_CP = 0x10ffff;
const DEFAULT_WORK_LIMIT = 10000;

// ---------------------------------------------------------------------------------------------
// Automaton: per state a sorted, merged list of (dest, min, max) triples (Automaton.finishState),
// in typed arrays: state s's transitions are t[3j], t[3j + 1], t[3j + 2] for start[s] <= j <
// start[s + 1]. Every automaton here is built, used and dropped within one pattern's cost
// estimate, and the corpus runs these functions mostly before V8 has optimized them, so they are
// kept to flat loops over arrays whose element types never change (mixed array shapes cost
// repeated deoptimizations).

interface Aut {
  n: number;
  acc: Uint8Array;
  start: Int32Array;
  t: Int32Array;
}

const automaton = (acc: Uint8Array, start: Int32Array, t: Int32Array): Aut => ({ n: acc.length, acc, start, t });

/** Whether triple i of buf sorts after (d, lo, hi): by (dest, min, max), or by (min, max, dest). */
function after(buf: Int32Array, i: number, d: number, lo: number, hi: number, byDest: boolean): boolean {
  const bd = buf[3 * i];
  const bl = buf[3 * i + 1];
  const bh = buf[3 * i + 2];
  if (byDest) return bd !== d ? bd > d : bl !== lo ? bl > lo : bh > hi;
  return bl !== lo ? bl > lo : bh !== hi ? bh > hi : bd > d;
}

function sortTriples(buf: Int32Array, k: number, byDest: boolean): void {
  if (k > 32) {
    const idx = Array.from({ length: k }, (_, i) => i);
    idx.sort((x, y) => (after(buf, x, buf[3 * y], buf[3 * y + 1], buf[3 * y + 2], byDest) ? 1 : after(buf, y, buf[3 * x], buf[3 * x + 1], buf[3 * x + 2], byDest) ? -1 : 0));
    const copy = buf.slice(0, 3 * k);
    for (let i = 0; i < k; i++) buf.set(copy.subarray(3 * idx[i], 3 * idx[i] + 3), 3 * i);
    return;
  }
  for (let i = 1; i < k; i++) {
    const d = buf[3 * i];
    const lo = buf[3 * i + 1];
    const hi = buf[3 * i + 2];
    let j = i - 1;
    for (; j >= 0 && after(buf, j, d, lo, hi, byDest); j--) {
      buf[3 * j + 3] = buf[3 * j];
      buf[3 * j + 4] = buf[3 * j + 1];
      buf[3 * j + 5] = buf[3 * j + 2];
    }
    buf[3 * j + 3] = d;
    buf[3 * j + 4] = lo;
    buf[3 * j + 5] = hi;
  }
}

/**
 * Automaton.finishCurrentState on the k triples at the start of buf, in place: merge
 * overlapping/adjacent ranges to the same dest, sort by (min, max, dest). Returns the new count.
 */
function finishState(buf: Int32Array, k: number): number {
  if (k <= 1) return k;
  sortTriples(buf, k, true);
  let out = 0;
  let dest = buf[0];
  let min = buf[1];
  let max = buf[2];
  for (let i = 1; i < k; i++) {
    const d = buf[3 * i];
    const lo = buf[3 * i + 1];
    const hi = buf[3 * i + 2];
    if (d === dest && lo <= max + 1) {
      if (hi > max) max = hi;
    } else {
      buf[3 * out] = dest;
      buf[3 * out + 1] = min;
      buf[3 * out + 2] = max;
      out++;
      dest = d;
      min = lo;
      max = hi;
    }
  }
  buf[3 * out] = dest;
  buf[3 * out + 1] = min;
  buf[3 * out + 2] = max;
  out++;
  sortTriples(buf, out, false);
  return out;
}

/** A copy of `a` (an Int32Array or Uint8Array) with room for at least `size` elements. */
function grow<T extends Int32Array<ArrayBuffer> | Uint8Array<ArrayBuffer>>(a: T, size: number): T {
  let cap = a.length * 2;
  while (cap < size) cap *= 2;
  const g = new (a.constructor as new (length: number) => T)(cap);
  g.set(a);
  return g;
}

/**
 * Mutable automaton under construction; `done` freezes it the way Automaton/Builder.finish do.
 * Each state's transitions are a linked list of entries (dest, min, max, next entry), unordered
 * until `done` finishes them.
 */
class Build {
  n = 0;
  acc = new Uint8Array(8);
  private head = new Int32Array(8);
  private e = new Int32Array(32);
  private ne = 0;
  createState(): number {
    if (this.n === this.acc.length) {
      this.acc = grow(this.acc, this.n + 1);
      this.head = grow(this.head, this.n + 1);
    }
    this.acc[this.n] = 0;
    this.head[this.n] = -1;
    return this.n++;
  }
  add(src: number, dest: number, min: number, max: number): void {
    if (4 * this.ne + 4 > this.e.length) this.e = grow(this.e, 4 * this.ne + 4);
    const e = this.e;
    const i = 4 * this.ne;
    e[i] = dest;
    e[i + 1] = min;
    e[i + 2] = max;
    e[i + 3] = this.head[src];
    this.head[src] = this.ne++;
  }
  copy(a: Aut): number {
    const off = this.n;
    for (let s = 0; s < a.n; s++) {
      const c = this.createState();
      this.acc[c] = a.acc[s];
    }
    const t = a.t;
    for (let s = 0; s < a.n; s++) for (let j = a.start[s]; j < a.start[s + 1]; j++) this.add(off + s, t[3 * j] + off, t[3 * j + 1], t[3 * j + 2]);
    return off;
  }
  /**
   * Automaton/Builder.addEpsilon: source gets dest's current outgoing transitions and acceptance.
   * A dest not created yet (the copy of an empty automaton in repeat(a, min, max)) has neither.
   */
  addEpsilon(source: number, dest: number): void {
    if (dest >= this.n) return;
    // new entries go to the front of source's list, so this walk never meets them
    for (let k = this.head[dest]; k !== -1; k = this.e[4 * k + 3]) this.add(source, this.e[4 * k], this.e[4 * k + 1], this.e[4 * k + 2]);
    if (this.acc[dest]) this.acc[source] = 1;
  }
  done(): Aut {
    const start = new Int32Array(this.n + 1);
    let t = new Int32Array(3 * this.ne);
    let len = 0;
    let buf = new Int32Array(48);
    for (let s = 0; s < this.n; s++) {
      start[s] = len / 3;
      let k = 0;
      for (let x = this.head[s]; x !== -1; x = this.e[4 * x + 3], k++) {
        if (3 * k + 3 > buf.length) buf = grow(buf, 3 * k + 3);
        buf[3 * k] = this.e[4 * x];
        buf[3 * k + 1] = this.e[4 * x + 1];
        buf[3 * k + 2] = this.e[4 * x + 2];
      }
      k = finishState(buf, k);
      t.set(buf.subarray(0, 3 * k), len);
      len += 3 * k;
    }
    start[this.n] = len / 3;
    if (len < t.length) t = t.slice(0, len);
    return automaton(this.acc.slice(0, this.n), start, t);
  }
}

const EMPTY_T = new Int32Array(0);
const makeEmpty = (): Aut => automaton(new Uint8Array(0), new Int32Array(1), EMPTY_T);
const makeEmptyString = (): Aut => automaton(Uint8Array.of(1), new Int32Array(2), EMPTY_T);
const makeAnyString = (): Aut => automaton(Uint8Array.of(1), Int32Array.of(0, 1), Int32Array.of(0, 0, MAX_CP));

function makeCharClass(starts: number[], ends: number[]): Aut {
  if (starts.length === 0) return makeEmpty();
  const t = new Int32Array(3 * starts.length);
  for (let i = 0; i < starts.length; i++) (t[3 * i] = 1), (t[3 * i + 1] = starts[i]), (t[3 * i + 2] = ends[i]);
  const k = finishState(t, starts.length);
  return automaton(Uint8Array.of(0, 1), Int32Array.of(0, k, k), t.slice(0, 3 * k));
}

const makeCharRange = (min: number, max: number): Aut => (min > max ? makeEmpty() : makeCharClass([min], [max]));

function makeString(cps: number[]): Aut {
  const n = cps.length + 1;
  const acc = new Uint8Array(n);
  acc[n - 1] = 1;
  const start = new Int32Array(n + 1);
  const t = new Int32Array(3 * cps.length);
  for (let i = 0; i < cps.length; i++) {
    start[i + 1] = i + 1;
    t[3 * i] = i + 1;
    t[3 * i + 1] = cps[i];
    t[3 * i + 2] = cps[i];
  }
  start[n] = cps.length;
  return automaton(acc, start, t);
}

function liveStates(a: Aut): Uint8Array {
  const { n, start, t } = a;
  const stack = new Int32Array(n);
  const fwd = new Uint8Array(n);
  let sp = 0;
  if (n > 0) {
    fwd[0] = 1;
    stack[sp++] = 0;
  }
  while (sp > 0) {
    const s = stack[--sp];
    for (let j = start[s]; j < start[s + 1]; j++) {
      const d = t[3 * j];
      if (!fwd[d]) {
        fwd[d] = 1;
        stack[sp++] = d;
      }
    }
  }
  // reverse edges, grouped by dest: revSrc[revStart[d] .. revStart[d + 1])
  const revStart = new Int32Array(n + 1);
  const nt = start[n];
  for (let j = 0; j < nt; j++) revStart[t[3 * j] + 1]++;
  for (let s = 0; s < n; s++) revStart[s + 1] += revStart[s];
  const fill = revStart.slice(0, n);
  const revSrc = new Int32Array(nt);
  for (let s = 0; s < n; s++) for (let j = start[s]; j < start[s + 1]; j++) revSrc[fill[t[3 * j]]++] = s;
  const live = new Uint8Array(n);
  for (let s = 0; s < n; s++) if (a.acc[s]) (live[s] = 1), (stack[sp++] = s);
  while (sp > 0) {
    const s = stack[--sp];
    for (let k = revStart[s]; k < revStart[s + 1]; k++) {
      const p = revSrc[k];
      if (!live[p]) {
        live[p] = 1;
        stack[sp++] = p;
      }
    }
  }
  for (let s = 0; s < n; s++) live[s] &= fwd[s];
  return live;
}

/** Operations.removeDeadStates: keep states reachable from 0 that reach an accept state. */
function removeDeadStates(a: Aut): Aut {
  const live = liveStates(a);
  let kept = 0;
  for (let s = 0; s < a.n; s++) kept += live[s];
  if (kept === a.n) return a;
  const map = new Int32Array(a.n);
  const acc = new Uint8Array(kept);
  for (let s = 0, m = 0; s < a.n; s++) if (live[s]) (map[s] = m), (acc[m++] = a.acc[s]);
  // Dropping transitions and renumbering states in order leaves each list finished.
  const start = new Int32Array(kept + 1);
  const t = new Int32Array(a.t.length);
  let len = 0;
  for (let s = 0, m = 0; s < a.n; s++) {
    if (!live[s]) continue;
    start[m++] = len / 3;
    for (let j = a.start[s]; j < a.start[s + 1]; j++) {
      const d = a.t[3 * j];
      if (!live[d]) continue;
      t[len++] = map[d];
      t[len++] = a.t[3 * j + 1];
      t[len++] = a.t[3 * j + 2];
    }
  }
  start[kept] = len / 3;
  return automaton(acc, start, t.slice(0, len));
}

/** Operations.mergeAcceptStatesWithNoTransition (used by union). */
function mergeAcceptStatesWithNoTransition(a: Aut): Aut {
  const { n, acc, start, t } = a;
  let firstSink = -1;
  let sinks = 0;
  for (let s = 0; s < n; s++) {
    if (acc[s] && start[s + 1] === start[s]) {
      if (firstSink < 0) firstSink = s;
      sinks++;
    }
  }
  if (sinks <= 1) return a;
  // every sink becomes the first one; the states after them move down over the merged ones
  const remap = new Int32Array(n);
  let below = 0;
  for (let s = 0; s < n; s++) {
    const sink = acc[s] === 1 && start[s + 1] === start[s];
    remap[s] = sink ? firstSink : below <= 1 ? s : s - (below - 1);
    if (sink) below++;
  }
  const b = new Build();
  for (let s = 0; s < n; s++) {
    const r = remap[s];
    while (b.n <= r) b.createState();
    if (acc[s]) b.acc[r] = 1;
  }
  for (let s = 0; s < n; s++) for (let j = start[s]; j < start[s + 1]; j++) b.add(remap[s], remap[t[3 * j]], t[3 * j + 1], t[3 * j + 2]);
  return b.done();
}

/** Operations.concatenate(List). */
function concatenate(list: Aut[]): Aut {
  for (const a of list) if (a.n === 0) return makeEmpty();
  const b = new Build();
  for (const a of list) for (let s = 0; s < a.n; s++) b.createState();
  let off = 0;
  for (let i = 0; i < list.length; i++) {
    const a = list[i];
    const n = a.n;
    for (let s = 0; s < n; s++) {
      for (let j = a.start[s]; j < a.start[s + 1]; j++) b.add(off + s, off + a.t[3 * j], a.t[3 * j + 1], a.t[3 * j + 2]);
      if (!a.acc[s]) continue;
      let follow: Aut | null = i === list.length - 1 ? null : list[i + 1];
      let followOff = off;
      let upto = i + 1;
      for (;;) {
        if (follow === null) {
          b.acc[off + s] = 1;
          break;
        }
        for (let j = follow.start[0]; j < follow.start[1]; j++) b.add(off + s, followOff + n + follow.t[3 * j], follow.t[3 * j + 1], follow.t[3 * j + 2]);
        if (!follow.acc[0]) break;
        followOff += follow.n;
        follow = upto === list.length - 1 ? null : list[upto + 1];
        upto++;
      }
    }
    off += n;
  }
  if (b.n === 0) b.createState();
  return removeDeadStates(b.done());
}

/** Operations.union(Collection). */
function union(list: Aut[]): Aut {
  const b = new Build();
  b.createState();
  for (const a of list) b.copy(a);
  let off = 1;
  for (const a of list) {
    if (a.n === 0) continue;
    b.addEpsilon(0, off);
    off += a.n;
  }
  return mergeAcceptStatesWithNoTransition(removeDeadStates(b.done()));
}

/** Operations.optional. */
function optional(a: Aut): Aut {
  if (a.n > 0 && a.acc[0]) return a;
  let toInitial = false;
  for (let j = 0; j < a.start[a.n]; j++) if (a.t[3 * j] === 0) toInitial = true;
  if (!toInitial) {
    if (a.n === 0) return makeEmptyString();
    const acc = a.acc.slice();
    acc[0] = 1;
    return automaton(acc, a.start, a.t);
  }
  const b = new Build();
  b.createState();
  b.acc[0] = 1;
  b.copy(a);
  b.addEpsilon(0, 1);
  return b.done();
}

/** Operations.repeat(a): Kleene star. */
function repeatStar(a: Aut): Aut {
  const { n, acc, start, t } = a;
  if (n === 0) return a;
  let accCount = 0;
  for (let s = 0; s < n; s++) accCount += acc[s];
  if (acc[0] && accCount === 1) return a;
  const b = new Build();
  b.createState();
  b.acc[0] = 1;
  const map = new Int32Array(n);
  for (let s = 0; s < n; s++) {
    if (!acc[s]) map[s] = b.createState();
    else if (start[s + 1] === start[s]) map[s] = 0;
    else {
      map[s] = b.createState();
      b.acc[map[s]] = 1;
    }
  }
  for (let s = 0; s < n; s++) for (let j = start[s]; j < start[s + 1]; j++) b.add(map[s], map[t[3 * j]], t[3 * j + 1], t[3 * j + 2]);
  for (let j = start[0]; j < start[1]; j++) b.add(0, map[t[3 * j]], t[3 * j + 1], t[3 * j + 2]);
  for (let s = 0; s < n; s++) {
    if (!acc[s] || map[s] === 0) continue;
    for (let j = start[0]; j < start[1]; j++) b.add(map[s], map[t[3 * j]], t[3 * j + 1], t[3 * j + 2]);
  }
  return removeDeadStates(b.done());
}

/** Operations.repeat(a, min). */
function repeatMin(a: Aut, min: number): Aut {
  if (min === 0) return repeatStar(a);
  const list: Aut[] = [];
  for (let i = 0; i < min; i++) list.push(a);
  list.push(repeatStar(a));
  return concatenate(list);
}

/** Operations.repeat(a, min, max). */
function repeatMinMax(a: Aut, min: number, max: number): Aut {
  if (min > max) return makeEmpty();
  let first: Aut;
  if (min === 0) first = makeEmptyString();
  else if (min === 1) first = a;
  else first = concatenate(Array.from({ length: min }, () => a));
  let prevAccept: number[] = [];
  for (let s = 0; s < first.n; s++) if (first.acc[s]) prevAccept.push(s);
  const b = new Build();
  b.copy(first);
  for (let i = min; i < max; i++) {
    const off = b.copy(a);
    for (const s of prevAccept) b.addEpsilon(s, off);
    prevAccept = [];
    for (let s = 0; s < a.n; s++) if (a.acc[s]) prevAccept.push(off + s);
  }
  return removeDeadStates(b.done());
}

// ---------------------------------------------------------------------------------------------
// RegExp parser (Lucene 10.3.2 RegExp.java), syntax flags ALL | DEPRECATED_COMPLEMENT.

type Node =
  | { k: 'union' | 'concat'; a: Node; b: Node }
  | { k: 'opt' | 'star'; a: Node }
  | { k: 'min'; a: Node; min: number }
  | { k: 'minmax'; a: Node; min: number; max: number }
  | { k: 'neg'; a: Node } // [^...] = intersection(anychar, complement(class))
  | { k: 'char'; c: number }
  | { k: 'range'; from: number; to: number }
  | { k: 'class'; from: number[]; to: number[] }
  | { k: 'any' | 'empty' | 'anystring' }
  | { k: 'string'; s: number[] };

const LETTERS = '\\ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

const isStr = (n: Node): n is { k: 'char'; c: number } | { k: 'string'; s: number[] } => n.k === 'char' || n.k === 'string';
const strOf = (n: { k: 'char'; c: number } | { k: 'string'; s: number[] }): number[] => (n.k === 'char' ? [n.c] : n.s);

class Parser {
  private pos = 0;
  private readonly cps: number[];
  constructor(src: string, private readonly ci: boolean) {
    this.cps = Array.from(src, (c) => c.codePointAt(0)!);
  }

  parse(): Node {
    if (this.cps.length === 0) return { k: 'string', s: [] };
    const e = this.union();
    if (this.more()) throw new Error(`end-of-string expected at position ${this.pos}`);
    return e;
  }

  private more(): boolean { return this.pos < this.cps.length; }
  private peek(s: string): boolean { return this.more() && s.includes(String.fromCodePoint(this.cps[this.pos])); }
  private match(c: string): boolean {
    if (this.more() && this.cps[this.pos] === c.codePointAt(0)) { this.pos++; return true; }
    return false;
  }
  private next(): number {
    if (!this.more()) throw new Error('unexpected end-of-string');
    return this.cps[this.pos++];
  }

  private union(): Node {
    let r = this.inter();
    while (this.match('|')) r = { k: 'union', a: r, b: this.inter() };
    return r;
  }
  private inter(): Node {
    const r = this.concat();
    if (this.match('&')) throw new LuceneCostUnsupported('intersection `&`');
    return r;
  }
  private concat(): Node {
    let r = this.repeat();
    while (this.more() && !this.peek(')|') && !this.peek('&')) r = makeConcatenation(r, this.repeat());
    return r;
  }
  private repeat(): Node {
    let e = this.compl();
    while (this.peek('?*+{')) {
      if (this.match('?')) e = { k: 'opt', a: e };
      else if (this.match('*')) e = { k: 'star', a: e };
      else if (this.match('+')) e = { k: 'min', a: e, min: 1 };
      else if (this.match('{')) {
        const n = this.int();
        if (n === null) throw new Error(`integer expected at position ${this.pos}`);
        let m: number | null = n;
        if (this.match(',')) m = this.int();
        if (!this.match('}')) throw new Error(`expected '}' at position ${this.pos}`);
        if (m !== null && n > m) throw new Error(`invalid repetition range(out of order): ${n}..${m}`);
        e = m === null ? { k: 'min', a: e, min: n } : { k: 'minmax', a: e, min: n, max: m };
      }
    }
    return e;
  }
  private int(): number | null {
    const start = this.pos;
    while (this.peek('0123456789')) this.pos++;
    return start === this.pos ? null : parseInt(String.fromCodePoint(...this.cps.slice(start, this.pos)), 10);
  }
  private compl(): Node {
    if (this.match('~')) throw new LuceneCostUnsupported('complement `~`');
    return this.charClassExp();
  }
  private charClassExp(): Node {
    if (!this.match('[')) return this.simple();
    const negate = this.match('^');
    let e = this.charClasses();
    if (negate) e = { k: 'neg', a: e };
    if (!this.match(']')) throw new Error(`expected ']' at position ${this.pos}`);
    return e;
  }
  private charClasses(): Node {
    const starts: number[] = [];
    const ends: number[] = [];
    do {
      if (this.match('\\')) {
        if (this.peek(LETTERS)) this.expandPreDefined(starts, ends);
        else { const c = this.next(); starts.push(c); ends.push(c); }
      } else {
        const c = this.charExp();
        if (this.match('-')) { starts.push(c); ends.push(this.charExp()); }
        else if (this.ci) for (const f of expand(c)) { starts.push(f); ends.push(f); }
        else { starts.push(c); ends.push(c); }
      }
    } while (this.more() && !this.peek(']'));
    for (let i = 0; i < starts.length; i++) if (starts[i] > ends[i]) throw new Error(`invalid range: from (${starts[i]}) cannot be > to (${ends[i]})`);
    if (starts.length === 1) return starts[0] === ends[0] ? { k: 'char', c: starts[0] } : { k: 'range', from: starts[0], to: ends[0] };
    return { k: 'class', from: starts, to: ends };
  }
  private expandPreDefined(starts: number[], ends: number[]): void {
    const c = String.fromCodePoint(this.cps[this.pos]);
    const add = (...r: number[]) => { for (let i = 0; i < r.length; i += 2) { starts.push(r[i]); ends.push(r[i + 1]); } };
    switch (c) {
      case '\\': add(0x5c, 0x5c); break;
      case 'd': add(0x30, 0x39); break;
      case 'D': add(0, 0x2f, 0x3a, MAX_CP); break;
      case 's': add(0x09, 0x0a, 0x0d, 0x0d, 0x20, 0x20); break;
      case 'S': add(0, 0x08, 0x0b, 0x0c, 0x0e, 0x1f, 0x21, MAX_CP); break;
      case 'w': add(0x30, 0x39, 0x41, 0x5a, 0x5f, 0x5f, 0x61, 0x7a); break;
      case 'W': add(0, 0x2f, 0x3a, 0x40, 0x5b, 0x5e, 0x60, 0x60, 0x7b, MAX_CP); break;
      default: throw new Error(`invalid character class \\${c}`);
    }
    this.pos++;
  }
  private simple(): Node {
    if (this.match('.')) return { k: 'any' };
    if (this.match('#')) return { k: 'empty' };
    if (this.match('@')) return { k: 'anystring' };
    if (this.match('"')) {
      const start = this.pos;
      while (this.more() && !this.peek('"')) this.pos++;
      if (!this.match('"')) throw new Error(`expected '"' at position ${this.pos}`);
      return { k: 'string', s: this.cps.slice(start, this.pos - 1) };
    }
    if (this.match('(')) {
      if (this.match(')')) return { k: 'string', s: [] };
      const e = this.union();
      if (!this.match(')')) throw new Error(`expected ')' at position ${this.pos}`);
      return e;
    }
    if (this.match('<')) throw new LuceneCostUnsupported('`<...>` automaton/interval');
    // matchPredefinedCharacterClass: consumes the backslash even when no class follows
    if (this.match('\\') && this.peek(LETTERS)) {
      const starts: number[] = [];
      const ends: number[] = [];
      this.expandPreDefined(starts, ends);
      return { k: 'class', from: starts, to: ends };
    }
    return { k: 'char', c: this.charExp() };
  }
  private charExp(): number {
    this.match('\\');
    return this.next();
  }
}

/** RegExp.makeConcatenation: adjacent characters/strings become one string node. */
function makeConcatenation(a: Node, b: Node): Node {
  if (isStr(a) && isStr(b)) return { k: 'string', s: [...strOf(a), ...strOf(b)] };
  if (a.k === 'concat' && isStr(a.b) && isStr(b)) return { k: 'concat', a: a.a, b: { k: 'string', s: [...strOf(a.b), ...strOf(b)] } };
  if (isStr(a) && b.k === 'concat' && isStr(b.a)) return { k: 'concat', a: { k: 'string', s: [...strOf(a), ...strOf(b.a)] }, b: b.b };
  return { k: 'concat', a, b };
}

/** CaseFolding.expand, sorted (RegExp.toCaseInsensitiveChar). */
function expand(c: number): number[] {
  return [c, ...luceneFoldAlternatives(c)].sort((x, y) => x - y);
}

function leaves(n: Node, k: 'union' | 'concat', out: Node[]): void {
  if (n.k === k) { leaves((n as { a: Node }).a, k, out); leaves((n as { b: Node }).b, k, out); } else out.push(n);
}

function toAutomaton(n: Node, ci: boolean): Aut {
  switch (n.k) {
    case 'union': case 'concat': {
      const list: Node[] = [];
      leaves(n.a, n.k, list);
      leaves(n.b, n.k, list);
      const auts = list.map((x) => toAutomaton(x, ci));
      return n.k === 'union' ? union(auts) : concatenate(auts);
    }
    case 'opt': return optional(toAutomaton(n.a, ci));
    case 'star': return repeatStar(toAutomaton(n.a, ci));
    case 'min': return repeatMin(toAutomaton(n.a, ci), n.min);
    case 'minmax': return repeatMinMax(toAutomaton(n.a, ci), n.min, n.max);
    case 'neg': {
      // intersection(anyChar, complement(e)) of a one-character automaton e is, after Lucene's
      // removeDeadStates, the two-state automaton over the complemented ranges.
      const e = toAutomaton(n.a, ci);
      const ranges: [number, number][] = [];
      for (let j = 0; j < e.start[e.n]; j++) ranges.push([e.t[3 * j + 1], e.t[3 * j + 2]]);
      ranges.sort((x, y) => x[0] - y[0]);
      const starts: number[] = [];
      const ends: number[] = [];
      let next = 0;
      for (const [lo, hi] of ranges) {
        if (lo > next) { starts.push(next); ends.push(lo - 1); }
        next = Math.max(next, hi + 1);
      }
      if (next <= MAX_CP) { starts.push(next); ends.push(MAX_CP); }
      if (starts.length === 0) throw new LuceneCostUnsupported('negated class matching nothing');
      return makeCharClass(starts, ends);
    }
    case 'char': return ci ? makeCharClass(expand(n.c), expand(n.c)) : makeCharRange(n.c, n.c);
    case 'range': return makeCharRange(n.from, n.to);
    case 'class': return makeCharClass(n.from, n.to);
    case 'any': return makeCharRange(0, MAX_CP);
    case 'empty': return makeEmpty();
    case 'anystring': return makeAnyString();
    case 'string': return ci ? concatenate(n.s.map((c) => makeCharClass(expand(c), expand(c)))) : makeString(n.s);
  }
}

/** Elasticsearch's AutomatonQueries.collapseConsecutiveQuantifiers (applied before RegExp parses). */
export function collapseConsecutiveQuantifiers(p: string): string {
  let out = '';
  let inClass = false;
  let inQuote = false;
  let lastQ = false;
  for (let i = 0; i < p.length; i++) {
    const c = p[i];
    if (c === '\\' && i + 1 < p.length) { out += c + p[++i]; lastQ = false; }
    else if (inQuote) { out += c; if (c === '"') inQuote = false; lastQ = false; }
    else if (inClass) { out += c; if (c === ']') inClass = false; lastQ = false; }
    else if (c === '"') { out += c; inQuote = true; lastQ = false; }
    else if (c === '[') { out += c; inClass = true; lastQ = false; }
    else if (c === '+' || c === '*' || c === '?') {
      if (!lastQ) { out += c; lastQ = true; }
      else { const prev = out[out.length - 1]; out = out.slice(0, -1) + (prev === c ? c : '*'); }
    } else { out += c; lastQ = false; }
  }
  return out;
}

function isDeterministic(a: Aut): boolean {
  for (let s = 0; s < a.n; s++) for (let j = a.start[s] + 1; j < a.start[s + 1]; j++) if (a.t[3 * j + 1] <= a.t[3 * j - 1]) return false;
  return true;
}

/**
 * Operations.determinize's effort: the sum, over the DFA states it takes off its worklist, of the
 * number of NFA states in each. Stops counting once it reaches 10 * limit, which is exactly when
 * Lucene throws TooComplexToDeterminizeException ("... would require more than <limit> effort").
 */
function determinizeEffort(a: Aut, workLimit: number): { effort: number; exceeds: boolean } {
  if (a.n <= 1 || isDeterministic(a)) return { effort: 0, exceeds: false };
  const effortLimit = workLimit * 10;
  const effort = subsetEffort(classNfa(a), effortLimit);
  return { effort, exceeds: effort >= effortLimit };
}

/**
 * The NFA over its alphabet classes, class c being [bound[c], bound[c + 1]) for the sorted
 * interval boundaries (each min and max + 1): transition j of state s (start[s] <= j <
 * start[s + 1]) goes to dest[j] on classes open[j] .. close[j] - 1.
 */
interface ClassNfa {
  n: number;
  classes: number;
  start: Int32Array;
  dest: Int32Array;
  open: Int32Array;
  close: Int32Array;
}

function classNfa(a: Aut): ClassNfa {
  const { n, start, t } = a;
  const nt = start[n];
  const bound = new Int32Array(2 * nt);
  for (let j = 0; j < nt; j++) (bound[2 * j] = t[3 * j + 1]), (bound[2 * j + 1] = t[3 * j + 2] + 1);
  bound.sort();
  let classes = 0;
  for (let i = 0; i < bound.length; i++) if (i === 0 || bound[i] !== bound[i - 1]) bound[classes++] = bound[i];
  const classOf = (p: number): number => {
    let lo = 0;
    let hi = classes - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (bound[mid] < p) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  const dest = new Int32Array(nt);
  const open = new Int32Array(nt);
  const close = new Int32Array(nt);
  for (let j = 0; j < nt; j++) {
    dest[j] = t[3 * j];
    open[j] = classOf(t[3 * j + 1]);
    close[j] = classOf(t[3 * j + 2] + 1);
  }
  return { n, classes, start, dest, open, close };
}

/** `count` pseudo-random 32-bit integers (xorshift32), for Zobrist hashing. */
function randomInts(count: number, seed: number): Int32Array<ArrayBuffer> {
  const out = new Int32Array(count);
  let r = seed | 0;
  for (let i = 0; i < count; i++) {
    r ^= r << 13;
    r ^= r >>> 17;
    r ^= r << 5;
    out[i] = r;
  }
  return out;
}

/**
 * subsetEffort's state. The buffers are kept from call to call (~2 MB after the SigmaHQ corpus):
 * they grow to the size of the largest pattern once instead of being reallocated and regrown for
 * every pattern. Between calls, `cnt` is all 0, `head` all -1 and `used` all 0.
 */
const scratch = {
  zobrist: new Int32Array(0),
  cnt: new Int32Array(0),
  active: new Int32Array(0),
  pos: new Int32Array(0),
  head: new Int32Array(0),
  used: new Int32Array(0),
  evDest: new Int32Array(16),
  evNext: new Int32Array(16),
  // subset id's members: pool[subOff[id] .. subOff[id + 1]), its hash subHash[id]
  pool: new Int32Array(64),
  subOff: new Int32Array(16),
  subHash: new Int32Array(16),
  // Open addressing by hash, 4 ints a slot: (call stamp, subset id + 1, hash, size). Slots whose
  // stamp is not the current call's are free, so the table is never cleared.
  tab: new Int32Array(4 * 16),
  tabMask: 15,
  stamp: 0,
  poolLen: 0,
  numSubs: 0,
  // sum of the sizes of subsets 0 .. numSubs - 1
  discovered: 0,
};

/** Sizes the per-state and per-class buffers of `scratch` for an NFA. */
function prepareScratch(n: number, classes: number): void {
  if (scratch.cnt.length < n) {
    const size = Math.max(n, 2 * scratch.cnt.length);
    scratch.zobrist = randomInts(size, 0x9e3779b9);
    scratch.cnt = new Int32Array(size);
    scratch.active = new Int32Array(size);
    scratch.pos = new Int32Array(size);
  }
  if (scratch.head.length < classes) {
    const size = Math.max(classes, 2 * scratch.head.length);
    scratch.head = new Int32Array(size).fill(-1);
    scratch.used = new Int32Array((size + 31) >>> 5);
  }
  if (++scratch.stamp === 0x7fffffff) {
    scratch.tab.fill(0);
    scratch.stamp = 1;
  }
}

/**
 * The subset construction, counting effort; returns it once it reaches `effortLimit`.
 *
 * The worklist is first-in first-out and a DFA state's successors are discovered in increasing
 * code point order, as in Lucene, so each subset has a fixed worklist position. That allows an
 * exact early stop: once the subsets discovered so far add up to the limit, Lucene would throw
 * when it takes the last of them off the worklist, with `effort` equal to that sum — expanding the
 * states in between cannot change it.
 *
 * Subsets live in one Int32Array pool; since each new subset is appended to the worklist, its id
 * is its worklist position.
 */
function subsetEffort(nfa: ClassNfa, effortLimit: number): number {
  prepareScratch(nfa.n, nfa.classes);
  const k = scratch;
  k.tabMask = k.tab.length / 4 - 1;
  k.pool[0] = 0; // subset 0 = {0}
  k.poolLen = 1;
  k.subOff[0] = 0;
  k.subOff[1] = 1;
  k.subHash[0] = k.zobrist[0];
  k.numSubs = 1;
  insertSlot(k.tab, k.tabMask, k.stamp, k.zobrist[0], 1, 1);
  k.discovered = 1;
  try {
    for (let w = 0; w < k.numSubs && k.discovered < effortLimit; w++) expandState(nfa, w, effortLimit);
  } finally {
    // Stopping early (or failing to grow a buffer) leaves counts, lists and marks behind. Cleared
    // on every call: V8 deoptimizes code that reaches a path it has never run, and the first
    // pattern over the limit typically comes after this function was optimized.
    k.cnt.fill(0, 0, nfa.n);
    k.head.fill(-1, 0, nfa.classes);
    k.used.fill(0, 0, (nfa.classes + 31) >>> 5);
  }
  return k.discovered;
}

/**
 * Takes DFA state w off the worklist: adds its successors that are new subsets. Stops as soon as
 * the discovered subsets reach effortLimit.
 *
 * The corpus load spends most of its time here, so its loops allocate nothing and call nothing:
 * - the range events of the state's transitions go into per-class linked lists, walked in class
 *   order through a bitmap of the classes used, instead of being sorted;
 * - the live destination set of the sweep is hashed incrementally (Zobrist), looked up in an open
 *   addressing table and compared by membership; it is copied out only when new, and unsorted
 *   (member order matters nowhere).
 */
function expandState(nfa: ClassNfa, w: number, effortLimit: number): void {
  const { n, classes, start: trStart, dest: trDest, open: trOpen, close: trClose } = nfa;
  const k = scratch;
  const { zobrist, cnt, active, pos, head, used, stamp } = k;
  let { poolLen, numSubs, discovered } = k;
  const words = (classes + 31) >>> 5;
  let pool = k.pool;
  const from = k.subOff[w];
  const to = k.subOff[w + 1];
  let m = 0;
  for (let i = from; i < to; i++) m += trStart[pool[i] + 1] - trStart[pool[i]];
  m *= 2;
  if (m === 0) return;
  if (m > k.evDest.length) {
    k.evDest = grow(k.evDest, m);
    k.evNext = grow(k.evNext, m);
  }
  // Event e is evDest[e] = dest << 1 | (1 when closing), in the list of its class (head[c], then
  // evNext); `used` marks the classes with a list.
  const evD = k.evDest;
  const evN = k.evNext;
  let e = 0;
  let loWord = words;
  let hiWord = -1;
  for (let i = from; i < to; i++) {
    const s = pool[i];
    for (let j = trStart[s], je = trStart[s + 1]; j < je; j++) {
      const d = trDest[j] << 1;
      let c = trOpen[j];
      evD[e] = d;
      evN[e] = head[c];
      head[c] = e++;
      let word = c >>> 5;
      used[word] |= 1 << (c & 31);
      if (word < loWord) loWord = word;
      c = trClose[j];
      evD[e] = d | 1;
      evN[e] = head[c];
      head[c] = e++;
      word = c >>> 5;
      used[word] |= 1 << (c & 31);
      if (word > hiWord) hiWord = word;
    }
  }
  // Room for one new subset per class used, of at most m / 2 states, so the sweep works on
  // fixed arrays.
  let newSubs = 0;
  for (let word = loWord; word <= hiWord; word++) newSubs += bitCount(used[word]);
  if (poolLen + newSubs * Math.min(n, m >> 1) > pool.length) k.pool = pool = grow(pool, poolLen + newSubs * Math.min(n, m >> 1));
  if (numSubs + newSubs + 2 > k.subOff.length) {
    k.subOff = grow(k.subOff, numSubs + newSubs + 2);
    k.subHash = grow(k.subHash, numSubs + newSubs + 2);
  }
  if ((numSubs + newSubs) * 2 > k.tabMask) {
    let mask = k.tabMask;
    while ((numSubs + newSubs) * 2 > mask) mask = mask * 2 + 1;
    const tab = new Int32Array(4 * (mask + 1));
    for (let id = 0; id < numSubs; id++) insertSlot(tab, mask, stamp, k.subHash[id], id + 1, k.subOff[id + 1] - k.subOff[id]);
    k.tab = tab;
    k.tabMask = mask;
  }
  const so = k.subOff;
  const sh = k.subHash;
  const tb = k.tab;
  const mask = k.tabMask;
  // the live destinations, unordered (swap-removal via pos), and their hash
  let nActive = 0;
  let h = 0;
  // Sweep the classes in order: after a class's events the live set is the successor on it (and
  // on the unused classes up to the next used one).
  for (let word = loWord; word <= hiWord; word++) {
    let bits = used[word];
    used[word] = 0;
    while (bits !== 0) {
      const low = bits & -bits;
      bits ^= low;
      const c = (word << 5) | (31 - Math.clz32(low));
      let changed = false;
      for (let x = head[c]; x !== -1; x = evN[x]) {
        const ev = evD[x];
        const d = ev >> 1;
        const before = cnt[d];
        const after = ev & 1 ? before - 1 : before + 1;
        cnt[d] = after;
        if (before === 0 || after === 0) {
          // enters or leaves the live set (counts never go negative: a range opens before it closes)
          h ^= zobrist[d];
          changed = true;
          if (after !== 0) {
            pos[d] = nActive;
            active[nActive++] = d;
          } else {
            const last = active[--nActive];
            if (last !== d) {
              active[pos[d]] = last;
              pos[last] = pos[d];
            }
          }
        }
      }
      head[c] = -1;
      // an unchanged live set was looked up at the previous class
      if (!changed || nActive === 0) continue;
      let i = h & mask;
      let known = false;
      for (; tb[4 * i] === stamp; i = (i + 1) & mask) {
        if (tb[4 * i + 2] !== h || tb[4 * i + 3] !== nActive) continue;
        const id1 = tb[4 * i + 1];
        const end = so[id1];
        let j = so[id1 - 1];
        while (j < end && cnt[pool[j]] > 0) j++;
        if (j === end) {
          known = true;
          break;
        }
      }
      if (known) continue;
      discovered += nActive;
      if (discovered >= effortLimit) {
        k.discovered = discovered;
        return;
      }
      for (let q = 0; q < nActive; q++) pool[poolLen++] = active[q];
      sh[numSubs] = h;
      so[++numSubs] = poolLen;
      tb[4 * i] = stamp;
      tb[4 * i + 1] = numSubs;
      tb[4 * i + 2] = h;
      tb[4 * i + 3] = nActive;
    }
  }
  k.poolLen = poolLen;
  k.numSubs = numSubs;
  k.discovered = discovered;
}

function bitCount(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  return Math.imul((x + (x >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24;
}

/** Puts subset id1 - 1 (hash h, size states) into the first free slot of its probe sequence. */
function insertSlot(tab: Int32Array, mask: number, stamp: number, h: number, id1: number, size: number): void {
  let i = h & mask;
  while (tab[4 * i] === stamp) i = (i + 1) & mask;
  tab[4 * i] = stamp;
  tab[4 * i + 1] = id1;
  tab[4 * i + 2] = h;
  tab[4 * i + 3] = size;
}

/**
 * The determinization effort Elasticsearch 9.5 pays for `{"regexp": {f: {value: pattern,
 * flags: "ALL", case_insensitive}}}` on a keyword field; `exceeds` iff the query is refused with
 * max_determinized_states = `limit` (default 10000). `effort` is Lucene's internal count, which
 * it compares with 10 * limit; it is exact below that and a lower bound once `exceeds`.
 * Throws LuceneCostUnsupported outside the ported syntax and Error where Lucene's parser would.
 */
export function luceneDeterminizeEffort(pattern: string, caseInsensitive: boolean, limit = DEFAULT_WORK_LIMIT): { effort: number; exceeds: boolean } {
  // SigmaHQ repeats many regexes across rules (a rejected one costs ~10 ms): pure, so cached.
  const key = `${caseInsensitive ? 'i' : 'c'}${limit}\u0000${pattern}`;
  let r = effortCache.get(key);
  if (!r) {
    if (deferMiss) {
      // Not cached: the installed deferral (cost-offload.ts) computes it elsewhere; meanwhile the
      // answer is "does not exceed", and the caller redoes whatever used a pattern that does.
      deferMiss(key, pattern, caseInsensitive, limit);
      return { effort: 0, exceeds: false };
    }
    const nfa = toAutomaton(new Parser(collapseConsecutiveQuantifiers(pattern), caseInsensitive).parse(), caseInsensitive);
    r = determinizeEffort(nfa, limit);
    if (effortCache.size >= 4096) effortCache.clear();
    effortCache.set(key, r);
  }
  return { effort: r.effort, exceeds: r.exceeds };
}

const effortCache = new Map<string, { effort: number; exceeds: boolean }>();

/**
 * A cache miss handed elsewhere instead of computed (see the deferral in luceneDeterminizeEffort).
 * Only cost-offload.ts installs one, around the chunks it will check and redo; `effort` is then 0
 * and `exceeds` false for every uncached pattern, so nothing else may rely on them meanwhile.
 */
export type LuceneCostDeferral = (key: string, pattern: string, caseInsensitive: boolean, limit: number) => void;
let deferMiss: LuceneCostDeferral | null = null;

/** Install (or, with null, remove) the deferral; returns the one it replaces. */
export function deferLuceneCost(d: LuceneCostDeferral | null): LuceneCostDeferral | null {
  const prev = deferMiss;
  deferMiss = d;
  return prev;
}

/** Store an answer computed elsewhere (by luceneDeterminizeEffort on a worker) under its cache key. */
export function primeLuceneCost(key: string, r: { effort: number; exceeds: boolean }): void {
  if (effortCache.size >= 4096) effortCache.clear();
  effortCache.set(key, { effort: r.effort, exceeds: r.exceeds });
}

/** Forget every cached answer (tests that must see patterns uncached). */
export function clearLuceneCostCache(): void {
  effortCache.clear();
}
