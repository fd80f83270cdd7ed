// Interface of the Lucene-faithful matchers the evaluator uses (the regex/Lucene work fills in
// the bodies): each returns exactly what the corresponding Elasticsearch query returns on one
// indexed keyword term.
import type { PatternPart } from '../../ir/types';
import type { RegexAst, RegexFlags } from '../../ir/regex';

export type TermMatcher = (term: string) => boolean;

/** term / prefix / wildcard query on a keyword term, with or without `case_insensitive`. */
export function compileWildcardMatcher(pattern: PatternPart[], caseInsensitive: boolean): TermMatcher {
  void pattern; void caseInsensitive;
  throw new Error('compileWildcardMatcher: not implemented yet');
}

/** regexp query for the Lucene rendering of this Sigma regex, in linear time. */
export function compileRegexMatcher(ast: RegexAst, flags: RegexFlags): TermMatcher {
  void ast; void flags;
  throw new Error('compileRegexMatcher: not implemented yet');
}
