import { SigmaEsError } from '../../errors';
import type { AnchorKind, ClassItem, RegexAst, RegexNode } from './ast';
import { foldableInRange, luceneFoldAlternatives } from './casefold';

/**
 * The whole-term language of a Sigma regex: what an anchored Lucene RegExp must accept so that it
 * matches a term exactly when the Sigma regex (unanchored search) finds a match in it. It has no
 * anchors and no flags left: `.`, `\d`, `[...]`, `^`, `$`, `m`, `s` are resolved here, once, so the
 * Lucene renderer and the evaluator's automaton are two readings of the same value.
 */
export type Lang =
  | { t: 'none' } // the empty language
  | { t: 'eps' } // the empty string
  | { t: 'cp'; cp: number; fold: boolean } // a literal; fold = Lucene case-insensitive expansion applies
  | { t: 'set'; ranges: number[] } // explicit code point set, flat sorted disjoint [lo, hi, lo, hi, ...]; never folded
  | { t: 'seq'; items: Lang[] }
  | { t: 'alt'; items: Lang[] }
  | { t: 'rep'; body: Lang; min: number; max: number | null };

export const MAX_CP = 0x10ffff;
export const ALL: number[] = [0, MAX_CP];
const NONE: Lang = { t: 'none' };
const EPS: Lang = { t: 'eps' };
const ANY_STAR: Lang = { t: 'rep', body: { t: 'set', ranges: ALL }, min: 0, max: null };
const NEWLINE: Lang = { t: 'set', ranges: [10, 10] };

// ---- code point sets --------------------------------------------------------------------

export function normalizeRanges(pairs: [number, number][]): number[] {
  pairs.sort((a, b) => a[0] - b[0]);
  const out: number[] = [];
  for (const [lo, hi] of pairs) {
    const n = out.length;
    if (n > 0 && lo <= out[n - 1] + 1) out[n - 1] = Math.max(out[n - 1], hi);
    else out.push(lo, hi);
  }
  return out;
}

export function complementRanges(r: number[]): number[] {
  const out: number[] = [];
  let next = 0;
  for (let i = 0; i < r.length; i += 2) {
    if (r[i] > next) out.push(next, r[i] - 1);
    next = r[i + 1] + 1;
  }
  if (next <= MAX_CP) out.push(next, MAX_CP);
  return out;
}

const SHORTHAND_RANGES: Record<'d' | 'w' | 's', [number, number][]> = {
  d: [[0x30, 0x39]],
  w: [[0x30, 0x39], [0x41, 0x5a], [0x5f, 0x5f], [0x61, 0x7a]],
  s: [[0x09, 0x0d], [0x20, 0x20]], // \t \n \v \f \r and space: Python's ASCII whitespace
};

function classRanges(items: ClassItem[], negated: boolean, fold: boolean): number[] {
  const pairs: [number, number][] = [];
  for (const it of items) {
    if (it.t === 'shorthand') {
      const base = normalizeRanges(SHORTHAND_RANGES[it.c.toLowerCase() as 'd' | 'w' | 's'].map((p) => [...p] as [number, number]));
      const r = it.c === it.c.toUpperCase() ? complementRanges(base) : base;
      for (let i = 0; i < r.length; i += 2) pairs.push([r[i], r[i + 1]]);
    } else {
      pairs.push([it.from, it.to]);
      // Under `i` every character of a written range gets Lucene's case alternatives, as a single
      // character does; Lucene itself would leave ranges unfolded, so the renderer spells them out.
      if (fold) for (const cp of foldableInRange(it.from, it.to)) for (const alt of luceneFoldAlternatives(cp)) pairs.push([alt, alt]);
    }
  }
  const r = normalizeRanges(pairs);
  return negated ? complementRanges(r) : r;
}

// ---- lowering -------------------------------------------------------------------------------

export function seq(items: Lang[]): Lang {
  const out: Lang[] = [];
  for (const it of items) {
    if (it.t === 'none') return NONE;
    if (it.t === 'eps') continue;
    if (it.t === 'seq') out.push(...it.items);
    else out.push(it);
  }
  if (out.length === 0) return EPS;
  return out.length === 1 ? out[0] : { t: 'seq', items: out };
}

export function alt(items: Lang[]): Lang {
  const out: Lang[] = [];
  for (const it of items) {
    if (it.t === 'none') continue;
    if (it.t === 'alt') out.push(...it.items);
    else out.push(it);
  }
  if (out.length === 0) return NONE;
  return out.length === 1 ? out[0] : { t: 'alt', items: out };
}

function hasAnchor(n: RegexNode): boolean {
  switch (n.t) {
    case 'anchor': return true;
    case 'group': return hasAnchor(n.body);
    case 'repeat': return hasAnchor(n.body);
    case 'seq': case 'alt': return n.items.some(hasAnchor);
    default: return false;
  }
}

type StartKind = 'free' | 'str' | 'line';
type EndKind = 'free' | 'str' | 'nl' | 'line';
type Split = Map<string, Lang>; // key `${StartKind}|${EndKind}`

const ANCHOR_TEXT: Record<AnchorKind, string> = { caret: '^', dollar: '$', strStart: '\\A', strEnd: '\\Z' };

class Lowerer {
  constructor(readonly ast: RegexAst) {}

  get fold(): boolean { return this.ast.flags.i; }

