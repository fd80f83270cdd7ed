/**
 * Pieces shared by every Elasticsearch target: options, errors that name the rule and the
 * detection item, field kinds from the mapping profile, and the exact text-matching regexes
 * (case-insensitive literals, CIDR networks on keyword fields) that targets without a
 * native construct fall back to.
 */
import { SigmaEsError } from '../errors';
import type { IrDocument, IrNode, IrRule, IrCorrelation, Leaf, LeafOrigin, PatternPart } from '../ir/types';
import { fieldKind, type FieldKind, type MappingProfile } from '../mapping/profile';
import { parseCidr } from '../ir/ip';
import { asciiFoldAlternative } from '../ir/regex/casefold';
import { LUCENE_RESERVED } from '../ir/regex';

export type Target = 'dsl' | 'lucene' | 'eql' | 'esql' | 'kibana-ndjson';
export const TARGETS: Target[] = ['dsl', 'lucene', 'eql', 'esql', 'kibana-ndjson'];

export interface BackendOptions {
  profile: MappingProfile;
  /** Index pattern(s) the query runs on (ES|QL `FROM`, Kibana `index`); default `*`. */
  index?: string;
  /** Event time field for correlations; default `@timestamp`. */
  timestampField?: string;
}

export interface Translation<Q = unknown> {
  target: Target;
  /** JSON for dsl / kibana-ndjson (an object), text for lucene / eql / esql. */
  query: Q;
  /** Documented approximations that the caller must show with the query (never silent). */
  warnings: string[];
}

export const DEFAULT_INDEX = '*';
export const DEFAULT_TIMESTAMP = '@timestamp';

/** What an error needs to say where it happened. */
export interface RenderContext {
  doc: IrDocument;
  target: Target;
  profile: MappingProfile;
}

/** A text target's words for the boolean operators and constants. */
export interface BooleanWords {
  and: string;
  or: string;
  not: string;
  true: string;
  false: string;
}

/**
 * The boolean skeleton the infix text targets share (EQL, ES|QL): children joined with the
 * target's words, parenthesised below the top, a lone child unwrapped. `leaf` renders a leaf and
 * is told whether a `not` stands above it (ES|QL turns a missing field's null into false there).
 */
export function renderBoolean(node: IrNode, words: BooleanWords, leaf: (node: Leaf, negated: boolean) => string, negated: boolean, top: boolean): string {
  switch (node.kind) {
    case 'and':
    case 'or': {
      if (node.children.length === 1) return renderBoolean(node.children[0], words, leaf, negated, top);
      const joined = node.children.map((c) => renderBoolean(c, words, leaf, negated, false)).join(node.kind === 'and' ? ` ${words.and} ` : ` ${words.or} `);
      return top ? joined : `(${joined})`;
    }
    case 'not':
      return `${words.not} ${renderBoolean(node.child, words, leaf, true, false)}`;
    case 'const':
      return node.value ? words.true : words.false;
    default:
      return leaf(node, negated);
  }
}

export function ruleLabel(doc: IrDocument): string {
  return doc.meta.id ?? doc.meta.name ?? doc.meta.title;
}

/** `selection.CommandLine|contains|all`, or `keywords|contains` for unbound values. */
export function itemLabel(origin: LeafOrigin): string {
  const field = origin.sigmaField ?? '';
  const mods = origin.modifiers.length ? `|${origin.modifiers.join('|')}` : '';
  return `${origin.identifier}${field || mods ? '.' : ''}${field}${mods}`;
}

export function unsupported(ctx: RenderContext, origin: LeafOrigin | undefined, reason: string): SigmaEsError {
  const where = origin ? ` (value ${JSON.stringify(origin.value)})` : '';
  return new SigmaEsError('UNSUPPORTED_CONSTRUCT', `${targetName(ctx.target)} cannot express this exactly${where}: ${reason}`, {
    file: ctx.doc.file,
    rule: ruleLabel(ctx.doc),
    item: origin ? itemLabel(origin) : undefined,
  });
}

export function targetName(t: Target): string {
  return { dsl: 'Query DSL', lucene: 'Lucene query_string', eql: 'EQL', esql: 'ES|QL', 'kibana-ndjson': 'Kibana rule' }[t];
}

/** Field and kind a leaf runs on; unbound (keyword) values go to the profile's catch-all field. */
export function resolveField(profile: MappingProfile, field: string | null): { field: string; kind: FieldKind; keywords: boolean } {
  if (field === null) return { field: profile.keywordsField, kind: 'keyword', keywords: true };
  return { field, kind: fieldKind(profile, field), keywords: false };
}

