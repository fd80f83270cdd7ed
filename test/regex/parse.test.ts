import assert from 'node:assert/strict';
import { parseSigmaRegex } from '../../src/ir/regex';
import { isSigmaEsError } from '../../src/errors';

const F = { i: false, m: false, s: false };

function rejects(src: string, code: string, reason: RegExp): void {
  assert.throws(() => parseSigmaRegex(src, F), (e: unknown) => {
    assert.ok(isSigmaEsError(e), `expected SigmaEsError for ${src}`);
    assert.equal(e.code, code, `${src}: ${e.message}`);
    assert.match(e.message, reason);
    assert.match(e.message, /position \d+/);
    return true;
  });
}

describe('regex dialect: parser', () => {
  it('accepts the constructs SigmaHQ rules use', () => {
    for (const src of [
      'abc', 'a.b', '[a-z0-9_]+', '[^\\\\]+', '\\d{1,3}\\.\\d{1,3}', '\\s\\S\\w\\W\\D', '(?:a|b)*c', '(a|)b', '(?P<x>ab)',
      'a*?b+?c??d{2,3}?', 'x{2,}', 'x{,3}', '^abc$', '(^|/)\\.[^./]', '(^[a-z]{4}$)|(^[a-z]{8}$)', '\\Aab\\Z',
      '[]a]', '[^]a]', '[a-]', '[-a]', '\\x41\\u00df\\U0001F600\\0\\n\\t', '[\\b]', 'a{b}', 'a{', '}', ']', '(?#comment)a',
      '(?i)(?s)a.b', '😀+',
    ]) {
      assert.doesNotThrow(() => parseSigmaRegex(src, F), src);
    }
  });

  it('merges leading inline flags into the AST flags', () => {
    assert.deepEqual(parseSigmaRegex('(?i)abc', F).flags, { i: true, m: false, s: false });
    assert.deepEqual(parseSigmaRegex('(?ms)abc', { i: true, m: false, s: false }).flags, { i: true, m: true, s: true });
  });

  it('reads Python quantifier and literal-brace rules', () => {
    const ast = parseSigmaRegex('a{,3}', F);
    assert.deepEqual(ast.body, { t: 'repeat', body: { t: 'char', cp: 97 }, min: 0, max: 3, lazy: false });
    assert.equal(parseSigmaRegex('a{x}', F).body.t, 'seq');
  });

  it('rejects what Lucene cannot express exactly, naming the construct', () => {
    rejects('(?=a)', 'REGEX_UNSUPPORTED', /lookahead/);
    rejects('(?!a)', 'REGEX_UNSUPPORTED', /lookahead/);
    rejects('(?<=a)b', 'REGEX_UNSUPPORTED', /lookbehind/);
    rejects('(?<!a)b', 'REGEX_UNSUPPORTED', /lookbehind/);
    rejects('(a)\\1', 'REGEX_UNSUPPORTED', /backreference/);
    rejects('(?P<n>a)(?P=n)', 'REGEX_UNSUPPORTED', /backreference/);
    rejects('\\bword', 'REGEX_UNSUPPORTED', /word boundary \\b/);
    rejects('a\\Bb', 'REGEX_UNSUPPORTED', /word boundary \\B/);
    rejects('a++', 'REGEX_UNSUPPORTED', /possessive/);
    rejects('(?>a)', 'REGEX_UNSUPPORTED', /atomic/);
    rejects('\\p{L}', 'REGEX_UNSUPPORTED', /Unicode property/);
    rejects('(?i:a)b', 'REGEX_UNSUPPORTED', /scoped inline flags/);
    rejects('a(?i)b', 'REGEX_UNSUPPORTED', /only allowed at the start/);
    rejects('(?x)a b', 'REGEX_UNSUPPORTED', /inline flag \(\?x\)/);
    rejects('a^b', 'REGEX_UNSUPPORTED', /anchor \^ at position 1 in the middle/);
    rejects('a$b', 'REGEX_UNSUPPORTED', /anchor \$ at position 1 in the middle/);
    rejects('(^a)+', 'REGEX_UNSUPPORTED', /inside a repetition/);
    rejects('(a$)*', 'REGEX_UNSUPPORTED', /inside a repetition/);
    rejects('x?^a', 'REGEX_UNSUPPORTED', /middle/);
    rejects('[[:alpha:]]', 'REGEX_UNSUPPORTED', /inside a character class/);
    rejects('a{1,100000}', 'REGEX_UNSUPPORTED', /repetition count/);
  });

  it('rejects invalid Python regex syntax', () => {
    rejects('(ab', 'REGEX_SYNTAX', /missing \)/);
    rejects('ab)', 'REGEX_SYNTAX', /unbalanced/);
    rejects('[ab', 'REGEX_SYNTAX', /unterminated character set/);
    rejects('*a', 'REGEX_SYNTAX', /nothing to repeat/);
    rejects('a**', 'REGEX_SYNTAX', /multiple repeat/);
    rejects('^*', 'REGEX_SYNTAX', /nothing to repeat/);
    rejects('[z-a]', 'REGEX_SYNTAX', /bad character range/);
    rejects('a{3,2}', 'REGEX_SYNTAX', /min repeat greater/);
    rejects('\\m', 'REGEX_SYNTAX', /bad escape \\m/);
    rejects('\\x4', 'REGEX_SYNTAX', /incomplete escape/);
  });
});
