/**
 * ES|QL. It has no case-insensitive comparison, and TO_LOWER(field) == "needle" folds with
 * Java's String.toLowerCase, which is not the per-character folding of `case_insensitive`
 * (e.g. the Kelvin sign K lowers to "k"). So case-insensitive matches become `RLIKE` with explicit
 * `[xX]` classes: the same automaton the Query DSL builds. ES|QL evaluates a comparison on a
 * missing or multi-valued field to null; leaves under a `NOT` are wrapped in COALESCE(…, FALSE)
 * so "not matched" keeps the DSL meaning for missing fields. Multi-valued fields remain a
 * documented divergence (every ES|QL output carries the warning).
 */
import type { CorrelationCondition, IrCorrelation, IrDocument, IrRule } from '../../ir/types';
import {
  alternateCase,
  DEFAULT_INDEX,
  DEFAULT_TIMESTAMP,
  isLiteral,
  literalText,
  patternRegex,
  renderBoolean,
  unsupported,
  type BackendOptions,
  type RenderContext,
  type Translation,
} from '../common';
import { corrError, correlatedRules, temporalDefault } from '../dsl';
import { withPrefix } from '../eql';
import { planLeaf, type Prim } from '../plan';

export const ESQL_MULTIVALUE_WARNING =
  'ES|QL: a comparison on a field holding several values (a JSON array) is null, so such events never match here, while the Query DSL matches when any value does';

export function esqlString(text: string): string {
  let out = '"';
  for (const ch of text) {
    if (ch === '"' || ch === '\\') out += `\\${ch}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else out += ch;
  }
  return `${out}"`;
}

export function esqlField(field: string): string {
  return /^[A-Za-z_@][A-Za-z0-9_@.]*$/.test(field) ? field : `\`${field.replace(/`/g, '``')}\``;
}

function indexOf(opts: BackendOptions): string {
  const index = opts.index ?? DEFAULT_INDEX;
  // Index patterns with characters outside ES|QL's unquoted index syntax need quoting.
  return /^[A-Za-z0-9_*.,:\-]+$/.test(index) ? index : esqlString(index);
}

export function toEsql(doc: IrDocument, opts: BackendOptions): Translation<string> {
  if (doc.kind === 'rule') {
    return {
      target: 'esql',
      query: `FROM ${indexOf(opts)} METADATA _id, _index, _version\n| WHERE ${esqlCondition(doc, opts)}`,
      warnings: [ESQL_MULTIVALUE_WARNING],
    };
  }
  return { target: 'esql', query: esqlCorrelation(doc, opts), warnings: [ESQL_MULTIVALUE_WARNING] };
}

export function esqlCondition(rule: IrRule, opts: BackendOptions): string {
  const ctx: RenderContext = { doc: rule, target: 'esql', profile: opts.profile };
  return renderBoolean(
    rule.query,
    ESQL_WORDS,
    (leaf, negated) => {
      const prim = planLeaf(leaf, ctx);
      const s = renderPrim(prim, ctx);
      // Under NOT, null (missing field) must count as "no match", as in the Query DSL.
      return negated && prim.p !== 'const' && prim.p !== 'exists' ? `COALESCE(${s}, FALSE)` : s;
    },
    false,
    true,
  );
}

const ESQL_WORDS = { and: 'AND', or: 'OR', not: 'NOT', true: 'TRUE', false: 'FALSE' };

function renderPrim(prim: Prim, ctx: RenderContext): string {
  switch (prim.p) {
    case 'const':
      return prim.value ? 'TRUE' : 'FALSE';
    case 'exists':
      return `${esqlField(prim.field)} IS NOT NULL`;
    case 'text': {
      if (prim.keywords) {
        throw unsupported(
          ctx,
          undefined,
          `keyword (unbound) search reads the catch-all field '${prim.field}', which holds every value of the event; ES|QL compares multi-valued fields as null, so it can never match exactly; use -t dsl`,
        );
      }
      const f = esqlField(prim.field);
      if (isLiteral(prim.pattern) && (!prim.caseInsensitive || ![...literalText(prim.pattern)].some((ch) => alternateCase(ch) !== undefined))) {
        return `${f} == ${esqlString(literalText(prim.pattern))}`;
      }
      return `${f} RLIKE ${esqlString(patternRegex(prim.pattern, prim.caseInsensitive))}`;
    }
    case 'regexp':
      if (prim.keywords) {
        throw unsupported(ctx, prim.origin, `keyword (unbound) search reads the multi-valued catch-all field '${prim.field}', which ES|QL cannot match exactly; use -t dsl`);
      }
      if (prim.caseInsensitive) {
        throw unsupported(ctx, prim.origin, 'a case-insensitive regex needs a case_insensitive flag, which ES|QL RLIKE lacks; use -t dsl or -t eql');
      }
      return `${esqlField(prim.field)} RLIKE ${esqlString(prim.regex)}`;
    case 'ip':
      return `CIDR_MATCH(${esqlField(prim.field)}, ${prim.networks.map((n) => esqlString(withPrefix(n))).join(', ')})`;
    case 'eq':
      return `${esqlField(prim.field)} == ${String(prim.value)}`;
    case 'range':
      return `${esqlField(prim.field)} ${{ gt: '>', gte: '>=', lt: '<', lte: '<=' }[prim.op]} ${prim.value}`;
    case 'fieldref': {
      if (prim.mode !== 'eq' || !prim.caseSensitive) {
        throw unsupported(
          ctx,
          prim.origin,
          prim.mode !== 'eq'
            ? `fieldref with ${prim.mode} would need a pattern built from another field, which ES|QL cannot do exactly`
            : 'a case-insensitive fieldref would need TO_LOWER on both fields, whose Unicode folding differs from case_insensitive; add |cased to compare exactly',
        );
      }
      if (prim.kind !== prim.refKind) throw unsupported(ctx, prim.origin, `'${prim.field}' (${prim.kind}) and '${prim.ref}' (${prim.refKind}) have different types`);
      return `${esqlField(prim.field)} == ${esqlField(prim.ref)}`;
    }
    case 'timepart': {
      if (prim.kind !== 'date') throw unsupported(ctx, prim.origin, `'${prim.field}' is mapped as ${prim.kind}, not date`);
      const unit = { minute: 'MINUTE_OF_HOUR', hour: 'HOUR_OF_DAY', day: 'DAY_OF_MONTH', month: 'MONTH_OF_YEAR', year: 'YEAR' } as Record<string, string>;
      if (!unit[prim.part]) throw unsupported(ctx, prim.origin, 'the week of a date has several definitions (ISO, aligned, locale); none is exactly Sigma\'s');
      const op = prim.op === 'eq' ? '==' : { gt: '>', gte: '>=', lt: '<', lte: '<=' }[prim.op];
      return `DATE_EXTRACT(${esqlString(unit[prim.part])}, ${esqlField(prim.field)}) ${op} ${prim.value}`;
    }
  }
}

