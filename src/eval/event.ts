/**
 * An event as Elasticsearch indexes it under a mapping profile.
 *
 * Field lookup follows ES's document parsing: `{"a.b":1}` and `{"a":{"b":1}}` are the same
 * field `a.b`; arrays (of values or of objects) contribute every member; `null` and `[]`
 * contribute nothing. Each field then gets the values its mapped type indexes: keyword text
 * (strings as-is, numbers as their JSON source text, booleans as "true"/"false"; values longer
 * than ignore_above are not indexed), numbers for long/double/date, 16-byte addresses for ip.
 * A value a typed field cannot parse makes ES reject the whole document; such an event is
 * marked `rejected` and matches nothing (it would never be in the index).
 */

import { RawNumber } from './json';
import { parseIp, type Ip16 } from './ip';
import { MAX_NESTING, MAX_OBJECT_DOTS, countDots, depthFault, keyFault, nestingFault, objectUnderLeafFault, pathPrefixes, renameTrailingDots, suspectKey, templateShape, totalFieldsFault, valueAtObjectFault, type TemplateShape } from './limits';
import type { FieldKind, MappingProfile } from '../mapping/profile';

export type JsonScalar = string | number | boolean | RawNumber;

export interface FieldValues {
  kind: FieldKind;
  /** keyword: indexed terms (≤ ignore_above). */
  terms: string[];
  /** long/double/date (epoch ms)/boolean (0/1) values. */
  nums: number[];
  ips: Ip16[];
  /** Evaluator caches, filled on demand (declared so every FieldValues has one shape). */
  lo: string[] | undefined;
  g: string[] | undefined;
}

export interface PreparedEvent {
  source: Record<string, unknown>;
  /** Every flattened field with its raw JSON scalars (for outputs, group-by, fieldref); built when first read. */
  raw: Map<string, JsonScalar[]>;
  /** Fields with at least one indexed value: what `exists` sees. */
  fields: ReadonlyMap<string, FieldValues>;
  /** Every keyword term of the event: the catch-all keywords field. */
  keywordTerms: string[];
  /** Why Elasticsearch would refuse to index this event, or null. */
  rejected: string | null;
  kwLo: string[] | undefined;
  kwG: string[] | undefined;
}

/** The text Elasticsearch indexes for a JSON scalar in a keyword field. */
export function keywordText(v: JsonScalar): string {
  if (typeof v === 'string') return v;
  if (v instanceof RawNumber) return v.raw;
  return String(v);
}

// Dotted paths of nested objects, reused across events: a freshly concatenated path is hashed in
// full by every Map it meets, a reused one only once (its hash is cached in the string). Each
// path is a node of a tree keyed like the events' objects, which also holds the path's value
// list while an event is flattened: a leaf then needs no lookup in the event's map to tell a
// first value from a repeated one. Most events share a few dozen paths; the tree is dropped, between
// events, whenever it grows past a bound.
export interface PathNode {
  path: string;
  /** Whether this node's own key contains a dot. */
  dot: boolean;
  /** Whether no key on the way to it (its own included) contains a dot. */
  plain: boolean;
  kids: Map<string, PathNode> | undefined;
  /** The flatten (`flattens`) that last gave this path a value, and the list it gave. */
  seen: number;
  values: JsonScalar[];
  /** The flatten that last met this path as an object. */
  obj: number;
  /** The path's kind under the kinds map last asked (prepareEvent). */
  kinds: Map<string, FieldKind> | undefined;
  kind: FieldKind;
  /**
   * Where the path's values are in the EventFields numbered `fvOf` (EventFields.get reads them
   * while that is the current one). Numbers, not references: a node outlives events, and a
   * reference from it would keep an event's values alive (or cost a pass to clear it).
   */
  fvAt: number;
  fvOf: number;
  /** The keys of the object last met at this path and their nodes: the next event's are nearly always the same. */
  lastKeys: string[] | undefined;
  lastKids: PathNode[];
  /** Whether one of those keys needs a look from limits.ts (most objects have none: no look per key). */
  lastSuspect: boolean;
  /** A slot for the evaluator (fast.ts: its per-field state, valid while `extOf` is its owner). */
  ext: unknown;
  extOf: unknown;
}
const newNode = (path: string, dot: boolean, plain: boolean): PathNode => ({ path, dot, plain, kids: undefined, seen: 0, values: NO_VALUES, obj: 0, kinds: undefined, kind: 'keyword', fvAt: 0, fvOf: 0, lastKeys: undefined, lastKids: NO_KIDS, lastSuspect: false, ext: undefined, extOf: undefined });
const NO_KIDS: PathNode[] = [];
const NO_VALUES: JsonScalar[] = [];
let root = newNode('', false, true);
let pathNodes = 0;
/**
 * The nodes under no dotted key, by path: no two of them share a path (keys without a dot join
 * into a path one way only), so a path names the node an event without dotted keys gave it.
 */
