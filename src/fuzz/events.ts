/**
 * Generated events that overlap the generated rules. Random events almost never match a
 * random rule, and a fuzzer whose rules never match only tests the "no" branch; so each
 * batch's events are drawn from the compiled rules' own needles (the IR leaves: patterns
 * instantiated, regexes sampled, addresses drawn inside networks, numbers around the
 * thresholds) and then mutated where engines and evaluators tend to disagree: case variants
 * under Unicode folding, characters that break escaping, arrays, nested objects and dotted
 * keys, numbers written as strings, values past `ignore_above`, missing fields.
 */
import { createHash } from 'node:crypto';
import type { IrNode, Leaf, PatternPart } from '../ir/types';
import type { RegexAst, RegexNode } from '../ir/regex';
import { RawNumber } from '../eval/json';
import { stringifyExact, type HarnessEvent } from '../harness/events';
import { IGNORE_ABOVE } from '../mapping/profile';
import { ALL_FIELDS, FOLD_CHARS, IP_FIELDS, KEYWORD_FIELDS, LONG_FIELDS, SPECIAL_CHARS } from './rules';

/** A small, fast, seedable PRNG (mulberry32): events are many, and must be reproducible from the seed. */
export class Rng {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0;
  }
  next(): number {
    let t = (this.s = (this.s + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)];
  }
}

/** Deterministic 32-bit seed from any parts (batch seeds, rule ids). */
export function seedOf(...parts: Array<string | number>): number {
  return createHash('sha1').update(parts.join('\u0000')).digest().readUInt32LE(0);
}

const RANDOM_CHARS = ['a', 'b', 'c', 'A', 'x', '0', '1', '9', ...SPECIAL_CHARS, ...FOLD_CHARS];

function randomText(rng: Rng, max = 4): string {
  let s = '';
  for (let i = rng.int(max + 1); i > 0; i--) s += rng.pick(RANDOM_CHARS);
  return s;
}

/** Other spellings of a character under some case folding (JS, ES `case_insensitive`, Lucene regexp, Unicode). */
const FOLD_PEERS: Record<string, string[]> = {
  ß: ['ẞ', 'SS', 'ss'], ẞ: ['ß'], İ: ['i', 'I', 'i̇'], ı: ['I', 'i'], i: ['I', 'İ', 'ı'], I: ['i', 'ı', 'İ'],
  ǅ: ['Ǆ', 'ǆ'], Ǆ: ['ǅ', 'ǆ'], ǆ: ['ǅ', 'Ǆ'], '\u212a': ['k', 'K'], k: ['K', '\u212a'], K: ['k', '\u212a'],
  ς: ['σ', 'Σ'], σ: ['ς', 'Σ'], Σ: ['σ', 'ς'], ſ: ['s', 'S'], s: ['S', 'ſ'], S: ['s', 'ſ'], ａ: ['Ａ', 'a'], Ａ: ['ａ', 'A'],
  é: ['É'], É: ['é'], ﬀ: ['FF', 'ff'],
};

/** A case variant of the text: per character, keep, swap ASCII case, or use a Unicode fold peer. */
function caseVariant(rng: Rng, s: string): string {
  let out = '';
  for (const c of s) {
    const r = rng.next();
    if (r < 0.5) out += c;
    else if (FOLD_PEERS[c] && r < 0.8) out += rng.pick(FOLD_PEERS[c]);
    else out += rng.chance(0.5) ? c.toUpperCase() : c.toLowerCase();
  }
  return out;
}

function mutateText(rng: Rng, s: string): string {
  const cs = Array.from(s);
  switch (rng.int(7)) {
    case 0:
      return s;
    case 1:
      return caseVariant(rng, s);
    case 2:
      if (cs.length) cs.splice(rng.int(cs.length), 1);
      return cs.join('');
    case 3:
      cs.splice(rng.int(cs.length + 1), 0, rng.pick(RANDOM_CHARS));
      return cs.join('');
    case 4:
      return randomText(rng, 2) + s + randomText(rng, 2);
    case 5:
      return s.replace(/[-/]/g, () => rng.pick(['-', '/', '\u2013', '\u2014', '\u2015']));
    default:
      return caseVariant(rng, s) + (rng.chance(0.5) ? '\n' : '');
  }
}

