/**
 * Processing pipelines: Sigma field names -> target field names, log-source conditions and
 * placeholder values, with pySigma's semantics (pipelines sorted by priority, items applied in
 * order, each item gated by the rule's log source as it is at that point, conditions added by an
 * item mapped by every later item).
 *
 * The result is computed once per rule (`applyPipelines`) and then asked about fields, which keeps
 * the rule model free of pipeline state.
 */
import * as fs from 'fs';
import { SigmaEsError } from '../errors';
import { builtinNames, builtinPipeline } from './builtin';
import type { FieldNameCondition, LogsourceMatch, PipelineItem, ValueCondition } from './model';
import { FIELD_TRANSFORMATIONS } from './model';
import { loadPipelineFile, loadPlaceholderFile, type Pipeline } from './yaml';

export type { Pipeline } from './yaml';
export { loadPlaceholderFile } from './yaml';

export interface Logsource {
  category?: string;
  product?: string;
  service?: string;
  definition?: string;
}

/** `field` is fully mapped; `values` are OR-ed; the conditions of one rule are AND-ed. */
export interface PipelineCondition {
  field: string;
  values: Array<string | number>;
}

export type PipelineValue = string | number | boolean | null;

export interface AppliedPipeline {
  /** Pipelines applied, in order. */
  names: string[];
  /** The rule's log source after `change_logsource`. */
  logsource: Logsource;
  /**
   * Log-source conditions to AND with the rule, in the order pySigma renders them: each
   * `add_condition` wraps the rule so far, so the last one added comes first
   * (`winlog.channel` before `event.code` for sysmon + ecs_windows).
   */
  conditions: PipelineCondition[];
  /** Sigma field -> one or more target fields (OR-ed); identity when unmapped. */
  mapField(field: string): string[];
  /** Values for `%name%` under `expand`; undefined when no pipeline supplies it. */
  placeholder(name: string): string[] | undefined;
  /**
   * Why a detection item on this Sigma field (and, when given, this value) cannot be translated
   * exactly under these pipelines (`detection_item_failure`), or undefined. Value-dependent
   * failures only fire when a value is given, so ask once per value.
   */
  fieldError(field: string, value?: PipelineValue): string | undefined;
  /** The value after `set_value` items (e.g. ecs_windows `Initiated: true` -> `network.direction: egress`). */
  mapValue(field: string, value: PipelineValue): PipelineValue;
}

export function builtinPipelineNames(): string[] {
  return builtinNames();
}

/** A builtin name, or a YAML pipeline file. */
export function loadPipeline(nameOrPath: string): Pipeline {
  const builtin = builtinPipeline(nameOrPath);
  if (builtin) return builtin;
  const looksLikePath = /[\\/]|\.(ya?ml|json)$/i.test(nameOrPath);
  if (looksLikePath || fs.existsSync(nameOrPath)) return loadPipelineFile(nameOrPath);
  throw new SigmaEsError(
    'PIPELINE_NOT_FOUND',
    `unknown pipeline '${nameOrPath}': not a builtin (${builtinNames().join(', ')}) and no such file`,
  );
}

interface FieldState {
  name: string;
  /** Ids of the items that transformed this field so far (pySigma `processing_item_applied`). */
  applied: ReadonlySet<string>;
}

interface ActiveItem {
  item: PipelineItem;
  pipeline: string;
}

function logsourceMatches(m: LogsourceMatch, ls: Logsource): boolean {
  // pySigma LogsourceCondition: every attribute the condition sets must be equal (case-sensitive).
  return (
    (m.category === undefined || m.category === ls.category) &&
    (m.product === undefined || m.product === ls.product) &&
    (m.service === undefined || m.service === ls.service)
  );
}

function gate<C>(g: { conditions: C[]; op: 'and' | 'or'; not: boolean }, test: (c: C) => boolean): boolean {
  if (g.conditions.length === 0) return true;
  const r = g.op === 'and' ? g.conditions.every(test) : g.conditions.some(test);
  return g.not ? !r : r;
}

function fieldNameMatches(c: FieldNameCondition, s: FieldState): boolean {
  switch (c.type) {
    case 'include_fields':
    case 'exclude_fields': {
      const hit = c.mode === 'plain' ? c.fields.includes(s.name) : c.patterns.some((p) => p.test(s.name));
      return c.type === 'include_fields' ? hit : !hit;
    }
    case 'processing_item_applied':
      return s.applied.has(c.processingItemId);
  }
}

function valueMatches(c: ValueCondition, v: PipelineValue): boolean {
  switch (c.type) {
    case 'match_value':
      // pySigma compares typed values: the string 'true' is not the boolean true.
      return v === c.value;
    case 'match_string': {
      const hit = typeof v === 'string' && c.pattern.test(v);
      return c.negate ? !hit : hit;
    }
  }
}

function withApplied(s: FieldState, name: string, id: string | undefined): FieldState {
  if (id === undefined) return { name, applied: s.applied };
  return { name, applied: new Set([...s.applied, id]) };
}

function transformField(item: PipelineItem, s: FieldState): FieldState[] {
  const t = item.transformation;
  switch (t.type) {
    case 'field_name_mapping': {
      const targets = Object.prototype.hasOwnProperty.call(t.mapping, s.name) ? t.mapping[s.name] : undefined;
      return targets ? targets.map((n) => withApplied(s, n, item.id)) : [s];
    }
    case 'field_name_prefix_mapping': {
      const hit = t.mapping.find(([prefix]) => s.name.startsWith(prefix));
      if (!hit) return [s];
      return hit[1].map((p) => withApplied(s, p + s.name.slice(hit[0].length), item.id));
    }
    case 'field_name_prefix':
      return [withApplied(s, t.prefix + s.name, item.id)];
    case 'field_name_suffix':
      return [withApplied(s, s.name + t.suffix, item.id)];
    default:
      return [s];
  }
}

