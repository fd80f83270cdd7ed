import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import type { PatternPart } from '../../src/ir/types';
import { parseSigmaString, formatSigmaString } from '../../src/sigma/strings';
import { query, show } from './helpers';

const parts = (s: string): string =>
  parseSigmaString(s)
    .map((p) => (p.t === 'lit' ? JSON.stringify(p.v) : p.t === 'any' ? '*' : '?'))
    .join(' ');

describe('Sigma strings: wildcards and escapes (pySigma SigmaString rules)', () => {
  // The reference's parse table (sigma-spec-and-pysigma.md §1.3).
  const table: Array<[string, string]> = [
    ['C:\\Windows\\*', '"C:\\\\Windows*"'],
    ['C:\\\\Windows\\\\*', '"C:\\\\Windows\\\\" *'],
    ['\\\\*', '"\\\\" *'],
    ['\\\\\\*', '"\\\\*"'],
    ['\\\\\\\\', '"\\\\\\\\"'],
    ['a?b*', '"a" ? "b" *'],
    ['x\\', '"x\\\\"'],
    ['plain', '"plain"'],
    ['\\?', '"?"'],
    ['a\\b', '"a\\\\b"'],
  ];
  for (const [input, expected] of table) {
    it(`reads ${JSON.stringify(input)}`, () => assert.equal(parts(input), expected));
  }
  it('formats back to an equivalent Sigma string', () => {
    for (const [input] of table) assert.deepEqual(parseSigmaString(formatSigmaString(parseSigmaString(input))), parseSigmaString(input));
  });
  it('agrees with pySigma\'s state machine, one character at a time, on random strings', () => {
    // The reference reading (sigma-spec-and-pysigma.md §1.3), written as plainly as possible;
    // parseSigmaString slices runs of text instead and must give the same parts.
    const reference = (s: string): PatternPart[] => {
      const out: PatternPart[] = [];
      let lit = '';
      for (let i = 0; i < s.length; i++) {
        const c = s[i];
        if (c === '\\' && (s[i + 1] === '*' || s[i + 1] === '?' || s[i + 1] === '\\')) lit += s[++i];
        else if (c === '*' || c === '?') {
          if (lit) out.push({ t: 'lit', v: lit });
          lit = '';
          out.push(c === '*' ? { t: 'any' } : { t: 'one' });
        } else lit += c;
      }
      if (lit) out.push({ t: 'lit', v: lit });
      return out;
    };
    const char = fc.constantFrom('\\', '\\', '*', '?', 'a', 'B', ' ', 'é', '\uD83D\uDE00', '\uD83D', ':');
    fc.assert(
      fc.property(fc.array(char, { maxLength: 24 }), (chars) => {
        const s = chars.join('');
        assert.deepEqual(parseSigmaString(s), reference(s));
      }),
      { numRuns: 3000 },
    );
  });
  it('adds wildcards after parsing, so a trailing backslash stays literal under contains', () => {
    assert.equal(show(query("sel:\n  f|contains: 'Desktop\\'\ncondition: sel")), 'f~=*"Desktop\\\\"*');
  });
  it('does not double wildcards that are already there', () => {
    assert.equal(show(query("sel:\n  f|contains: '*x*'\ncondition: sel")), 'f~=*"x"*');
    assert.equal(show(query("sel:\n  f|endswith: '*x'\ncondition: sel")), 'f~=*"x"');
  });
  it('keeps the empty string as an empty-value match', () => {
    assert.equal(show(query("sel:\n  f: ''\ncondition: sel")), 'f~=""');
  });
});