function instantiatePattern(rng: Rng, pattern: PatternPart[]): string {
  let s = '';
  for (const p of pattern) {
    if (p.t === 'lit') s += rng.chance(0.7) ? p.v : caseVariant(rng, p.v);
    else if (p.t === 'one') s += rng.pick(['x', 'Z', '😀', '\n', '*', 'ß', '?', '\\']);
    else s += randomText(rng, 3);
  }
  return s;
}

function cpFromClass(rng: Rng, node: Extract<RegexNode, { t: 'class' }>): string {
  if (node.negated) return rng.pick(['!', 'é', '😀', '\n', 'Z', '~']);
  const item = rng.pick(node.items);
  if (item.t === 'shorthand') {
    const m: Record<string, string[]> = { d: ['0', '7'], D: ['a', '-', 'é'], w: ['a', 'Z', '_', '5'], W: [' ', '-', 'é'], s: [' ', '\t', '\n'], S: ['a', 'é', '.'] };
    return rng.pick(m[item.c]);
  }
  const span = item.to - item.from;
  return String.fromCodePoint(item.from + (span > 0 ? rng.int(Math.min(span, 1000) + 1) : 0));
}

/** A string the regex node matches (mostly): a needle for events. */
function sampleRegex(rng: Rng, n: RegexNode, depth = 0): string {
  switch (n.t) {
    case 'empty':
      return '';
    case 'char':
      return String.fromCodePoint(n.cp);
    case 'dot':
      return rng.pick(['a', '.', '😀', '\n', 'ß']);
    case 'class':
      return cpFromClass(rng, n);
    case 'seq':
      return n.items.map((x) => sampleRegex(rng, x, depth + 1)).join('');
    case 'alt':
      return sampleRegex(rng, rng.pick(n.items), depth + 1);
    case 'group':
      return sampleRegex(rng, n.body, depth + 1);
    case 'repeat': {
      const max = n.max === null ? n.min + 2 : Math.min(n.max, n.min + 2);
      const k = depth > 6 ? n.min : n.min + rng.int(max - n.min + 1);
      let s = '';
      for (let i = 0; i < Math.min(k, 50); i++) s += sampleRegex(rng, n.body, depth + 1);
      return s;
    }
    case 'anchor':
      return rng.chance(0.2) ? '\n' : '';
  }
}

function sampleRegexAst(rng: Rng, ast: RegexAst): string {
  const s = sampleRegex(rng, ast.body);
  return ast.flags.i || rng.chance(0.2) ? caseVariant(rng, s) : s;
}

function ipv4Int(text: string): number {
  return text.split('.').reduce((a, o) => a * 256 + Number(o), 0);
}

