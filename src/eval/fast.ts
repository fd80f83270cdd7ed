/**
 * The fast evaluator. Same answers as the oracle (the property test holds it to that), but:
 *
 * - leaves compile once into closures; case-insensitive wildcard leaves whose literals are
 *   ASCII run as lower-cased string operations on ASCII terms (exact: for an ASCII term and an
 *   ASCII pattern, Lucene's case folding is ASCII case folding) and fall back to the Lucene
 *   matcher for any other term;
 * - a candidate index picks, per event, the few rules that can possibly match. Each rule gets a
 *   *witness*: a set of atoms at least one of which holds whenever the rule matches (a folded
 *   exact value, a folded literal substring, prefix or suffix, or mere field presence). Per
 *   field, substring atoms run through one needle scanner (the unbound keywords' needles ride
 *   along, so each term is scanned once), prefixes and suffixes through a trie walked from
 *   that end, exact atoms through a hash map, presence atoms through a field → rules map.
 *   Rules whose every match needs e.g. `EventID: 1` are thereby routed by log source. Rules
 *   without a witness (negation-only) always run. What a term yields depends on its field's plan
 *   and the term alone, and field values repeat across events: each field memoises it while
 *   that pays (FieldState);
 * - a candidate rule that reads only keyword fields by name gives the same verdict whenever those
 *   fields hold the same memoised terms: the verdict is cached per rule under the terms' entry ids.
 *
 * Folding for witnesses (`witnessFold`) must be a superset of Lucene's case-insensitive
 * equality for the ASCII needles it is applied to: ASCII letters lower-cased, plus the four
 * non-ASCII characters whose Java upper/lower case is an ASCII letter (İ ı ſ K). A test checks
 * this against the Lucene matcher over the whole BMP.
 */

import { AffixTrie, AhoCorasick, CharFilter, NeedleScanner, TrigramFilter } from './aho';
import { compileLeaf, patternIsLiteral, type LeafPredicate } from './leaf';
import { EventFields, type FieldValues, type PreparedEvent } from './event';
import { fieldKind, type MappingProfile } from '../mapping/profile';
import type { IrNode, IrRule, Leaf, PatternPart, StringLeaf } from '../ir/types';
import type { RegexAst, RegexNode } from '../ir/regex';
import { SigmaEsError } from '../errors';
import { literalWildcardMatcher } from '../sigma/strings';

const ASCII = /^[\x00-\x7f]*$/;

const SPECIAL_FOLD: Record<number, number> = { 0x130: 0x69, 0x131: 0x69, 0x17f: 0x73, 0x212a: 0x6b };

export function witnessFold(t: string): string {
  if (ASCII.test(t)) return t.toLowerCase();
  let out = '';
  for (let i = 0; i < t.length; i++) out += String.fromCharCode(foldUnit(t.charCodeAt(i)));
  return out;
}

/** witnessFold of one UTF-16 unit (each is mapped alone, so a term's fold keeps its length). */
function foldUnit(c: number): number {
  if (c >= 65 && c <= 90) return c + 32;
  if (c < 128) return c;
  const m = SPECIAL_FOLD[c];
  return m !== undefined ? m : c;
}

// ---------------------------------------------------------------- per-event caches

type FastFieldValues = FieldValues;
type FastEvent = PreparedEvent;

/** Lower-case A-Z only: exactly the folding of ES's case-insensitive term/prefix/wildcard queries. */
export function asciiLower(t: string): string {
  if (ASCII.test(t)) return t.toLowerCase();
  let out = '';
  let start = 0;
  for (let i = 0; i < t.length; i++) {
    const c = t.charCodeAt(i);
    if (c >= 65 && c <= 90) {
      out += t.slice(start, i) + String.fromCharCode(c + 32);
      start = i + 1;
    }
  }
  return start === 0 ? t : out + t.slice(start);
}

function loTerms(terms: string[]): string[] {
  const out = new Array<string>(terms.length);
  for (let i = 0; i < terms.length; i++) out[i] = asciiLower(terms[i]);
  return out;
}

/**
 * The folded forms of every keyword term (ev.keywordTerms, which is the keyword fields' terms in
 * the fields' order), from the fields' own folded lists: the field loop has already folded most
 * of them, or taken them from its memo, so an unbound-keyword rule no longer folds the whole event.
 */
function kwFolded(ev: FastEvent, g: boolean): string[] {
  const out: string[] = [];
  for (const fv of ev.fields.values()) {
    if (fv.kind !== 'keyword') continue;
    const lo = (fv.lo ??= loTerms(fv.terms));
    const f = g ? (fv.g ??= gTerms(fv.terms, lo)) : lo;
    for (let i = 0; i < f.length; i++) out.push(f[i]);
  }
  return out;
}

function fieldLo(ev: FastEvent, field: string | null): string[] | undefined {
  if (field === null) return (ev.kwLo ??= kwFolded(ev, false));
  const fv = ev.fields.get(field) as FastFieldValues | undefined;
  if (!fv) return undefined;
  return (fv.lo ??= loTerms(fv.terms));
}

const SPECIALS = /[\u0130\u0131\u017f\u212a]/;

/** witnessFold of each term, sharing the A-Z-lowered strings when no special character occurs. */
function gTerms(terms: string[], lo: string[]): string[] {
  let out: string[] | undefined;
  for (let i = 0; i < terms.length; i++) {
    if (SPECIALS.test(terms[i])) (out ??= lo.slice())[i] = witnessFold(terms[i]);
  }
  return out ?? lo;
}

function fieldG(ev: FastEvent, field: string | null): string[] | undefined {
  if (field === null) return (ev.kwG ??= kwFolded(ev, true));
  const fv = ev.fields.get(field) as FastFieldValues | undefined;
  if (!fv || fv.kind !== 'keyword') return undefined;
  return (fv.g ??= gTerms(fv.terms, (fv.lo ??= loTerms(fv.terms))));
}

// ---------------------------------------------------------------- leaf compilation

type Pred = (ev: FastEvent) => boolean;

/**
 * Wildcard leaves without `?` as string operations. Case-insensitive: ES folds A-Z only
 * (AutomatonQueries.toCaseInsensitiveChar), so a term matches iff its A-Z-lowered form matches
 * the A-Z-lowered pattern, Unicode included. `?` (one code point) stays with the automaton.
 */
function compileStringFast(leaf: StringLeaf, oracle: LeafPredicate): Pred {
  const field = leaf.field;
  if (leaf.caseSensitive) {
    const seq = literalWildcardMatcher(leaf.pattern);
    if (!seq) return oracle;
    return (ev) => {
      const terms = field === null ? ev.keywordTerms : ev.fields.get(field)?.terms;
      if (!terms) return false;
      for (let i = 0; i < terms.length; i++) if (seq(terms[i])) return true;
      return false;
    };
  }
  const lowered = leaf.pattern.map((p) => (p.t === 'lit' ? { t: 'lit' as const, v: asciiLower(p.v) } : p));
  const seq = literalWildcardMatcher(lowered);
  if (!seq) return oracle;
  return (ev) => {
    const lo = fieldLo(ev, field);
    if (!lo) return false;
    for (let i = 0; i < lo.length; i++) if (seq(lo[i])) return true;
    return false;
  };
}

// ---------------------------------------------------------------- witnesses

/**
 * `eq`: some term's fold is v; `sub`: contains v; `pre`/`suf`: starts/ends with v (a walk from
 * one end, far cheaper than a scan and more selective); `has`: the field has a value.
 */
type Atom =
  | { t: 'eq'; field: string | null; v: string }
  | { t: 'sub'; field: string | null; v: string }
  | { t: 'pre'; field: string; v: string }
  | { t: 'suf'; field: string; v: string }
  | { t: 'has'; field: string };

/** null = no witness (the rule must always run); [] = can never match. */
type Witness = Atom[] | null;

// Rough odds that an atom holds for an unrelated event; a witness's odds are their sum. Short
// exact values are mostly log-source conditions (EventID 1, a channel) that every event of the
// source carries, so a selection's list of literal needles is preferred to them unless it is huge.
// Exact values that many rules require (set per rule set by compileFast) are log-source
// conditions — `winlog.channel: Microsoft-Windows-Sysmon/Operational`, `EventID: 1` — that
// nearly every event of that source carries. Their odds are taken as the value's share of the
// rules that name some value of the field: a channel every Sysmon rule names is near-certain,
// `event_id: 3` (network) far less so than `event_id: 1` (process creation), which lets a rule
// with nothing better be routed by its event id rather than by the channel all Sysmon events share.
let commonEq = new Map<string, number>();
/** Routing fields (those with COMMON_EQ_RULES required values or more): how many rules require a value of each. */
let routingRules = new Map<string, number>();
const COMMON_EQ_RULES = 20;

