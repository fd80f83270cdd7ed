/**
 * Query DSL, the primary target: every leaf becomes a native term-level query on the shipped
 * mapping, with `case_insensitive: true` wherever Sigma is case-insensitive, so the query is
 * exact without any normalizer or script.
 */
import type { CorrelationCondition, IrCorrelation, IrDocument, IrNode, IrRule } from '../../ir/types';
import { SigmaEsError } from '../../errors';
import { boundsHold } from '../../ir/compare';
import {
  DEFAULT_INDEX,
  DEFAULT_TIMESTAMP,
  isLiteral,
  literalText,
  prefixOf,
  ruleLabel,
  unsupported,
  wildcardText,
  type BackendOptions,
  type RenderContext,
  type Translation,
} from '../common';
import { planLeaf, type Prim } from '../plan';

export type DslQuery = Record<string, unknown>;

export interface DslRuleQuery {
  kind: 'rule';
  index: string;
  /** Search request body. */
  body: { query: DslQuery };
}

export type CorrelationMetric = 'count' | 'distinct' | 'sum' | 'avg' | 'rules';

/**
 * A correlation as one composite aggregation over (fixed epoch-aligned window, group-by fields…),
 * paged with `after_key`. The threshold is applied by sigma-es to each bucket (bucket_selector
 * would need painless, which the embedded engine lacks): see `correlationMatches`.
 */
export interface DslCorrelationQuery {
  kind: 'correlation';
  index: string;
  type: IrCorrelation['type'];
  body: { size: 0; query: DslQuery; aggs: { sigma_buckets: Record<string, unknown> } };
  windowMs: number;
  timestampField: string;
  groupBy: string[];
  /** Composite source name of each group-by field, in order. */
  groupSources: string[];
  metric: CorrelationMetric;
  /** value_count: composite source holding the counted field. */
  valueSource?: string;
  /** temporal: number of referenced rules (filters named r0…rN-1). */
  ruleCount?: number;
  condition: CorrelationCondition;
}

export type DslTranslation = DslRuleQuery | DslCorrelationQuery;

const COMPOSITE_PAGE = 1000;

export function toDsl(doc: IrDocument, opts: BackendOptions): Translation<DslTranslation> {
  const index = opts.index ?? DEFAULT_INDEX;
  if (doc.kind === 'rule') {
    return { target: 'dsl', query: { kind: 'rule', index, body: { query: dslQuery(doc, opts) } }, warnings: [] };
  }
  return { target: 'dsl', query: dslCorrelation(doc, opts), warnings: [] };
}

/** The query of one rule. */
export function dslQuery(rule: IrRule, opts: BackendOptions): DslQuery {
  const ctx: RenderContext = { doc: rule, target: 'dsl', profile: opts.profile };
  return render(rule.query, ctx);
}

function render(node: IrNode, ctx: RenderContext): DslQuery {
  switch (node.kind) {
    case 'and': {
      const filter: DslQuery[] = [];
      const mustNot: DslQuery[] = [];
      for (const c of node.children) {
        if (c.kind === 'not') mustNot.push(render(c.child, ctx));
        else filter.push(render(c, ctx));
      }
      if (filter.length === 1 && mustNot.length === 0) return filter[0];
      return { bool: { ...(filter.length ? { filter } : {}), ...(mustNot.length ? { must_not: mustNot } : {}) } };
    }
    case 'or': {
      if (node.children.length === 1) return render(node.children[0], ctx);
      return { bool: { should: mergeTerms(node.children.map((c) => render(c, ctx))), minimum_should_match: 1 } };
    }
    case 'not':
      return { bool: { must_not: [render(node.child, ctx)] } };
    case 'const':
      return node.value ? { match_all: {} } : { match_none: {} };
    default:
      return renderPrim(planLeaf(node, ctx), ctx);
  }
}

/** Case-sensitive `term`s on one field in an OR become one `terms` (terms has no case_insensitive). */
function mergeTerms(queries: DslQuery[]): DslQuery[] {
  const byField = new Map<string, unknown[]>();
  const out: DslQuery[] = [];
  for (const q of queries) {
    const t = q.term as Record<string, { value: unknown; case_insensitive?: boolean }> | undefined;
    const field = t && Object.keys(t)[0];
    if (t && field && !t[field].case_insensitive) {
      let values = byField.get(field);
      if (!values) {
        values = [];
        byField.set(field, values);
        out.push({ terms: { [field]: values } });
      }
      values.push(t[field].value);
    } else out.push(q);
  }
  return out.map((q) => {
    const terms = q.terms as Record<string, unknown[]> | undefined;
    if (!terms) return q;
    const [field, values] = Object.entries(terms)[0];
    return values.length === 1 ? { term: { [field]: { value: values[0] } } } : q;
  });
}