function v4Text(n: number): string {
  return [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join('.');
}

/** An address inside (mostly) or just outside a network, in the spellings events use. */
function addressIn(rng: Rng, cidr: string, version: 4 | 6): string {
  const [net, lenText] = cidr.split('/');
  const len = Number(lenText);
  if (version === 4) {
    const size = 2 ** (32 - len);
    const base = ipv4Int(net);
    const off = rng.pick([0, size - 1, rng.int(size), size, -1]);
    const n = Math.min(Math.max(base + off, 0), 2 ** 32 - 1);
    const t = v4Text(n);
    return rng.chance(0.1) ? t.replace(/^(\d)\./, '0$1.') : rng.chance(0.05) ? `::ffff:${t}` : t;
  }
  // IPv6: vary the last group and the spelling (compressed, upper case, leading zeros).
  const groups = expandV6(net);
  const host = 128 - len;
  if (host > 0) groups[7] = (groups[7] | rng.int(Math.min(2 ** Math.min(host, 16), 65536))) & 0xffff;
  const full = groups.map((g) => g.toString(16));
  const spelled = rng.pick([
    full.join(':'),
    full.map((g) => g.padStart(4, '0')).join(':'),
    compressV6(groups),
    compressV6(groups).toUpperCase(),
  ]);
  return spelled;
}

function expandV6(text: string): number[] {
  const [head, tailPart] = text.includes('::') ? text.split('::') : [text, undefined];
  const h = head ? head.split(':').filter(Boolean) : [];
  const t = tailPart ? tailPart.split(':').filter(Boolean) : [];
  const parse = (xs: string[]): number[] =>
    xs.flatMap((x) => (x.includes('.') ? [Math.floor(ipv4Int(x) / 65536), ipv4Int(x) % 65536] : [parseInt(x, 16)]));
  const hh = parse(h);
  const tt = parse(t);
  return [...hh, ...new Array(Math.max(0, 8 - hh.length - tt.length)).fill(0), ...tt].slice(0, 8);
}

function compressV6(g: number[]): string {
  let best = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (g[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen && j - i > 1) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = g.map((x) => x.toString(16));
  if (best < 0) return hex.join(':');
  return `${hex.slice(0, best).join(':')}::${hex.slice(best + bestLen).join(':')}`;
}

/** Values of a typed (long) field: exact, near, as strings, as other JSON spellings; rarely unindexable. */
function numberVariants(rng: Rng, v: number): unknown {
  const n = v + rng.pick([0, 0, 0, 1, -1]);
  switch (rng.int(9)) {
    case 0:
      return String(n);
    case 1:
      return Number.isInteger(n) ? new RawNumber(`${n}.0`, n) : n;
    case 2:
      return Number.isInteger(n) && n > 0 ? new RawNumber(`${n}e0`, n) : n;
    case 3:
      return n + 0.5;
    case 4:
      return rng.chance(0.3) ? rng.pick(['abc', true, '', '4.5', ' 4', '0x10', '1e2']) : n;
    default:
      return n;
  }
}

type Needles = Map<string | null, unknown[]>;

function add(needles: Needles, field: string | null, v: unknown): void {
  let xs = needles.get(field);
  if (!xs) needles.set(field, (xs = []));
  xs.push(v);
}

function leafNeedles(rng: Rng, leaf: Leaf, needles: Needles): void {
  switch (leaf.kind) {
    case 'string':
      for (let i = 0; i < 3; i++) add(needles, leaf.field, mutateText(rng, instantiatePattern(rng, leaf.pattern)));
      break;
    case 'scalar':
      add(needles, leaf.field, leaf.value);
      add(needles, leaf.field, typeof leaf.value === 'number' ? numberVariants(rng, leaf.value) : String(leaf.value));
      break;
    case 'regex':
      for (let i = 0; i < 3; i++) {
        const s = sampleRegexAst(rng, leaf.ast);
        add(needles, leaf.field, rng.chance(0.5) ? s : randomText(rng, 2) + s + randomText(rng, 2));
      }
      break;
    case 'cidr':
      for (let i = 0; i < 3; i++) add(needles, leaf.field, addressIn(rng, leaf.cidr, leaf.version));
      break;
    case 'compare':
      for (let i = 0; i < 2; i++) add(needles, leaf.field, numberVariants(rng, leaf.value));
      break;
    default:
      break;
  }
}

export function collectNeedles(rng: Rng, queries: IrNode[]): Needles {
  const needles: Needles = new Map();
  const walk = (n: IrNode): void => {
    if (n.kind === 'and' || n.kind === 'or') n.children.forEach(walk);
    else if (n.kind === 'not') walk(n.child);
    else if (n.kind !== 'const') leafNeedles(rng, n, needles);
  };
  queries.forEach(walk);
  return needles;
}

function randomValueFor(rng: Rng, field: string): unknown {
  if ((IP_FIELDS as readonly string[]).includes(field)) {
    return rng.pick(['10.0.0.1', '192.168.1.20', '::1', 'fe80::1', '172.16.5.4', '2001:db8::5', '0.0.0.0', '255.255.255.255', 'not-an-ip', '010.0.0.1']);
  }
  if ((LONG_FIELDS as readonly string[]).includes(field)) return numberVariants(rng, rng.pick([0, 1, 4, 100, 1024, 4688]));
  if (field === 'EventID') return rng.pick([1, 4688, '4688', new RawNumber('1.0', 1), true, 'x']);
  if (field === 'IpAddress') return rng.pick(['10.0.0.1', '::1', 'FE80::1', '010.0.0.1', '192.168.001.1', '-']);
  return randomText(rng, 6);
}

/** One value for a field: a needle (of this field, or another's), or random text. */
function valueFor(rng: Rng, field: string, needles: Needles): unknown {
  const own = needles.get(field);
  const keyword = needles.get(null);
  const r = rng.next();
  let v: unknown;
  if (own && r < 0.7) v = rng.pick(own);
  else if (keyword && r < 0.8 && (KEYWORD_FIELDS as readonly string[]).includes(field)) v = rng.pick(keyword);
  else if (r < 0.85) {
    const other = needles.get(rng.pick(ALL_FIELDS));
    v = other ? rng.pick(other) : randomValueFor(rng, field);
  } else v = randomValueFor(rng, field);
  // A typed field gets a string needle only when it could be that type; the rest would be rejected documents.
  if ((LONG_FIELDS as readonly string[]).includes(field) && typeof v === 'string' && rng.chance(0.8)) v = randomValueFor(rng, field);
  if ((IP_FIELDS as readonly string[]).includes(field) && typeof v !== 'string') v = randomValueFor(rng, field);
  if ((IP_FIELDS as readonly string[]).includes(field) && typeof v === 'string' && !/^[0-9a-fA-F.:]+$/.test(v) && rng.chance(0.9)) v = randomValueFor(rng, field);
  return v;
}

function shaped(rng: Rng, field: string, needles: Needles): unknown {
  const r = rng.next();
  if (r < 0.12) return [valueFor(rng, field, needles), valueFor(rng, field, needles), ...(rng.chance(0.3) ? [null] : [])];
  if (r < 0.14) return null;
  if (r < 0.15) return [];
  if (r < 0.165 && (KEYWORD_FIELDS as readonly string[]).includes(field)) {
    // Past ignore_above: not indexed, so nothing can match it (but a shorter array member can).
    const v = valueFor(rng, field, needles);
    const long = String(v) + 'x'.repeat(IGNORE_ABOVE + 1 - Math.min(String(v).length, IGNORE_ABOVE));
    return rng.chance(0.5) ? long : [long, v];
  }
  if (r < 0.17 && (KEYWORD_FIELDS as readonly string[]).includes(field)) {
    const v = String(valueFor(rng, field, needles));
    return v + 'y'.repeat(Math.max(0, IGNORE_ABOVE - Array.from(v).length));
  }
  return valueFor(rng, field, needles);
}

/** Put `Obj.Name` in the event nested, dotted, as an array of objects, or both ways at once. */
function placeObj(rng: Rng, ev: Record<string, unknown>, v: unknown): void {
  switch (rng.int(5)) {
    case 0:
      ev['Obj.Name'] = v;
      break;
    case 1:
      ev.Obj = [{ Name: v }, { Other: 'o' }];
      break;
    case 2:
      ev['Obj.Name'] = v;
      ev.Obj = { Name: 'zz' };
      break;
    default:
      ev.Obj = { Name: v };
  }
}

export function generateEvents(rng: Rng, needles: Needles, count: number, idPrefix = 'e'): HarnessEvent[] {
  const events: HarnessEvent[] = [];
  for (let i = 0; i < count; i++) {
    const ev: Record<string, unknown> = {};
    const present = rng.next() * 0.5 + 0.3;
    for (const f of ALL_FIELDS) {
      if (!rng.chance(present)) continue;
      const v = shaped(rng, f, needles);
      if (f === 'Obj.Name') placeObj(rng, ev, v);
      else ev[f] = v;
    }
    events.push({ id: `${idPrefix}${i}`, source: ev, json: stringifyExact(ev) });
  }
  return events;
}
