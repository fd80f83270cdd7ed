// Interface of the supported regex dialect. The regex work fills in the bodies; callers
// (IR builder, backends, evaluator) depend only on these signatures.
import type { RegexAst } from './ast';
export type { RegexAst } from './ast';

export interface RegexFlags { i: boolean; m: boolean; s: boolean }

/** Parse a Sigma `re` value (unanchored search semantics) in the supported dialect; throws SigmaEsError(code 'REGEX_UNSUPPORTED' | 'REGEX_SYNTAX'). */
export function parseSigmaRegex(source: string, flags: RegexFlags): RegexAst {
  void source; void flags;
  throw new Error('parseSigmaRegex: not implemented yet');
}

/**
 * Render as a Lucene RegExp (anchored, whole-value) that matches exactly the values the
 * Sigma regex finds a match in. `caseInsensitive` tells the caller to set the query's
 * case_insensitive flag (or the target's equivalent).
 */
export function renderLuceneRegex(ast: RegexAst, flags: RegexFlags): { pattern: string; caseInsensitive: boolean } {
  void ast; void flags;
  throw new Error('renderLuceneRegex: not implemented yet');
}