let plainNodes = new Map<string, PathNode>();
let flattens = 0;
const PATH_CACHE_MAX = 50_000;

/** Flatten like ES: dotted paths, arrays contribute members, null/[] contribute nothing. */
export function flattenEvent(source: Record<string, unknown>): { raw: Map<string, JsonScalar[]>; conflict: string | null } {
  const st = flatten(source);
  return { raw: st.raw ?? toMap(st.nodes, st.lists), conflict: st.conflict };
}

function flatten(source: Record<string, unknown>): FlattenState {
  if (pathNodes >= PATH_CACHE_MAX) {
    root = newNode('', false, true);
    pathNodes = 0;
    plainNodes = new Map();
    current = undefined;
  }
  const st: FlattenState = { nodes: [], lists: [], raw: undefined, objectPaths: [], dotted: undefined, id: ++flattens, clash: false, conflict: null };
  walkValue(st, root, source, false, 0);
  // the lists are the event's: a long-lived node holding one would keep it through a scavenge
  for (const nd of st.nodes) nd.values = NO_VALUES;
  if (st.trailingDot && !st.tooDeep) return flatten(renameTrailingDots(source) as Record<string, unknown>);
  if (st.raw === undefined) {
    // every path has one node: a clash is a node that was both, and the message names the first
    if (st.clash) st.conflict = firstConflict(st.objectPaths, toMap(st.nodes, st.lists));
    return st;
  }
  // A key with a dot is an object too ({"a.b":1} is {"a":{"b":1}}). The prefixes where one key
  // ends and the next begins were met as objects on the way down; only leaves under a dotted
  // key can add more.
  if (st.dotted) {
    for (const k of st.dotted) {
      for (const o of pathPrefixes(k)) st.objectPaths.push(o);
    }
  }
  st.conflict = firstConflict(st.objectPaths, st.raw);
  return st;
}

function fieldsFault(st: FlattenState, t: TemplateShape): string | null {
  // paths met (with repeats) bound the fields the event adds: most events are far below
  const bound = (st.raw?.size ?? st.nodes.length) + st.objectPaths.length + (st.keyDots ?? 0);
  if (bound <= t.newFieldsAllowed) return null;
  return totalFieldsFault(t, st.raw ? st.raw.keys() : st.nodes.map((n) => n.path), st.objectPaths);
}

/** An object where the profile's template maps a value, or a value where it maps an object (limits.ts templateShape). */
function templateFault(st: FlattenState, t: TemplateShape): string | null {
  for (const p of st.objectPaths) {
    const kind = t.leaves.get(p);
    if (kind !== undefined) return objectUnderLeafFault(p, kind);
  }
  for (const o of t.objects) {
    // before any dotted key every path has one node, the plain one
    if (st.raw !== undefined ? st.raw.has(o) : plainNodes.get(o)?.seen === st.id) return valueAtObjectFault(o);
  }
  return null;
}

/** One name cannot be both an object and a value in one document: ES fails to map it. */
function firstConflict(objectPaths: string[], raw: Map<string, JsonScalar[]>): string | null {
  for (const p of objectPaths) if (raw.has(p)) return `field [${p}] is both an object and a value`;
  return null;
}

function toMap(nodes: PathNode[], lists: JsonScalar[][]): Map<string, JsonScalar[]> {
  const m = new Map<string, JsonScalar[]>();
  for (let i = 0; i < nodes.length; i++) m.set(nodes[i].path, lists[i]);
  return m;
}

