/**
 * The intermediate representation: the only place Sigma's meaning is settled.
 *
 * A rule's detection becomes one boolean tree whose leaves are (field, operator, value)
 * tests with every modifier already applied and every expansion (windash, base64offset,
 * cidr lists, placeholders, one-to-many field mappings) already done. Backends render this
 * tree; the evaluator runs it. Neither re-reads Sigma.
 */

import type { RegexAst } from './regex/ast';

/** Where a leaf came from, for error messages and `--explain`. */
export interface LeafOrigin {
  /** Search identifier (selection name) in the rule's detection, e.g. `selection_img`. */
  identifier: string;
  /** Field name as written in the rule, before any pipeline mapping; null for keywords. */
  sigmaField: string | null;
  /** Modifier chain as written, e.g. `['contains', 'all']`. */
  modifiers: string[];
  /** The value as written in the rule (stringified). */
  value: string;
}

/** A piece of a wildcard pattern. Literal text never contains wildcard semantics. */
export type PatternPart =
  | { t: 'lit'; v: string }
  | { t: 'any' } // `*`: zero or more characters
  | { t: 'one' }; // `?`: exactly one character

/**
 * A string test: the whole field value must match the pattern (anchored at both ends);
 * `contains`, `startswith` and `endswith` have already been turned into `any` parts.
 * Literal parts are always merged: no two `lit` parts are adjacent.
 */
export interface StringLeaf {
  kind: 'string';
  /** Mapped field name; null = keyword search over every field of the event. */
  field: string | null;
  pattern: PatternPart[];
  /** false = Sigma's default case-insensitive match; true for `cased` and base64/utf16 needles. */
  caseSensitive: boolean;
  origin: LeafOrigin;
}

/** A YAML number or boolean compared for equality, e.g. `EventID: 4688`, `Enabled: true`. */
export interface ScalarLeaf {
  kind: 'scalar';
  field: string | null;
  value: number | boolean;
  origin: LeafOrigin;
}

/** `re` (with flags): an unanchored search in the project's supported regex dialect. */
export interface RegexLeaf {
  kind: 'regex';
  field: string | null;
  /** The regex exactly as written in the rule. */
  source: string;
  /** Parsed in the supported dialect; anchors and flags are part of the AST semantics. */
  ast: RegexAst;
  flags: { i: boolean; m: boolean; s: boolean };
  origin: LeafOrigin;
}

/** `cidr`: the field holds an IP address inside the network. */
export interface CidrLeaf {
  kind: 'cidr';
  field: string;
  /** Normalised network, e.g. `10.0.0.0/8`, `fe80::/10`. */
  cidr: string;
  version: 4 | 6;
  origin: LeafOrigin;
}

/** `exists: true`, and (negated) `exists: false` and `null`. */
export interface ExistsLeaf {
  kind: 'exists';
  field: string;
  origin: LeafOrigin;
}

export type CompareOp = 'gt' | 'gte' | 'lt' | 'lte';

/** `gt`/`gte`/`lt`/`lte` against a number. */
export interface CompareLeaf {
  kind: 'compare';
  field: string;
  op: CompareOp;
  value: number;
  origin: LeafOrigin;
}

/** `fieldref`: the field's value compared with another field's value of the same event. */
export interface FieldRefLeaf {
  kind: 'fieldref';
  field: string;
  /** Mapped name of the referenced field. */
  ref: string;
  /** eq = whole value; the others come from `contains`/`startswith`/`endswith` after `fieldref`. */
  mode: 'eq' | 'startswith' | 'endswith' | 'contains';
  caseSensitive: boolean;
  origin: LeafOrigin;
}

export type TimePart = 'minute' | 'hour' | 'day' | 'week' | 'month' | 'year';

/** Time-part modifiers: a numeric part of a date field, optionally compared (`eq` when no compare modifier). */
export interface TimePartLeaf {
  kind: 'timepart';
  field: string;
  part: TimePart;
  op: CompareOp | 'eq';
  value: number;
  origin: LeafOrigin;
}

export type Leaf = StringLeaf | ScalarLeaf | RegexLeaf | CidrLeaf | ExistsLeaf | CompareLeaf | FieldRefLeaf | TimePartLeaf;

export interface AndNode {
  kind: 'and';
  children: IrNode[];
}
export interface OrNode {
  kind: 'or';
  children: IrNode[];
}
export interface NotNode {
  kind: 'not';
  child: IrNode;
}
/**
 * A constant. Arises only from Sigma constructs that have a definite truth value
 * (e.g. `1 of` a selector that names no identifier is pruned by the builder, so this is rare);
 * backends render `match_all` / `match_none`.
 */
export interface ConstNode {
  kind: 'const';
  value: boolean;
}

export type IrNode = AndNode | OrNode | NotNode | ConstNode | Leaf;

/** Metadata carried to the outputs (Kibana rules, match results). */
export interface IrRuleMeta {
  id?: string;
  name?: string;
  title: string;
  description?: string;
  level?: string;
  status?: string;
  author?: string;
  references: string[];
  falsepositives: string[];
  tags: string[];
  fields: string[];
  date?: string;
  modified?: string;
  logsource: { category?: string; product?: string; service?: string; definition?: string };
}

/** A detection rule after the pipeline, ready for backends and the evaluator. */
export interface IrRule {
  kind: 'rule';
  meta: IrRuleMeta;
  /** Rule file, for messages. */
  file?: string;
  /** The whole query: pipeline conditions AND (condition₁ OR condition₂ …), filters applied. */
  query: IrNode;
  /**
   * Mapped names of the rule's `fields:` list (what to show in results), in order.
   * Kept apart from meta.fields, which holds the names as written.
   */
  outputFields: string[];
}

export type CorrelationType =
  | 'event_count'
  | 'value_count'
  | 'temporal'
  | 'temporal_ordered'
  | 'value_sum'
  | 'value_avg'
  | 'value_percentile';

export interface CorrelationCondition {
  /** One or more bounds, AND-ed (the spec allows a range such as gt + lte). */
  bounds: Array<{ op: 'gt' | 'gte' | 'lt' | 'lte' | 'eq' | 'neq'; value: number }>;
  /** Mapped field for value_* types. */
  field?: string;
  /** value_percentile only. */
  percentile?: number;
}

export interface IrCorrelation {
  kind: 'correlation';
  meta: IrRuleMeta;
  file?: string;
  type: CorrelationType;
  /** Referenced rules or correlations, in the order written (temporal_ordered needs it). */
  rules: Array<IrRule | IrCorrelation>;
  /** Names by which each referenced rule was referenced (id or name), same order. */
  ruleRefs: string[];
  /** Mapped group-by fields; an alias name stays as the alias. */
  groupBy: string[];
  /** alias -> (referenced rule ref -> mapped field) */
  aliases: Record<string, Record<string, string>>;
  timespanMs: number;
  /** Original timespan text, e.g. `5m`. */
  timespan: string;
  condition: CorrelationCondition;
  generate: boolean;
}

export type IrDocument = IrRule | IrCorrelation;
