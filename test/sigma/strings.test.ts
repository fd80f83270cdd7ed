import { strict as assert } from 'node:assert';
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
