/**
 * Pipeline files: the common subset of pySigma's YAML processing-pipeline format (docs/pipelines.md),
 * so users can bring existing pySigma pipelines, plus placeholder (vars) files. The builtin tables
 * exported from pySigma use the same format and go through the same parser.
 *
 * Anything outside the subset is rejected with the file, the line and the offending key or
 * transformation type: silently ignoring a transformation would translate rules differently from
 * pySigma without anyone noticing.
 */
import * as fs from 'fs';
import * as yaml from 'js-yaml';
import { SigmaEsError } from '../errors';
import type {
  FieldNameCondition,
  LogsourceMatch,
  PipelineItem,
  Transformation,
  ValueCondition,
} from './model';

export interface Pipeline {
  name: string;
  /** Lower runs first (pySigma: 10 log source, 20 backend-pre, 50 backend, 60 output). */
  priority: number;
  items: PipelineItem[];
  /** pySigma `vars`: values for `value_placeholders`. */
  vars: Record<string, string[]>;
  /** Set by placeholder files: values always available to `%name%` under `expand`. */
  placeholders?: Record<string, string[]>;
  file?: string;
}

type Lines = WeakMap<object, number>;

interface Ctx {
  file?: string;
  lines: Lines;
}

/** Parse YAML and remember the line where every mapping/sequence starts, for error messages. */
export function parseYamlWithLines(text: string, file?: string): { doc: unknown; lines: Lines } {
  const lines: Lines = new WeakMap();
  const stack: number[] = [];
  let doc: unknown;
  try {
    doc = yaml.load(text, {
      filename: file,
      listener(event, state) {
        if (event === 'open') stack.push(state.line);
        else {
          const line = stack.pop();
          const r = state.result as unknown;
          if (line !== undefined && r !== null && typeof r === 'object' && !lines.has(r)) lines.set(r, line + 1);
        }
      },
    });
  } catch (e) {
    if (e instanceof yaml.YAMLException) {
      throw new SigmaEsError('PIPELINE_INVALID', `invalid YAML: ${e.reason}`, {
        file,
        line: e.mark ? e.mark.line + 1 : undefined,
        column: e.mark ? e.mark.column + 1 : undefined,
      });
    }
    throw e;
  }
  return { doc, lines };
}

function fail(ctx: Ctx, at: unknown, message: string): never {
  const line = at !== null && typeof at === 'object' ? ctx.lines.get(at) : undefined;
  throw new SigmaEsError('PIPELINE_INVALID', message, { file: ctx.file, line });
}