function condition(cond: CorrelationCondition, column: string): string {
  const op = { gt: '>', gte: '>=', lt: '<', lte: '<=', eq: '==', neq: '!=' };
  return cond.bounds.map((b) => `${column} ${op[b.op]} ${b.value}`).join(' AND ');
}

function esqlCorrelation(corr: IrCorrelation, opts: BackendOptions): string {
  const rules = correlatedRules(corr, 'esql');
  const aliases = corr.aliases ?? {};
  for (const g of corr.groupBy) {
    if (g in aliases) throw corrError(corr, 'esql', `group-by alias '${g}' needs a per-rule field, and an event matching several rules would get only one; use -t eql`);
  }
  const ts = esqlField(opts.timestampField ?? DEFAULT_TIMESTAMP);
  const conds = rules.map((r) => esqlCondition(r, opts));
  const where = conds.length === 1 ? conds[0] : conds.map((c) => `(${c})`).join(' OR ');
  const groups = corr.groupBy.map(esqlField);
  const by = ['sigma_window', ...groups].join(', ');
  const lines = [`FROM ${indexOf(opts)}`, `| WHERE ${where}`, `| EVAL sigma_window = DATE_TRUNC(${corr.timespanMs} milliseconds, ${ts})`];
  // Composite aggregations skip events without a group-by value; do the same here.
  if (groups.length) lines.push(`| WHERE ${groups.map((g) => `${g} IS NOT NULL`).join(' AND ')}`);
  switch (corr.type) {
    case 'event_count':
      lines.push(`| STATS sigma_value = COUNT(*) BY ${by}`);
      break;
    case 'value_count': {
      if (!corr.condition.field) throw corrError(corr, 'esql', 'value_count needs condition.field');
      // COUNT_DISTINCT is approximate (HyperLogLog); grouping by the value first counts exactly.
      const f = esqlField(corr.condition.field);
      lines.push(`| WHERE ${f} IS NOT NULL`, `| STATS sigma_events = COUNT(*) BY ${by}, ${f}`, `| STATS sigma_value = COUNT(*) BY ${by}`);
      break;
    }
    case 'value_sum':
    case 'value_avg': {
      const field = corr.condition.field;
      if (!field) throw corrError(corr, 'esql', `${corr.type} needs condition.field`);
      const kind = opts.profile.fields[field];
      if (kind !== 'long' && kind !== 'double') throw corrError(corr, 'esql', `${corr.type} needs a numeric field, and '${field}' is mapped as ${kind ?? 'keyword'}`);
      lines.push(`| STATS sigma_value = ${corr.type === 'value_sum' ? 'SUM' : 'AVG'}(${esqlField(field)}) BY ${by}`);
      break;
    }
    case 'temporal': {
      const flags = conds.map((_, i) => `sigma_r${i}`);
      lines.push(`| EVAL ${conds.map((c, i) => `${flags[i]} = CASE(${c}, 1, 0)`).join(', ')}`);
      lines.push(`| STATS ${flags.map((f) => `${f} = MAX(${f})`).join(', ')} BY ${by}`);
      lines.push(`| EVAL sigma_value = ${flags.join(' + ')}`);
      break;
    }
    case 'temporal_ordered':
      throw corrError(corr, 'esql', 'ES|QL has no ordered sequences; use -t eql');
    case 'value_percentile':
      throw corrError(corr, 'esql', 'ES|QL PERCENTILE is approximate (t-digest) and Sigma\'s percentile semantics are loosely defined');
  }
  lines.push(`| WHERE ${condition(temporalDefault(corr), 'sigma_value')}`);
  return lines.join('\n');
}