  plain(n: RegexNode): Lang {
    switch (n.t) {
      case 'empty': return EPS;
      case 'char': return { t: 'cp', cp: n.cp, fold: this.fold };
      case 'dot': return { t: 'set', ranges: this.ast.flags.s ? ALL : complementRanges([10, 10]) };
      case 'class': {
        if (!n.negated && n.items.length === 1 && n.items[0].t === 'range' && n.items[0].from === n.items[0].to) {
          return { t: 'cp', cp: n.items[0].from, fold: this.fold };
        }
        const ranges = classRanges(n.items, n.negated, this.fold);
        return ranges.length === 0 ? NONE : { t: 'set', ranges };
      }
      case 'seq': return seq(n.items.map((x) => this.plain(x)));
      case 'alt': return alt(n.items.map((x) => this.plain(x)));
      case 'group': return this.plain(n.body);
      case 'repeat': {
        const body = this.plain(n.body);
        if (n.max === 0) return EPS;
        if (body.t === 'eps') return EPS;
        if (body.t === 'none') return n.min === 0 ? EPS : NONE;
        if (n.min === 1 && n.max === 1) return body;
        return { t: 'rep', body, min: n.min, max: n.max };
      }
      case 'anchor': throw new Error('unreachable: anchors are handled by split');
    }
  }

  reject(a: { kind: AnchorKind; pos?: number }, why: string): never {
    const at = a.pos === undefined ? '' : ` at position ${a.pos}`;
    throw new SigmaEsError(
      'REGEX_UNSUPPORTED',
      `anchor ${ANCHOR_TEXT[a.kind]}${at} ${why} in regex ${JSON.stringify(this.source)}: Lucene RegExp has no anchors, and only anchors at the start (^, \\A) or end ($, \\Z) of the pattern, possibly inside alternatives or optional groups there, have an exact rewrite`,
    );
  }

  source = '';

  /**
   * Splits a node by the anchors it uses. Anchors are only accepted where no character of the
   * regex can have been consumed before (`lead`) or after (`trail`) them, which is what makes
   * "the match starts at the term start / at a line start" a property of the whole match.
   */
  split(n: RegexNode, lead: boolean, trail: boolean): Split {
    if (!hasAnchor(n)) return new Map([['free|free', this.plain(n)]]);
    switch (n.t) {
      case 'anchor': {
        if (n.kind === 'caret' || n.kind === 'strStart') {
          if (!lead) this.reject(n, 'in the middle of the pattern');
          return new Map([[`${n.kind === 'strStart' || !this.ast.flags.m ? 'str' : 'line'}|free`, EPS]]);
        }
        if (!trail) this.reject(n, 'in the middle of the pattern');
        const end: EndKind = n.kind === 'strEnd' ? 'str' : this.ast.flags.m ? 'line' : 'nl';
        return new Map([[`free|${end}`, EPS]]);
      }
      case 'group': return this.split(n.body, lead, trail);
      case 'alt': {
        const out: Split = new Map();
        for (const item of n.items) for (const [k, v] of this.split(item, lead, trail)) add(out, k, v);
        return out;
      }
      case 'seq': {
        const last = n.items.length - 1;
        const first = this.split(n.items[0], lead, false);
        const middle = n.items.slice(1, last).map((x) => this.split(x, false, false).get('free|free')!);
        const tail = this.split(n.items[last], false, trail);
        const out: Split = new Map();
        for (const [k1, v1] of first) {
          for (const [k2, v2] of tail) add(out, `${k1.split('|')[0]}|${k2.split('|')[1]}`, seq([v1, ...middle, v2]));
        }
        return out;
      }
      case 'repeat': {
        const anchor = findAnchor(n)!;
        if (n.max === null || n.max > 1) this.reject(anchor, 'inside a repetition');
        if (n.max === 0) return new Map([['free|free', EPS]]);
        const out = this.split(n.body, lead, trail);
        if (n.min === 0) add(out, 'free|free', EPS);
        return out;
      }
      default: throw new Error('unreachable');
    }
  }
}

function findAnchor(n: RegexNode): { kind: AnchorKind; pos?: number } | null {
  switch (n.t) {
    case 'anchor': return n;
    case 'group': case 'repeat': return findAnchor(n.body);
    case 'seq': case 'alt': for (const x of n.items) { const k = findAnchor(x); if (k) return k; } return null;
    default: return null;
  }
}

function add(m: Split, k: string, v: Lang): void {
  const prev = m.get(k);
  m.set(k, prev ? alt([prev, v]) : v);
}

const PREFIX: Record<StartKind, Lang> = {
  free: ANY_STAR,
  str: EPS,
  line: alt([EPS, seq([ANY_STAR, NEWLINE])]),
};
const SUFFIX: Record<EndKind, Lang> = {
  free: ANY_STAR,
  str: EPS,
  nl: { t: 'rep', body: NEWLINE, min: 0, max: 1 },
  line: alt([EPS, seq([NEWLINE, ANY_STAR])]),
};

/** The anchored whole-term language of the regex's unanchored search; throws on anchors it cannot place exactly. */
export function searchLanguage(ast: RegexAst, source = ''): Lang {
  const l = new Lowerer(ast);
  l.source = source;
  const parts: Lang[] = [];
  for (const [k, v] of l.split(ast.body, true, true)) {
    const [s, e] = k.split('|') as [StartKind, EndKind];
    parts.push(seq([PREFIX[s], v, SUFFIX[e]]));
  }
  return alt(parts);
}
