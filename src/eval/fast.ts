/**
 * The fast evaluator. Same answers as the oracle (the property test holds it to that), but:
 *
 * - leaves compile once into closures; case-insensitive wildcard leaves whose literals are
 *   ASCII run as lower-cased string operations on ASCII terms (exact: for an ASCII term and an
 *   ASCII pattern, Lucene's case folding is ASCII case folding) and fall back to the Lucene
 *   matcher for any other term;
 * - a candidate index picks, per event, the few rules that can possibly match. Each rule gets a
 *   *witness*: a set of atoms at least one of which holds whenever the rule matches (a folded
 *   exact value, a folded literal substring, or mere field presence). Substring atoms of all
 *   rules run through one Aho-Corasick automaton per field; exact atoms through a hash map;
 *   presence atoms through a field → rules map. Rules whose every match needs e.g. `EventID: 1`
 *   are thereby routed by log source. Rules without a witness (negation-only) always run.
 *
 * Folding for witnesses (`witnessFold`) must be a superset of Lucene's case-insensitive
 * equality for the ASCII needles it is applied to: ASCII letters lower-cased, plus the four
 * non-ASCII characters whose Java upper/lower case is an ASCII letter (İ ı ſ K). A test checks
 * this against the Lucene matcher over the whole BMP.
 */

import { AhoCorasick } from './aho';
import { compileLeaf, patternIsLiteral, type LeafPredicate } from './leaf';
import { compileWildcardMatcher, type TermMatcher } from './lucene';
import type { FieldValues, PreparedEvent } from './event';
import { fieldKind, type MappingProfile } from '../mapping/profile';
import type { IrNode, IrRule, Leaf, PatternPart, StringLeaf } from '../ir/types';
import { SigmaEsError } from '../errors';

const ASCII = /^[\x00-\x7f]*$/;

const SPECIAL_FOLD: Record<number, number> = { 0x130: 0x69, 0x131: 0x69, 0x17f: 0x73, 0x212a: 0x6b };

export function witnessFold(t: string): string {
  if (ASCII.test(t)) return t.toLowerCase();
  let out = '';
  for (let i = 0; i < t.length; i++) {
    const c = t.charCodeAt(i);
    if (c >= 65 && c <= 90) out += String.fromCharCode(c + 32);
    else if (c < 128) out += t[i];
    else {
      const m = SPECIAL_FOLD[c];
      out += m !== undefined ? String.fromCharCode(m) : t[i];
    }
  }
  return out;
}

// ---------------------------------------------------------------- per-event caches

interface FastFieldValues extends FieldValues {
  /** ASCII-lower-cased terms; null where the term is not ASCII. */
  lo?: (string | null)[];
  /** witnessFold(term) for each term. */
  g?: string[];
}

interface FastEvent extends PreparedEvent {
  kwLo?: (string | null)[];
  kwG?: string[];
}

function loTerms(terms: string[]): (string | null)[] {
  const out = new Array<string | null>(terms.length);
  for (let i = 0; i < terms.length; i++) {
    const t = terms[i];
    out[i] = ASCII.test(t) ? t.toLowerCase() : null;
  }
  return out;
}

function fieldLo(ev: FastEvent, field: string | null): { terms: string[]; lo: (string | null)[] } | undefined {
  if (field === null) {
    if (!ev.kwLo) ev.kwLo = loTerms(ev.keywordTerms);
    return { terms: ev.keywordTerms, lo: ev.kwLo };
  }
  const fv = ev.fields.get(field) as FastFieldValues | undefined;
  if (!fv) return undefined;
  if (!fv.lo) fv.lo = loTerms(fv.terms);
  return { terms: fv.terms, lo: fv.lo };
}

function fieldG(ev: FastEvent, field: string | null): string[] | undefined {
  if (field === null) {
    if (!ev.kwG) ev.kwG = ev.keywordTerms.map(witnessFold);
    return ev.kwG;
  }
  const fv = ev.fields.get(field) as FastFieldValues | undefined;
  if (!fv || fv.kind !== 'keyword') return undefined;
  if (!fv.g) fv.g = fv.terms.map(witnessFold);
  return fv.g;
}

// ---------------------------------------------------------------- leaf compilation