interface FlattenState {
  /** Until a dotted key: the paths given values, in first-seen order (their lists on the nodes). */
  nodes: PathNode[];
  /** Their value lists (a node's own is the next event's once that event reaches it). */
  lists: JsonScalar[][];
  /**
   * From the first key with a dot on, when two nodes may name one path ({"a":{"b":1},"a.b":2}):
   * the event's map, which leaves then go by.
   */
  raw: Map<string, JsonScalar[]> | undefined;
  // An array, not a Set: only the first path that is also a value matters, in first-seen order.
  objectPaths: string[];
  /** Leaf paths under a key that contains a dot. */
  dotted: string[] | undefined;
  id: number;
  /** Whether a node was both an object and a value (before any dotted key). */
  clash: boolean;
  conflict: string | null;
  // Set only on the rare events that need them (limits.ts), so the common shape stays small.
  /** The first key, object or nesting level that makes ES refuse the document (walk order). */
  fault?: string;
  /** A key ends with a dot: ES reads `a.` as `a`, so the event is flattened again, renamed. */
  trailingDot?: boolean;
  /** Past the nesting limit: not descended, and refused whatever its names. */
  tooDeep?: boolean;
  /** The dots of dotted keys: with the paths met, a bound on the fields the event adds. */
  keyDots?: number;
}

// read once: an imported binding is a property load (a getter, re-exported) on every object met
const NESTING_LIMIT = MAX_NESTING;
const DEEP_OBJECT_DOTS = MAX_OBJECT_DOTS;

function tooDeep(st: FlattenState, depth: number): void {
  st.fault ??= nestingFault(depth);
  st.tooDeep = true;
}

/** `depth`: the objects and arrays open around `v` (Jackson's nesting depth, the document's own included). */
function walkValue(st: FlattenState, node: PathNode, v: unknown, dotted: boolean, depth: number): void {
  // one typeof tells objects (arrays, RawNumber) from scalars: each object went through three and an instanceof
  if (typeof v !== 'object') {
    if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') addValue(st, node, v, dotted);
    return;
  }
  if (v === null) return;
  if (v instanceof RawNumber) {
    addValue(st, node, v, dotted);
    return;
  }
  if (depth >= NESTING_LIMIT) return tooDeep(st, depth + 1);
  if (Array.isArray(v)) {
    for (const m of v) walkValue(st, node, m, dotted, depth + 1);
    return;
  }
  // every name is at least one character, so a path of fewer than 2 * MAX_OBJECT_DOTS + 3 has fewer dots
  if (node.path.length > 2 * DEEP_OBJECT_DOTS + 2 && countDots(node.path) > DEEP_OBJECT_DOTS) return void (st.fault ??= depthFault(node.path));
  const o = v as Record<string, unknown>;
  // an object at the empty path (the document, or under a key "" there) names its keys as the document does
  const top = node.path === '';
  if (top) node = root;
  else {
    st.objectPaths.push(node.path);
    if (node.seen === st.id) st.clash = true;
    node.obj = st.id;
  }
  // Keys are internalised strings (JSON.parse's, or a literal's): an event shaped like the last
  // one at this path compares them by identity and takes their nodes without a lookup per key.
  const keys = Object.keys(o);
  let list = node.lastKids;
  const last = node.lastKeys;
  let same = last !== undefined && last.length === keys.length;
  for (let i = 0; same && i < keys.length; i++) same = (last as string[])[i] === keys[i];
  if (!same) {
    const kids = (node.kids ??= new Map());
    list = new Array<PathNode>(keys.length);
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i];
      let kid = kids.get(k);
      if (kid === undefined) {
        const dot = k.includes('.');
        kid = newNode(top ? k : `${node.path}.${k}`, dot, node.plain && !dot);
        kids.set(k, kid);
        if (kid.plain) plainNodes.set(kid.path, kid);
        pathNodes++;
      }
      list[i] = kid;
    }
    node.lastKeys = keys;
    node.lastKids = list;
    let suspect = false;
    for (let i = 0; i < keys.length && !suspect; i++) suspect = suspectKey(keys[i], list[i].dot);
    node.lastSuspect = suspect;
  }
  // The values are read in a for-in over the same keys: its `o[key]` is a load by the enum
  // cache's index, where `o[keys[i]]` was a keyed lookup per key (a flat Sysmon event's walk:
  // 1.1 -> 0.5 us). For-in gives the own keys first, in Object.keys order; inherited enumerable
  // ones (a polluted prototype, a caller's own classes) come after and are not read.
  let i = 0;
  for (const key in o) {
    if (i === keys.length) break;
    const k = keys[i];
    const kid = list[i++];
    if (node.lastSuspect && suspectKey(k, kid.dot)) {
      const fault = keyFault(k, top);
      if (fault !== null) {
        st.fault ??= fault;
        continue;
      }
      if (kid.dot) {
        if (k.charCodeAt(k.length - 1) === 46) st.trailingDot = true;
        const dots = countDots(kid.path);
        // the objects a dotted key implies are checked here: the walk never enters them
        if (dots > DEEP_OBJECT_DOTS + 1) st.fault ??= depthFault(kid.path);
        st.keyDots = (st.keyDots ?? 0) + dots;
      }
    }
    if (kid.dot && st.raw === undefined) st.raw = toMap(st.nodes, st.lists);
    walkValue(st, kid, key === k ? o[key] : o[k], dotted || kid.dot, depth + 1);
  }
}

