/**
 * YAML documents -> validated Sigma model (rules, filters, correlations).
 * Every problem found is collected with its position, so one run of `check` reports them all.
 */
import { SigmaEsError } from '../errors';
import type { CorrelationType, IrRuleMeta } from '../ir/types';
import { parseCondition } from './condition';
import type { Detection, DetectionGroup, DetectionItem, SigmaCorrelation, SigmaDocument, SigmaFilter, SigmaRule } from './model';
import { MODIFIERS } from './modifiers';
import { loadYamlDocuments, YamlPositions, type Position } from './yaml';

export interface ParsedDocument {
  doc?: SigmaDocument;
  /** Title or id, for messages even when the document is invalid. */
  label?: string;
  position: Position;
  errors: SigmaEsError[];
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;
const TAG_RE = /^[a-z0-9_-]+\.[a-z0-9._-]+$/;
const STATUSES = ['stable', 'test', 'experimental', 'deprecated', 'unsupported'];
const LEVELS = ['informational', 'low', 'medium', 'high', 'critical'];
const RELATED_TYPES = ['derived', 'obsolete', 'merged', 'renamed', 'similar'];
const CORRELATION_TYPES: CorrelationType[] = [
  'event_count',
  'value_count',
  'temporal',
  'temporal_ordered',
  'value_sum',
  'value_avg',
  'value_percentile',
];
/** Top-level keys of a rule the specification defines; the others are kept as custom fields. */
const RULE_KEYS = new Set([
  'title', 'id', 'name', 'related', 'taxonomy', 'status', 'description', 'license', 'references', 'author', 'date',
  'modified', 'logsource', 'detection', 'fields', 'falsepositives', 'level', 'tags', 'scope',
]);
const TIMESPAN_UNITS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Collects errors with positions for one document. */
class Collector {
  readonly errors: SigmaEsError[] = [];
  constructor(
    private readonly file: string | undefined,
    private readonly fallback: Position,
    private readonly positions: YamlPositions,
  ) {}
  /** Where the key or item `key` of `container` stands in the file. */
  at(container: unknown, key: string | number): Position | undefined {
    return this.positions.child(container, key);
  }
  /** Where `container` opens in the file. */
  of(container: unknown): Position | undefined {
    return this.positions.of(container);
  }
  add(code: string, message: string, where?: Position, item?: string): void {
    const p = where ?? this.fallback;
    this.errors.push(new SigmaEsError(code, message, { file: this.file, line: p.line, column: p.column, item }));
  }
  take(e: unknown, where?: Position, item?: string): void {
    if (e instanceof SigmaEsError) {
      const p = where ?? this.fallback;
      this.errors.push(e.at({ file: this.file, line: p.line, column: p.column, item }));
    } else throw e;
  }
}

function isMap(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function optString(obj: Record<string, unknown>, key: string, c: Collector, max?: number): string | undefined {
  const v = obj[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') {
    c.add('INVALID_FIELD', `'${key}' must be a string`, c.at(obj, key));
    return undefined;
  }
  if (max !== undefined && v.length > max) c.add('INVALID_FIELD', `'${key}' is longer than ${max} characters`, c.at(obj, key));
  return v;
}

function stringList(obj: Record<string, unknown>, key: string, c: Collector): string[] {
  const v = obj[key];
  if (v === undefined || v === null) return [];
  // pySigma and real rules sometimes give a single string where a list is expected.
  if (typeof v === 'string') return [v];
  if (!Array.isArray(v)) {
    c.add('INVALID_FIELD', `'${key}' must be a list of strings`, c.at(obj, key));
    return [];
  }
  const out: string[] = [];
  v.forEach((x, i) => {
    if (typeof x === 'string') out.push(x);
    else if (typeof x === 'number') out.push(String(x));
    else c.add('INVALID_FIELD', `'${key}' item ${i + 1} must be a string`, c.at(v, i));
  });
  return out;
}

function parseDate(obj: Record<string, unknown>, key: string, c: Collector): string | undefined {
  const v = obj[key];
  if (v === undefined || v === null) return undefined;
  const s = typeof v === 'string' ? v : String(v);
  if (!DATE_RE.test(s) || Number.isNaN(Date.parse(s))) {
    c.add('INVALID_DATE', `'${key}' must be a date written YYYY-MM-DD, got '${s}'`, c.at(obj, key));
    return undefined;
  }
  return s;
}

function parseLogsource(obj: Record<string, unknown>, c: Collector, required: boolean): IrRuleMeta['logsource'] {
  const ls = obj.logsource;
  if (ls === undefined) {
    if (required) c.add('MISSING_FIELD', "a rule needs a 'logsource'");
    return {};
  }
  if (!isMap(ls)) {
    c.add('INVALID_LOGSOURCE', "'logsource' must be a map with category, product and/or service", c.at(obj, 'logsource'));
    return {};
  }
  const out: IrRuleMeta['logsource'] = {};
  for (const k of ['category', 'product', 'service', 'definition'] as const) {
    const v = ls[k];
    if (v === undefined || v === null) continue;
    if (typeof v !== 'string') {
      c.add('INVALID_LOGSOURCE', `logsource '${k}' must be a string`, c.at(ls, k));
      continue;
    }
    out[k] = v;
  }
  if (!out.category && !out.product && !out.service) {
    c.add('INVALID_LOGSOURCE', "'logsource' needs at least one of category, product or service", c.at(obj, 'logsource'));
  }
  return out;
}

function parseMeta(obj: Record<string, unknown>, c: Collector, kind: 'rule' | 'correlation'): IrRuleMeta {
  const title = obj.title;
  if (title === undefined || title === null) c.add('MISSING_FIELD', "every Sigma document needs a 'title'");
  else if (typeof title !== 'string') c.add('INVALID_FIELD', "'title' must be a string", c.at(obj, 'title'));
  else if (title.length > 256) c.add('INVALID_FIELD', "'title' is longer than 256 characters", c.at(obj, 'title'));

  const id = obj.id;
  if (id !== undefined && id !== null && (typeof id !== 'string' || !UUID_RE.test(id))) {
    c.add('INVALID_ID', `'id' must be a UUID, got '${String(id)}'`, c.at(obj, 'id'));
  }
  const name = obj.name;
  if (name !== undefined && (typeof name !== 'string' || name === '')) {
    c.add('INVALID_FIELD', "'name' must be a non-empty string", c.at(obj, 'name'));
  }
  let status = optString(obj, 'status', c);
  if (status !== undefined) {
    status = status.toLowerCase();
    if (!STATUSES.includes(status)) c.add('INVALID_STATUS', `'status' must be one of ${STATUSES.join(', ')}; got '${obj.status}'`, c.at(obj, 'status'));
  }
  let level = optString(obj, 'level', c);
  if (level !== undefined) {
    level = level.toLowerCase();
    if (!LEVELS.includes(level)) c.add('INVALID_LEVEL', `'level' must be one of ${LEVELS.join(', ')}; got '${obj.level}'`, c.at(obj, 'level'));
  }
  const tags = stringList(obj, 'tags', c);
  const tagList = obj.tags;
  tags.forEach((t, i) => {
    if (!TAG_RE.test(t)) c.add('INVALID_TAG', `tag '${t}' must look like namespace.name in lowercase (e.g. attack.t1047)`, c.at(tagList, i));
  });
  const related = obj.related;
  if (related !== undefined && related !== null) {
    if (!Array.isArray(related)) c.add('INVALID_FIELD', "'related' must be a list of {id, type}", c.at(obj, 'related'));
    else
      related.forEach((r, i) => {
        const p = c.at(related, i);
        if (!isMap(r)) return c.add('INVALID_FIELD', `'related' item ${i + 1} must be a map with id and type`, p);
        if (typeof r.id !== 'string' || !UUID_RE.test(r.id)) c.add('INVALID_ID', `'related' item ${i + 1} needs a UUID 'id'`, p);
        if (typeof r.type !== 'string' || !RELATED_TYPES.includes(r.type))
          c.add('INVALID_FIELD', `'related' item ${i + 1} 'type' must be one of ${RELATED_TYPES.join(', ')}`, p);
      });
  }
  for (const k of ['references', 'falsepositives', 'fields', 'scope']) {
    const v = obj[k];
    if (v !== undefined && v !== null && typeof v !== 'string' && !Array.isArray(v)) {
      c.add('INVALID_FIELD', `'${k}' must be a list`, c.at(obj, k));
    }
  }
  const description = optString(obj, 'description', c, 65535);
  const author = optString(obj, 'author', c);
  return {
    id: typeof id === 'string' ? id : undefined,
    name: typeof name === 'string' ? name : undefined,
    title: typeof title === 'string' ? title : '',
    description,
    level,
    status,
    author,
    references: stringList(obj, 'references', c),
    falsepositives: stringList(obj, 'falsepositives', c),
    tags,
    fields: stringList(obj, 'fields', c),
    date: parseDate(obj, 'date', c),
    modified: parseDate(obj, 'modified', c),
    logsource: kind === 'rule' ? parseLogsource(obj, c, true) : {},
  };
}

function parseItemKey(key: string, identifier: string, pos: Position | undefined, c: Collector): { field: string | null; modifiers: string[] } | undefined {
  const [field, ...modifiers] = key.split('|');
  for (const m of modifiers) {
    if (!(m in MODIFIERS)) {
      c.add('UNKNOWN_MODIFIER', `unknown modifier '${m}' in '${key}'`, pos, `${identifier}.${key}`);
      return undefined;
    }
  }
  return { field: field === '' ? null : field, modifiers };
}

function scalarValues(v: unknown, where: string, pos: Position | undefined, c: Collector, item: string): Array<string | number | boolean | null> | undefined {
  const list = Array.isArray(v) ? v : [v];
  // pySigma reads an empty list as null (field missing); keep that reading.
  if (Array.isArray(v) && v.length === 0) return [null];
  for (const x of list) {
    if (x !== null && typeof x === 'object') {
      c.add('INVALID_DETECTION', `${where}: values must be strings, numbers, booleans or null, not ${Array.isArray(x) ? 'a list' : 'a map'}`, pos, item);
      return undefined;
    }
  }
  return list as Array<string | number | boolean | null>;
}

function parseSearchIdentifier(identifier: string, def: unknown, parent: unknown, c: Collector): DetectionGroup | undefined {
  const pos = c.at(parent, identifier);
  const parseMap = (m: Record<string, unknown>): DetectionGroup | undefined => {
    const items: DetectionItem[] = [];
    let ok = true;
    for (const [key, value] of Object.entries(m)) {
      const kpos = c.at(m, key) ?? pos;
      const parsed = parseItemKey(key, identifier, kpos, c);
      if (!parsed) {
        ok = false;
        continue;
      }
      const values = scalarValues(value, `'${identifier}.${key}'`, kpos, c, `${identifier}.${key}`);
      if (!values) {
        ok = false;
        continue;
      }
      items.push({ t: 'item', ...parsed, values, key, identifier, position: kpos });
    }
    if (!ok) return undefined;
    if (items.length === 0) {
      c.add('INVALID_DETECTION', `search identifier '${identifier}' is an empty map`, pos, identifier);
      return undefined;
    }
    return { t: 'and', items };
  };
  if (isMap(def)) return parseMap(def);
  if (Array.isArray(def)) {
    if (def.length === 0) {
      c.add('INVALID_DETECTION', `search identifier '${identifier}' is an empty list`, pos, identifier);
      return undefined;
    }
    const groups: Array<DetectionItem | DetectionGroup> = [];
    const keywords: Array<string | number | boolean | null> = [];
    let ok = true;
    def.forEach((x, i) => {
      if (isMap(x)) {
        const g = parseMap(x);
        if (g) groups.push(g);
        else ok = false;
      } else if (Array.isArray(x)) {
        c.add('INVALID_DETECTION', `search identifier '${identifier}' item ${i + 1} is a nested list`, c.at(def, i) ?? pos, identifier);
        ok = false;
      } else keywords.push(x as string | number | boolean | null);
    });
    if (!ok) return undefined;
    if (keywords.length) groups.push({ t: 'item', field: null, modifiers: [], values: keywords, key: '', identifier, position: pos });
    return { t: 'or', items: groups };
  }
  if (def === null || def === undefined) {
    c.add('INVALID_DETECTION', `search identifier '${identifier}' has no definition`, pos, identifier);
    return undefined;
  }
  // A lone scalar is a single keyword.
  return { t: 'or', items: [{ t: 'item', field: null, modifiers: [], values: [def as string | number | boolean], key: '', identifier, position: pos }] };
}

function parseDetection(obj: Record<string, unknown>, key: 'detection' | 'filter', c: Collector): Detection | undefined {
  const det = obj[key];
  if (det === undefined || det === null) {
    c.add('MISSING_FIELD', `a ${key === 'filter' ? 'filter' : 'rule'} needs a '${key}' section`);
    return undefined;
  }
  if (!isMap(det)) {
    c.add('INVALID_DETECTION', `'${key}' must be a map of search identifiers and a condition`, c.at(obj, key));
    return undefined;
  }
  const identifiers = new Map<string, DetectionGroup>();
  let ok = true;
  for (const [name, def] of Object.entries(det)) {
    if (name === 'condition' || (key === 'filter' && name === 'rules')) continue;
    if (name === 'timeframe') {
      c.add('INVALID_DETECTION', "'timeframe' was replaced by correlation rules (timespan)", c.at(det, name), name);
      ok = false;
      continue;
    }
    const g = parseSearchIdentifier(name, def, det, c);
    if (g) identifiers.set(name, g);
    else ok = false;
  }
  const cond = det.condition;
  const cpos = c.at(det, 'condition') ?? c.at(obj, key);
  const conditionText: string[] = [];
  if (cond === undefined || cond === null) {
    c.add('MISSING_FIELD', `'${key}' needs a 'condition'`, c.at(obj, key));
    return undefined;
  }
  if (typeof cond === 'string') conditionText.push(cond);
  else if (Array.isArray(cond) && cond.length > 0 && cond.every((x) => typeof x === 'string')) conditionText.push(...(cond as string[]));
  else {
    c.add('CONDITION_SYNTAX', "'condition' must be a string or a list of strings", cpos);
    return undefined;
  }
  if (identifiers.size === 0 && ok) {
    c.add('INVALID_DETECTION', `'${key}' defines no search identifiers`, c.at(obj, key));
    return undefined;
  }
  const conditions = [];
  for (const text of conditionText) {
    try {
      conditions.push(parseCondition(text));
    } catch (e) {
      c.take(e, cpos, 'condition');
      ok = false;
    }
  }
  if (!ok) return undefined;
  return { identifiers, conditions, conditionText };
}

function parseRule(obj: Record<string, unknown>, c: Collector, file: string | undefined, position: Position): SigmaRule | undefined {
  const meta = parseMeta(obj, c, 'rule');
  const detection = parseDetection(obj, 'detection', c);
  const custom: Record<string, unknown> = {};
  for (const k of Object.keys(obj)) if (!RULE_KEYS.has(k)) custom[k] = obj[k];
  if (!detection || c.errors.length) return undefined;
  return { kind: 'rule', file, position, meta, detection, custom };
}

function parseFilter(obj: Record<string, unknown>, c: Collector, file: string | undefined, position: Position): SigmaFilter | undefined {
  const title = obj.title;
  if (typeof title !== 'string') c.add('MISSING_FIELD', "a filter needs a string 'title'");
  const id = obj.id;
  if (id !== undefined && (typeof id !== 'string' || !UUID_RE.test(id))) c.add('INVALID_ID', `'id' must be a UUID, got '${String(id)}'`, c.at(obj, 'id'));
  const logsource = parseLogsource(obj, c, true);
  const f = obj.filter;
  let rules: string[] | 'any' = 'any';
  if (isMap(f)) {
    const r = f.rules;
    if (r === 'any' || r === undefined || r === null || (Array.isArray(r) && r.length === 0)) rules = 'any';
    else if (typeof r === 'string') rules = [r];
    else if (Array.isArray(r) && r.every((x) => typeof x === 'string')) rules = r as string[];
    else c.add('INVALID_FILTER', "filter 'rules' must be a list of rule ids or names, or 'any'", c.at(f, 'rules'));
  }
  const detection = parseDetection(obj, 'filter', c);
  if (!detection || c.errors.length) return undefined;
  return { kind: 'filter', file, position, id: id as string | undefined, title: title as string, logsource, rules, detection };
}

function parseNumber(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

function parseCorrelation(obj: Record<string, unknown>, c: Collector, file: string | undefined, position: Position): SigmaCorrelation | undefined {
  const meta = parseMeta(obj, c, 'correlation');
  const corr = obj.correlation;
  const cpos = c.at(obj, 'correlation');
  if (!isMap(corr)) {
    c.add('INVALID_CORRELATION', "'correlation' must be a map with type, rules, timespan…", cpos);
    return undefined;
  }
  const at = (k: string): Position | undefined => c.at(corr, k) ?? cpos;
  const type = corr.type as CorrelationType;
  if (!CORRELATION_TYPES.includes(type)) {
    c.add('INVALID_CORRELATION', `correlation 'type' must be one of ${CORRELATION_TYPES.join(', ')}; got '${String(corr.type)}'`, at('type'));
  }
  let rules: string[] = [];
  if (typeof corr.rules === 'string') rules = [corr.rules];
  else if (Array.isArray(corr.rules) && corr.rules.length > 0 && corr.rules.every((x) => typeof x === 'string')) rules = corr.rules as string[];
  else c.add('INVALID_CORRELATION', "correlation 'rules' must list the ids or names of the rules it correlates", at('rules'));

  let groupBy: string[] = [];
  const gb = corr['group-by'];
  if (typeof gb === 'string') groupBy = [gb];
  else if (Array.isArray(gb) && gb.every((x) => typeof x === 'string')) groupBy = gb as string[];
  else if (gb !== undefined && gb !== null) c.add('INVALID_CORRELATION', "'group-by' must be a field name or a list of field names", at('group-by'));

  let timespan = '';
  let timespanMs = 0;
  const ts = corr.timespan;
  const tm = typeof ts === 'string' ? /^(\d+)([smhd])$/.exec(ts) : null;
  if (tm) {
    timespan = ts as string;
    timespanMs = Number(tm[1]) * TIMESPAN_UNITS[tm[2]];
    if (timespanMs <= 0) c.add('INVALID_CORRELATION', "'timespan' must be positive", at('timespan'));
  } else c.add('INVALID_CORRELATION', `'timespan' must be a number and a unit s, m, h or d (e.g. 5m); got '${String(ts)}'`, at('timespan'));

  const temporal = type === 'temporal' || type === 'temporal_ordered';
  const condition: SigmaCorrelation['condition'] = { bounds: [] };
  const cond = corr.condition;
  if (cond === undefined || cond === null) {
    // The spec makes the condition optional for temporal types: all referenced rules must match.
    if (temporal) condition.bounds.push({ op: 'gte', value: rules.length });
    else c.add('INVALID_CORRELATION', `a ${type} correlation needs a 'condition' such as {gte: 10}`, cpos);
  } else if (isMap(cond)) {
    for (const [k, v] of Object.entries(cond)) {
      if (k === 'field') {
        if (typeof v === 'string') condition.field = v;
        else c.add('INVALID_CORRELATION', "condition 'field' must be a field name", c.at(cond, k));
      } else if (k === 'percentile') {
        const n = parseNumber(v);
        if (n === undefined || n < 0 || n > 100) c.add('INVALID_CORRELATION', "condition 'percentile' must be a number from 0 to 100", c.at(cond, k));
        else condition.percentile = n;
      } else if (['gt', 'gte', 'lt', 'lte', 'eq', 'neq'].includes(k)) {
        const n = parseNumber(v);
        if (n === undefined) c.add('INVALID_CORRELATION', `condition '${k}' needs a number`, c.at(cond, k));
        else condition.bounds.push({ op: k as 'gt', value: n });
      } else c.add('INVALID_CORRELATION', `unknown condition key '${k}' (use gt, gte, lt, lte, eq, neq, field)`, c.at(cond, k));
    }
    if (condition.bounds.length === 0) c.add('INVALID_CORRELATION', 'the condition needs at least one of gt, gte, lt, lte, eq, neq', at('condition'));
  } else c.add('INVALID_CORRELATION', "correlation 'condition' must be a map such as {gte: 10}", at('condition'));

  const valueType = type === 'value_count' || type === 'value_sum' || type === 'value_avg' || type === 'value_percentile';
  if (valueType && !condition.field) c.add('INVALID_CORRELATION', `a ${type} correlation needs 'condition.field'`, at('condition'));
  if (!valueType && condition.field) c.add('INVALID_CORRELATION', `'condition.field' is only for value_* correlations`, at('condition'));
  if (type === 'value_percentile' && condition.percentile === undefined) {
    c.add('INVALID_CORRELATION', "a value_percentile correlation needs 'condition.percentile'", at('condition'));
  }

  const aliases: Record<string, Record<string, string>> = {};
  const al = corr.aliases;
  if (al !== undefined && al !== null) {
    if (!isMap(al)) c.add('INVALID_CORRELATION', "'aliases' must map alias names to {rule: field}", at('aliases'));
    else
      for (const [alias, m] of Object.entries(al)) {
        if (!isMap(m) || !Object.values(m).every((x) => typeof x === 'string')) {
          c.add('INVALID_CORRELATION', `alias '${alias}' must map each rule to a field name`, c.at(al, alias));
          continue;
        }
        const unknown = Object.keys(m).filter((r) => !rules.includes(r));
        if (unknown.length) c.add('INVALID_CORRELATION', `alias '${alias}' names rules not in 'rules': ${unknown.join(', ')}`, c.at(al, alias));
        aliases[alias] = m as Record<string, string>;
      }
  }
  const generate = corr.generate;
  if (generate !== undefined && typeof generate !== 'boolean') c.add('INVALID_CORRELATION', "'generate' must be true or false", at('generate'));
  for (const k of Object.keys(corr)) {
    if (!['type', 'rules', 'group-by', 'timespan', 'condition', 'aliases', 'generate'].includes(k)) {
      c.add('INVALID_CORRELATION', `unknown correlation key '${k}'`, c.at(corr, k));
    }
  }
  if (c.errors.length) return undefined;
  return { kind: 'correlation', file, position, meta, type, rules, groupBy, timespan, timespanMs, condition, aliases, generate: generate === true };
}

/** Parse every document of one YAML text. YAML syntax errors abort the file (positions after them are unreliable). */
export function parseSigmaYaml(text: string, file?: string): ParsedDocument[] {
  const docs = loadYamlDocuments(text, file);
  return docs.map(({ value, position, positions }) => {
    const c = new Collector(file, position, positions);
    if (!isMap(value)) {
      c.add('RULE_NOT_MAPPING', 'a Sigma document must be a YAML map (title, logsource, detection…)', c.of(value) ?? position);
      return { position, errors: c.errors };
    }
    const label = typeof value.id === 'string' ? value.id : typeof value.title === 'string' ? value.title : undefined;
    let doc: SigmaDocument | undefined;
    if (value.action !== undefined) {
      c.add('INVALID_FIELD', "'action' (global/reset/repeat documents) is Sigma 1.0 syntax no longer in the specification; write complete rules", c.at(value, 'action'));
    } else if ('correlation' in value) doc = parseCorrelation(value, c, file, position);
    else if ('filter' in value && !('detection' in value)) doc = parseFilter(value, c, file, position);
    else doc = parseRule(value, c, file, position);
    for (const e of c.errors) e.at({ rule: label });
    return { doc: c.errors.length ? undefined : doc, label, position, errors: c.errors };
  });
}