type Pred = (ev: FastEvent) => boolean;

/** Matcher over one string for patterns made of literals and `*` only. */
function seqMatcher(pattern: PatternPart[]): ((s: string) => boolean) | null {
  if (pattern.some((p) => p.t === 'one')) return null;
  const lits = pattern.filter((p): p is { t: 'lit'; v: string } => p.t === 'lit').map((p) => p.v);
  const startAnch = pattern.length > 0 && pattern[0].t === 'lit';
  const endAnch = pattern.length > 0 && pattern[pattern.length - 1].t === 'lit';
  if (lits.length === 0) return pattern.length === 0 ? (s) => s === '' : () => true;
  if (pattern.length === 1) {
    const v = lits[0];
    return (s) => s === v;
  }
  if (lits.length === 1) {
    const v = lits[0];
    if (startAnch) return (s) => s.startsWith(v);
    if (endAnch) return (s) => s.endsWith(v);
    return (s) => s.includes(v);
  }
  const first = lits[0];
  const last = lits[lits.length - 1];
  return (s) => {
    let pos = 0;
    let i = 0;
    let end = s.length;
    if (startAnch) {
      if (!s.startsWith(first)) return false;
      pos = first.length;
      i = 1;
    }
    let j = lits.length;
    if (endAnch) {
      if (s.length - last.length < pos || !s.endsWith(last)) return false;
      end = s.length - last.length;
      j = lits.length - 1;
    }
    for (; i < j; i++) {
      const k = s.indexOf(lits[i], pos);
      if (k < 0 || k + lits[i].length > end) return false;
      pos = k + lits[i].length;
    }
    return true;
  };
}

function compileStringFast(leaf: StringLeaf, oracle: LeafPredicate, lucene: () => TermMatcher): Pred {
  const field = leaf.field;
  const asciiPattern = leaf.pattern.every((p) => p.t !== 'lit' || ASCII.test(p.v));
  if (leaf.caseSensitive) {
    const seq = seqMatcher(leaf.pattern);
    if (!seq) return oracle;
    return (ev) => {
      const terms = field === null ? ev.keywordTerms : ev.fields.get(field)?.terms;
      if (!terms) return false;
      for (let i = 0; i < terms.length; i++) if (seq(terms[i])) return true;
      return false;
    };
  }
  if (!asciiPattern) return oracle;
  const lowered = leaf.pattern.map((p) => (p.t === 'lit' ? { t: 'lit' as const, v: p.v.toLowerCase() } : p));
  const seq = seqMatcher(lowered);
  if (!seq) return oracle;
  let m: TermMatcher | undefined;
  return (ev) => {
    const f = fieldLo(ev, field);
    if (!f) return false;
    const lo = f.lo;
    for (let i = 0; i < lo.length; i++) {
      const l = lo[i];
      if (l !== null) {
        if (seq(l)) return true;
      } else {
        if (!m) m = lucene();
        if (m(f.terms[i])) return true;
      }
    }
    return false;
  };
}

// ---------------------------------------------------------------- witnesses

type Atom = { t: 'eq'; field: string | null; v: string } | { t: 'sub'; field: string | null; v: string } | { t: 'has'; field: string };

/** null = no witness (the rule must always run); [] = can never match. */
type Witness = Atom[] | null;

function atomCost(a: Atom): number {
  if (a.t === 'has') return 20;
  if (a.t === 'eq') return a.v.length >= 3 ? 1 : 6;
  const n = a.v.length;
  return n >= 6 ? 2 : n >= 4 ? 3 : n >= 2 ? 8 : 15;
}

function cost(w: Witness): number {
  if (w === null) return Infinity;
  let c = 0;
  for (const a of w) c += atomCost(a);
  return c;
}

function longestAsciiRun(pattern: PatternPart[]): string {
  let best = '';
  for (const p of pattern) {
    if (p.t !== 'lit') continue;
    for (const run of p.v.split(/[^\x00-\x7f]+/)) if (run.length > best.length) best = run;
  }
  return best;
}