const NON_ASCII = /[^\x00-\x7f]/;

/** Folded text common to Windows process events (paths of the system and of programs); its substrings are common needles. */
const commonNeedles = new Map<string, boolean>();
function commonNeedle(v: string): boolean {
  let common = commonNeedles.get(v);
  if (common === undefined) commonNeedles.set(v, (common = COMMON_TEXT.some((t) => t.includes(v))));
  return common;
}
const COMMON_TEXT = ['c:\\windows\\system32\\', 'c:\\windows\\syswow64\\', 'c:\\program files (x86)\\', 'c:\\users\\', '\\appdata\\local\\', '.exe"'];

function atomCost(a: Atom): number {
  if (a.t === 'has') return 2;
  const n = a.v.length;
  if (a.t === 'eq') {
    const c = commonEq.get(`${a.field}\u0000${a.v}`);
    if (c !== undefined) return c;
    if (n >= 3) return 0.001;
    // A short value of a routing field that no rule requires on its own (`EventID: 19` only in
    // lists of 19/20/21) is at most as common as one that one rule requires.
    const all = routingRules.get(a.field as string);
    return all !== undefined ? 2 / all : 2;
  }
  // Parts of the paths nearly every Windows process event holds (`\windows\`, `.exe`) are common
  // whatever their length: priced as rare, `Image|contains: '\Windows\'` was the witness of a rule
  // whose other conjunct needs `\..\Windows\` in the command line, a candidate on most events.
  if (commonNeedle(a.v)) return a.t === 'sub' ? 0.2 : 0.1;
  // Non-ASCII needles (homoglyphs, emoji, typographic dashes in SigmaHQ) are rare in event text
  // whatever their length; counted as short ASCII they made lists of them look worse than a channel.
  const c = n >= 6 || NON_ASCII.test(a.v) ? 0.0002 : n >= 4 ? 0.001 : n >= 2 ? 0.05 : 0.3;
  return a.t === 'sub' ? c : c / 2;
}

/**
 * Literal strings one of which every term matching the regex contains (null = none known), folded
 * with witnessFold. Under `i`, Lucene's regex case folding is Unicode-wide, so only ASCII runs are
 * used (their only non-ASCII partners, Kelvin sign and long s, witnessFold maps back).
 */
export function regexNeedles(ast: RegexAst, flags: { i: boolean }): string[] | null {
  const ci = flags.i || ast.flags.i;
  const ok = (cp: number): boolean => !ci || cp < 128;
  // Every string the node can match, when there are few (chars, small classes, fixed repeats of
  // them): consecutive ones in a sequence multiply into needles such as `. ` `."` `.'` for
  // `\.[ "']`, where single characters (`\`, `.`) occur in nearly every command line.
  const fin = (n: RegexNode): string[] | null => {
    switch (n.t) {
      case 'empty':
      case 'anchor':
        return [''];
      case 'char':
        return ok(n.cp) ? [String.fromCodePoint(n.cp)] : null;
      case 'class': {
        if (n.negated) return null;
        const out: string[] = [];
        for (const it of n.items) {
          if (it.t !== 'range' || !ok(it.to) || it.to - it.from + 1 + out.length > FIN_MAX) return null;
          for (let c = it.from; c <= it.to; c++) out.push(String.fromCodePoint(c));
        }
        return out;
      }
      case 'group':
        return fin(n.body);
      case 'repeat': {
        if (n.max !== n.min) return null;
        const b = fin(n.body);
        let out: string[] | null = [''];
        for (let k = 0; k < n.min && out; k++) out = b && product(out, b);
        return out;
      }
      case 'alt': {
        const out: string[] = [];
        for (const it of n.items) {
          const x = fin(it);
          if (!x || out.length + x.length > FIN_MAX) return null;
          out.push(...x);
        }
        return out;
      }
      case 'seq': {
        let out: string[] | null = [''];
        for (const it of n.items) {
          const x = fin(it);
          out = x && out && product(out, x);
          if (!out) return null;
        }
        return out;
      }
      default:
        return null;
    }
  };
  const nec = (n: RegexNode): string[] | null => {
    switch (n.t) {
      case 'char':
        return ok(n.cp) ? [String.fromCodePoint(n.cp)] : null;
      case 'group':
        return nec(n.body);
      case 'repeat':
        return n.min >= 1 ? nec(n.body) : null;
      case 'alt': {
        const out: string[] = [];
        for (const b of n.items) {
          const x = nec(b);
          if (x === null) return null;
          out.push(...x);
        }
        return out;
      }
      case 'seq': {
        const cands: string[][] = [];
        // the strings the run of consecutive finite items can match: one of them is in every match
        let run: string[] = [''];
        const flush = (): void => {
          if (!run.includes('')) cands.push(run);
          run = [''];
        };
        for (const it of n.items) {
          const x = fin(it);
          const joined = x && product(run, x);
          if (joined) {
            run = joined;
            continue;
          }
          flush();
          if (x) run = x;
          else {
            const y = nec(it);
            if (y) cands.push(y);
          }
        }
        flush();
        let best: string[] | null = null;
        let bestCost = Infinity;
        for (const c of cands) {
          const cost = c.reduce((a, v) => a + atomCost({ t: 'sub', field: null, v }), 0);
          if (cost < bestCost) (best = c), (bestCost = cost);
        }
        return best;
      }
      default: {
        const x = fin(n);
        return x && !x.includes('') ? x : null;
      }
    }
  };
  const r = nec(ast.body);
  return r && r.every((v) => v.length > 0) ? [...new Set(r.map(witnessFold))] : null;
}

const FIN_MAX = 16;

/** Every concatenation of a string of `a` and one of `b`, or null when there would be more than FIN_MAX. */
function product(a: string[], b: string[]): string[] | null {
  if (a.length * b.length > FIN_MAX) return null;
  const out: string[] = [];
  for (const x of a) for (const y of b) out.push(x + y);
  return out;
}

/**
 * A run every match holds: the top-level item `[class]{k,}` with the largest k ≥ RUN_MIN, for an
 * ASCII-only class outside `i` (whose case folding could widen the class beyond ASCII): a matching
 * term then has k consecutive UTF-16 units in the class. SigmaHQ's `\s[a-fA-F0-9]{64}\s[a-fA-F0-9]{16}`
 * has no literal at all, and most command lines are longer than its 82 characters.
 */
function regexClassRun(ast: RegexAst): { set: Uint8Array; min: number } | null {
  if (ast.flags.i) return null;
  const items = ast.body.t === 'seq' ? ast.body.items : [ast.body];
  let best: { set: Uint8Array; min: number } | null = null;
  for (let it of items) {
    while (it.t === 'group') it = it.body;
    if (it.t !== 'repeat' || it.min < RUN_MIN || (best && it.min <= best.min)) continue;
    let b = it.body;
    while (b.t === 'group') b = b.body;
    if (b.t !== 'class' || b.negated) continue;
    const set = new Uint8Array(128);
    let ok = true;
    for (const c of b.items) {
      if (c.t === 'range') {
        if (c.to > 127) ok = false;
        else for (let x = c.from; x <= c.to; x++) set[x] = 1;
      } else if (c.c === 'd') for (let x = 48; x <= 57; x++) set[x] = 1;
      else if (c.c === 'w') {
        for (let x = 0; x < 128; x++) if (/\w/.test(String.fromCharCode(x))) set[x] = 1;
      }
      else if (c.c === 's') for (const x of [32, 9, 10, 13, 12, 11]) set[x] = 1;
      else ok = false; // \D \W \S take every non-ASCII character
    }
    if (ok) best = { set, min: it.min };
  }
  return best;
}
const RUN_MIN = 8;

/**
 * Whether t has `min` consecutive units in `set`. Any such run covers one of the positions
 * min - 1, 2·min - 1, …: only those are probed, and a run is measured around a probe that is in
 * the set (a command line against `[a-fA-F0-9]{64}`: a few probes, not a look at every character).
 */
