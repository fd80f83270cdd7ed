/**
 * What each IR leaf means on an indexed event: the single statement of the evaluator's
 * semantics. The oracle runs these predicates directly; the fast evaluator may only add
 * shortcuts that the property test proves equal to them.
 *
 * The leaf is judged by the field's mapped type, as the real engine would run the query the
 * translator renders: term/wildcard/regexp on keyword terms; term/range on long, double
 * and date; term with an address or a CIDR on ip. Query/type combinations that the engine
 * refuses (a wildcard on an ip field, a regexp on a long) are rejected when the rule is
 * compiled, with code EVAL_FIELD_TYPE, instead of silently matching nothing.
 */

import { SigmaEsError } from '../errors';
import { compileRegexMatcher, compileWildcardMatcher, type TermMatcher } from './lucene';
import { cidrContains, ipEquals, parseCidr, parseIp } from './ip';
import { compareTerms, keywordText, parseEsDate, type PreparedEvent } from './event';
import { fieldKind, type FieldKind, type MappingProfile } from '../mapping/profile';
import type { CompareOp, Leaf, PatternPart } from '../ir/types';

export type LeafPredicate = (ev: PreparedEvent) => boolean;

export function leafItem(leaf: Leaf): string {
  const o = leaf.origin;
  const f = o.sigmaField ?? (leaf.field ?? 'keywords');
  return `${o.identifier}.${f}${o.modifiers.length ? '|' + o.modifiers.join('|') : ''}`;
}

function reject(leaf: Leaf, kind: FieldKind, what: string): never {
  throw new SigmaEsError(
    'EVAL_FIELD_TYPE',
    `${what} on field '${leaf.field}' of type ${kind} is not a query Elasticsearch can run on that mapping; map the field to a keyword or change the rule`,
    { item: leafItem(leaf) },
  );
}

export function patternIsLiteral(p: PatternPart[]): string | null {
  if (p.length === 0) return '';
  if (p.length === 1 && p[0].t === 'lit') return p[0].v;
  return null;
}

export function compareNum(op: CompareOp | 'eq', a: number, b: number): boolean {
  switch (op) {
    case 'gt':
      return a > b;
    case 'gte':
      return a >= b;
    case 'lt':
      return a < b;
    case 'lte':
      return a <= b;
    default:
      return a === b;
  }
}

function anyNum(field: string, test: (n: number) => boolean): LeafPredicate {
  return (ev) => {
    const fv = ev.fields.get(field);
    if (!fv) return false;
    for (const n of fv.nums) if (test(n)) return true;
    return false;
  };
}

function anyTerm(field: string | null, m: TermMatcher): LeafPredicate {
  if (field === null) return (ev) => ev.keywordTerms.some(m);
  return (ev) => {
    const fv = ev.fields.get(field);
    return fv !== undefined && fv.terms.some(m);
  };
}

/** An equality value for a typed (non-keyword) field, from a rule's literal text or scalar. */
function typedEquality(leaf: Leaf, kind: FieldKind, text: string, value: number | boolean | string): LeafPredicate {
  const field = leaf.field as string;
  if (kind === 'ip') {
    if (typeof value !== 'string') reject(leaf, kind, `a ${typeof value} value`);
    const c = parseCidr(text);
    if (!c) reject(leaf, kind, `the value '${text}' (not an IP address or CIDR)`);
    return (ev) => {
      const fv = ev.fields.get(field);
      return fv !== undefined && fv.ips.some((ip) => cidrContains(c, ip));
    };
  }
  if (kind === 'boolean') {
    const b = value === true || value === 'true' ? 1 : value === false || value === 'false' ? 0 : -1;
    if (b < 0) reject(leaf, kind, `the value '${text}'`);
    return anyNum(field, (n) => n === b);
  }
  let n: number | null;
  if (kind === 'date') n = typeof value === 'boolean' ? null : parseEsDate(value);
  else n = typeof value === 'number' ? value : typeof value === 'string' && /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(value.trim()) ? Number(value) : null;
  if (n === null || !Number.isFinite(n)) reject(leaf, kind, `the value '${text}'`);
  // A term query with a fractional value on an integer field matches nothing in ES.
  if (kind === 'long' && !Number.isInteger(n)) return () => false;
  const want = n;
  return anyNum(field, (x) => x === want);
}

/** Compile a matcher on first use: most leaves of a large rule set never see a candidate event. */
function lazy(make: () => TermMatcher): TermMatcher {
  let m: TermMatcher | undefined;
  return (t) => (m ??= make())(t);
}

