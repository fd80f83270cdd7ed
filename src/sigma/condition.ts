/**
 * The condition language: `and`, `or`, `not`, parentheses, `1 of`/`any of`/`all of` with
 * name patterns and `them`. Precedence, loosest first: or < and < not < x of < ( ).
 * Unlike pySigma, operator words need word boundaries (`notepad` is an identifier).
 */
import { SigmaEsError } from '../errors';
import type { PatternPart } from '../ir/types';
import { literalWildcardMatcher, normalizePattern } from './strings';

export type ConditionAst =
  | { t: 'id'; name: string }
  | { t: 'and'; items: ConditionAst[] }
  | { t: 'or'; items: ConditionAst[] }
  | { t: 'not'; item: ConditionAst }
  | { t: 'of'; quantifier: 'one' | 'all'; pattern: string };

interface Token {
  text: string;
  offset: number;
}

const KEYWORDS = new Set(['and', 'or', 'not', 'of', 'them', '1', 'any', 'all']);

function tokenize(condition: string): Token[] {
  const tokens: Token[] = [];
  const re = /\s*(\(|\)|[^\s()]+)/gy;
  let m: RegExpExecArray | null;
  let end = 0;
  while ((m = re.exec(condition)) !== null) {
    tokens.push({ text: m[1], offset: m.index + m[0].length - m[1].length });
    end = re.lastIndex;
  }
  if (condition.slice(end).trim() !== '') {
    throw new SigmaEsError('CONDITION_SYNTAX', `cannot read condition at offset ${end}`);
  }
  return tokens;
}

export function parseCondition(condition: string): ConditionAst {
  const bar = condition.indexOf('|');
  if (bar >= 0) {
    throw new SigmaEsError(
      'CONDITION_SYNTAX',
      `'|' at column ${bar + 1}: aggregations (count() by …, near) were removed from Sigma; write a correlation rule instead`,
    );
  }
  const tokens = tokenize(condition);
  let i = 0;
  const fail = (msg: string, tok?: Token): never => {
    const at = tok ? ` at column ${tok.offset + 1} ('${tok.text}')` : ' at end of condition';
    throw new SigmaEsError('CONDITION_SYNTAX', `${msg}${at} in condition '${condition}'`);
  };
  const peek = (): Token | undefined => tokens[i];

  const checkWord = (tok: Token): void => {
    if (tok.text.includes('|')) {
      fail("'|' aggregations were removed from Sigma; write a correlation rule instead", tok);
    }
    const lower = tok.text.toLowerCase();
    if (KEYWORDS.has(lower) && lower !== tok.text) {
      fail(`condition keywords are lowercase: write '${lower}'`, tok);
    }
  };

  const parseOr = (): ConditionAst => {
    const items = [parseAnd()];
    while (peek()?.text === 'or') {
      i++;
      items.push(parseAnd());
    }
    return items.length === 1 ? items[0] : { t: 'or', items };
  };
  const parseAnd = (): ConditionAst => {
    const items = [parseNot()];
    while (peek()?.text === 'and') {
      i++;
      items.push(parseNot());
    }
    return items.length === 1 ? items[0] : { t: 'and', items };
  };
  const parseNot = (): ConditionAst => {
    if (peek()?.text === 'not') {
      i++;
      return { t: 'not', item: parseNot() };
    }
    return parsePrimary();
  };
  const parsePrimary = (): ConditionAst => {
    const tok = peek();
    if (!tok) return fail('expected an identifier, `(`, `not` or `1 of`/`all of`');
    checkWord(tok);
    if (tok.text === '(') {
      i++;
      const inner = parseOr();
      if (peek()?.text !== ')') fail("expected ')'", peek());
      i++;
      return inner;
    }
    if (tok.text === '1' || tok.text === 'any' || tok.text === 'all') {
      const next = tokens[i + 1];
      if (next?.text === 'of') {
        const pat = tokens[i + 2];
        if (!pat || pat.text === '(' || pat.text === ')') fail(`expected a name pattern or 'them' after '${tok.text} of'`, pat);
        checkWord(pat!);
        if (KEYWORDS.has(pat!.text) && pat!.text !== 'them') fail(`'${pat!.text}' is not a name pattern`, pat);
        if (!/^[A-Za-z0-9_*\-.]+$/.test(pat!.text)) fail('a name pattern may only hold letters, digits, _, -, . and *', pat);
        i += 3;
        return { t: 'of', quantifier: tok.text === 'all' ? 'all' : 'one', pattern: pat!.text };
      }
    }
    if (/^\d+$/.test(tok.text) && tokens[i + 1]?.text === 'of') {
      fail("only '1 of', 'any of' and 'all of' are allowed", tok);
    }
    if (KEYWORDS.has(tok.text)) fail(`unexpected '${tok.text}'`, tok);
    if (tok.text === ')') fail("unexpected ')'", tok);
    if (tok.text.includes('*')) fail(`'${tok.text}' is a pattern; write '1 of ${tok.text}' or 'all of ${tok.text}'`, tok);
    i++;
    return { t: 'id', name: tok.text };
  };

  if (tokens.length === 0) throw new SigmaEsError('CONDITION_SYNTAX', 'the condition is empty');
  const ast = parseOr();
  if (i < tokens.length) {
    checkWord(tokens[i]);
    fail('unexpected token', tokens[i]);
  }
  return ast;
}

/** Identifiers a pattern selects: `*` matches any run of characters; `_`-names only if the pattern starts with `_`. */
export function selectIdentifiers(pattern: string, identifiers: string[]): string[] {
  if (pattern === 'them') return identifiers.filter((n) => !n.startsWith('_'));
  const glob = pattern.split('*').flatMap((v, i): PatternPart[] => (i === 0 ? [{ t: 'lit', v }] : [{ t: 'any' }, { t: 'lit', v }]));
  const matches = literalWildcardMatcher(normalizePattern(glob)) as (s: string) => boolean;
  return identifiers.filter((n) => matches(n) && (!n.startsWith('_') || pattern.startsWith('_')));
}