export function hasRun(t: string, set: Uint8Array, min: number): boolean {
  const n = t.length;
  const inSet = (i: number): boolean => {
    const c = t.charCodeAt(i);
    return c < 128 && set[c] === 1;
  };
  let p = min - 1;
  while (p < n) {
    if (!inSet(p)) {
      p += min;
      continue;
    }
    let lo = p;
    while (lo > 0 && p - lo < min - 1 && inSet(lo - 1)) lo--;
    let hi = p + 1;
    while (hi < n && hi - lo < min && inSet(hi)) hi++;
    if (hi - lo >= min) return true;
    // the unit at hi ends every run through p; a run after it covers hi + min or a later probe
    p = hi + min;
  }
  return false;
}

/** Fewest code points any match spans (so fewest UTF-16 units a term needs to contain one). */
function regexMinLength(n: RegexNode): number {
  switch (n.t) {
    case 'char':
    case 'dot':
    case 'class':
      return 1;
    case 'seq':
      return n.items.reduce((a, x) => a + regexMinLength(x), 0);
    case 'alt':
      return Math.min(...n.items.map(regexMinLength));
    case 'group':
      return regexMinLength(n.body);
    case 'repeat':
      return n.min * regexMinLength(n.body);
    default:
      return 0;
  }
}

// A witness's cost, once per witness (sorting and picking witnesses asks for it again and again).
let witnessCosts = new WeakMap<Atom[], number>();

function cost(w: Witness): number {
  if (w === null) return Infinity;
  let c = witnessCosts.get(w);
  if (c === undefined) {
    c = 0;
    for (const a of w) c += atomCost(a);
    witnessCosts.set(w, c);
  }
  return c;
}

function longestLiteral(pattern: PatternPart[]): string {
  let best = '';
  for (const p of pattern) if (p.t === 'lit' && p.v.length > best.length) best = p.v;
  return best;
}

// Leaves' witnesses do not depend on the rule set (atom costs that do are only compared in
// nodeWitness), and every leaf's is needed two or three times while indexing: cached per leaf
// for one compileFast call.
let leafWitnesses = new Map<Leaf, Witness>();

function leafWitness(leaf: Leaf, profile: MappingProfile): Witness {
  let w = leafWitnesses.get(leaf);
  if (w === undefined) leafWitnesses.set(leaf, (w = computeLeafWitness(leaf, profile)));
  return w;
}

function computeLeafWitness(leaf: Leaf, profile: MappingProfile): Witness {
  const kind = leaf.field === null ? 'keyword' : fieldKind(profile, leaf.field);
  const has: Witness = leaf.field === null ? null : [{ t: 'has', field: leaf.field }];
  switch (leaf.kind) {
    case 'string': {
      if (kind !== 'keyword') return has;
      const p = leaf.pattern;
      const lit = patternIsLiteral(p);
      if (lit !== null) return [{ t: 'eq', field: leaf.field, v: witnessFold(lit) }];
      // A matching term's A-Z-lowered form contains the lowered literal, so its fold (the same
      // length, character by character) contains the literal's fold, at the same end if anchored.
      const opts: Atom[] = [];
      const run = longestLiteral(p);
      if (run.length > 0) opts.push({ t: 'sub', field: leaf.field, v: witnessFold(run) });
      if (leaf.field !== null) {
        const first = p[0];
        const last = p[p.length - 1];
        if (first.t === 'lit') opts.push({ t: 'pre', field: leaf.field, v: witnessFold(first.v) });
        if (last.t === 'lit') opts.push({ t: 'suf', field: leaf.field, v: witnessFold(last.v) });
      }
      let best: Atom | undefined;
      for (const a of opts) if (!best || atomCost(a) < atomCost(best)) best = a;
      return best ? [best] : has;
    }
    case 'scalar':
      if (kind !== 'keyword') return has;
      return [{ t: 'eq', field: leaf.field, v: witnessFold(String(leaf.value)) }];
    case 'regex': {
      if (kind !== 'keyword') return has;
      const needles = regexNeedles(leaf.ast, leaf.flags);
      return needles ? needles.map((v) => ({ t: 'sub' as const, field: leaf.field, v })) : has;
    }
    case 'fieldref':
      return null; // reads raw values, which may not be indexed
    default:
      return has;
  }
}

// and/or/not nodes' witnesses, per compileFast call: a rule's groups ask for its conjuncts' once per branch.
let nodeWitnesses = new Map<IrNode, Witness>();

function nodeWitness(n: IrNode, profile: MappingProfile): Witness {
  if (n.kind === 'and' || n.kind === 'or') {
    let w = nodeWitnesses.get(n);
    if (w === undefined) nodeWitnesses.set(n, (w = computeNodeWitness(n, profile)));
    return w;
  }
  return computeNodeWitness(n, profile);
}