export function isRule(doc: IrDocument): doc is IrRule {
  return doc.kind === 'rule';
}
export function isCorrelation(doc: IrDocument): doc is IrCorrelation {
  return doc.kind === 'correlation';
}

export function isLiteral(pattern: PatternPart[]): boolean {
  return pattern.every((p) => p.t === 'lit');
}
export function literalText(pattern: PatternPart[]): string {
  return pattern.map((p) => (p.t === 'lit' ? p.v : '')).join('');
}

// ---------------------------------------------------------------------------------------------
// Case-insensitive characters, the way Elasticsearch's `case_insensitive` term/prefix/wildcard
// queries build their automaton (AutomatonQueries.toCaseInsensitiveChar): only ASCII letters get
// their other case; ß, İ, the Kelvin sign… match only themselves. Targets without the flag spell
// the same alternatives out as `[xX]` classes, so they match exactly what the DSL matches.

export function alternateCase(ch: string): string | undefined {
  const cp = ch.codePointAt(0)!;
  const alt = asciiFoldAlternative(cp);
  return alt === cp ? undefined : String.fromCodePoint(alt);
}

/** Escape one character for a Lucene RegExp: only its operators (letters must stay bare: `\d`, `\w`… mean something). */
export function regexChar(ch: string): string {
  return LUCENE_RESERVED.includes(ch) ? `\\${ch}` : ch;
}

/** A literal as a Lucene RegExp; with `caseInsensitive`, every cased character becomes `[xX]`. */
export function literalRegex(text: string, caseInsensitive: boolean): string {
  let out = '';
  for (const ch of text) {
    const alt = caseInsensitive ? alternateCase(ch) : undefined;
    out += alt ? `[${ch}${alt}]` : regexChar(ch);
  }
  return out;
}

/** A Sigma wildcard pattern as an anchored Lucene RegExp (`*` -> `.*`, `?` -> `.`). */
export function patternRegex(pattern: PatternPart[], caseInsensitive: boolean): string {
  return pattern.map((p) => (p.t === 'lit' ? literalRegex(p.v, caseInsensitive) : p.t === 'any' ? '.*' : '.')).join('');
}

/** A pattern in Lucene wildcard syntax: `*`, `?` wildcards; `\` escapes literal `*`, `?` and `\`. */
export function wildcardText(pattern: PatternPart[]): string {
  return pattern.map((p) => (p.t === 'lit' ? p.v.replace(/[*?\\]/g, (c) => `\\${c}`) : p.t === 'any' ? '*' : '?')).join('');
}