function leafWitness(leaf: Leaf, profile: MappingProfile): Witness {
  const kind = leaf.field === null ? 'keyword' : fieldKind(profile, leaf.field);
  const has: Witness = leaf.field === null ? null : [{ t: 'has', field: leaf.field }];
  switch (leaf.kind) {
    case 'string': {
      if (kind !== 'keyword') return has;
      const lit = patternIsLiteral(leaf.pattern);
      if (lit !== null && (leaf.caseSensitive || ASCII.test(lit))) return [{ t: 'eq', field: leaf.field, v: witnessFold(lit) }];
      const run = longestAsciiRun(leaf.pattern);
      if (run.length > 0) return [{ t: 'sub', field: leaf.field, v: run.toLowerCase() }];
      return has;
    }
    case 'scalar':
      if (kind !== 'keyword') return has;
      return [{ t: 'eq', field: leaf.field, v: witnessFold(String(leaf.value)) }];
    case 'fieldref':
      return null; // reads raw values, which may not be indexed
    default:
      return has;
  }
}

function nodeWitness(n: IrNode, profile: MappingProfile): Witness {
  switch (n.kind) {
    case 'const':
      return n.value ? null : [];
    case 'not':
      return null;
    case 'or': {
      const out: Atom[] = [];
      for (const c of n.children) {
        const w = nodeWitness(c, profile);
        if (w === null) return null;
        out.push(...w);
      }
      return out;
    }
    case 'and': {
      let best: Witness = null;
      for (const c of n.children) {
        const w = nodeWitness(c, profile);
        if (w !== null && w.length === 0) return [];
        if (cost(w) < cost(best)) best = w;
      }
      return best;
    }
    default:
      return leafWitness(n, profile);
  }
}

// ---------------------------------------------------------------- rule compilation

function leafRank(n: IrNode): number {
  switch (n.kind) {
    case 'scalar':
    case 'exists':
      return 0;
    case 'string':
      return n.pattern.length === 1 ? 1 : 2;
    case 'cidr':
    case 'compare':
      return 2;
    case 'and':
    case 'or':
    case 'not':
      return 3;
    case 'regex':
      return 4;
    default:
      return 5;
  }
}

function compileNode(n: IrNode, profile: MappingProfile): Pred {
  switch (n.kind) {
    case 'const': {
      const v = n.value;
      return () => v;
    }
    case 'not': {
      const c = compileNode(n.child, profile);
      return (ev) => !c(ev);
    }
    case 'and':
    case 'or': {
      const kids = n.children
        .map((c, i) => ({ c, i }))
        .sort((a, b) => leafRank(a.c) - leafRank(b.c) || a.i - b.i)
        .map(({ c }) => compileNode(c, profile));
      if (kids.length === 1) return kids[0];
      if (kids.length === 2) {
        const [a, b] = kids;
        return n.kind === 'and' ? (ev) => a(ev) && b(ev) : (ev) => a(ev) || b(ev);
      }
      if (n.kind === 'and')
        return (ev) => {
          for (let i = 0; i < kids.length; i++) if (!kids[i](ev)) return false;
          return true;
        };
      return (ev) => {
        for (let i = 0; i < kids.length; i++) if (kids[i](ev)) return true;
        return false;
      };
    }
    default: {
      const oracle = compileLeaf(n, profile);
      if (n.kind === 'string' && (n.field === null || fieldKind(profile, n.field) === 'keyword')) {
        const leaf = n;
        return compileStringFast(leaf, oracle, () => compileWildcardMatcher(leaf.pattern, !leaf.caseSensitive));
      }
      return oracle;
    }
  }
}

export interface FastRuleset {
  profile: MappingProfile;
  rules: IrRule[];
  /** Rule indices (ascending) matching a prepared event. */
  match(ev: PreparedEvent): number[];
  stats: { indexed: number; alwaysRun: number; never: number };
}