interface Walk {
  states: FieldState[];
  error?: string;
  value?: PipelineValue;
  /** A value-gated item applies to this field: the answer for a value needs a walk with it. */
  valueDependent?: boolean;
}

function walk(active: ActiveItem[], field: string, start: number, value?: PipelineValue): Walk {
  let states: FieldState[] = [{ name: field, applied: new Set() }];
  let error: string | undefined;
  let v = value;
  let valueDependent = false;
  for (let i = start; i < active.length; i++) {
    const { item, pipeline } = active[i];
    const t = item.transformation;
    const applies = (s: FieldState) => gate(item.fieldName, (c) => fieldNameMatches(c, s));
    if (FIELD_TRANSFORMATIONS.has(t.type)) {
      states = states.flatMap((s) => (applies(s) ? transformField(item, s) : [s]));
    } else if (t.type === 'detection_item_failure' || t.type === 'set_value') {
      const hit = states.find(applies);
      if (!hit) continue;
      if (item.detectionItem.conditions.length > 0) {
        if (value === undefined) valueDependent = true;
        if (v === undefined || !gate(item.detectionItem, (c) => valueMatches(c, v as PipelineValue))) continue;
      }
      if (t.type === 'set_value') v = t.value;
      else if (error === undefined) error = `pipeline ${pipeline}: field '${hit.name}' ${t.message}`;
    }
  }
  return { states, error, value: v, valueDependent };
}

function uniqueNames(states: FieldState[]): string[] {
  return [...new Set(states.map((s) => s.name))];
}

/** Apply pipelines (sorted by priority, stable) to one rule's log source. */
export function applyPipelines(pipelines: Pipeline[], logsource: Logsource): AppliedPipeline {
  const sorted = pipelines.map((p, i) => ({ p, i })).sort((a, b) => a.p.priority - b.p.priority || a.i - b.i).map((x) => x.p);
  let ls: Logsource = { ...logsource };
  const active: ActiveItem[] = [];
  const added: Array<{ start: number; item: PipelineItem; pipeline: string }> = [];
  const placeholderItems: Array<{ include?: string[]; exclude?: string[] }> = [];

  for (const p of sorted) {
    for (const item of p.items) {
      if (!gate(item.rule, (m) => logsourceMatches(m, ls))) continue;
      const t = item.transformation;
      switch (t.type) {
        case 'change_logsource':
          // pySigma replaces the whole log source: attributes the item does not set become unset.
          ls = { ...t.logsource };
          break;
        case 'add_condition':
          added.push({ start: active.length, item, pipeline: p.name });
          break;
        case 'rule_failure':
          throw new SigmaEsError('PIPELINE_UNSUPPORTED', `pipeline ${p.name}: ${t.message}`, {
            file: item.file,
            line: item.line,
          });
        case 'value_placeholders':
          placeholderItems.push(t);
          break;
        default:
          active.push({ item, pipeline: p.name });
      }
    }
  }

  const groups = added.map(({ start, item, pipeline }) => {
    if (item.transformation.type !== 'add_condition') return [];
    return item.transformation.conditions.map(({ field, values }): PipelineCondition => {
      const names = uniqueNames(walk(active, field, start).states);
      if (names.length !== 1) {
        throw new SigmaEsError(
          'PIPELINE_INVALID',
          `pipeline ${pipeline}: condition field '${field}' maps to several fields (${names.join(', ')}); a log-source condition needs exactly one`,
          { file: item.file, line: item.line },
        );
      }
      return { field: names[0], values: [...values] };
    });
  });
  const conditions = groups.reverse().flat();

  // A rule set maps the same few hundred fields thousands of times: walk each field once.
  const memo = new Map<string, Walk & { names: string[] }>();
  const plain = (field: string): Walk & { names: string[] } => {
    let w = memo.get(field);
    if (!w) {
      const r = walk(active, field, 0);
      memo.set(field, (w = { ...r, names: uniqueNames(r.states) }));
    }
    return w;
  };

  // pySigma merges vars of combined pipelines, the later pipeline winning.
  const vars: Record<string, string[]> = Object.assign({}, ...sorted.map((p) => p.vars));
  const explicit: Record<string, string[]> = Object.assign({}, ...sorted.map((p) => p.placeholders ?? {}));

  return {
    names: sorted.map((p) => p.name),
    logsource: ls,
    conditions,
    mapField: (field) => plain(field).names,
    placeholder(name) {
      if (Object.prototype.hasOwnProperty.call(explicit, name)) return [...explicit[name]];
      const enabled = placeholderItems.some(
        (t) => (t.include === undefined || t.include.includes(name)) && !(t.exclude ?? []).includes(name),
      );
      return enabled && Object.prototype.hasOwnProperty.call(vars, name) ? [...vars[name]] : undefined;
    },
    fieldError: (field, value) => {
      const w = plain(field);
      return value !== undefined && w.valueDependent ? walk(active, field, 0, value).error : w.error;
    },
    mapValue: (field, value) => {
      const w = plain(field);
      if (w.valueDependent) return walk(active, field, 0, value).value as PipelineValue;
      // Without value-gated items only an unconditional set_value changes the value.
      return w.value !== undefined ? w.value : value;
    },
  };
}