/** `lit*`: a literal followed by one trailing `*` (a prefix query). */
export function prefixOf(pattern: PatternPart[]): string | undefined {
  if (pattern.length === 2 && pattern[0].t === 'lit' && pattern[1].t === 'any') return pattern[0].v;
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// CIDR on keyword fields: a regex matching exactly the texts of the addresses in the network.
//
// IPv4: canonical dotted decimal, four octets 0-255 without leading zeros (`10.0.0.1`, not
// `010.0.0.1`). IPv6: eight groups of 1-4 hex digits (either case, leading zeros allowed), or
// with one `::` standing for one or more zero groups; no embedded IPv4 tail, no `%zone`.
// An IPv4 network never matches IPv6 text (`::ffff:10.0.0.1`) and vice versa. The evaluator
// implements the same grammar.

function alternatives(items: string[]): string {
  return items.length === 1 ? items[0] : `(${items.join('|')})`;
}

const OCTET_ANY = '(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9][0-9]|[0-9])';

function octetRegex(lo: number, hi: number): string {
  if (lo === 0 && hi === 255) return OCTET_ANY;
  const vals: string[] = [];
  for (let v = lo; v <= hi; v++) vals.push(String(v));
  return alternatives(vals);
}

const HEX = '0123456789abcdef';

function hexClass(values: number[]): string {
  if (values.length === 16) return '[0-9a-fA-F]';
  const chars = values.map((v) => HEX[v] + (v >= 10 ? HEX[v].toUpperCase() : ''));
  const body = chars.join('');
  return body.length === 1 ? body : `[${body}]`;
}

/** Regex for one IPv6 group whose value has its top `fixed` bits equal to those of `value`. */
function groupRegex(value: number, fixed: number): string {
  if (fixed === 0) return '[0-9a-fA-F]{1,4}';
  if (fixed === 16 && value === 0) return '0{1,4}';
  const digits: number[][] = [];
  for (let d = 0; d < 4; d++) {
    const bits = Math.max(0, Math.min(4, fixed - 4 * d));
    const nibble = (value >> (12 - 4 * d)) & 0xf;
    const mask = (0xf << (4 - bits)) & 0xf;
    const vals: number[] = [];
    for (let v = 0; v < 16; v++) if ((v & mask) === (nibble & mask)) vals.push(v);
    digits.push(vals);
  }
  const forms: string[] = [];
  // Written forms drop 0..3 leading digits, which is only possible when those digits may be 0.
  for (let drop = 0; drop < 4; drop++) {
    if (drop > 0 && !digits[drop - 1].includes(0)) break;
    forms.push(digits.slice(drop).map(hexClass).join(''));
  }
  return alternatives(forms);
}

function groupMayBeZero(value: number, fixed: number): boolean {
  if (fixed === 0) return true;
  return value >> (16 - fixed) === 0;
}

export function cidrTextRegex(cidr: string): string {
  const net = parseCidr(cidr);
  if (typeof net === 'string') throw new Error(`invalid CIDR ${cidr}: ${net}`);
  if (net.version === 4) {
    const base = Number(net.base & 0xffffffffn);
    const octets: string[] = [];
    for (let i = 0; i < 4; i++) {
      const fixed = Math.max(0, Math.min(8, net.prefix - 8 * i));
      const v = (base >>> (24 - 8 * i)) & 0xff;
      const span = 2 ** (8 - fixed);
      const lo = v & ~(span - 1) & 0xff;
      octets.push(octetRegex(lo, lo + span - 1));
    }
    return octets.join('\\.');
  }
  const groups: Array<{ value: number; fixed: number }> = [];
  for (let i = 0; i < 8; i++) {
    groups.push({
      value: Number((net.base >> BigInt(112 - 16 * i)) & 0xffffn),
      fixed: Math.max(0, Math.min(16, net.prefix - 16 * i)),
    });
  }
  const g = groups.map((x) => groupRegex(x.value, x.fixed));
  const forms: string[] = [g.join(':')];
  for (let lead = 0; lead <= 7; lead++) {
    for (let trail = 0; lead + trail <= 7; trail++) {
      let ok = true;
      for (let i = lead; i < 8 - trail; i++) if (!groupMayBeZero(groups[i].value, groups[i].fixed)) ok = false;
      if (!ok) continue;
      forms.push(`${g.slice(0, lead).join(':')}::${g.slice(8 - trail).join(':')}`);
    }
  }
  return alternatives(forms);
}

// ---------------------------------------------------------------------------------------------
// String prefixes on `ip` fields. An ip field holds addresses, not text, so `startswith '10.'`
// cannot be a prefix query; but the IPv4 addresses whose dotted-decimal text starts with a
// given prefix form a finite set of address ranges, which is exact as CIDR terms.

/** Inclusive ranges of 32-bit addresses whose canonical text starts with `prefix`; undefined if none can. */
export function ipv4TextPrefixRanges(prefix: string): Array<[number, number]> | undefined {
  const ranges: Array<[number, number]> = [];
  const walk = (rest: string, octet: number, acc: number): void => {
    const free = 2 ** (8 * (4 - octet));
    if (rest === '') {
      ranges.push([acc * free, acc * free + free - 1]);
      return;
    }
    for (let o = 0; o < 256; o++) {
      const s = String(o);
      const sub = free / 256;
      if (s.startsWith(rest)) ranges.push([(acc * 256 + o) * sub, (acc * 256 + o) * sub + sub - 1]);
      else if (octet < 3 && rest.startsWith(`${s}.`)) walk(rest.slice(s.length + 1), octet + 1, acc * 256 + o);
    }
  };
  if (!/^[0-9.]*$/.test(prefix)) return undefined;
  walk(prefix, 0, 0);
  if (!ranges.length) return undefined;
  ranges.sort((a, b) => a[0] - b[0]);
  const merged: Array<[number, number]> = [];
  for (const r of ranges) {
    const last = merged[merged.length - 1];
    if (last && r[0] <= last[1] + 1) last[1] = Math.max(last[1], r[1]);
    else merged.push([r[0], r[1]]);
  }
  return merged;
}

function v4Text(n: number): string {
  return [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join('.');
}

/** The smallest list of CIDR blocks covering an inclusive address range exactly. */
export function rangeToCidrs([lo, hi]: [number, number]): string[] {
  const out: string[] = [];
  let cur = lo;
  while (cur <= hi) {
    let size = 1;
    while (cur % (size * 2) === 0 && cur + size * 2 - 1 <= hi && size < 2 ** 32) size *= 2;
    out.push(`${v4Text(cur)}/${32 - Math.log2(size)}`);
    cur += size;
  }
  return out;
}

/** A decimal number as Elasticsearch's numeric fields would parse it from a string. */
export function parseDecimal(text: string): number | undefined {
  if (!/^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/.test(text)) return undefined;
  const n = Number(text);
  return Number.isFinite(n) ? n : undefined;
}