function computeNodeWitness(n: IrNode, profile: MappingProfile): Witness {
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

/**
 * Up to two witnesses per rule, each necessary on its own: the rule's witness and, when the rule
 * is a conjunction, the next most selective conjunct's. A rule is a candidate only when both
 * hold. One witness per rule made every rule about e.g. `Image|endswith: \\powershell.exe` a
 * candidate for every PowerShell event, though nearly all also need a command-line literal.
 */
function ruleWitnesses(q: IrNode, profile: MappingProfile): Witness[] {
  if (q.kind !== 'and') return [nodeWitness(q, profile)];
  const conj: IrNode[] = [];
  const flat = (n: IrNode): void => {
    if (n.kind === 'and') for (const c of n.children) flat(c);
    else conj.push(n);
  };
  flat(q);
  // the conjunction's own witness (as nodeWitness picks it: the first cheapest), from one pass
  const all = conj.map((c) => nodeWitness(c, profile));
  let first: Witness = null;
  for (const w of all) {
    if (w !== null && w.length === 0) return [[]];
    if (cost(w) < cost(first)) first = w;
  }
  if (first === null) return [null];
  const ws = all.filter((w): w is Atom[] => w !== null && w.length > 0);
  ws.sort((a, b) => cost(a) - cost(b));
  // The first is as selective as the rule's own witness; the second only pays if it is selective.
  const second = ws[1];
  if (!second || cost(second) >= SECOND_WITNESS_MAX_COST) return [first];
  const firstKey = witnessKey(first);
  const pick = ws.find((w) => witnessKey(w) !== firstKey && cost(w) < SECOND_WITNESS_MAX_COST && !ubiquitous(w));
  return pick ? [first, pick] : [first];
}

const SECOND_WITNESS_MAX_COST = 0.5;

/** At most this many groups per rule (one per branch of a top-level OR); more: the rule's one witness. */
const GROUPS_MAX = 8;

/** The operands of nested `kind` nodes, in order (`a and (b and c)` → a, b, c), appended to `out`. */
function flatten(n: IrNode, kind: 'and' | 'or', out: IrNode[] = []): IrNode[] {
  if ((n.kind === 'and' || n.kind === 'or') && n.kind === kind) for (const c of n.children) flatten(c, kind, out);
  else out.push(n);
  return out;
}

/**
 * A rule's witness groups: the rule matches only if every witness of some group holds. A rule
 * with an OR of 2..GROUPS_MAX branches among its conjuncts (`1 of selection_*` under the
 * pipeline's log-source conditions) gets a group per branch, each with up to two witnesses of
 * that branch AND the other conjuncts, as ruleWitnesses gives a conjunction: one witness per rule
 * (the union of each branch's cheapest conjunct) made a rule whose `ParentImage|endswith:
 * \\cmd.exe` branch also needs a rare parent command line a candidate on every event with a
 * cmd.exe parent. Any other rule: one group, its ruleWitnesses. A group whose first witness is []
 * never holds (its branch cannot match) and is dropped; a branch without a witness makes the
 * whole rule run always ([[null]]).
 */
function ruleGroups(q: IrNode, profile: MappingProfile): Witness[][] {
  // the conjuncts, and the first that is an OR of a few branches: the rule is the OR, over its
  // branches, of the other conjuncts AND the branch (log-source conditions stay in every group)
  const conj = flatten(q, 'and');
  let alts: IrNode[] = [];
  let at = -1;
  for (let i = 0; i < conj.length && at < 0; i++) {
    if (conj[i].kind !== 'or') continue;
    alts = flatten(conj[i], 'or');
    if (alts.length >= 2 && alts.length <= GROUPS_MAX) at = i;
  }
  if (at < 0) return [ruleWitnesses(q, profile)];
  const others = conj.filter((_, i) => i !== at);
  const out: Witness[][] = [];
  for (const b of alts) {
    const g = ruleWitnesses(others.length ? { kind: 'and', children: [...others, b] } : b, profile);
    if (g[0] === null) return [[null]];
    if (g[0].length > 0) out.push(g);
  }
  return out.length === 0 ? [[[]]] : out;
}

/**
 * Whether some atom of the witness holds on nearly every process event: a one-character needle
 * (`:`, `-`) or a part of a system path (`.exe`, `\\system32\\`). As a second witness such a needle
 * rules out no event and costs a verified hit in the scanner on every command line: they were
 * a third of the command-line scanner's hits.
 */
function ubiquitous(w: Atom[]): boolean {
  return w.some((a) => a.t !== 'eq' && a.t !== 'has' && (a.v.length === 1 || commonNeedle(a.v)));
}

/** Rules whose witness is at least this likely to hold (a log-source value, presence) get veto atoms. */
const VETO_MIN_COST = 0.01;

/**
 * Atoms any of which, holding on the folded terms of an event whose terms are their own witness
 * fold, makes the rule false: the leaves of a negated conjunct (`not 1 of filter_*`) that are
 * case-insensitive literal, contains, startswith or endswith on a keyword field. Exact where a
 * witness only needs to be necessary: the needle is A-Z-lowered (what ES folds), has none of the
 * characters witnessFold maps apart from that (so on such terms the fold is asciiLower, and the
 * leaf holds iff the atom does), and is not cut (a cut needle's hit does not mean the whole one occurs).
 */
function ruleVetoes(q: IrNode, profile: MappingProfile): Atom[] {
  const out: Atom[] = [];
  const alts: IrNode[] = [];
  for (const c of flatten(q, 'and')) if (c.kind === 'not') flatten(c.child, 'or', alts);
  for (const x of alts) {
    if (x.kind !== 'string' || x.caseSensitive || x.field === null || fieldKind(profile, x.field) !== 'keyword') continue;
    const p = x.pattern;
    const lit = (v: string): string | null => {
      const lo = asciiLower(v);
      return v.length > 0 && witnessFold(v) === lo ? lo : null;
    };
    let a: Atom | null = null;
    if (p.length === 1 && p[0].t === 'lit') {
      const v = lit(p[0].v);
      if (v !== null) a = { t: 'eq', field: x.field, v };
    } else if (p.length === 3 && p[0].t === 'any' && p[1].t === 'lit' && p[2].t === 'any') {
      const v = lit(p[1].v);
      if (v !== null && v.length <= SUB_MAX) a = { t: 'sub', field: x.field, v };
    } else if (p.length === 2 && p[0].t === 'lit' && p[1].t === 'any') {
      const v = lit(p[0].v);
      if (v !== null) a = { t: 'pre', field: x.field, v };
    } else if (p.length === 2 && p[0].t === 'any' && p[1].t === 'lit') {
      const v = lit(p[1].v);
      if (v !== null) a = { t: 'suf', field: x.field, v };
    }
    if (a) out.push(a);
  }
  return out;
}

let witnessKeys = new WeakMap<Atom[], string>();

function witnessKey(w: Atom[]): string {
  let k = witnessKeys.get(w);
  if (k === undefined) witnessKeys.set(w, (k = w.map((a) => `${a.t}\u0000${a.field}\u0000${a.t === 'has' ? '' : a.v}`).join('\u0001')));
  return k;
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

type LeafPreds = Map<Leaf, LeafPredicate>;

function compileNode(n: IrNode, profile: MappingProfile, doc: IrRule, leafPreds: LeafPreds | undefined): Pred {
  switch (n.kind) {
    case 'const': {
      const v = n.value;
      return () => v;
    }
    case 'not': {
      const c = compileNode(n.child, profile, doc, leafPreds);
      return (ev) => !c(ev);
    }
    case 'and':
    case 'or': {
      if (n.kind === 'or') {
        const grouped = groupContains(n.children, profile);
        if (grouped) {
          const rest = grouped.rest.map((c) => compileNode(c, profile, doc, leafPreds));
          const all = [...grouped.preds, ...rest];
          return (ev) => {
            for (let i = 0; i < all.length; i++) if (all[i](ev)) return true;
            return false;
          };
        }
      }
      const kids = n.children
        .map((c, i) => ({ c, i }))
        .sort((a, b) => leafRank(a.c) - leafRank(b.c) || a.i - b.i)
        .map(({ c }) => compileNode(c, profile, doc, leafPreds));
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
      // leaves made up by groupContains are not in the oracle's map
      const oracle = leafPreds?.get(n) ?? compileLeaf(n, profile, doc);
      if (n.kind === 'regex' && (n.field === null || fieldKind(profile, n.field) === 'keyword')) {
        // skip the automaton for terms that lack every necessary literal, or are shorter than any
        // match (`\s[a-f0-9]{64}\s[a-f0-9]{16}` against every command line: 1 us per event)
        const needles = regexNeedles(n.ast, n.flags) ?? [''];
        const minLen = regexMinLength(n.ast.body);
        const run = regexClassRun(n.ast);
        if (needles.length === 1 && needles[0] === '' && minLen <= 1 && !run) return oracle;
        const field = n.field;
        if (run) {
          // The run is tested on the raw terms (classes are case-sensitive here), and first: most
          // terms lack it, and then fieldG's folded copy of a command line is never made.
          return (ev) => {
            let raw: string[];
            if (field === null) raw = ev.keywordTerms;
            else {
              const fv = ev.fields.get(field);
              if (!fv || fv.kind !== 'keyword') return false;
              raw = fv.terms;
            }
            let g: string[] | undefined;
            for (let i = 0; i < raw.length; i++) {
              if (raw[i].length < minLen || !hasRun(raw[i], run.set, run.min)) continue;
              // folding keeps lengths (one unit for one), so g[i] is raw[i] folded
              g ??= fieldG(ev, field) as string[];
              for (const v of needles) if (g[i].includes(v)) return oracle(ev);
            }
            return false;
          };
        }
        return (ev) => {
          const g = fieldG(ev, field);
          if (!g) return false;
          let any = false;
          for (let i = 0; i < g.length && !any; i++) {
            if (g[i].length < minLen) continue;
            for (const v of needles) if (g[i].includes(v)) any = true;
          }
          return any && oracle(ev);
        };
      }
      if (n.kind === 'string' && (n.field === null || fieldKind(profile, n.field) === 'keyword')) {
        const leaf = n;
        return compileStringFast(leaf, oracle);
      }
      return oracle;
    }
  }
}

const GROUP_MIN = 4;

/**
 * Long OR lists of case-insensitive `contains` values on one field (the bulk of SigmaHQ) become
 * one Aho-Corasick pass over the A-Z-lowered terms; exact values become one set lookup;
 * `endswith` / `startswith` values (`Image|endswith:` lists of fifty binaries) one trie walk
 * from that end of each term.
 */
function groupContains(children: IrNode[], profile: MappingProfile): { preds: Pred[]; rest: IrNode[] } | null {
  const contains = new Map<string | null, string[]>();
  const exact = new Map<string | null, Set<string>>();
  const affix = new Map<string, { nodes: IrNode[]; needles: string[] }>();
  const rest: IrNode[] = [];
  for (const c of children) {
    // Only keyword text can be compared as text: a string on an ip or numeric field means an address or a number.
    if (c.kind === 'string' && !c.caseSensitive && (c.field === null || fieldKind(profile, c.field) === 'keyword')) {
      const p = c.pattern;
      if (p.length === 3 && p[0].t === 'any' && p[1].t === 'lit' && p[2].t === 'any') {
        const l = contains.get(c.field) ?? [];
        l.push(asciiLower(p[1].v));
        contains.set(c.field, l);
        continue;
      }
      if (p.length === 1 && p[0].t === 'lit') {
        const l = exact.get(c.field) ?? new Set<string>();
        l.add(asciiLower(p[0].v));
        exact.set(c.field, l);
        continue;
      }
      const suffix = p.length === 2 && p[0].t === 'any' && p[1].t === 'lit';
      if (c.field !== null && (suffix || (p.length === 2 && p[0].t === 'lit' && p[1].t === 'any'))) {
        const key = `${suffix ? 's' : 'p'}${c.field}`;
        let g = affix.get(key);
        if (!g) affix.set(key, (g = { nodes: [], needles: [] }));
        g.nodes.push(c);
        g.needles.push(asciiLower((p[suffix ? 1 : 0] as { v: string }).v));
        continue;
      }
    }
    rest.push(c);
  }
  const preds: Pred[] = [];
  let grouped = 0;
  for (const [key, g] of affix) {
    if (g.nodes.length < GROUP_MIN) {
      rest.push(...g.nodes);
      continue;
    }
    grouped++;
    const field = key.slice(1);
    const fromEnd = key[0] === 's';
    let trie: AffixTrie | undefined;
    let found = false;
    const hit = (): void => {
      found = true;
    };
    preds.push((ev) => {
      const lo = fieldLo(ev, field);
      if (!lo) return false;
      trie ??= new AffixTrie(g.needles, fromEnd);
      found = false;
      for (let i = 0; i < lo.length && !found; i++) trie.walk(lo[i], hit);
      return found;
    });
  }
  for (const [field, needles] of contains) {
    if (needles.length < GROUP_MIN) {
      for (const v of needles) rest.push({ kind: 'string', field, pattern: [{ t: 'any' }, { t: 'lit', v }, { t: 'any' }], caseSensitive: false, origin: { identifier: '', sigmaField: field, modifiers: [], value: v } });
      continue;
    }
    grouped++;
    let ac: AhoCorasick | undefined;
    preds.push((ev) => {
      const lo = fieldLo(ev, field);
      if (!lo) return false;
      ac ??= new AhoCorasick(needles);
      for (let i = 0; i < lo.length; i++) if (ac.test(lo[i])) return true;
      return false;
    });
  }
  for (const [field, set] of exact) {
    if (set.size < 2) {
      for (const v of set) rest.push({ kind: 'string', field, pattern: [{ t: 'lit', v }], caseSensitive: false, origin: { identifier: '', sigmaField: field, modifiers: [], value: v } });
      continue;
    }
    grouped++;
    preds.push((ev) => {
      const lo = fieldLo(ev, field);
      if (!lo) return false;
      for (let i = 0; i < lo.length; i++) if (set.has(lo[i])) return true;
      return false;
    });
  }
  if (grouped === 0) return null;
  return { preds, rest };
}

/** Exact-value witnesses of one field, with a filter of the (length, first, last character) they have. */
interface EqIndex {
  map: Map<string, number[]>;
  sigs: Int32Array;
}

const SIG_BITS = 14;

/** The signature of a term of length n whose first and last units are `first` and `last` (0 when empty). */
function sig(n: number, first: number, last: number): number {
  const h = Math.imul(n, 0x9e3779b1) ^ Math.imul(first, 0x85ebca6b) ^ Math.imul(last, 0xc2b2ae35);
  return Math.imul(h ^ (h >>> 15), 0x27d4eb2f) >>> (32 - SIG_BITS);
}

export function eqSig(t: string): number {
  const n = t.length;
  return n ? sig(n, t.charCodeAt(0), t.charCodeAt(n - 1)) : sig(0, 0, 0);
}

/** eqSig of witnessFold(t), without folding t: it reads only the length and the end characters. */
export function rawEqSig(t: string): number {
  const n = t.length;
  return n ? sig(n, foldUnit(t.charCodeAt(0)), foldUnit(t.charCodeAt(n - 1))) : sig(0, 0, 0);
}

function eqIndex(map: Map<string, number[]>): EqIndex {
  const sigs = new Int32Array(1 << (SIG_BITS - 5));
  for (const k of map.keys()) {
    const b = eqSig(k);
    sigs[b >>> 5] |= 1 << (b & 31);
  }
  return { map, sigs };
}

// Hashing a term (a fresh string per event, so never cached by V8) costs its whole length, and
// nearly no term is an exact value some rule names: the ones whose length and end characters no
// value shares are ruled out first (25 -> ~4 lookups per Sysmon event).
function eqLookup(eq: EqIndex, g: string[], addAll: (l: number[]) => void): void {
  const sigs = eq.sigs;
  for (let k = 0; k < g.length; k++) {
    const t = g[k];
    const b = eqSig(t);
    if ((sigs[b >>> 5] & (1 << (b & 31))) === 0) continue;
    const l = eq.map.get(t);
    if (l) addAll(l);
  }
}

export interface FastRuleset {
  profile: MappingProfile;
  rules: IrRule[];
  /** Rule indices (ascending) matching a prepared event. */
  match(ev: PreparedEvent): number[];
  stats: { indexed: number; alwaysRun: number; never: number };
  /** Events seen, candidate rules evaluated and candidates vetoed so far (to judge the index). */
  counters: { events: number; candidates: number; vetoed: number };
}

/**
 * Empties the per-compile memos of witnesses, costs and keys: at the start of compileFast, and at
 * the end so a compiled set does not keep the IR's nodes alive through them.
 */
function resetWitnessCaches(): void {
  leafWitnesses = new Map();
  nodeWitnesses = new Map();
  witnessCosts = new WeakMap();
  witnessKeys = new WeakMap();
}

/**
 * `leafPreds[i]`: rule i's leaf predicates, already planned (by the oracle). With them, a rule's
 * closures are built on its first candidate event: a stream meets a few hundred of the corpus's
 * rules, and building all of them was a fifth of compiling the rule set.
 */
export function compileFast(rules: IrRule[], profile: MappingProfile, leafPreds?: LeafPreds[]): FastRuleset {
  const preds: Pred[] = [];
  const always: number[] = [];
  let never = 0;
  const push = <K, V>(m: Map<K, V[]>, k: K, v: V): void => {
    const a = m.get(k);
    if (a) {
      if (a[a.length - 1] !== v) a.push(v);
    } else m.set(k, [v]);
  };
  resetWitnessCaches();
  // count the exact values rules require (AND-reachable eq witnesses) to spot routing conditions
  const eqCount = new Map<string, number>();
  const collect = (n: IrNode, seen: Set<string>): void => {
    if (n.kind === 'and') for (const c of n.children) collect(c, seen);
    else if (n.kind === 'string' || n.kind === 'scalar') {
      const w = leafWitness(n, profile);
      if (w && w.length === 1 && w[0].t === 'eq') seen.add(`${w[0].field}\u0000${w[0].v}`);
    }
  };
  for (const r of rules) {
    const seen = new Set<string>();
    collect(r.query, seen);
    for (const k of seen) eqCount.set(k, (eqCount.get(k) ?? 0) + 1);
  }
  const perField = new Map<string, number>();
  for (const [k, c] of eqCount) {
    const f = k.slice(0, k.indexOf('\u0000'));
    perField.set(f, (perField.get(f) ?? 0) + c);
  }
  commonEq = new Map();
  routingRules = new Map();
  for (const [f, all] of perField) if (all >= COMMON_EQ_RULES) routingRules.set(f, all);
  for (const [k, c] of eqCount) {
    const sep = k.indexOf('\u0000');
    const all = perField.get(k.slice(0, sep)) as number;
    // A short value of a routing field that few rules require (`EventID: 28`) is as rare as its
    // share too: priced like presence (2), it lost to the channel every Sysmon event carries, and
    // such rules were candidates for every event.
    if (c >= COMMON_EQ_RULES || (all >= COMMON_EQ_RULES && k.length - sep - 1 < 3)) commonEq.set(k, (2 * c) / all);
  }

  const specs = new Map<string | null, FieldSpec>();
  const spec = (f: string | null): FieldSpec => {
    let x = specs.get(f);
    if (!x) specs.set(f, (x = { has: [], eq: new Map(), sub: new Needles(), pre: new Needles(), suf: new Needles() }));
    return x;
  };
  // Witness groups (code = group * 2 + slot) and vetoes (code = vetoBase + rule), indexed once the
  // number of groups, and so vetoBase, is known.
  const groupRule: number[] = [];
  const groupNeed: number[] = [];
  const toIndex: Array<[Atom, number, boolean]> = [];
  const index = (a: Atom, code: number): void => {
    if (a.t === 'has') {
      const l = spec(a.field).has;
      if (l[l.length - 1] !== code) l.push(code);
    } else if (a.t === 'eq') push(spec(a.field).eq, a.v, code);
    // unbound keywords are every term of every keyword field: their anchored needles are substrings
    else if (a.field === null || a.t === 'sub') spec(a.field).sub.add(a.v.length > SUB_MAX ? a.v.slice(-SUB_MAX) : a.v, code);
    else spec(a.field)[a.t].add(a.v, code);
  };
  rules.forEach((rule, ri) => {
    const build = (): Pred => {
      try {
        return compileNode(rule.query, profile, rule, leafPreds?.[ri]);
      } catch (e) {
        if (e instanceof SigmaEsError) e.at({ rule: rule.meta.id ?? rule.meta.title, file: rule.file });
        throw e;
      }
    };
    if (leafPreds) {
      preds.push((ev) => {
        const p = build();
        preds[ri] = p;
        return p(ev);
      });
    } else preds.push(build());
    const groups = ruleGroups(rule.query, profile);
    const w = groups[0][0];
    if (w !== null && w.length === 0) {
      never++;
      return;
    }
    // A rule routed by a common condition (or not at all) that a filter's hit rules out: the filter's
    // atoms veto it (code vetoBase + ri), so it is not evaluated on the events its filter holds on.
    let firstCost = 0;
    for (const g of groups) firstCost += cost(g[0]);
    if (firstCost >= VETO_MIN_COST) for (const a of ruleVetoes(rule.query, profile)) toIndex.push([a, ri, true]);
    if (w === null) {
      always.push(groupRule.length * 2);
      groupRule.push(ri);
      groupNeed.push(1);
      return;
    }
    // index lists hold (group, slot) codes: group * 2 + slot; a rule is a candidate when all slots of one of its groups hold
    for (const g of groups) {
      const gi = groupRule.length;
      groupRule.push(ri);
      groupNeed.push(g.length);
      g.forEach((sw, slot) => {
        for (const a of sw as Atom[]) toIndex.push([a, gi * 2 + slot, false]);
      });
    }
  });
  const nGroups = groupRule.length;
  const vetoBase = 2 * nGroups;
  for (const [a, x, veto] of toIndex) index(a, veto ? vetoBase + x : x);
  resetWitnessCaches();
  const kwSpec = specs.get(null);
  const kwEq = kwSpec && kwSpec.eq.size ? eqIndex(kwSpec.eq) : undefined;
  const kwSub = kwSpec && kwSpec.sub.needles.length ? kwSpec.sub : undefined;
  // Per field, what to do for it, so an event's fields are visited once and each keyword term is
  // folded and scanned once: the unbound-keyword needles ride in every keyword field's automaton.
  const fieldPlans = new Map<string, FieldPlan>();
  for (const [f, x] of specs) if (f !== null) fieldPlans.set(f, new FieldPlan(x, kwSub, kwEq));
  for (const p of fieldPlans.values()) p.sub?.seal();
  for (const x of specs.values()) for (const l of [x.sub, x.pre, x.suf]) l.seal();
  // keyword fields no rule names still carry the unbound keywords' atoms
  const kwPlan = kwSub || kwEq ? new FieldPlan(undefined, kwSub, kwEq) : undefined;

  const n = rules.length;
  // per group: the event (epoch) one of its slots last held on, and how many did
  const mark = new Uint32Array(nGroups);
  const need = Uint8Array.from(groupNeed);
  const ofGroup = Int32Array.from(groupRule);
  // per rule: the event it last became a candidate on
  const ruleMark = new Uint32Array(n);
  let epoch = 0;
  const indexed = n - always.length - never;

  const counters = { events: 0, candidates: 0, vetoed: 0 };
  // A typed buffer: long lists sort natively, several times cheaper than Array#sort with a comparator.
  const cand = new Int32Array(n);
  let ncand = 0;
  const slotMark = new Uint32Array(vetoBase + n);
  const got = new Uint8Array(nGroups);
  // the event (epoch) on which a rule was vetoed
  const vetoed = new Uint32Array(n);
  // Whether the terms being indexed are their own witness fold (no İ ı ſ K): only then does a veto
  // atom's hit on the folded term mean its leaf holds.
  let vetoOk = true;
  const addAll = (lst: number[]): void => {
    const e = epoch;
    for (let k = 0; k < lst.length; k++) {
      const code = lst[k];
      if (slotMark[code] === e) continue;
      slotMark[code] = e;
      if (code >= vetoBase) {
        if (vetoOk) vetoed[code - vetoBase] = e;
        else slotMark[code] = 0; // another field's terms may still veto
        continue;
      }
      const gi = code >> 1;
      if (mark[gi] !== e) {
        mark[gi] = e;
        got[gi] = 1;
      } else got[gi]++;
      if (got[gi] === need[gi]) {
        const ri = ofGroup[gi];
        if (ruleMark[ri] !== e) {
          ruleMark[ri] = e;
          cand[ncand++] = ri;
        }
      }
    }
  };
  // Short needles (`\\`, `-`, ` `) hit many times per term: a needle's rules are passed on once per
  // event (once per term while a term's codes are collected for the memo).
  let hitRules: number[][] = [];
  let hitSeen = new Uint32Array(0);
  let hitEpoch = 0;
  let sink = addAll;
  const onHit = (id: number): void => {
    if (hitSeen[id] === hitEpoch) return;
    hitSeen[id] = hitEpoch;
    sink(hitRules[id]);
  };
  /** Every term-based atom of plan p that the folded terms g hold, passed to `add` (to collect when memo). */
  const scanTerms = (p: FieldPlan, g: string[], add: (lst: number[]) => void, memo: boolean): void => {
    if (p.eq) eqLookup(p.eq, g, add);
    if (kwEq) eqLookup(kwEq, g, add);
    sink = add;
    hitEpoch = memo ? colEpoch : epoch;
    if (p.sub) {
      const ac = p.automaton();
      const filter = p.subFilter as CharFilter;
      hitRules = p.sub.rules;
      hitSeen = memo ? p.subCol : p.subSeen;
      for (let k = 0; k < g.length; k++) if (filter.mayContain(g[k])) ac.scan(g[k], onHit);
    }
    if (p.pre) {
      const trie = p.prefixes();
      hitRules = p.pre.rules;
      hitSeen = memo ? p.preCol : p.preSeen;
      for (let k = 0; k < g.length; k++) trie.walk(g[k], onHit);
    }
    if (p.suf) {
      const trie = p.suffixes();
      hitRules = p.suf.rules;
      hitSeen = memo ? p.sufCol : p.sufSeen;
      for (let k = 0; k < g.length; k++) trie.walk(g[k], onHit);
    }
  };
  // The (rule, slot) codes one term yields under a plan, deduplicated, for the memo.
  const colMark = new Uint32Array(vetoBase + n);
  let colEpoch = 0;
  let colBuf: number[] = [];
  const collectCodes = (lst: number[]): void => {
    const e = colEpoch;
    for (let k = 0; k < lst.length; k++) {
      const code = lst[k];
      if (colMark[code] === e) continue;
      colMark[code] = e;
      colBuf.push(code);
    }
  };
  const termCodes = (p: FieldPlan, t: string): MemoEntry => {
    if (++colEpoch === 0xffffffff) {
      colMark.fill(0);
      for (const q of fieldPlans.values()) q.resetMarks(true);
      kwPlan?.resetMarks(true);
      colEpoch = 1;
    }
    colBuf = [];
    // as fieldLo and fieldG fold a one-term field
    const lo = loTerms([t]);
    const g = gTerms([t], lo);
    scanTerms(p, g, collectCodes, true);
    return { codes: colBuf.length === 0 ? NO_CODES : colBuf, lo, g, id: -1 };
  };
  const states = new Map<string, FieldState>();
  /** Owner of the FieldStates path nodes hold (a new one whenever `states` is dropped). */
  let statesOwner: object = {};
  const stateOf = (f: string): FieldState => {
    const st = new FieldState(fieldPlans.get(f));
    states.set(f, st);
    return st;
  };
  const match = (ev: PreparedEvent): number[] => {
    const out: number[] = [];
    if (ev.rejected !== null) return out;
    epoch++;
    if (epoch === 0xffffffff) {
      mark.fill(0);
      ruleMark.fill(0);
      slotMark.fill(0);
      vetoed.fill(0);
      for (const p of fieldPlans.values()) p.resetMarks(false);
      kwPlan?.resetMarks(false);
      verdictOffUntil.fill(0);
      epoch = 1;
    }
    ncand = 0;
    // never within an event: the verdict cache reads this event's field states
    if (states.size >= STATES_MAX) {
      states.clear();
      ruleStates.fill(undefined);
      // nodes holding a dropped state must not be believed: it is no longer the one the verdict cache reads
      statesOwner = {};
    }
    const ef = ev.fields;
    const efs = ef instanceof EventFields ? ef : undefined;
    const names = efs ? efs.names : [...ef.keys()];
    const vals = efs ? efs.vals : [...ef.values()];
    // a field's state is kept on its path node too, a lookup by name less per field and event
    const nodes = efs?.onNodes ? efs.nodes : undefined;
    for (let fi = 0; fi < names.length; fi++) {
      const f = names[fi];
      const fv = vals[fi];
      let st: FieldState;
      if (nodes !== undefined) {
        const nd = nodes[fi];
        if (nd.extOf === statesOwner) st = nd.ext as FieldState;
        else {
          st = states.get(f) ?? stateOf(f);
          nd.ext = st;
          nd.extOf = statesOwner;
        }
      } else st = states.get(f) ?? stateOf(f);
      st.at = epoch;
      st.cur = -1;
      let p = st.plan;
      if (p === undefined) {
        if (kwPlan === undefined || fv.kind !== 'keyword') continue;
        p = kwPlan;
      }
      if (p.has) addAll(p.has);
      if (fv.kind !== 'keyword' || !p.terms) continue;
      const memo = st.memo;
      if (memo === undefined) {
        if (p.subOnly && !p.rawMayContain(fv.terms)) {
          st.skipped(fv.terms.length);
          continue;
        }
        const g = fieldG(ev, f) as string[];
        vetoOk = g === fv.lo;
        scanTerms(p, g, addAll, false);
        st.skipped(fv.terms.length);
        continue;
      }
      const terms = fv.terms;
      for (let k = 0; k < terms.length; k++) {
        const t = terms[k];
        let e: MemoEntry | undefined;
        // most fields hold the value they held on the last event: comparing is cheaper than hashing
        if (t === st.lastTerm) e = st.lastEntry as MemoEntry;
        else {
          e = memo.get(t);
          if (e === undefined) {
            e = termCodes(p, t);
            st.remember(t, e);
          }
          st.lastTerm = t;
          st.lastEntry = e;
        }
        if (e.codes.length > 0) {
          vetoOk = e.g === e.lo;
          addAll(e.codes);
        }
        // the folded forms the candidates' predicates read, shared by every event with this value
        if (terms.length === 1) {
          fv.lo ??= e.lo;
          fv.g ??= e.g;
          st.cur = e.id;
        }
      }
      st.looked(terms.length);
    }
    addAll(always);
    counters.events++;
    // a dozen candidates: an insertion sort in place beats a typed-array sort's call and view
    if (ncand > 32) cand.subarray(0, ncand).sort();
    else
      for (let k = 1; k < ncand; k++) {
        const x = cand[k];
        let j = k - 1;
        while (j >= 0 && cand[j] > x) (cand[j + 1] = cand[j]), j--;
        cand[j + 1] = x;
      }
    for (let k = 0; k < ncand; k++) {
      const ri = cand[k];
      if (vetoed[ri] === epoch) {
        counters.vetoed++;
        continue;
      }
      counters.candidates++;
      const fields = ruleFields[ri];
      if (fields === null || verdictOffUntil[ri] > epoch ? preds[ri](ev) : cachedVerdict(ri, fields, ev)) out.push(ri);
    }
    return out;
  };
  // A rule that reads only keyword fields by name has the same verdict on every event whose terms of
  // those fields are the same, and a one-term field's memoised term stands for its value (its entry
  // id; 0 = the field has no indexed value): the verdict is cached under those ids, per rule.
  // (derived once here, not tested for on every candidate)
  const ruleFields = rules.map((r) => verdictFields(r, profile));
  let verdicts: (VerdictNode | undefined)[] = new Array(n).fill(undefined);
  let verdictCount = 0;
  const ids = new Array<number>(VERDICT_FIELDS_MAX).fill(0);
  const verdictLooks = new Uint16Array(n);
  const verdictHits = new Uint16Array(n);
  // the event (epoch) until which a rule is evaluated without the cache
  const verdictOffUntil = new Float64Array(n);
  // the FieldStates of a rule's fields, resolved once (dropped with the states map)
  const ruleStates: (FieldState[] | undefined)[] = new Array(n).fill(undefined);
  const cachedVerdict = (ri: number, fields: string[], ev: PreparedEvent): boolean => {
    const last = fields.length - 1;
    const sts = ruleStates[ri] ?? (ruleStates[ri] = fields.map((f) => states.get(f) ?? stateOf(f)));
    for (let j = 0; j <= last; j++) {
      const st = sts[j];
      const id = st.at === epoch ? st.cur : 0;
      // several terms, a memo turned off, a term too long to keep: not cacheable on this event
      if (id < 0) return preds[ri](ev);
      ids[j] = id;
    }
    let node = verdicts[ri];
    if (node === undefined) verdicts[ri] = node = new Map();
    for (let j = 0; j < last; j++) {
      let next = node.get(ids[j]) as VerdictNode | undefined;
      if (next === undefined) node.set(ids[j], (next = new Map()));
      node = next;
    }
    const v = node.get(ids[last]);
    // A rule whose fields' values rarely repeat fills the cache with verdicts that die old (which
    // grows the heap) and seldom reads one: below half hits, its cache is off for a while.
    if (++verdictLooks[ri] >= VERDICT_WINDOW) {
      if (verdictHits[ri] * 2 < verdictLooks[ri]) {
        verdictOffUntil[ri] = epoch + VERDICT_RETRY;
        verdicts[ri] = undefined;
      }
      verdictLooks[ri] = verdictHits[ri] = 0;
    }
    if (v !== undefined) {
      verdictHits[ri]++;
      return v as boolean;
    }
    const r = preds[ri](ev);
    if (++verdictCount > VERDICTS_MAX) {
      verdicts = new Array(n).fill(undefined);
      verdictCount = 0;
    } else node.set(ids[last], r);
    return r;
  };
  return { profile, rules, match, stats: { indexed, alwaysRun: always.length, never }, counters };
}

// Long substring needles (file hashes, full paths) are cut to their last characters: still
// selective, and the automata of the corpus's thousands of hash IOCs shrink to a fraction.
const SUB_MAX = 16;

/** Distinct needles with the (rule, slot) codes each one witnesses. */
class Needles {
  readonly needles: string[] = [];
  readonly rules: number[][] = [];
  /** Needle → id while the index is built. */
  private ids: Map<string, number> | undefined = new Map();
  add(v: string, code: number): void {
    const ids = this.ids as Map<string, number>;
    let id = ids.get(v);
    if (id === undefined) {
      id = this.needles.length;
      ids.set(v, id);
      this.needles.push(v);
      this.rules.push([]);
    }
    const l = this.rules[id];
    if (l[l.length - 1] !== code) l.push(code);
  }
  seal(): void {
    this.ids = undefined;
  }
  concat(other: Needles | undefined): Needles {
    if (!other) return this;
    const out = new Needles();
    for (const x of [this, other]) x.needles.forEach((v, id) => x.rules[id].forEach((c) => out.add(v, c)));
    return out;
  }
}

interface FieldSpec {
  has: number[];
  eq: Map<string, number[]>;
  sub: Needles;
  pre: Needles;
  suf: Needles;
}

/**
 * The witness atoms of one field. Automata and tries are built on the field's first event: a
 * stream carries a few dozen of the hundreds of fields the corpus names.
 */
class FieldPlan {
  readonly has: number[] | undefined;
  readonly eq: EqIndex | undefined;
  readonly sub: Needles | undefined;
  readonly pre: Needles | undefined;
  readonly suf: Needles | undefined;
  /** Whether the field's terms need folding at all. */
  readonly terms: boolean;
  subSeen = new Uint32Array(0);
  preSeen = new Uint32Array(0);
  sufSeen = new Uint32Array(0);
  // the same marks for collecting one term's codes (termCodes), on their own epoch
  subCol = new Uint32Array(0);
  preCol = new Uint32Array(0);
  sufCol = new Uint32Array(0);
  subFilter: CharFilter | undefined;
  /** Substring needles are all the plan looks terms up in (no exact values, prefixes or suffixes). */
  readonly subOnly: boolean;
  private rawFilter: CharFilter | undefined;
  private rawTri: TrigramFilter | undefined;
  private readonly rawEq: EqIndex | undefined;
  private ac: NeedleScanner | undefined;
  private preTrie: AffixTrie | undefined;
  private sufTrie: AffixTrie | undefined;

  constructor(x: FieldSpec | undefined, kwSub: Needles | undefined, kwEq: EqIndex | undefined) {
    this.has = x?.has.length ? x.has : undefined;
    this.eq = x?.eq.size ? eqIndex(x.eq) : undefined;
    const sub = x ? x.sub.concat(kwSub) : kwSub;
    this.sub = sub?.needles.length ? sub : undefined;
    this.pre = x?.pre.needles.length ? x.pre : undefined;
    this.suf = x?.suf.needles.length ? x.suf : undefined;
    this.terms = !!(this.eq || this.sub || this.pre || this.suf) || !!kwEq;
    // The unbound keywords' exact values ride on every keyword field too: leaving them out of the
    // raw pre-test sent the ECS hash and GUID fields (5 a event, ~250 characters) through folding,
    // hashing and the scanner's filter on every event.
    this.subOnly = !!this.sub && !this.eq && !this.pre && !this.suf;
    this.rawEq = kwEq;
  }
  /**
   * Whether some term, before folding, may hold a substring needle or an unbound keyword's exact
   * value (subOnly plans): hashes, GUIDs, times and numbers against word needles are then ruled
   * out without folding them (CharFilter), and so are most words against few needles
   * (TrigramFilter: ECS `process.args` tokens against the unbound keywords, nine in ten of which
   * pass the CharFilter and one in ten this).
   */
  rawMayContain(terms: string[]): boolean {
    const f = (this.rawFilter ??= new CharFilter((this.sub as Needles).needles, true));
    const eq = this.rawEq;
    for (let i = 0; i < terms.length; i++) {
      const t = terms[i];
      if (eq !== undefined) {
        const b = rawEqSig(t);
        if ((eq.sigs[b >>> 5] & (1 << (b & 31))) !== 0) return true;
      }
      if (f.mayContain(t) && (this.rawTri ??= new TrigramFilter((this.sub as Needles).needles)).mayContain(t)) return true;
    }
    return false;
  }
  automaton(): NeedleScanner {
    if (!this.ac) {
      const needles = (this.sub as Needles).needles;
      this.ac = new NeedleScanner(needles);
      this.subFilter = new CharFilter(needles);
      [this.subSeen, this.subCol] = marks(needles);
    }
    return this.ac;
  }
  prefixes(): AffixTrie {
    if (!this.preTrie) {
      const needles = (this.pre as Needles).needles;
      this.preTrie = new AffixTrie(needles, false);
      [this.preSeen, this.preCol] = marks(needles);
    }
    return this.preTrie;
  }
  suffixes(): AffixTrie {
    if (!this.sufTrie) {
      const needles = (this.suf as Needles).needles;
      this.sufTrie = new AffixTrie(needles, true);
      [this.sufSeen, this.sufCol] = marks(needles);
    }
    return this.sufTrie;
  }
  resetMarks(col: boolean): void {
    (col ? this.subCol : this.subSeen).fill(0);
    (col ? this.preCol : this.preSeen).fill(0);
    (col ? this.sufCol : this.sufSeen).fill(0);
  }
}

/** Per-needle marks of one index: an event's (seen) and one term's while its codes are collected (col). */
function marks(needles: string[]): [Uint32Array<ArrayBuffer>, Uint32Array<ArrayBuffer>] {
  return [new Uint32Array(needles.length), new Uint32Array(needles.length)];
}

const NO_CODES = Object.freeze([]) as unknown as number[];

// Field values repeat from event to event (a channel, an image path, a host, a service's command
// line), and what a term yields under its field's plan depends on nothing else: each field keeps a
// memo of term -> codes while it pays. Fields whose values rarely repeat (hashes, GUIDs, times)
// turn it off after a window and try again much later. Bounded per field by entries and characters.
const MEMO_WINDOW = 256;
const MEMO_RETRY = 1 << 16;
// A field whose values outnumber them churns (its entries die old, which grows the heap) and soon
// falls below the hit rate that keeps the memo on; hosts and users (a few hundred values each in
// a real log) fit.
const MEMO_ENTRIES = 1024;
// Windows after the memo is (re)made in which it is kept unless nearly every lookup misses: it
// starts empty, so a field of a few hundred values (hosts, users) misses most of its first window
// and was turned off before it could hit (then scanned on every event).
const MEMO_WARMUP = 4;
const MEMO_CHARS = 1 << 14;
const MEMO_KEY_MAX = 1024;
const STATES_MAX = 10_000;

/**
 * What a term yields: its (rule, slot) codes and its folded forms as one-term lists (fieldLo's and
 * fieldG's), which the field's later events take instead of folding the term again. Read-only.
 */
interface MemoEntry {
  codes: number[];
  lo: string[];
  g: string[];
  /** Unique among every entry ever kept (never reused, so a cached verdict cannot outlive its term); -1 when not kept. */
  id: number;
}
let entryIds = 0;

type VerdictNode = Map<number, VerdictNode | boolean>;
const VERDICT_FIELDS_MAX = 8;
/** Lookups per rule between judgements of its hit rate, and events its cache then stays off. */
const VERDICT_WINDOW = 64;
const VERDICT_RETRY = 1 << 16;
/** Cached verdicts across all rules before the cache is dropped (~50 bytes each). */
const VERDICTS_MAX = 1 << 14;

/** The fields a rule's verdict depends on, when they are all keyword fields named by the rule (else null). */
function verdictFields(rule: IrRule, profile: MappingProfile): string[] | null {
  const out: string[] = [];
  let ok = true;
  const walk = (q: IrNode): void => {
    if (!ok) return;
    switch (q.kind) {
      case 'and':
      case 'or':
        for (const c of q.children) walk(c);
        return;
      case 'not':
        walk(q.child);
        return;
      case 'const':
        return;
      case 'string':
      case 'scalar':
      case 'regex':
      case 'exists':
      case 'cidr':
      case 'compare':
        // unbound keywords read every field; typed fields have no memoised terms
        if (q.field === null || fieldKind(profile, q.field) !== 'keyword') ok = false;
        else if (!out.includes(q.field)) out.push(q.field);
        return;
      default:
        // fieldref reads raw values; timepart is refused
        ok = false;
    }
  };
  walk(rule.query);
  return ok && out.length > 0 && out.length <= VERDICT_FIELDS_MAX ? out : null;
}

/** Per field name: its plan and, while the field's values repeat, the memo of its terms. */
class FieldState {
  memo: Map<string, MemoEntry> | undefined = new Map();
  /** The event (epoch) that last had this field, and its one memoised term's entry id there (-1: none). */
  at = 0;
  cur = -1;
  /**
   * The term last looked up and what it yields (still exact once the memo has dropped it: what a
   * term yields depends on the plan and the term alone, and its entry id stays its own).
   */
  lastTerm: string | undefined = undefined;
  lastEntry: MemoEntry | undefined = undefined;
  private lookups = 0;
  private misses = 0;
  private chars = 0;
  /** Windows judged since the memo was made. */
  private windows = 0;
  constructor(readonly plan: FieldPlan | undefined) {}
  remember(t: string, e: MemoEntry): void {
    this.misses++;
    if (t.length > MEMO_KEY_MAX) return;
    const memo = this.memo as Map<string, MemoEntry>;
    if (memo.size >= MEMO_ENTRIES || this.chars + t.length > MEMO_CHARS) {
      memo.clear();
      this.chars = 0;
    }
    e.id = ++entryIds;
    memo.set(t, e);
    this.chars += t.length;
  }
  looked(k: number): void {
    if ((this.lookups += k) < MEMO_WINDOW) return;
    // Every miss keeps an entry that dies old when the memo fills (which grows the heap): below
    // three quarters of hits the memo is off, and the field's terms are scanned as they come
    // (while it warms up, below a quarter).
    const warming = this.windows++ < MEMO_WARMUP;
    if (warming ? this.misses * 4 > this.lookups * 3 : this.misses * 4 > this.lookups) {
      this.memo = undefined;
      this.chars = 0;
    }
    this.lookups = this.misses = 0;
  }
  skipped(k: number): void {
    if ((this.lookups += k) < MEMO_RETRY) return;
    this.memo = new Map();
    this.lookups = this.misses = this.windows = 0;
  }
}
