/**
 * Limits under which Elasticsearch refuses a whole document, as measured on ES 9.5 with the
 * project's index template (docs/evaluator.md "Semantics" has the requests and answers).
 * The flatten walk in event.ts calls these while it meets keys and objects, so an event ES
 * would refuse is marked `rejected`, and a deep one is not descended (no recursion blows up).
 */
import { DEPTH_LIMIT, TOTAL_FIELDS_LIMIT, type FieldKind, type MappingProfile } from '../mapping/profile';
import { MAX_NESTING, RawNumber } from './json';

export { MAX_NESTING };

export function nestingFault(depth: number): string {
  return `Document nesting depth (${depth}) exceeds the maximum allowed (${MAX_NESTING}, from \`StreamReadConstraints.getMaxNestingDepth()\`)`;
}

/**
 * ES counts an object field's depth as its dots + 2 and refuses an object deeper than the limit:
 * an object whose path has 20 names is refused, a value there is not. Null, [] and [[…]] make no
 * object; {} and [{…}] do.
 */
export const MAX_OBJECT_DOTS = DEPTH_LIMIT - 2;

export function countDots(path: string): number {
  let n = 0;
  for (let i = path.indexOf('.'); i >= 0; i = path.indexOf('.', i + 1)) n++;
  return n;
}

/** The depth fault for an object at `path` (dots > MAX_OBJECT_DOTS), naming its first too-deep prefix as ES does. */
export function depthFault(path: string): string {
  let end = -1;
  for (let i = 0; i <= MAX_OBJECT_DOTS + 1; i++) end = path.indexOf('.', end + 1);
  return `Limit of mapping depth [${DEPTH_LIMIT}] has been exceeded due to object field [${end < 0 ? path : path.slice(0, end)}]`;
}

/** Java's Character.isWhitespace (U+00A0, U+2007, U+202F and U+0085 are not). */
export function isJavaWhitespace(c: number): boolean {
  if (c <= 32) return c === 32 || (c >= 9 && c <= 13) || (c >= 0x1c && c <= 0x1f);
  return c === 0x1680 || (c >= 0x2000 && c <= 0x2006) || (c >= 0x2008 && c <= 0x200a) || c === 0x2028 || c === 0x2029 || c === 0x205f || c === 0x3000;
}

function allWhitespace(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (!isJavaWhitespace(s.charCodeAt(i))) return false;
  return true;
}

/** Whether a key needs `keyFault`: cheap enough to ask of every key. */
export function suspectKey(k: string, dotted: boolean): boolean {
  if (dotted || k.length === 0) return true;
  const c = k.charCodeAt(0);
  return c <= 32 || c >= 0x1680 || c === 95; /* _ */
}

// Metadata fields a document may not set at its top level (measured: `_doc_count`, `_tsid`,
// `_feature` and unknown `_x` names are accepted; `_doc_count` with a non-number is not modelled).
// `_id` is left out: `seed` and `test` take an event's `_id` as its document id, not a field.
const METADATA = new Set(['_index', '_source', '_routing', '_ignored', '_ignored_source', '_seq_no', '_version', '_primary_term', '_field_names', '_data_stream_timestamp', '_tier', '_nested_path']);

/**
 * Why ES refuses a document with this key, or null. Java's `split("\\.")` drops trailing empty
 * names, so `a.` and `a..` are the field `a` (see trimTrailingDots); an empty name elsewhere or
 * a blank one is refused, each with ES's own message (the wording is ES's, odd as it is).
 */
export function keyFault(k: string, top: boolean): string | null {
  if (k.length === 0) return 'field name cannot be an empty string';
  if (top && k.charCodeAt(0) === 95) {
    const d = k.indexOf('.');
    const first = d < 0 ? k : k.slice(0, d);
    if (METADATA.has(first)) return `failed to parse field [${first}] of type [${first}]`;
  }
  if (!k.includes('.')) return allWhitespace(k) ? `Field name cannot contain only whitespace: [${k}]` : null;
  if (plainDotted(k)) return null;
  const parts = trimTrailingDots(k).split('.');
  if (parts.length === 1 && parts[0] === '') return 'field name cannot contain only dots';
  for (const p of parts) {
    if (p === '') return `field name cannot contain only whitespace: ['${k}']`;
    if (allWhitespace(p)) return `field name starting or ending with a [.] makes object resolution ambiguous: [${k}]`;
  }
  return null;
}

/** A dotted key no check below refuses: every name starts with a character that is neither a dot nor possibly blank. */
function plainDotted(k: string): boolean {
  const c = k.charCodeAt(0);
  if (c === 46 || c <= 32 || c >= 0x1680) return false;
  for (let d = k.indexOf('.'); d >= 0; d = k.indexOf('.', d + 1)) {
    const n = k.charCodeAt(d + 1);
    // NaN (a trailing dot) fails every comparison: left to the full check
    if (!(n !== 46 && n > 32 && n < 0x1680)) return false;
  }
  return true;
}

