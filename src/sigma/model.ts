/**
 * The Sigma rule model: documents as written (rules, filters, correlations), validated but
 * not yet interpreted. Meaning (modifiers, wildcards, expansions, field mapping) is settled
 * only when the IR is built, so the pipeline can act between the two.
 */
import type { Position } from './yaml';
import type { ConditionAst } from './condition';
import type { IrRuleMeta, CorrelationType } from '../ir/types';

export interface DetectionItem {
  t: 'item';
  /** null for keyword (unbound) values. */
  field: string | null;
  modifiers: string[];
  /** Scalars as loaded from YAML: string, number, boolean or null. */
  values: Array<string | number | boolean | null>;
  /** The key as written, e.g. `CommandLine|contains|all`; `''` for keyword lists. */
  key: string;
  identifier: string;
  position?: Position;
}

/** A map (AND of its items) or a list (OR of its items). */
export interface DetectionGroup {
  t: 'and' | 'or';
  items: Array<DetectionItem | DetectionGroup>;
}

export interface Detection {
  /** Search identifiers in the order written. */
  identifiers: Map<string, DetectionGroup>;
  conditions: ConditionAst[];
  conditionText: string[];
}

export interface SigmaRule {
  kind: 'rule';
  file?: string;
  position: Position;
  meta: IrRuleMeta;
  detection: Detection;
  /** Unknown top-level keys, kept as the spec allows custom fields. */
  custom: Record<string, unknown>;
}

export interface SigmaFilter {
  kind: 'filter';
  file?: string;
  position: Position;
  id?: string;
  title: string;
  logsource: IrRuleMeta['logsource'];
  /** Rule ids or names the filter applies to; `any` for every rule of the log source. */
  rules: string[] | 'any';
  detection: Detection;
}

export interface SigmaCorrelation {
  kind: 'correlation';
  file?: string;
  position: Position;
  meta: IrRuleMeta;
  type: CorrelationType;
  rules: string[];
  groupBy: string[];
  timespan: string;
  timespanMs: number;
  condition: { bounds: Array<{ op: 'gt' | 'gte' | 'lt' | 'lte' | 'eq' | 'neq'; value: number }>; field?: string; percentile?: number };
  aliases: Record<string, Record<string, string>>;
  generate: boolean;
}

export type SigmaDocument = SigmaRule | SigmaFilter | SigmaCorrelation;