export function compileLeaf(leaf: Leaf, profile: MappingProfile): LeafPredicate {
  const kind: FieldKind = leaf.field === null ? 'keyword' : fieldKind(profile, leaf.field);
  switch (leaf.kind) {
    case 'string': {
      if (kind !== 'keyword') {
        const lit = patternIsLiteral(leaf.pattern);
        if (lit === null) reject(leaf, kind, 'a wildcard pattern');
        return typedEquality(leaf, kind, lit, lit);
      }
      return anyTerm(leaf.field, lazy(() => compileWildcardMatcher(leaf.pattern, !leaf.caseSensitive)));
    }
    case 'scalar': {
      const text = String(leaf.value);
      if (kind !== 'keyword') return typedEquality(leaf, kind, text, leaf.value);
      return anyTerm(leaf.field, (t) => t === text);
    }
    case 'regex': {
      if (kind !== 'keyword') reject(leaf, kind, 'a regular expression');
      return anyTerm(leaf.field, lazy(() => compileRegexMatcher(leaf.ast, leaf.flags)));
    }
    case 'cidr': {
      const c = parseCidr(leaf.cidr);
      if (!c) throw new SigmaEsError('EVAL_CIDR', `'${leaf.cidr}' is not a valid CIDR network`, { item: leafItem(leaf) });
      if (kind === 'ip') {
        return (ev) => {
          const fv = ev.fields.get(leaf.field);
          return fv !== undefined && fv.ips.some((ip) => cidrContains(c, ip));
        };
      }
      if (kind !== 'keyword') reject(leaf, kind, 'a CIDR network');
      // PROVISIONAL (Sigma meaning, pending the translator's keyword-field rendering):
      // a keyword term that is an IP address inside the network.
      return anyTerm(leaf.field, (t) => {
        const ip = parseIp(t);
        return ip !== null && cidrContains(c, ip);
      });
    }
    case 'exists':
      return (ev) => ev.fields.has(leaf.field);
    case 'compare': {
      const { op, value } = leaf;
      if (kind === 'long' || kind === 'double' || kind === 'date') return anyNum(leaf.field, (n) => compareNum(op, n, value));
      if (kind !== 'keyword') reject(leaf, kind, `a ${op} comparison`);
      // A range query on a keyword field compares terms as strings (UTF-8 byte order).
      const bound = String(value);
      return anyTerm(leaf.field, (t) => compareNum(op, compareTerms(t, bound), 0));
    }
    case 'fieldref': {
      // PROVISIONAL (Sigma meaning): needs a script on Elasticsearch; some value of the field
      // equals / starts with / ends with / contains some value of the referenced field, compared
      // with Lucene's case folding unless cased.
      const ci = !leaf.caseSensitive;
      const mode = leaf.mode;
      return (ev) => {
        const a = ev.raw.get(leaf.field);
        const b = ev.raw.get(leaf.ref);
        if (!a || !b) return false;
        for (const rv of b) {
          const r = keywordText(rv);
          const parts: PatternPart[] = [];
          if (mode === 'endswith' || mode === 'contains') parts.push({ t: 'any' });
          if (r !== '') parts.push({ t: 'lit', v: r });
          if (mode === 'startswith' || mode === 'contains') parts.push({ t: 'any' });
          const m = compileWildcardMatcher(parts, ci);
          for (const av of a) if (m(keywordText(av))) return true;
        }
        return false;
      };
    }
    case 'timepart': {
      // PROVISIONAL (Sigma meaning): needs a script on Elasticsearch; the UTC calendar part of
      // a date value (day = day of month, week = ISO week number, month 1-12).
      const { op, value, part } = leaf;
      return (ev) => {
        const fv = ev.fields.get(leaf.field);
        let nums: number[] = [];
        if (fv && fv.kind === 'date') nums = fv.nums;
        else if (fv && fv.kind === 'keyword') {
          nums = fv.terms.map((t) => parseEsDate(t)).filter((x): x is number => x !== null);
        }
        return nums.some((ms) => compareNum(op, timePart(ms, part), value));
      };
    }
  }
}

export function timePart(ms: number, part: 'minute' | 'hour' | 'day' | 'week' | 'month' | 'year'): number {
  const d = new Date(ms);
  switch (part) {
    case 'minute':
      return d.getUTCMinutes();
    case 'hour':
      return d.getUTCHours();
    case 'day':
      return d.getUTCDate();
    case 'month':
      return d.getUTCMonth() + 1;
    case 'year':
      return d.getUTCFullYear();
    case 'week': {
      const t = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()));
      const dow = t.getUTCDay() || 7;
      t.setUTCDate(t.getUTCDate() + 4 - dow);
      const y0 = Date.UTC(t.getUTCFullYear(), 0, 1);
      return Math.ceil(((t.getTime() - y0) / 86400000 + 1) / 7);
    }
  }
}

export { ipEquals };