function isMap(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function str(ctx: Ctx, owner: object, key: string, v: unknown): string {
  if (typeof v !== 'string' || v === '') fail(ctx, owner, `'${key}' must be a non-empty string`);
  return v;
}

function strList(ctx: Ctx, owner: object, key: string, v: unknown): string[] {
  const list = Array.isArray(v) ? v : [v];
  if (list.length === 0 || !list.every((x) => typeof x === 'string' && x !== ''))
    fail(ctx, owner, `'${key}' must be a string or a list of strings`);
  return list as string[];
}

function checkKeys(ctx: Ctx, m: Record<string, unknown>, allowed: readonly string[], what: string): void {
  for (const k of Object.keys(m)) {
    if (!allowed.includes(k)) fail(ctx, m, `${what}: unsupported key '${k}' (supported: ${allowed.join(', ')})`);
  }
}

/**
 * pySigma writes Python regexes. The only Python-only syntax in real pipelines is a leading `(?i)`;
 * it becomes the JS `i` flag. Matching is anchored at the start like Python's `re.match`.
 */
function pythonRegex(ctx: Ctx, owner: object, pattern: string): RegExp {
  let flags = '';
  let p = pattern;
  const m = /^\(\?([aiLmsux]+)\)/.exec(p);
  if (m) {
    for (const f of m[1]) {
      if (f === 'i' || f === 'm' || f === 's') flags += f;
      else fail(ctx, owner, `regular expression '${pattern}': inline flag '${f}' is not supported`);
    }
    p = p.slice(m[0].length);
  }
  if (/\(\?P[<=]/.test(p)) fail(ctx, owner, `regular expression '${pattern}': Python named groups are not supported`);
  try {
    return new RegExp(`^(?:${p})`, flags);
  } catch (e) {
    return fail(ctx, owner, `invalid regular expression '${pattern}': ${(e as Error).message}`);
  }
}

function op(ctx: Ctx, item: Record<string, unknown>, key: string): 'and' | 'or' {
  const v = item[key];
  if (v === undefined) return 'and';
  if (v === 'and' || v === 'or') return v;
  return fail(ctx, item, `'${key}' must be 'and' or 'or'`);
}

function flag(ctx: Ctx, item: Record<string, unknown>, key: string): boolean {
  const v = item[key];
  if (v === undefined) return false;
  if (typeof v !== 'boolean') fail(ctx, item, `'${key}' must be true or false`);
  return v;
}

function conditionList(ctx: Ctx, item: Record<string, unknown>, key: string): Record<string, unknown>[] {
  const v = item[key];
  if (v === undefined) return [];
  if (!Array.isArray(v)) fail(ctx, item, `'${key}' must be a list`);
  for (const c of v) if (!isMap(c) || typeof c.type !== 'string') fail(ctx, isMap(c) ? c : item, `each entry of '${key}' needs a 'type'`);
  return v as Record<string, unknown>[];
}

const LOGSOURCE_KEYS = ['category', 'product', 'service'] as const;

function logsourceMatch(ctx: Ctx, c: Record<string, unknown>, what: string): LogsourceMatch {
  const out: LogsourceMatch = {};
  for (const k of LOGSOURCE_KEYS) if (c[k] !== undefined && c[k] !== null) out[k] = str(ctx, c, k, c[k]);
  return out;
}

function ruleConditions(ctx: Ctx, item: Record<string, unknown>): LogsourceMatch[] {
  return conditionList(ctx, item, 'rule_conditions').map((c) => {
    if (c.type !== 'logsource')
      fail(ctx, c, `unsupported rule condition type '${String(c.type)}' (supported: logsource)`);
    checkKeys(ctx, c, ['type', ...LOGSOURCE_KEYS], 'logsource condition');
    return logsourceMatch(ctx, c, 'logsource condition');
  });
}

function fieldNameConditions(ctx: Ctx, item: Record<string, unknown>): FieldNameCondition[] {
  return conditionList(ctx, item, 'field_name_conditions').map((c): FieldNameCondition => {
    if (c.type === 'include_fields' || c.type === 'exclude_fields') {
      checkKeys(ctx, c, ['type', 'fields', 'mode'], `${c.type} condition`);
      const fields = strList(ctx, c, 'fields', c.fields);
      const mode = c.mode === undefined ? 'plain' : c.mode;
      if (mode !== 'plain' && mode !== 're') fail(ctx, c, `'mode' must be 'plain' or 're'`);
      const patterns = mode === 're' ? fields.map((f) => pythonRegex(ctx, c, f)) : [];
      return { type: c.type, fields, mode, patterns };
    }
    if (c.type === 'processing_item_applied') {
      checkKeys(ctx, c, ['type', 'processing_item_id'], 'processing_item_applied condition');
      return { type: 'processing_item_applied', processingItemId: str(ctx, c, 'processing_item_id', c.processing_item_id) };
    }
    return fail(
      ctx,
      c,
      `unsupported field name condition type '${String(c.type)}' (supported: include_fields, exclude_fields, processing_item_applied)`,
    );
  });
}

function detectionItemConditions(ctx: Ctx, item: Record<string, unknown>): ValueCondition[] {
  return conditionList(ctx, item, 'detection_item_conditions').map((c): ValueCondition => {
    // `cond: any|all` quantifies over a detection item's values; sigma-es asks per value, where both agree.
    if (c.cond !== undefined && c.cond !== 'any' && c.cond !== 'all') fail(ctx, c, `'cond' must be 'any' or 'all'`);
    if (c.type === 'match_value') {
      checkKeys(ctx, c, ['type', 'value', 'cond'], 'match_value condition');
      const v = c.value;
      if (!(v === null || ['string', 'number', 'boolean'].includes(typeof v))) fail(ctx, c, `'value' must be a scalar`);
      return { type: 'match_value', value: v as string | number | boolean | null };
    }
    if (c.type === 'match_string') {
      checkKeys(ctx, c, ['type', 'pattern', 'cond', 'negate'], 'match_string condition');
      return { type: 'match_string', pattern: pythonRegex(ctx, c, str(ctx, c, 'pattern', c.pattern)), negate: flag(ctx, c, 'negate') };
    }
    return fail(
      ctx,
      c,
      `unsupported detection item condition type '${String(c.type)}' (supported: match_value, match_string)`,
    );
  });
}

function mappingTargets(ctx: Ctx, owner: object, key: string, v: unknown): string[] {
  return strList(ctx, owner, `mapping.${key}`, v);
}

const ITEM_COMMON = [
  'id',
  'type',
  'rule_conditions',
  'rule_cond_op',
  'rule_cond_not',
  'field_name_conditions',
  'field_name_cond_op',
  'field_name_cond_not',
  'detection_item_conditions',
  'detection_item_cond_op',
  'detection_item_cond_not',
] as const;

const SUPPORTED_TYPES = [
  'field_name_mapping',
  'field_name_prefix_mapping',
  'field_name_prefix',
  'field_name_suffix',
  'add_condition',
  'change_logsource',
  'value_placeholders',
  'set_value',
  'detection_item_failure',
  'rule_failure',
];

function transformation(ctx: Ctx, t: Record<string, unknown>): Transformation {
  const type = t.type;
  const params = (keys: string[]) => checkKeys(ctx, t, [...ITEM_COMMON, ...keys], `transformation '${String(type)}'`);
  switch (type) {
    case 'field_name_mapping': {
      params(['mapping']);
      if (!isMap(t.mapping)) fail(ctx, t, `'mapping' must map field names to a field name or a list of them`);
      const mapping: Record<string, string[]> = {};
      for (const [k, v] of Object.entries(t.mapping)) mapping[k] = mappingTargets(ctx, t.mapping, k, v);
      return { type, mapping };
    }
    case 'field_name_prefix_mapping': {
      params(['mapping']);
      if (!isMap(t.mapping)) fail(ctx, t, `'mapping' must map prefixes to a prefix or a list of them`);
      const m = t.mapping;
      return { type, mapping: Object.entries(m).map(([k, v]) => [k, mappingTargets(ctx, m, k, v)]) };
    }
    case 'field_name_prefix':
      params(['prefix']);
      return { type, prefix: str(ctx, t, 'prefix', t.prefix) };
    case 'field_name_suffix':
      params(['suffix']);
      return { type, suffix: str(ctx, t, 'suffix', t.suffix) };
    case 'add_condition': {
      params(['conditions', 'template', 'negated']);
      if (t.template === true) fail(ctx, t, `add_condition: 'template: true' is not supported`);
      if (t.negated === true) fail(ctx, t, `add_condition: 'negated: true' is not supported`);
      if (!isMap(t.conditions) || Object.keys(t.conditions).length === 0)
        fail(ctx, t, `'conditions' must map field names to a value or a list of values`);
      const conds = t.conditions;
      return {
        type,
        conditions: Object.entries(conds).map(([field, v]) => {
          const values = Array.isArray(v) ? v : [v];
          if (values.length === 0 || !values.every((x) => typeof x === 'string' || typeof x === 'number'))
            fail(ctx, conds, `conditions.${field}: values must be strings or numbers`);
          return { field, values: values as Array<string | number> };
        }),
      };
    }
    case 'change_logsource': {
      params([...LOGSOURCE_KEYS]);
      const logsource = logsourceMatch(ctx, t, 'change_logsource');
      if (Object.keys(logsource).length === 0) fail(ctx, t, `change_logsource needs category, product or service`);
      return { type, logsource };
    }
    case 'value_placeholders': {
      params(['include', 'exclude']);
      if (t.include !== undefined && t.exclude !== undefined)
        fail(ctx, t, `value_placeholders: 'include' and 'exclude' cannot be used together`);
      return {
        type,
        include: t.include === undefined ? undefined : strList(ctx, t, 'include', t.include),
        exclude: t.exclude === undefined ? undefined : strList(ctx, t, 'exclude', t.exclude),
      };
    }
    case 'set_value': {
      params(['value']);
      const v = t.value;
      if (!(v === null || ['string', 'number', 'boolean'].includes(typeof v))) fail(ctx, t, `'value' must be a scalar`);
      return { type, value: v as string | number | boolean | null };
    }
    case 'detection_item_failure':
    case 'rule_failure':
      params(['message']);
      return { type, message: str(ctx, t, 'message', t.message) };
    default:
      if (typeof type !== 'string') return fail(ctx, t, `transformation needs a 'type'`);
      return fail(ctx, t, `unsupported transformation type '${type}' (supported: ${SUPPORTED_TYPES.join(', ')})`);
  }
}

function item(ctx: Ctx, t: unknown): PipelineItem {
  if (!isMap(t)) fail(ctx, t, `each transformation must be a mapping with a 'type'`);
  if (t.rule_cond_expr !== undefined || t.field_name_cond_expr !== undefined || t.detection_item_cond_expr !== undefined)
    fail(ctx, t, `condition expressions (*_cond_expr) are not supported; use *_cond_op and *_cond_not`);
  const tr = transformation(ctx, t);
  const fieldName = fieldNameConditions(ctx, t);
  const detection = detectionItemConditions(ctx, t);
  if (detection.length > 0 && tr.type !== 'set_value' && tr.type !== 'detection_item_failure')
    fail(ctx, t, `detection_item_conditions are only supported on set_value and detection_item_failure`);
  return {
    id: t.id === undefined ? undefined : str(ctx, t, 'id', t.id),
    transformation: tr,
    rule: { conditions: ruleConditions(ctx, t), op: op(ctx, t, 'rule_cond_op'), not: flag(ctx, t, 'rule_cond_not') },
    fieldName: { conditions: fieldName, op: op(ctx, t, 'field_name_cond_op'), not: flag(ctx, t, 'field_name_cond_not') },
    detectionItem: {
      conditions: detection,
      op: op(ctx, t, 'detection_item_cond_op'),
      not: flag(ctx, t, 'detection_item_cond_not'),
    },
    file: ctx.file,
    line: ctx.lines.get(t),
  };
}

function vars(ctx: Ctx, owner: object, v: unknown, key: string): Record<string, string[]> {
  if (v === undefined || v === null) return {};
  if (!isMap(v)) fail(ctx, owner, `'${key}' must map names to a value or a list of values`);
  const out: Record<string, string[]> = {};
  for (const [name, raw] of Object.entries(v)) {
    const values = Array.isArray(raw) ? raw : [raw];
    // pySigma accepts strings and numbers and turns them into strings (ValueListPlaceholderTransformation).
    if (!values.every((x) => typeof x === 'string' || typeof x === 'number'))
      fail(ctx, v, `${key}.${name}: values must be strings or numbers`);
    out[name] = values.map(String);
  }
  return out;
}

/** Build a pipeline from an already parsed document (YAML file or builtin JSON). */
export function pipelineFromDocument(
  doc: unknown,
  opts: { file?: string; lines?: Lines; defaultName: string },
): Pipeline {
  const ctx: Ctx = { file: opts.file, lines: opts.lines ?? new WeakMap() };
  if (!isMap(doc)) fail(ctx, doc, `a pipeline must be a mapping with 'transformations'`);
  // Keys the exporter records for provenance, and pySigma keys that do not change field names.
  const ignored = ['title', 'source', 'not_ported', 'tables', '$generated', 'allowed_backends'];
  for (const k of ['postprocessing', 'finalizers'])
    if (doc[k] !== undefined) fail(ctx, doc, `'${k}' is not supported: sigma-es renders queries itself`);
  checkKeys(ctx, doc, ['name', 'priority', 'vars', 'transformations', ...ignored], 'pipeline');
  const name = doc.name === undefined ? opts.defaultName : str(ctx, doc, 'name', doc.name);
  const priority = doc.priority === undefined ? 0 : doc.priority;
  if (typeof priority !== 'number' || !Number.isFinite(priority)) fail(ctx, doc, `'priority' must be a number`);
  const ts = doc.transformations === undefined ? [] : doc.transformations;
  if (!Array.isArray(ts)) fail(ctx, doc, `'transformations' must be a list`);
  return {
    name,
    priority,
    items: ts.map((t) => item(ctx, t)),
    vars: vars(ctx, doc, doc.vars, 'vars'),
    file: opts.file,
  };
}

function readText(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new SigmaEsError('PIPELINE_NOT_FOUND', `cannot read pipeline file: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, { file });
  }
}

function baseName(file: string): string {
  return (file.split(/[\\/]/).pop() ?? file).replace(/\.(ya?ml|json)$/i, '');
}

export function loadPipelineFile(file: string): Pipeline {
  const { doc, lines } = parseYamlWithLines(readText(file), file);
  return pipelineFromDocument(doc, { file, lines, defaultName: baseName(file) });
}

/**
 * A vars file: `name: value | [values]` at the top level, or the same under `vars:` (so a pySigma
 * pipeline's vars block can be reused). Its values are always available to `%name%` placeholders.
 */
export function loadPlaceholderFile(file: string): Pipeline {
  const { doc, lines } = parseYamlWithLines(readText(file), file);
  const ctx: Ctx = { file, lines };
  if (!isMap(doc)) fail(ctx, doc, `a placeholder file must map placeholder names to a value or a list of values`);
  const block = isMap(doc.vars) && Object.keys(doc).every((k) => k === 'vars' || k === 'name') ? doc.vars : doc;
  const placeholders = vars(ctx, doc, block, block === doc ? 'placeholders' : 'vars');
  return { name: `placeholders:${baseName(file)}`, priority: 0, items: [], vars: placeholders, placeholders, file };
}