function addValue(st: FlattenState, node: PathNode, v: JsonScalar, dotted: boolean): void {
  const raw = st.raw;
  if (raw === undefined) {
    if (node.seen === st.id) node.values.push(v);
    else {
      node.seen = st.id;
      st.nodes.push(node);
      st.lists.push((node.values = [v]));
      if (node.obj === st.id) st.clash = true;
    }
    return;
  }
  const arr = raw.get(node.path);
  if (arr) arr.push(v);
  else {
    raw.set(node.path, [v]);
    if (dotted) (st.dotted ??= []).push(node.path);
  }
}

// strict_date_optional_time: the date part, optionally time, fraction up to 9 digits, zone.
const ISO_DATE = /^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:T(\d{2})(?::(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?)?)?)?(Z|[+-]\d{2}(?::?\d{2})?)?$/;

/** ES date with format `strict_date_optional_time||epoch_millis`; null when ES would reject it. */
export function parseEsDate(v: JsonScalar): number | null {
  if (typeof v === 'boolean') return null;
  if (typeof v === 'number') return Number.isFinite(v) ? Math.trunc(v) : null;
  if (v instanceof RawNumber) return Number.isFinite(v.value) ? Math.trunc(v.value) : null;
  if (v.length === 24) {
    const t = isoMillisZ(v);
    if (t !== undefined) return t;
  }
  return parseEsDateText(v);
}

/** parseEsDate of a string by the general path (exported for the test holding isoMillisZ to it). */
export function parseEsDateText(v: string): number | null {
  const m = ISO_DATE.exec(v);
  if (m) {
    const [, y, mo, d, h, mi, s, frac, zone] = m;
    if (zone && !h) return null;
    const month = mo ? Number(mo) : 1;
    const day = d ? Number(d) : 1;
    const hour = h ? Number(h) : 0;
    const min = mi ? Number(mi) : 0;
    const sec = s ? Number(s) : 0;
    if (month < 1 || month > 12 || day < 1 || hour > 23 || min > 59 || sec > 59) return null;
    const ms = frac ? Math.floor(Number((frac + '000000000').slice(0, 9)) / 1e6) : 0;
    const year = Number(y);
    // 2023-02-30; Date.UTC reads years 0-99 as 1900-1999, whose leap years decided here before
    if (day > daysInMonth(year < 100 ? 1900 + year : year, month)) return null;
    let t = Date.UTC(year, month - 1, day, hour, min, sec, ms);
    if (year < 100) t = new Date(t).setUTCFullYear(year);
    if (zone && zone !== 'Z') {
      const sign = zone[0] === '-' ? -1 : 1;
      const digits = zone.slice(1).replace(':', '');
      const off = Number(digits.slice(0, 2)) * 60 + (digits.length > 2 ? Number(digits.slice(2)) : 0);
      t -= sign * off * 60000;
    }
    return t;
  }
  if (/^-?\d+(\.\d+)?$/.test(v)) return Math.trunc(Number(v));
  return null;
}

/**
 * `YYYY-MM-DDTHH:MM:SS.sssZ`, the shape nearly every event's timestamp has, read digit by digit:
 * the value parseEsDate's general path gives (null when it refuses), or undefined for any other
 * shape (and years below 100, which that path treats apart).
 */
