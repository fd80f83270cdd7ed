/**
 * Lucene `query_string` text (for Kibana and `q=` users). query_string has no case_insensitive
 * flag, so every case-insensitive match becomes a regexp with one `[xX]` class per cased
 * character: the same automaton Elasticsearch builds for `case_insensitive: true`.
 */
import type { IrDocument, IrNode, IrRule } from '../../ir/types';
import { alternateCase, isLiteral, literalText, patternRegex, unsupported, wildcardText, type BackendOptions, type RenderContext, type Translation } from '../common';
import { corrError } from '../dsl';
import { planLeaf, type Prim } from '../plan';

/** Characters query_string treats as syntax in a term (`&&`/`||` are covered by `&`/`|`). */
const RESERVED = new Set([...'+-=&|!(){}[]^"~*?:\\/<> ']);

export function escapeTerm(text: string): string {
  let out = '';
  for (const ch of text) {
    // Whitespace other than space also splits terms: escape it too.
    out += RESERVED.has(ch) || /\s/.test(ch) ? `\\${ch}` : ch;
  }
  return out;
}

export function escapeField(field: string): string {
  return escapeTerm(field);
}

/** A Lucene RegExp inside `/…/`: every `/` must be escaped, even in a class. */
export function regexLiteral(regex: string): string {
  let out = '';
  for (let i = 0; i < regex.length; i++) {
    const ch = regex[i];
    if (ch === '\\' && i + 1 < regex.length) {
      out += ch + regex[i + 1];
      i++;
    } else out += ch === '/' ? '\\/' : ch;
  }
  // query_string's lexer reads `\/` as an escaped slash, so a regex ending in an escaped
  // backslash would swallow its closing `/` (and the rest of the query). `.{0}` matches the
  // empty string and puts a harmless character before the delimiter.
  if (out.endsWith('\\')) out += '.{0}';
  return `/${out}/`;
}

export function toLucene(doc: IrDocument, opts: BackendOptions): Translation<string> {
  if (doc.kind !== 'rule') throw corrError(doc, 'lucene', 'query_string has no aggregations or sequences; use -t dsl, -t esql or -t eql');
  return { target: 'lucene', query: luceneQuery(doc, opts), warnings: [] };
}

export function luceneQuery(rule: IrRule, opts: BackendOptions): string {
  const ctx: RenderContext = { doc: rule, target: 'lucene', profile: opts.profile };
  return render(rule.query, ctx, true);
}

const MATCH_ALL = '*:*';
const MATCH_NONE = `NOT ${MATCH_ALL}`;

function render(node: IrNode, ctx: RenderContext, top = false): string {
  const group = (s: string): string => (top ? s : `(${s})`);
  switch (node.kind) {
    case 'and': {
      const pos = node.children.filter((c) => c.kind !== 'not').map((c) => render(c, ctx));
      const neg = node.children.filter((c) => c.kind === 'not').map((c) => `NOT ${render((c as { child: IrNode }).child, ctx)}`);
      if (pos.length === 0) pos.push(MATCH_ALL);
      const parts = [...pos, ...neg];
      return parts.length === 1 ? parts[0] : group(parts.join(' AND '));
    }
    case 'or':
      return node.children.length === 1 ? render(node.children[0], ctx, top) : group(node.children.map((c) => render(c, ctx)).join(' OR '));
    case 'not':
      // A purely negative clause needs a positive one to subtract from.
      return group(`${MATCH_ALL} AND NOT ${render(node.child, ctx)}`);
    case 'const':
      return node.value ? MATCH_ALL : group(`${MATCH_ALL} AND ${MATCH_NONE}`);
    default:
      return renderPrim(planLeaf(node, ctx), ctx, group);
  }
}

function renderPrim(prim: Prim, ctx: RenderContext, group: (s: string) => string): string {
  switch (prim.p) {
    case 'const':
      return prim.value ? MATCH_ALL : group(`${MATCH_ALL} AND ${MATCH_NONE}`);
    case 'exists':
      return `_exists_:${escapeField(prim.field)}`;
    case 'text': {
      const f = escapeField(prim.field);
      if (prim.caseInsensitive && prim.pattern.some((p) => p.t === 'lit' && hasCase(p.v))) {
        return `${f}:${regexLiteral(patternRegex(prim.pattern, true))}`;
      }
      if (isLiteral(prim.pattern)) {
        const text = literalText(prim.pattern);
        if (text === '') return `${f}:""`;
        // Elasticsearch reads an unquoted term starting with `<` or `>` as a range (`f:>x`) even
        // when escaped, since it looks at the unescaped text; a quoted term is never a range.
        if (/^[<>]/.test(text)) return `${f}:"${text.replace(/["\\]/g, (c) => `\\${c}`)}"`;
        return `${f}:${escapeTerm(text)}`;
      }
      if (prim.pattern.length === 1 && prim.pattern[0].t === 'any') {
        // `f:*` is rewritten to an exists query, which also counts values beyond ignore_above.
        return `${f}:${regexLiteral('.*')}`;
      }
      return `${f}:${wildcardTerm(wildcardText(prim.pattern))}`;
    }
    case 'regexp':
      if (prim.caseInsensitive) {
        throw unsupported(ctx, prim.origin, 'a case-insensitive regex needs the case_insensitive flag, which query_string lacks; use -t dsl or -t eql');
      }
      return `${escapeField(prim.field)}:${regexLiteral(prim.regex)}`;
    case 'ip': {
      const f = escapeField(prim.field);
      const terms = prim.networks.map((n) => `${f}:${escapeTerm(n)}`);
      return terms.length === 1 ? terms[0] : group(terms.join(' OR '));
    }
    case 'eq':
      return `${escapeField(prim.field)}:${escapeTerm(String(prim.value))}`;
    case 'range': {
      const op = { gt: '>', gte: '>=', lt: '<', lte: '<=' }[prim.op];
      return `${escapeField(prim.field)}:${op}${escapeTerm(String(prim.value))}`;
    }
    case 'fieldref':
      throw unsupported(ctx, prim.origin, 'fieldref compares two fields of one event; query_string cannot (use -t esql for case-sensitive equality)');
    case 'timepart':
      throw unsupported(ctx, prim.origin, `the '${prim.part}' part of a date needs a script; query_string has none (use -t esql)`);
  }
}

/**
 * In a wildcard term query_string keeps backslash escapes for WildcardQuery, so `\*`, `\?`, `\\`
 * stay literal; other reserved characters still need a backslash to stay in the term.
 */
function wildcardTerm(wild: string): string {
  let out = '';
  for (let i = 0; i < wild.length; i++) {
    const ch = wild[i];
    if (ch === '\\') {
      out += ch + wild[i + 1];
      i++;
    } else if (ch === '*' || ch === '?') out += ch;
    else out += RESERVED.has(ch) || /\s/.test(ch) ? `\\${ch}` : ch;
  }
  return out;
}

function hasCase(text: string): boolean {
  return [...text].some((ch) => alternateCase(ch) !== undefined);
}
