/**
 * What each IR leaf means on an indexed event: the single statement of the evaluator's
 * semantics. The oracle runs these predicates directly; the fast evaluator may only add
 * shortcuts that the property test proves equal to them.
 *
 * The leaf is judged by the field's mapped type through the translator's own per-leaf plan
 * (docs/translation.md): term/wildcard/regexp on keyword terms, term/range on long and double,
 * addresses and CIDR blocks on ip. What the translator rejects (a regex on an ip field, a range
 * on a keyword, fieldref and timepart, which need scripts) is rejected here with the same
 * UNSUPPORTED_CONSTRUCT error when the rule is compiled.
 */

import { SigmaEsError } from '../errors';
import { compileRegexMatcher, compileWildcardMatcher, type TermMatcher } from './lucene';
import { cidrContains, ipEquals, parseCidr } from './ip';
import type { PreparedEvent } from './event';
import type { MappingProfile } from '../mapping/profile';
import type { CompareOp, IrDocument, Leaf, PatternPart } from '../ir/types';
import { planLeaf } from '../backends/plan';
import { compareNumbers } from '../ir/compare';
import { rejectScriptOnly } from '../backends/dsl';
import type { RenderContext } from '../backends/common';
import { parseSigmaRegex, type RegexAst, type RegexFlags } from '../ir/regex';

const PLACEHOLDER_DOC: IrDocument = {
  kind: 'rule',
  meta: { title: '(rule)', references: [], falsepositives: [], tags: [], fields: [], logsource: {} },
  query: { kind: 'const', value: true },
  outputFields: [],
};

export type LeafPredicate = (ev: PreparedEvent) => boolean;

export function leafItem(leaf: Leaf): string {
  const o = leaf.origin;
  const f = o.sigmaField ?? (leaf.field ?? 'keywords');
  return `${o.identifier}.${f}${o.modifiers.length ? '|' + o.modifiers.join('|') : ''}`;
}

export function patternIsLiteral(p: PatternPart[]): string | null {
  if (p.length === 0) return '';
  if (p.length === 1 && p[0].t === 'lit') return p[0].v;
  return null;
}


function anyNum(field: string, test: (n: number) => boolean): LeafPredicate {
  return (ev) => {
    const fv = ev.fields.get(field);
    if (!fv) return false;
    for (const n of fv.nums) if (test(n)) return true;
    return false;
  };
}

// Whether any indexed term matches. The matcher is compiled on first use: most leaves of a large
// rule set never see a candidate event. One closure per leaf (SigmaHQ has ~50,000 leaves; three
// closures and contexts each were 15 MB of a loaded rule set).
function wildcardTerms(field: string | null, pattern: PatternPart[], ci: boolean): LeafPredicate {
  let m: TermMatcher | undefined;
  if (field === null) return (ev) => ev.keywordTerms.some((m ??= compileWildcardMatcher(pattern, ci)));
  return (ev) => {
    const fv = ev.fields.get(field);
    return fv !== undefined && fv.terms.some((m ??= compileWildcardMatcher(pattern, ci)));
  };
}

/** `regex`: an AST, or the source of one (parsed on first use too). */
function regexTerms(field: string | null, regex: RegexAst | string, flags: RegexFlags): LeafPredicate {
  let m: TermMatcher | undefined;
  const make = (): TermMatcher => compileRegexMatcher(typeof regex === 'string' ? parseSigmaRegex(regex, flags) : regex, flags);
  if (field === null) return (ev) => ev.keywordTerms.some((m ??= make()));
  return (ev) => {
    const fv = ev.fields.get(field);
    return fv !== undefined && fv.terms.some((m ??= make()));
  };
}

/**
 * The leaf's predicate, from the same per-leaf plan the translator renders (src/backends/plan.ts),
 * so a rule the Query DSL rejects is rejected here with the same error, and every accepted leaf
 * means the same thing on both sides.
 */
export function compileLeaf(leaf: Leaf, profile: MappingProfile, doc?: IrDocument): LeafPredicate {
  const ctx: RenderContext = { doc: doc ?? PLACEHOLDER_DOC, target: 'dsl', profile };
  const prim = planLeaf(leaf, ctx);
  switch (prim.p) {
    case 'const': {
      const v = prim.value;
      return () => v;
    }
    case 'exists': {
      const f = prim.field;
      return (ev) => ev.fields.has(f);
    }
    case 'text':
      return wildcardTerms(prim.keywords ? null : prim.field, prim.pattern, prim.caseInsensitive);
    case 'regexp': {
      const field = prim.keywords ? null : prim.field;
      if (leaf.kind === 'regex') return regexTerms(field, leaf.ast, leaf.flags);
      // cidr on a keyword field: the translator's address-text regexp, run whole-value anchored
      const none = { i: false, m: false, s: false };
      return regexTerms(field, `\\A(?:${prim.regex})\\Z`, none);
    }
    case 'ip': {
      const nets = prim.networks.map((n) => {
        const c = parseCidr(n);
        if (!c) throw new SigmaEsError('EVAL_CIDR', `'${n}' is not a valid address or CIDR network`, { item: leafItem(leaf) });
        return c;
      });
      const f = prim.field;
      return (ev) => {
        const fv = ev.fields.get(f);
        if (!fv) return false;
        for (const ip of fv.ips) for (const c of nets) if (cidrContains(c, ip)) return true;
        return false;
      };
    }
    case 'eq': {
      const want = typeof prim.value === 'boolean' ? (prim.value ? 1 : 0) : prim.value;
      return anyNum(prim.field, (n) => n === want);
    }
    case 'range': {
      const { op, value } = prim;
      return anyNum(prim.field, (n) => compareNumbers(op, n, value));
    }
    case 'fieldref':
    case 'timepart':
      return rejectScriptOnly(prim, ctx);
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