function isoMillisZ(v: string): number | null | undefined {
  if (v.charCodeAt(4) !== 45 || v.charCodeAt(7) !== 45 || v.charCodeAt(10) !== 84 || v.charCodeAt(13) !== 58 || v.charCodeAt(16) !== 58 || v.charCodeAt(19) !== 46 || v.charCodeAt(23) !== 90) return undefined;
  const d = (i: number): number => {
    const c = v.charCodeAt(i) - 48;
    return c >= 0 && c <= 9 ? c : NaN;
  };
  const year = d(0) * 1000 + d(1) * 100 + d(2) * 10 + d(3);
  const month = d(5) * 10 + d(6);
  const day = d(8) * 10 + d(9);
  const hour = d(11) * 10 + d(12);
  const min = d(14) * 10 + d(15);
  const sec = d(17) * 10 + d(18);
  const ms = d(20) * 100 + d(21) * 10 + d(22);
  // a non-digit anywhere made one of them NaN
  if (Number.isNaN(year + month + day + hour + min + sec + ms) || year < 100) return undefined;
  if (month < 1 || month > 12 || day < 1 || hour > 23 || min > 59 || sec > 59) return null;
  if (day > daysInMonth(year, month)) return null;
  return Date.UTC(year, month - 1, day, hour, min, sec, ms);
}

function daysInMonth(year: number, month: number): number {
  if (month !== 2) return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
}

const LONG_MAX = 9223372036854775807;

const LONG_MIN_BIG = -(2n ** 63n);
const LONG_MAX_BIG = 2n ** 63n - 1n;

/** Whether decimal text, truncated toward zero, fits a Java long (what ES's coercing parse accepts). */
function longInRange(text: string): boolean {
  const m = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(text);
  if (!m) return false;
  const digits = BigInt(`${m[2] || '0'}${m[3] ?? ''}`);
  const shift = Number(m[4] ?? 0) - (m[3] ?? '').length;
  if (shift > 40) return digits === 0n;
  const whole = shift >= 0 ? digits * 10n ** BigInt(shift) : shift < -400 ? 0n : digits / 10n ** BigInt(-shift);
  const signed = m[1] === '-' ? -whole : whole;
  return signed >= LONG_MIN_BIG && signed <= LONG_MAX_BIG;
}

/** Numeric value for a long/double field (ES coerces numeric strings; long truncates). */
function parseNumeric(v: JsonScalar, kind: 'long' | 'double'): number | null | 'skip' {
  let n: number;
  if (typeof v === 'boolean') return null;
  if (typeof v === 'number') n = v;
  else if (v instanceof RawNumber) n = v.value;
  else {
    // A long field parses the string as written (" 4" and "4\n" make ES refuse the document);
    // a double field goes through Java's Double.parseDouble, which ignores surrounding whitespace.
    const t = kind === 'long' ? v : v.replace(/^[\u0000-\u0020]+|[\u0000-\u0020]+$/g, '');
    if (v === '') return 'skip'; // coerce: an empty string is a null value
    if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(t)) return null;
    n = Number(t);
  }
  if (!Number.isFinite(n)) return null;
  if (kind === 'long') {
    n = Math.trunc(n);
    if (n > LONG_MAX || n < -LONG_MAX - 1) return null;
    // Near the limits a double cannot tell 2^63 - 1 from 2^63: decide on the written digits.
    if (Math.abs(n) >= 2 ** 62 && typeof v !== 'number' && !longInRange(v instanceof RawNumber ? v.raw : v)) return null;
    if (Object.is(n, -0)) n = 0;
  }
  return n;
}

