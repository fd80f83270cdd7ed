/**
 * EQL. `:` is a case-insensitive term (or wildcard) query and `==` a case-sensitive term, which
 * map directly onto Sigma strings. Whether EQL treats `\` in a wildcard pattern as an escape is
 * not something a rule author should have to know, so a wildcard pattern whose literal text
 * contains `\`, `*` or `?` is rendered as a `regex` with explicit `[xX]` classes instead: exact
 * either way. `temporal_ordered` correlations become `sequence … with maxspan`.
 */
import type { IrCorrelation, IrDocument, IrRule } from '../../ir/types';
import {
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
import { planLeaf, type Prim } from '../plan';

export function eqlString(text: string): string {
  let out = '"';
  for (const ch of text) {
    const cp = ch.codePointAt(0)!;
    if (ch === '"' || ch === '\\') out += `\\${ch}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (cp < 0x20 || cp === 0x7f) out += `\\u{${cp.toString(16).padStart(4, '0')}}`;
    else out += ch;
  }
  return `${out}"`;
}

/**
 * Field reference. Fields outside the profile are dynamic and may not exist in the index yet;
 * `?` makes EQL treat them as null instead of failing the whole query.
 */
export function eqlField(field: string, opts: BackendOptions): string {
  const quoted = /^[A-Za-z_@][A-Za-z0-9_@.]*$/.test(field) ? field : `\`${field.replace(/`/g, '``')}\``;
  const known = field in opts.profile.fields || field === opts.profile.keywordsField;
  return known ? quoted : `?${quoted}`;
}

export function toEql(doc: IrDocument, opts: BackendOptions): Translation<string> {
  if (doc.kind === 'rule') return { target: 'eql', query: `any where ${eqlCondition(doc, opts)}`, warnings: [] };
  return { target: 'eql', query: eqlSequence(doc, opts), warnings: [] };
}

export function eqlCondition(rule: IrRule, opts: BackendOptions): string {
  const ctx: RenderContext = { doc: rule, target: 'eql', profile: opts.profile };
  return renderBoolean(rule.query, EQL_WORDS, (leaf) => renderPrim(planLeaf(leaf, ctx), ctx, opts), false, true);
}

const EQL_WORDS = { and: 'and', or: 'or', not: 'not', true: 'true', false: 'false' };

function renderPrim(prim: Prim, ctx: RenderContext, opts: BackendOptions): string {
  switch (prim.p) {
    case 'const':
      return prim.value ? 'true' : 'false';
    case 'exists':
      return `${eqlField(prim.field, opts)} != null`;
    case 'text': {
      const f = eqlField(prim.field, opts);
      if (isLiteral(prim.pattern)) return `${f} ${prim.caseInsensitive ? ':' : '=='} ${eqlString(literalText(prim.pattern))}`;
      const plain = prim.pattern.every((p) => p.t !== 'lit' || !/[\\*?]/.test(p.v));
      if (plain && prim.caseInsensitive) {
        return `${f} : ${eqlString(prim.pattern.map((p) => (p.t === 'lit' ? p.v : p.t === 'any' ? '*' : '?')).join(''))}`;
      }
      if (plain) return `${f} like ${eqlString(prim.pattern.map((p) => (p.t === 'lit' ? p.v : p.t === 'any' ? '*' : '?')).join(''))}`;
      return `${f} regex ${eqlString(patternRegex(prim.pattern, prim.caseInsensitive))}`;
    }
    case 'regexp':
      return `${eqlField(prim.field, opts)} ${prim.caseInsensitive ? 'regex~' : 'regex'} ${eqlString(prim.regex)}`;
    case 'ip':
      return `cidrMatch(${eqlField(prim.field, opts)}, ${prim.networks.map((n) => eqlString(withPrefix(n))).join(', ')})`;
    case 'eq':
      return `${eqlField(prim.field, opts)} == ${String(prim.value)}`;
    case 'range':
      return `${eqlField(prim.field, opts)} ${{ gt: '>', gte: '>=', lt: '<', lte: '<=' }[prim.op]} ${prim.value}`;
    case 'fieldref':
      throw unsupported(ctx, prim.origin, 'fieldref compares two fields of one event, and EQL comparisons take a field and a literal; use -t esql for case-sensitive equality');
    case 'timepart':
      throw unsupported(ctx, prim.origin, `EQL has no function extracting the '${prim.part}' of a date; use -t esql (DATE_EXTRACT)`);
  }
}

export function withPrefix(addr: string): string {
  if (addr.includes('/')) return addr;
  return addr.includes(':') ? `${addr}/128` : `${addr}/32`;
}

/** Timespan as an EQL maxspan: the written unit when EQL has it, else milliseconds. */
function maxspan(corr: IrCorrelation): string {
  const m = /^(\d+)([smhd])$/.exec(corr.timespan ?? '');
  return m ? `${m[1]}${m[2]}` : `${corr.timespanMs}ms`;
}

function eqlSequence(corr: IrCorrelation, opts: BackendOptions): string {
  if (corr.type !== 'temporal_ordered') {
    const why =
      corr.type === 'temporal'
        ? 'EQL sequences are ordered, and unordered temporal correlation would need every permutation of the rules; use -t dsl or -t esql (fixed windows)'
        : `EQL has no counting or aggregation; use -t dsl or -t esql for ${corr.type}`;
    throw corrError(corr, 'eql', why);
  }
  const rules = correlatedRules(corr, 'eql');
  const bounds = temporalDefault(corr).bounds;
  const all = bounds.length === 1 && bounds[0].op === 'gte' && bounds[0].value === rules.length;
  if (!all) {
    throw corrError(corr, 'eql', `a sequence matches only when every one of the ${rules.length} rules matched in order; the condition ${JSON.stringify(bounds)} asks for something else`);
  }
  const aliases = corr.aliases ?? {};
  const perRuleBy = corr.groupBy.some((g) => g in aliases);
  const head = `sequence${!perRuleBy && corr.groupBy.length ? ` by ${corr.groupBy.map((g) => eqlField(g, opts)).join(', ')}` : ''} with maxspan=${maxspan(corr)}`;
  const steps = rules.map((r, i) => {
    let step = `  [any where ${eqlCondition(r, opts)}]`;
    if (perRuleBy) {
      const ref = corr.ruleRefs[i];
      const fields = corr.groupBy.map((g) => {
        if (!(g in aliases)) return g;
        const f = aliases[g][ref] ?? aliases[g][r.meta.id ?? ''] ?? aliases[g][r.meta.name ?? ''];
        if (!f) throw corrError(corr, 'eql', `alias '${g}' has no field for rule '${ref}'`);
        return f;
      });
      step += ` by ${fields.map((f) => eqlField(f, opts)).join(', ')}`;
    }
    return step;
  });
  return `${head}\n${steps.join('\n')}`;
}
