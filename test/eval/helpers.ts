// Hand-built IR for evaluator tests (the loader is exercised by the CLI tests).
import type { IrNode, IrRule, Leaf, PatternPart } from '../../src/ir/types';

const origin = (value: string, field: string | null = null, modifiers: string[] = []) => ({ identifier: 'selection', sigmaField: field, modifiers, value });

export function pat(text: string): PatternPart[] {
  // `*` and `?` are wildcards here; tests never need literal ones
  const out: PatternPart[] = [];
  for (const ch of text) {
    if (ch === '*') out.push({ t: 'any' });
    else if (ch === '?') out.push({ t: 'one' });
    else {
      const last = out[out.length - 1];
      if (last && last.t === 'lit') last.v += ch;
      else out.push({ t: 'lit', v: ch });
    }
  }
  return out;
}

export const str = (field: string | null, pattern: string, caseSensitive = false): Leaf => ({
  kind: 'string',
  field,
  pattern: pat(pattern),
  caseSensitive,
  origin: origin(pattern, field),
});
export const scalar = (field: string | null, value: number | boolean): Leaf => ({ kind: 'scalar', field, value, origin: origin(String(value), field) });
export const exists = (field: string): Leaf => ({ kind: 'exists', field, origin: origin('true', field, ['exists']) });
export const cidr = (field: string, net: string): Leaf => ({ kind: 'cidr', field, cidr: net, version: net.includes(':') ? 6 : 4, origin: origin(net, field, ['cidr']) });
export const cmp = (field: string, op: 'gt' | 'gte' | 'lt' | 'lte', value: number): Leaf => ({ kind: 'compare', field, op, value, origin: origin(String(value), field, [op]) });
export const and = (...children: IrNode[]): IrNode => ({ kind: 'and', children });
export const or = (...children: IrNode[]): IrNode => ({ kind: 'or', children });
export const not = (child: IrNode): IrNode => ({ kind: 'not', child });

let n = 0;
export function rule(query: IrNode, extra: Partial<IrRule['meta']> = {}, outputFields: string[] = []): IrRule {
  n++;
  return {
    kind: 'rule',
    meta: { id: `r${n}`, title: `rule ${n}`, references: [], falsepositives: [], tags: [], fields: outputFields, logsource: {}, level: 'high', ...extra },
    query,
    outputFields,
  };
}