export function trimTrailingDots(k: string): string {
  let e = k.length;
  while (e > 0 && k.charCodeAt(e - 1) === 46) e--;
  return e === k.length ? k : k.slice(0, e);
}

/**
 * The source with every key that ends in a dot renamed as ES reads it (`{"a.":1}` is `{"a":1}`),
 * for the rare event that has one. Only called on events within the nesting limit.
 */
export function renameTrailingDots(v: unknown): unknown {
  if (v === null || typeof v !== 'object' || v instanceof RawNumber) return v;
  if (Array.isArray(v)) return v.map(renameTrailingDots);
  const out: Record<string, unknown> = {};
  const merged = new Set<string>();
  for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
    const name = k.includes('.') ? trimTrailingDots(k) : k;
    let value = renameTrailingDots(x);
    // `{"a":1,"a.":2}` is two values of `a` (not duplicate keys to Jackson): an array holds both
    if (Object.prototype.hasOwnProperty.call(out, name)) {
      if (merged.has(name)) (out[name] as unknown[]).push(value), (value = out[name]);
      else (value = [out[name], value]), merged.add(name);
    }
    Object.defineProperty(out, name, { value, enumerable: true, writable: true, configurable: true });
  }
  return out;
}

/** The objects a dotted path implies, outermost first (`a.b.c` → `a`, `a.b`). */
export function pathPrefixes(path: string): string[] {
  const out: string[] = [];
  for (let d = path.indexOf('.'); d > 0; d = path.indexOf('.', d + 1)) out.push(path.slice(0, d));
  return out;
}

/**
 * ES's total-fields verdict on one event into a fresh index from the template `t`: every new
 * path with a value (not null, not []), every new object ({} included) and every object a dotted
 * key implies is one field; the template's own fields and objects are already counted. The
 * caller asks only when the paths it met (with repeats) exceed `t.newFieldsAllowed`: most events
 * never get here.
 */
export function totalFieldsFault(t: TemplateShape, valuePaths: Iterable<string>, objectPaths: Iterable<string>): string | null {
  const added = new Set<string>();
  const add = (p: string): void => {
    for (const q of [...pathPrefixes(p), p]) if (!t.mapped.has(q)) added.add(q);
  };
  for (const p of valuePaths) add(p);
  for (const p of objectPaths) add(p);
  if (added.size <= t.newFieldsAllowed) return null;
  return `Limit of total fields [${t.totalFieldsLimit}] has been exceeded while adding new fields [${t.newFieldsAllowed + 1}]`;
}

/** The profile's template as ES maps it before any document. */
export interface TemplateShape {
  /** Its typed leaves and the catch-all keywords field. */
  leaves: Map<string, FieldKind>;
  /** The objects their dotted names imply. */
  objects: string[];
  /** Every path it maps (leaves and objects): the fields an index made from it counts already. */
  mapped: Set<string>;
  /** `index.mapping.total_fields.limit` of such an index. */
  totalFieldsLimit: number;
  /** Fields such an index can still add: the limit less `mapped`. */
  newFieldsAllowed: number;
}
const templateShapes = new WeakMap<MappingProfile, TemplateShape>();

/**
 * Derived once per profile. A document giving an object where the template maps a value
 * ("failed to parse field [SourceIp] of type [ip] … Expected text … but found START_OBJECT") or
 * a value where it maps an object ("object mapping for [process] tried to parse field [process]
 * as object, but found a concrete value") is refused in any index made from the profile,
 * whatever it held before; its mapped paths also count towards the total-fields limit.
 */
export function templateShape(profile: MappingProfile): TemplateShape {
  let t = templateShapes.get(profile);
  if (!t) {
    const leaves = new Map<string, FieldKind>([[profile.keywordsField, 'keyword']]);
    const objects = new Set<string>();
    for (const [field, kind] of Object.entries(profile.fields)) {
      leaves.set(field, kind);
      for (const o of pathPrefixes(field)) objects.add(o);
    }
    const mapped = new Set([...leaves.keys(), ...objects]);
    const totalFieldsLimit = profile.totalFieldsLimit ?? TOTAL_FIELDS_LIMIT;
    t = { leaves, objects: [...objects], mapped, totalFieldsLimit, newFieldsAllowed: totalFieldsLimit - mapped.size };
    templateShapes.set(profile, t);
  }
  return t;
}

export const objectUnderLeafFault = (path: string, kind: FieldKind): string => `failed to parse field [${path}] of type [${kind}]`;
// ES names the field by its last name ([null] when the value sits in an array)
export const valueAtObjectFault = (path: string): string => `object mapping for [${path}] tried to parse field [${path.slice(path.lastIndexOf('.') + 1)}] as object, but found a concrete value`;