function ci(caseInsensitive: boolean): { case_insensitive?: true } {
  return caseInsensitive ? { case_insensitive: true } : {};
}

/**
 * fieldref and time parts need a script query; scripts (painless) are missing on the embedded
 * engines and fold case differently from case_insensitive. Shared with the evaluator, which must
 * reject what the DSL rejects, with the same words.
 */
export function rejectScriptOnly(prim: Extract<Prim, { p: 'fieldref' | 'timepart' }>, ctx: RenderContext): never {
  if (prim.p === 'fieldref') {
    throw unsupported(
      ctx,
      prim.origin,
      'fieldref compares two fields of the same event, which the Query DSL can only do with a script; scripts (painless) are not available on every engine and painless case folding differs from case_insensitive, so there is no exact rendering. Use -t esql for case-sensitive equality',
    );
  }
  throw unsupported(
    ctx,
    prim.origin,
    `the '${prim.part}' part of a date needs a script query, and scripts (painless) are not available on every engine; use -t esql (DATE_EXTRACT)`,
  );
}

export function renderPrim(prim: Prim, ctx: RenderContext): DslQuery {
  switch (prim.p) {
    case 'const':
      return prim.value ? { match_all: {} } : { match_none: {} };
    case 'exists':
      return { exists: { field: prim.field } };
    case 'text': {
      const { field, pattern } = prim;
      if (isLiteral(pattern)) return { term: { [field]: { value: literalText(pattern), ...ci(prim.caseInsensitive) } } };
      const prefix = prefixOf(pattern);
      if (prefix !== undefined && prefix !== '') return { prefix: { [field]: { value: prefix, ...ci(prim.caseInsensitive) } } };
      return { wildcard: { [field]: { value: wildcardText(pattern), ...ci(prim.caseInsensitive) } } };
    }
    case 'regexp':
      return { regexp: { [prim.field]: { value: prim.regex, flags: 'ALL', ...ci(prim.caseInsensitive) } } };
    case 'ip':
      return prim.networks.length === 1 ? { term: { [prim.field]: { value: prim.networks[0] } } } : { terms: { [prim.field]: prim.networks } };
    case 'eq':
      return { term: { [prim.field]: { value: prim.value } } };
    case 'range':
      return { range: { [prim.field]: { [prim.op]: prim.value } } };
    case 'fieldref':
    case 'timepart':
      return rejectScriptOnly(prim, ctx);
  }
}

// ---------------------------------------------------------------------------------------------
// Correlations

function dslCorrelation(corr: IrCorrelation, opts: BackendOptions): DslCorrelationQuery {
  const ctx: RenderContext = { doc: corr, target: 'dsl', profile: opts.profile };
  const ts = opts.timestampField ?? DEFAULT_TIMESTAMP;
  const rules = correlatedRules(corr, 'dsl');
  const aliasNames = Object.keys(corr.aliases ?? {});
  for (const g of corr.groupBy) {
    if (aliasNames.includes(g)) {
      throw corrError(corr, 'dsl', `group-by alias '${g}' takes a different field per rule, which one composite aggregation cannot group on without a script; use -t esql or -t eql`);
    }
  }
  const queries = rules.map((r) => dslQuery(r, opts));
  const query: DslQuery = queries.length === 1 ? queries[0] : { bool: { should: queries, minimum_should_match: 1 } };
  const groupSources = corr.groupBy.map((_, i) => `g${i}`);
  const sources: Array<Record<string, unknown>> = [
    { window: { date_histogram: { field: ts, fixed_interval: `${corr.timespanMs}ms` } } },
    ...corr.groupBy.map((field, i) => ({ [groupSources[i]]: { terms: { field } } })),
  ];
  const sub: Record<string, unknown> = {};
  let metric: CorrelationMetric;
  let valueSource: string | undefined;
  let ruleCount: number | undefined;
  switch (corr.type) {
    case 'event_count':
      metric = 'count';
      break;
    case 'value_count': {
      const field = requireField(corr, 'dsl');
      // cardinality is approximate (HyperLogLog); one more composite source counts exactly.
      valueSource = 'value';
      sources.push({ [valueSource]: { terms: { field } } });
      metric = 'distinct';
      break;
    }
    case 'value_sum':
    case 'value_avg': {
      const field = requireField(corr, 'dsl');
      const kind = opts.profile.fields[field];
      if (kind !== 'long' && kind !== 'double') {
        throw corrError(corr, 'dsl', `${corr.type} needs a numeric field, and '${field}' is mapped as ${kind ?? 'keyword'}; map it as long or double in the profile`);
      }
      metric = corr.type === 'value_sum' ? 'sum' : 'avg';
      sub.metric = { [metric]: { field } };
      break;
    }
    case 'temporal': {
      const filters: Record<string, DslQuery> = {};
      queries.forEach((q, i) => (filters[`r${i}`] = q));
      sub.rules = { filters: { filters } };
      metric = 'rules';
      ruleCount = queries.length;
      break;
    }
    case 'temporal_ordered':
      throw corrError(corr, 'dsl', 'temporal_ordered needs the order of events inside a window, which aggregations cannot express; use -t eql (sequence)');
    case 'value_percentile':
      throw corrError(corr, 'dsl', 'value_percentile: Elasticsearch percentiles are approximate (t-digest) and the Sigma semantics are loosely defined, so there is no exact rendering');
  }
  void ctx;
  const composite = { composite: { size: COMPOSITE_PAGE, sources }, ...(Object.keys(sub).length ? { aggs: sub } : {}) };
  return {
    kind: 'correlation',
    index: opts.index ?? DEFAULT_INDEX,
    type: corr.type,
    body: { size: 0, query, aggs: { sigma_buckets: composite } },
    windowMs: corr.timespanMs,
    timestampField: ts,
    groupBy: corr.groupBy,
    groupSources,
    metric,
    valueSource,
    ruleCount,
    condition: temporalDefault(corr),
  };
}