// Field names are fresh strings per event; looking them up as object properties internalises
// each one (a string-table probe), several times the cost of a Map lookup on nested events.
// Every name met is cached with its resolved kind (keyword when the profile does not type it):
// one lookup per field and event.
const kindMaps = new WeakMap<Record<string, FieldKind>, Map<string, FieldKind>>();
const KIND_CACHE_MAX = 50_000;
function kindMap(profile: MappingProfile): Map<string, FieldKind> {
  let m = kindMaps.get(profile.fields);
  if (!m) kindMaps.set(profile.fields, (m = new Map()));
  return m;
}
function kindOf(m: Map<string, FieldKind>, profile: MappingProfile, name: string): FieldKind {
  let k = m.get(name);
  if (k === undefined) {
    if (m.size >= KIND_CACHE_MAX) m.clear();
    // names a plain-object lookup resolves through Object.prototype are kept as they were read
    k = (Object.prototype.hasOwnProperty.call(profile.fields, name) || INHERITED.has(name) ? profile.fields[name] : undefined) ?? 'keyword';
    m.set(name, k);
  }
  return k;
}
const INHERITED = new Set(Object.getOwnPropertyNames(Object.prototype));

const NO_TERMS = Object.freeze([]) as unknown as string[];
const NO_NUMS = Object.freeze([]) as unknown as number[];
const NO_IPS = Object.freeze([]) as unknown as Ip16[];

export function prepareEvent(source: Record<string, unknown>, profile: MappingProfile): PreparedEvent {
  const st = flatten(source);
  const fields = new EventFields(st.raw === undefined);
  current = st.raw === undefined ? fields : undefined;
  const keywordTerms: string[] = [];
  const shape = templateShape(profile);
  let rejected: string | null = st.fault ?? st.conflict ?? templateFault(st, shape) ?? fieldsFault(st, shape);
  const limit = profile.ignoreAbove;
  const kinds = kindMap(profile);
  const nodes = st.nodes;
  const raw = st.raw;
  // the event's paths in first-seen order: the nodes, or (after a dotted key) the map
  const names = raw === undefined ? undefined : [...raw.keys()];
  const lists = raw === undefined ? undefined : [...raw.values()];
  const count = raw === undefined ? nodes.length : raw.size;
  for (let i = 0; i < count; i++) {
    let name: string;
    let values: JsonScalar[];
    let kind: FieldKind;
    let nd: PathNode | undefined;
    if (names === undefined) {
      nd = nodes[i];
      name = nd.path;
      values = st.lists[i];
      if (nd.kinds !== kinds) (nd.kind = kindOf(kinds, profile, name)), (nd.kinds = kinds);
      kind = nd.kind;
    } else {
      name = names[i];
      values = (lists as JsonScalar[][])[i];
      kind = kindOf(kinds, profile, name);
    }
    // A field has values of one kind only; the other lists are shared, frozen empty arrays.
    const fv: FieldValues = kind === 'keyword' ? { kind, terms: NO_TERMS, nums: NO_NUMS, ips: NO_IPS, lo: undefined, g: undefined } : { kind, terms: NO_TERMS, nums: [], ips: [], lo: undefined, g: undefined };
    if (kind === 'keyword') {
      if (values.length === 1) {
        const v = values[0];
        const t = keywordText(v);
        if (t.length <= limit) {
          // a lone string is its own term list (neither list is changed once the event is prepared)
          fv.terms = typeof v === 'string' ? (values as string[]) : [t];
          keywordTerms.push(t);
          fields.add(name, fv, nd);
        }
        continue;
      }
      const terms: string[] = [];
      for (const v of values) {
        const t = keywordText(v);
        if (t.length <= limit) {
          terms.push(t);
          keywordTerms.push(t);
        }
      }
      if (terms.length > 0) {
        fv.terms = terms;
        fields.add(name, fv, nd);
      }
      continue;
    }
    for (const v of values) {
      if (kind === 'ip') {
        const ip = typeof v === 'string' ? parseIp(v) : null;
        if (!ip) rejected ??= `field [${name}] of type [ip]: '${keywordText(v)}' is not an IP string literal`;
        else fv.ips.push(ip);
      } else if (kind === 'date') {
        const t = parseEsDate(v);
        if (t === null) rejected ??= `field [${name}] of type [date]: failed to parse '${keywordText(v)}'`;
        else fv.nums.push(t);
      } else if (kind === 'boolean') {
        if (v === true || v === 'true') fv.nums.push(1);
        else if (v === false || v === 'false' || v === '') fv.nums.push(0);
        else rejected ??= `field [${name}] of type [boolean]: failed to parse '${keywordText(v)}'`;
      } else {
        const n = parseNumeric(v, kind);
        if (n === null) rejected ??= `field [${name}] of type [${kind}]: failed to parse '${keywordText(v)}'`;
        else if (n !== 'skip') fv.nums.push(n);
      }
    }
    if (fv.nums.length > 0 || fv.ips.length > 0) fields.add(name, fv, nd);
  }
  return new Prepared(source, fields, keywordTerms, rejected, raw, raw === undefined ? nodes : undefined, st.lists);
}

