// Hand-built IR for backend tests: the backends only read the IR, so tests can state every
// construct directly, independent of the parser.
import type { IrCorrelation, IrNode, IrRule, Leaf, LeafOrigin, PatternPart } from '../../src/ir/types';

export function origin(field: string | null, modifiers: string[] = [], value = ''): LeafOrigin {
  return { identifier: 'selection', sigmaField: field, modifiers, value };
}

/** Sigma-like string: `*` and `?` are wildcards, everything else literal (no escapes). */
export function pat(s: string): PatternPart[] {
  const out: PatternPart[] = [];
  for (const ch of s) {
    if (ch === '*') out.push({ t: 'any' });
    else if (ch === '?') out.push({ t: 'one' });
    else if (out.length && out[out.length - 1].t === 'lit') (out[out.length - 1] as { v: string }).v += ch;
    else out.push({ t: 'lit', v: ch });
  }
  return out;
}

export function lit(s: string): PatternPart[] {
  return s === '' ? [] : [{ t: 'lit', v: s }];
}

export function str(field: string | null, pattern: PatternPart[], caseSensitive = false): Leaf {
  return { kind: 'string', field, pattern, caseSensitive, origin: origin(field, [], pattern.map((p) => (p.t === "lit" ? p.v : p.t === "any" ? "*" : "?")).join("")) };
}

export function rule(query: IrNode, id = '11111111-2222-4333-8444-555555555555', title = 'Test rule'): IrRule {
  return {
    kind: 'rule',
    meta: { id, title, references: [], falsepositives: [], tags: [], fields: [], logsource: { product: 'windows' } },
    file: 'test.yml',
    query,
    outputFields: [],
  };
}

export const and = (...children: IrNode[]): IrNode => ({ kind: 'and', children });
export const or = (...children: IrNode[]): IrNode => ({ kind: 'or', children });
export const not = (child: IrNode): IrNode => ({ kind: 'not', child });

export function correlation(
  type: IrCorrelation['type'],
  rules: IrRule[],
  extra: Partial<IrCorrelation> = {},
): IrCorrelation {
  return {
    kind: 'correlation',
    meta: { id: '99999999-2222-4333-8444-555555555555', title: `Correlation ${type}`, references: [], falsepositives: [], tags: [], fields: [], logsource: {} },
    file: 'corr.yml',
    type,
    rules,
    ruleRefs: rules.map((r) => r.meta.name ?? r.meta.id ?? r.meta.title),
    groupBy: ['host.name'],
    aliases: {},
    timespanMs: 300000,
    timespan: '5m',
    condition: { bounds: [{ op: 'gte', value: 10 }] },
    generate: false,
    ...extra,
  };
}