/** Temporal conditions default to "every referenced rule matched". */
export function temporalDefault(corr: IrCorrelation): CorrelationCondition {
  if ((corr.type === 'temporal' || corr.type === 'temporal_ordered') && corr.condition.bounds.length === 0) {
    return { ...corr.condition, bounds: [{ op: 'gte', value: corr.rules.length }] };
  }
  return corr.condition;
}

export function correlatedRules(corr: IrCorrelation, target: 'dsl' | 'esql' | 'eql'): IrRule[] {
  return corr.rules.map((r, i) => {
    if (r.kind !== 'rule') {
      throw corrError(corr, target, `referenced '${corr.ruleRefs[i] ?? r.meta.title}' is itself a correlation; chained correlations are not supported by this target`);
    }
    return r;
  });
}

function requireField(corr: IrCorrelation, target: 'dsl' | 'esql'): string {
  if (!corr.condition.field) throw corrError(corr, target, `${corr.type} needs condition.field`);
  return corr.condition.field;
}

export function corrError(corr: IrCorrelation, target: 'dsl' | 'esql' | 'eql' | 'lucene', reason: string): SigmaEsError {
  const name = { dsl: 'Query DSL', esql: 'ES|QL', eql: 'EQL', lucene: 'Lucene query_string' }[target];
  return new SigmaEsError('UNSUPPORTED_CONSTRUCT', `${name} cannot express this correlation exactly: ${reason}`, {
    file: corr.file,
    rule: ruleLabel(corr),
    item: `correlation.${corr.type}`,
  });
}

export { boundsHold };

export interface CorrelationBucket {
  key: Record<string, unknown>;
  doc_count: number;
  metric?: { value: number | null };
  rules?: { buckets: Record<string, { doc_count: number }> };
}

export interface CorrelationMatch {
  /** Window start, epoch ms. */
  window: number;
  group: Record<string, unknown>;
  value: number;
}

/**
 * Apply the correlation condition to the composite buckets of every page (concatenated).
 * Windows with no event never appear, so `lt`/`lte` conditions only fire on windows that had
 * at least one matching event (the same as the evaluator).
 */
export function correlationMatches(plan: DslCorrelationQuery, buckets: CorrelationBucket[]): CorrelationMatch[] {
  const groups = new Map<string, { window: number; group: Record<string, unknown>; values: Set<string>; b: CorrelationBucket }>();
  const out: CorrelationMatch[] = [];
  for (const b of buckets) {
    const group: Record<string, unknown> = {};
    plan.groupBy.forEach((f, i) => (group[f] = b.key[plan.groupSources[i]]));
    const window = Number(b.key.window);
    if (plan.metric === 'distinct') {
      const id = JSON.stringify([window, plan.groupSources.map((s) => b.key[s])]);
      let g = groups.get(id);
      if (!g) groups.set(id, (g = { window, group, values: new Set(), b }));
      g.values.add(JSON.stringify(b.key[plan.valueSource!]));
      continue;
    }
    let value: number;
    if (plan.metric === 'count') value = b.doc_count;
    else if (plan.metric === 'rules') value = Object.values(b.rules?.buckets ?? {}).filter((r) => r.doc_count > 0).length;
    else {
      if (b.metric?.value === null || b.metric?.value === undefined) continue;
      value = b.metric.value;
    }
    if (boundsHold(value, plan.condition.bounds)) out.push({ window, group, value });
  }
  for (const g of groups.values()) {
    if (boundsHold(g.values.size, plan.condition.bounds)) out.push({ window: g.window, group: g.group, value: g.values.size });
  }
  return out;
}