export function compileFast(rules: IrRule[], profile: MappingProfile): FastRuleset {
  const preds: Pred[] = [];
  const always: number[] = [];
  let never = 0;
  const hasMap = new Map<string, number[]>();
  const eqMaps = new Map<string | null, Map<string, number[]>>();
  const subNeedles = new Map<string | null, { needles: string[]; rules: number[][]; byNeedle: Map<string, number> }>();
  const push = <K, V>(m: Map<K, V[]>, k: K, v: V): void => {
    const a = m.get(k);
    if (a) {
      if (a[a.length - 1] !== v) a.push(v);
    } else m.set(k, [v]);
  };
  rules.forEach((rule, ri) => {
    try {
      preds.push(compileNode(rule.query, profile));
    } catch (e) {
      if (e instanceof SigmaEsError) e.at({ rule: rule.meta.id ?? rule.meta.title, file: rule.file });
      throw e;
    }
    const w = nodeWitness(rule.query, profile);
    if (w === null) {
      always.push(ri);
      return;
    }
    if (w.length === 0) {
      never++;
      return;
    }
    for (const a of w) {
      if (a.t === 'has') push(hasMap, a.field, ri);
      else if (a.t === 'eq') {
        let m = eqMaps.get(a.field);
        if (!m) eqMaps.set(a.field, (m = new Map()));
        push(m, a.v, ri);
      } else {
        let s = subNeedles.get(a.field);
        if (!s) subNeedles.set(a.field, (s = { needles: [], rules: [], byNeedle: new Map() }));
        let id = s.byNeedle.get(a.v);
        if (id === undefined) {
          id = s.needles.length;
          s.byNeedle.set(a.v, id);
          s.needles.push(a.v);
          s.rules.push([]);
        }
        const lst = s.rules[id];
        if (lst[lst.length - 1] !== ri) lst.push(ri);
      }
    }
  });
  const automata = new Map<string | null, { ac: AhoCorasick; rules: number[][] }>();
  for (const [field, s] of subNeedles) automata.set(field, { ac: new AhoCorasick(s.needles), rules: s.rules });
  // Per field: what to do for it, so an event's fields are visited once.
  const fieldPlans = new Map<string, { has?: number[]; eq?: Map<string, number[]>; sub?: { ac: AhoCorasick; rules: number[][] } }>();
  const plan = (f: string) => {
    let p = fieldPlans.get(f);
    if (!p) fieldPlans.set(f, (p = {}));
    return p;
  };
  for (const [f, r] of hasMap) plan(f).has = r;
  for (const [f, m] of eqMaps) if (f !== null) plan(f).eq = m;
  for (const [f, a] of automata) if (f !== null) plan(f).sub = a;
  const kwEq = eqMaps.get(null);
  const kwSub = automata.get(null);

  const n = rules.length;
  const mark = new Uint32Array(n);
  let epoch = 0;
  const indexed = n - always.length - never;

  const match = (pev: PreparedEvent): number[] => {
    const ev = pev as FastEvent;
    const out: number[] = [];
    if (ev.rejected !== null) return out;
    epoch++;
    if (epoch === 0xffffffff) {
      mark.fill(0);
      epoch = 1;
    }
    const cand: number[] = [];
    const e = epoch;
    const add = (ri: number): void => {
      if (mark[ri] !== e) {
        mark[ri] = e;
        cand.push(ri);
      }
    };
    const addAll = (lst: number[]): void => {
      for (let k = 0; k < lst.length; k++) add(lst[k]);
    };
    for (const [f, fv] of ev.fields) {
      const p = fieldPlans.get(f);
      if (!p) continue;
      if (p.has) addAll(p.has);
      if (fv.kind !== 'keyword' || (!p.eq && !p.sub)) continue;
      const g = fieldG(ev, f) as string[];
      if (p.eq) {
        const eq = p.eq;
        for (const t of g) {
          const l = eq.get(t);
          if (l) addAll(l);
        }
      }
      if (p.sub) {
        const { ac, rules: rl } = p.sub;
        for (const t of g) ac.scan(t, (id) => addAll(rl[id]));
      }
    }
    if (kwEq || kwSub) {
      const g = fieldG(ev, null) as string[];
      if (kwEq) for (const t of g) {
        const l = kwEq.get(t);
        if (l) addAll(l);
      }
      if (kwSub) for (const t of g) kwSub.ac.scan(t, (id) => addAll(kwSub.rules[id]));
    }
    addAll(always);
    cand.sort((a, b) => a - b);
    for (const ri of cand) if (preds[ri](ev)) out.push(ri);
    return out;
  };
  return { profile, rules, match, stats: { indexed, alwaysRun: always.length, never } };
}
