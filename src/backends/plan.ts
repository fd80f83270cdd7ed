/**
 * One decision per leaf about what it means on the shipped mapping, made once for every target:
 * a keyword field matches text, an ip field matches addresses, a numeric field matches numbers.
 * Each target then only renders these primitives, so DSL, Lucene, EQL and ES|QL cannot drift
 * apart on semantics (and the evaluator has one table to follow, docs/translation.md).
 */
import type { CompareOp, IrNode, Leaf, LeafOrigin, PatternPart, TimePart } from '../ir/types';
import type { FieldKind } from '../mapping/profile';
import { renderLuceneRegex } from '../ir/regex';
import { isSigmaEsError } from '../errors';
import { isIP } from 'node:net';
import {
  cidrTextRegex,
  ipv4TextPrefixRanges,
  isLiteral,
  literalText,
  parseDecimal,
  prefixOf,
  rangeToCidrs,
  resolveField,
  unsupported,
  type RenderContext,
} from './common';

export type Prim =
  | { p: 'const'; value: boolean }
  | { p: 'exists'; field: string; kind: FieldKind }
  /** Keyword field: the whole value matches the wildcard pattern. */
  | { p: 'text'; field: string; pattern: PatternPart[]; caseInsensitive: boolean; keywords: boolean }
  /** Keyword field: an anchored Lucene RegExp (flags ALL). */
  | { p: 'regexp'; field: string; regex: string; caseInsensitive: boolean; keywords: boolean; origin: LeafOrigin }
  /** ip field: the address is one of these (CIDR blocks or single addresses). */
  | { p: 'ip'; field: string; networks: string[] }
  /** long/double/boolean field: equality with a value of that type. */
  | { p: 'eq'; field: string; kind: FieldKind; value: number | boolean }
  | { p: 'range'; field: string; kind: FieldKind; op: CompareOp; value: number }
  /** Needs a field-to-field comparison: targets that have one render it, the others reject it. */
  | { p: 'fieldref'; field: string; ref: string; mode: 'eq' | 'startswith' | 'endswith' | 'contains'; caseSensitive: boolean; kind: FieldKind; refKind: FieldKind; origin: LeafOrigin }
  | { p: 'timepart'; field: string; kind: FieldKind; part: TimePart; op: CompareOp | 'eq'; value: number; origin: LeafOrigin };

export function planLeaf(leaf: Leaf, ctx: RenderContext): Prim {
  switch (leaf.kind) {
    case 'string':
      return planString(leaf.field, leaf.pattern, !leaf.caseSensitive, leaf.origin, ctx);
    case 'scalar': {
      const f = resolveField(ctx.profile, leaf.field);
      if (f.kind === 'keyword') {
        // Keyword fields index a JSON number or boolean as its text (`4688`, `true`).
        return { p: 'text', field: f.field, pattern: [{ t: 'lit', v: String(leaf.value) }], caseInsensitive: false, keywords: f.keywords };
      }
      if (f.kind === 'long' || f.kind === 'double') {
        if (typeof leaf.value !== 'number') return { p: 'const', value: false };
        if (f.kind === 'long' && !Number.isInteger(leaf.value)) return { p: 'const', value: false };
        return { p: 'eq', field: f.field, kind: f.kind, value: leaf.value };
      }
      if (f.kind === 'boolean') {
        return typeof leaf.value === 'boolean' ? { p: 'eq', field: f.field, kind: f.kind, value: leaf.value } : { p: 'const', value: false };
      }
      if (f.kind === 'ip') return { p: 'const', value: false };
      throw unsupported(ctx, leaf.origin, `field '${f.field}' is a ${f.kind} field; comparing it with ${JSON.stringify(leaf.value)} has no exact meaning`);
    }
    case 'regex': {
      const f = resolveField(ctx.profile, leaf.field);
      if (f.kind !== 'keyword') {
        throw unsupported(ctx, leaf.origin, `a regex needs a keyword field, and '${f.field}' is mapped as ${f.kind} (it has no text to search)`);
      }
      let rendered: { pattern: string; caseInsensitive: boolean };
      try {
        // Targets without a case-insensitive regexp flag get every case alternative spelled out;
        // so does the DSL, because the flag's folding depends on the engine's Lucene (OpenSearch
        // 2.19 folds ASCII only, Elasticsearch 9 also K/k, σ/ς/Σ, ß/ẞ…): spelled out, it is the same everywhere.
        const explicit = ctx.target !== 'eql';
        rendered = renderLuceneRegex(leaf.ast, leaf.flags, { caseFolding: explicit ? 'explicit' : 'flag' });
      } catch (e) {
        if (isSigmaEsError(e)) throw e.at({ file: ctx.doc.file, rule: ctx.doc.meta.id ?? ctx.doc.meta.title });
        throw unsupported(ctx, leaf.origin, `the regex /${leaf.source}/ could not be rendered for Lucene: ${e instanceof Error ? e.message : String(e)}`);
      }
      return { p: 'regexp', field: f.field, regex: rendered.pattern, caseInsensitive: rendered.caseInsensitive, keywords: f.keywords, origin: leaf.origin };
    }
    case 'cidr': {
      const f = resolveField(ctx.profile, leaf.field);
      if (f.kind === 'ip') return { p: 'ip', field: f.field, networks: [engineNetwork(leaf.cidr, leaf.version)] };
      if (f.kind === 'keyword') {
        return { p: 'regexp', field: f.field, regex: cidrTextRegex(leaf.cidr), caseInsensitive: false, keywords: false, origin: leaf.origin };
      }
      throw unsupported(ctx, leaf.origin, `cidr needs an ip or keyword field, and '${f.field}' is mapped as ${f.kind}`);
    }
    case 'exists': {
      const f = resolveField(ctx.profile, leaf.field);
      return { p: 'exists', field: f.field, kind: f.kind };
    }
    case 'compare': {
      const f = resolveField(ctx.profile, leaf.field);
      if (f.kind === 'long' || f.kind === 'double') return { p: 'range', field: f.field, kind: f.kind, op: leaf.op, value: leaf.value };
      throw unsupported(
        ctx,
        leaf.origin,
        `'${leaf.op}' needs a numeric field, and '${f.field}' is mapped as ${f.kind}` +
          (f.kind === 'keyword' ? ' (a range on a keyword field compares text: "10" < "9"); map the field as long or double in the profile' : ''),
      );
    }
    case 'fieldref': {
      const f = resolveField(ctx.profile, leaf.field);
      const r = resolveField(ctx.profile, leaf.ref);
      return { p: 'fieldref', field: f.field, ref: r.field, mode: leaf.mode, caseSensitive: leaf.caseSensitive, kind: f.kind, refKind: r.kind, origin: leaf.origin };
    }
    case 'timepart': {
      const f = resolveField(ctx.profile, leaf.field);
      return { p: 'timepart', field: f.field, kind: f.kind, part: leaf.part, op: leaf.op, value: leaf.value, origin: leaf.origin };
    }
  }
}

