// The project's one regex dialect: parsing Sigma `re` values and rendering them for Lucene.
// Callers (IR builder, backends, evaluator) depend only on these signatures.
import type { RegexAst } from './ast';
import { searchLanguage } from './lang';
import { renderLang, type RenderOptions } from './lucene';
import { parse } from './parse';

export type { RegexAst, RegexNode, ClassItem, AnchorKind, Shorthand } from './ast';
export type { Lang } from './lang';
export type { RenderOptions } from './lucene';
export { LUCENE_RESERVED } from './lucene';

export interface RegexFlags { i: boolean; m: boolean; s: boolean }

/** Parse a Sigma `re` value (unanchored search semantics) in the supported dialect; throws SigmaEsError(code 'REGEX_UNSUPPORTED' | 'REGEX_SYNTAX'). */
export function parseSigmaRegex(source: string, flags: RegexFlags): RegexAst {
  const ast = parse(source, flags);
  // Anchor placement is only checked while lowering; doing it here makes parsing the single gate.
  searchLanguage(ast, source);
  return ast;
}

/**
 * Render as a Lucene RegExp (anchored, whole-value) that matches exactly the values the
 * Sigma regex finds a match in. `caseInsensitive` tells the caller to set the query's
 * case_insensitive flag (or the target's equivalent).
 */
export function renderLuceneRegex(ast: RegexAst, flags: RegexFlags, opts: RenderOptions = {}): { pattern: string; caseInsensitive: boolean } {
  const eff = effectiveAst(ast, flags);
  return renderLang(searchLanguage(eff), eff.flags.i, opts);
}

/** The AST with the caller's flags merged in (a leading `(?i)` already lives in ast.flags). */
export function effectiveAst(ast: RegexAst, flags: RegexFlags): RegexAst {
  const f = { i: ast.flags.i || flags.i, m: ast.flags.m || flags.m, s: ast.flags.s || flags.s };
  return f.i === ast.flags.i && f.m === ast.flags.m && f.s === ast.flags.s ? ast : { ...ast, flags: f };
}
