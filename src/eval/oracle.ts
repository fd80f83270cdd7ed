/**
 * The full-scan oracle: every rule, every event, the whole tree, leaf predicates straight
 * from leaf.ts. Deliberately naive; the fast evaluator is tested against it.
 */

import { compileLeaf, leafItem, type LeafPredicate } from './leaf';
import { prepareEvent, type PreparedEvent } from './event';
import type { IrNode, IrRule, Leaf } from '../ir/types';
import type { MappingProfile } from '../mapping/profile';
import { SigmaEsError } from '../errors';

export interface OracleRule {
  rule: IrRule;
  leaves: Map<Leaf, LeafPredicate>;
}

export function compileOracleRule(rule: IrRule, profile: MappingProfile): OracleRule {
  const leaves = new Map<Leaf, LeafPredicate>();
  const walk = (n: IrNode): void => {
    switch (n.kind) {
      case 'and':
      case 'or':
        n.children.forEach(walk);
        return;
      case 'not':
        walk(n.child);
        return;
      case 'const':
        return;
      default:
        try {
          leaves.set(n, compileLeaf(n, profile, rule));
        } catch (e) {
          if (e instanceof SigmaEsError) e.at({ rule: rule.meta.id ?? rule.meta.title, file: rule.file });
          throw e;
        }
    }
  };
  walk(rule.query);
  return { rule, leaves };
}

export function evalNode(r: OracleRule, n: IrNode, ev: PreparedEvent): boolean {
  switch (n.kind) {
    case 'and':
      return n.children.every((c) => evalNode(r, c, ev));
    case 'or':
      return n.children.some((c) => evalNode(r, c, ev));
    case 'not':
      return !evalNode(r, n.child, ev);
    case 'const':
      return n.value;
    default:
      return (r.leaves.get(n) as LeafPredicate)(ev);
  }
}

export function oracleMatches(r: OracleRule, ev: PreparedEvent): boolean {
  if (ev.rejected !== null) return false;
  return evalNode(r, r.rule.query, ev);
}

/** Indices of the rules matching one event, in rule order. */
export function oracleMatchEvent(rules: OracleRule[], source: Record<string, unknown>, profile: MappingProfile): number[] {
  const ev = prepareEvent(source, profile);
  const out: number[] = [];
  rules.forEach((r, i) => {
    if (oracleMatches(r, ev)) out.push(i);
  });
  return out;
}

// ---------------------------------------------------------------- explain

export interface ExplainNode {
  kind: string;
  result: boolean;
  /** Leaves: the detection item as written (`selection.CommandLine|contains`). */
  item?: string;
  value?: string;
  field?: string | null;
  why?: string;
  children?: ExplainNode[];
}

function describeValues(ev: PreparedEvent, field: string | null): string {
  if (field === null) return `${ev.keywordTerms.length} keyword value(s) in the event`;
  const raw = ev.raw.get(field);
  if (!raw || raw.length === 0) return `field '${field}' is missing`;
  const fv = ev.fields.get(field);
  const shown = raw.slice(0, 3).map((v) => JSON.stringify(typeof v === 'object' ? v.raw : v).slice(0, 120));
  const more = raw.length > 3 ? ` (+${raw.length - 3} more)` : '';
  if (!fv) return `field '${field}' has no indexed value (${shown.join(', ')}${more}; longer than ignore_above or empty for its type)`;
  return `field '${field}' = ${shown.join(', ')}${more}`;
}

export function explainNode(r: OracleRule, n: IrNode, ev: PreparedEvent): ExplainNode {
  switch (n.kind) {
    case 'and':
    case 'or': {
      const children = n.children.map((c) => explainNode(r, c, ev));
      const result = n.kind === 'and' ? children.every((c) => c.result) : children.some((c) => c.result);
      return { kind: n.kind, result, children };
    }
    case 'not': {
      const c = explainNode(r, n.child, ev);
      return { kind: 'not', result: !c.result, children: [c] };
    }
    case 'const':
      return { kind: 'const', result: n.value };
    default: {
      const result = (r.leaves.get(n) as LeafPredicate)(ev);
      const why = `${result ? 'matched' : 'no match'}: ${describeValues(ev, n.field)}`;
      return { kind: n.kind, result, item: leafItem(n), value: n.origin.value, field: n.field, why };
    }
  }
}

export function renderExplain(x: ExplainNode, indent = ''): string {
  const mark = x.result ? '✓' : '✗';
  if (x.item) return `${indent}${mark} ${x.item}: ${JSON.stringify(x.value)} → ${x.why}\n`;
  let s = `${indent}${mark} ${x.kind.toUpperCase()}\n`;
  for (const c of x.children ?? []) s += renderExplain(c, indent + '  ');
  return s;
}
