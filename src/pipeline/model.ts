/**
 * Internal shape of a processing pipeline: pySigma's item model, restricted to the transformations
 * sigma-es can honour exactly. Builtin tables (exported from pySigma) and user YAML files are both
 * parsed into this shape by `yaml.ts`, so there is one interpreter for both.
 */

export interface LogsourceMatch {
  category?: string;
  product?: string;
  service?: string;
}

export type FieldNameCondition =
  | { type: 'include_fields' | 'exclude_fields'; fields: string[]; mode: 'plain' | 're'; patterns: RegExp[] }
  | { type: 'processing_item_applied'; processingItemId: string };

export type ValueCondition =
  | { type: 'match_value'; value: string | number | boolean | null }
  | { type: 'match_string'; pattern: RegExp; negate: boolean };

interface Gate<C> {
  conditions: C[];
  op: 'and' | 'or';
  not: boolean;
}

export type Transformation =
  | { type: 'field_name_mapping'; mapping: Record<string, string[]> }
  | { type: 'field_name_prefix_mapping'; mapping: Array<[string, string[]]> }
  | { type: 'field_name_prefix'; prefix: string }
  | { type: 'field_name_suffix'; suffix: string }
  | { type: 'add_condition'; conditions: Array<{ field: string; values: Array<string | number> }> }
  | { type: 'change_logsource'; logsource: LogsourceMatch }
  | { type: 'value_placeholders'; include?: string[]; exclude?: string[] }
  | { type: 'set_value'; value: string | number | boolean | null }
  | { type: 'detection_item_failure'; message: string }
  | { type: 'rule_failure'; message: string };

export interface PipelineItem {
  id?: string;
  transformation: Transformation;
  rule: Gate<LogsourceMatch>;
  fieldName: Gate<FieldNameCondition>;
  detectionItem: Gate<ValueCondition>;
  /** Where the item was defined, for error messages. */
  file?: string;
  line?: number;
}

export const FIELD_TRANSFORMATIONS = new Set<Transformation['type']>([
  'field_name_mapping',
  'field_name_prefix_mapping',
  'field_name_prefix',
  'field_name_suffix',
]);
