// Lucene-faithful matchers: each returns exactly what the corresponding Elasticsearch query
// returns on one indexed keyword term.
import type { PatternPart } from '../../ir/types';
import { effectiveAst, type RegexAst, type RegexFlags } from '../../ir/regex';
import { searchLanguage, seq, ALL, type Lang } from '../../ir/regex/lang';
import { asciiFoldAlternative } from '../../ir/regex/casefold';
import { TermAutomaton, luceneRegexFold } from './automaton';

export type TermMatcher = (term: string) => boolean;

export { TermAutomaton } from './automaton';

const NO_FOLD = (): readonly number[] => [];
const ASCII_FOLD = (cp: number): readonly number[] => {
  const alt = asciiFoldAlternative(cp);
  return alt === cp ? [] : [alt];
};

// Maps only A-Z, which is exactly the relation ES's case-insensitive term/prefix/wildcard use.
function asciiLower(s: string): string {
  let out = '';
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x41 && c <= 0x5a) {
      out += s.slice(start, i) + String.fromCharCode(c + 0x20);
      start = i + 1;
    }
  }
  return start === 0 ? s : out + s.slice(start);
}

function hasLoneSurrogate(s: string): boolean {
  return /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(s);
}

/** term / prefix / wildcard query on a keyword term, with or without `case_insensitive`. */
export function compileWildcardMatcher(pattern: PatternPart[], caseInsensitive: boolean): TermMatcher {
  const norm = caseInsensitive ? asciiLower : (s: string) => s;
  const lits = pattern.filter((p) => p.t === 'lit').map((p) => norm((p as { v: string }).v));
  const shape = pattern.map((p) => p.t).join(',');
  // String fast paths: sound because UTF-16 is self-synchronising for well-formed text, and
  // ASCII lowering never changes lengths.
  if (!pattern.some((p) => p.t === 'one') && !lits.some(hasLoneSurrogate)) {
    if (shape === '') return (t) => t === '';
    if (shape === 'lit') { const v = lits[0]; return (t) => norm(t) === v; }
    if (shape === 'any' || /^any(,any)*$/.test(shape)) return () => true;
    if (shape === 'lit,any') { const v = lits[0]; return (t) => norm(t).startsWith(v); }
    if (shape === 'any,lit') { const v = lits[0]; return (t) => norm(t).endsWith(v); }
    if (shape === 'any,lit,any') { const v = lits[0]; return (t) => norm(t).includes(v); }
  }
  const parts: Lang[] = [];
  for (const p of pattern) {
    if (p.t === 'any') parts.push({ t: 'rep', body: { t: 'set', ranges: ALL }, min: 0, max: null });
    else if (p.t === 'one') parts.push({ t: 'set', ranges: ALL });
    else for (const ch of p.v) parts.push({ t: 'cp', cp: ch.codePointAt(0)!, fold: caseInsensitive });
  }
  const a = new TermAutomaton(seq(parts), caseInsensitive ? ASCII_FOLD : NO_FOLD);
  return (t) => a.matches(t);
}

/** regexp query for the Lucene rendering of this Sigma regex, in linear time. */
export function compileRegexMatcher(ast: RegexAst, flags: RegexFlags): TermMatcher {
  const eff = effectiveAst(ast, flags);
  const a = new TermAutomaton(searchLanguage(eff), eff.flags.i ? luceneRegexFold : NO_FOLD);
  return (t) => a.matches(t);
}