/**
 * Elasticsearch refuses a CIDR inside the IPv4-mapped block (`::ffff:0:0/96` and longer: "ambiguous
 * prefix length"), but stores IPv4 addresses as exactly those mapped addresses, so the same set of
 * addresses is the IPv4 network with the prefix shortened by 96.
 */
function engineNetwork(cidr: string, version: 4 | 6): string {
  if (version !== 6) return cidr;
  const [addr, lenText] = cidr.split('/');
  const len = Number(lenText);
  if (len < 96) return cidr;
  // parseCidr normalises to the compressed hex form, e.g. `::ffff:a00:0/104`.
  const m = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/i.exec(addr);
  if (!m) return cidr;
  const hi = parseInt(m[1], 16);
  const lo = parseInt(m[2], 16);
  return `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}/${len - 96}`;
}

function planString(field: string | null, pattern: PatternPart[], caseInsensitive: boolean, origin: LeafOrigin, ctx: RenderContext): Prim {
  const f = resolveField(ctx.profile, field);
  switch (f.kind) {
    case 'keyword':
      // case_insensitive folds ASCII letters only, so without one it changes nothing on
      // Elasticsearch; OpenSearch's case-insensitive term never matches the empty string.
      return { p: 'text', field: f.field, pattern, caseInsensitive: caseInsensitive && pattern.some((p) => p.t === 'lit' && /[A-Za-z]/.test(p.v)), keywords: f.keywords };
    case 'ip': {
      if (pattern.length === 1 && pattern[0].t === 'any') return { p: 'exists', field: f.field, kind: f.kind };
      if (isLiteral(pattern)) {
        const text = literalText(pattern);
        // An ip field only ever holds addresses, so a value that is not one matches nothing.
        return isIP(text) ? { p: 'ip', field: f.field, networks: [text] } : { p: 'const', value: false };
      }
      const prefix = prefixOf(pattern);
      if (prefix !== undefined) {
        const ranges = ipv4TextPrefixRanges(prefix);
        if (ranges) return { p: 'ip', field: f.field, networks: ranges.flatMap(rangeToCidrs) };
      }
      // Every address text is hex digits, dots and colons with at most 4 digits in a row, so a
      // literal outside that alphabet can occur in no value at all: nothing matches, exactly.
      if (pattern.some((p) => p.t === 'lit' && (/[^0-9a-fA-F.:]/.test(p.v) || /[0-9a-fA-F]{5}/.test(p.v)))) return { p: 'const', value: false };
      throw unsupported(
        ctx,
        origin,
        `'${f.field}' is an ip field: it holds addresses, not text, so only whole addresses, IPv4 text prefixes (e.g. '10.*') and cidr can be matched exactly; use cidr`,
      );
    }
    case 'long':
    case 'double':
    case 'boolean': {
      if (!isLiteral(pattern)) {
        throw unsupported(ctx, origin, `'${f.field}' is a ${f.kind} field: wildcards have no meaning on numbers; list the values`);
      }
      const text = literalText(pattern);
      if (f.kind === 'boolean') {
        return text === 'true' || text === 'false' ? { p: 'eq', field: f.field, kind: f.kind, value: text === 'true' } : { p: 'const', value: false };
      }
      const n = parseDecimal(text);
      if (n === undefined || (f.kind === 'long' && !Number.isInteger(n))) return { p: 'const', value: false };
      return { p: 'eq', field: f.field, kind: f.kind, value: n };
    }
    case 'date':
      throw unsupported(ctx, origin, `'${f.field}' is a date field: a string match on a date has no exact meaning (time zones, formats); use a keyword field`);
  }
}

/** Walk the tree in order, for targets that need to see every leaf (e.g. collect fields). */
export function leaves(node: IrNode, out: Leaf[] = []): Leaf[] {
  switch (node.kind) {
    case 'and':
    case 'or':
      node.children.forEach((c) => leaves(c, out));
      return out;
    case 'not':
      return leaves(node.child, out);
    case 'const':
      return out;
    default:
      out.push(node);
      return out;
  }
}