/** The event being matched: the one prepared last, if it had no dotted key (its values are on the path nodes). */
let current: EventFields | undefined;
let eventFieldsIds = 0;

/**
 * An event's fields, in first-seen order. While it is the event prepared last (the one being
 * matched), a field is found through its path node, which holds its place: building a Map
 * per event (38 insertions and four rehashes on an ECS event) was a sixth of preparing it.
 * Any later read (correlations, explanations) builds the Map.
 */
export class EventFields implements ReadonlyMap<string, FieldValues> {
  readonly names: string[] = [];
  readonly vals: FieldValues[] = [];
  /** The fields' path nodes (when onNodes). */
  readonly nodes: PathNode[] = [];
  private map: Map<string, FieldValues> | undefined;
  /** Whether the values' places were left on the (plain) path nodes. */
  readonly onNodes: boolean;
  private readonly id: number;
  constructor(onNodes: boolean) {
    this.onNodes = onNodes;
    // 2^53 events before a repeat
    this.id = ++eventFieldsIds;
  }
  add(name: string, fv: FieldValues, nd: PathNode | undefined): void {
    this.names.push(name);
    this.vals.push(fv);
    if (nd !== undefined) (nd.fvAt = this.names.length - 1), (nd.fvOf = this.id), this.nodes.push(nd);
  }
  get size(): number {
    return this.names.length;
  }
  get(name: string): FieldValues | undefined {
    if (this.onNodes && current === this) {
      const nd = plainNodes.get(name);
      return nd !== undefined && nd.fvOf === this.id ? this.vals[nd.fvAt] : undefined;
    }
    return this.asMap().get(name);
  }
  has(name: string): boolean {
    return this.get(name) !== undefined;
  }
  private asMap(): Map<string, FieldValues> {
    if (this.map === undefined) {
      this.map = new Map();
      for (let i = 0; i < this.names.length; i++) this.map.set(this.names[i], this.vals[i]);
    }
    return this.map;
  }
  keys(): IterableIterator<string> {
    return this.names.values();
  }
  values(): IterableIterator<FieldValues> {
    return this.vals.values();
  }
  entries(): IterableIterator<[string, FieldValues]> {
    return this.asMap().entries();
  }
  [Symbol.iterator](): IterableIterator<[string, FieldValues]> {
    return this.entries();
  }
  forEach(f: (value: FieldValues, key: string, map: ReadonlyMap<string, FieldValues>) => void): void {
    for (let i = 0; i < this.names.length; i++) f(this.vals[i], this.names[i], this);
  }
}

/** A PreparedEvent whose raw map is built when first read (outputs, correlations, explanations). */
class Prepared implements PreparedEvent {
  kwLo: string[] | undefined = undefined;
  kwG: string[] | undefined = undefined;
  private rawMap: Map<string, JsonScalar[]> | undefined;
  constructor(
    public source: Record<string, unknown>,
    public fields: EventFields,
    public keywordTerms: string[],
    public rejected: string | null,
    raw: Map<string, JsonScalar[]> | undefined,
    private nodes: PathNode[] | undefined,
    private lists: JsonScalar[][],
  ) {
    this.rawMap = raw;
  }
  get raw(): Map<string, JsonScalar[]> {
    if (this.rawMap === undefined) {
      // node paths never change; the lists are this event's
      this.rawMap = toMap(this.nodes as PathNode[], this.lists);
      this.nodes = undefined;
    }
    return this.rawMap;
  }
}

/** UTF-8 byte order (= code point order), which is how Lucene orders keyword terms. */
export function compareTerms(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x === y) continue;
    // surrogates (astral code points) sort after every BMP character in UTF-8
    if (x >= 0xd800 && x <= 0xdfff) x += 0x10000;
    if (y >= 0xd800 && y <= 0xdfff) y += 0x10000;
    return x < y ? -1 : 1;
  }
  return a.length - b.length;
}
