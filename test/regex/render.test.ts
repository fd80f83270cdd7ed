import assert from 'node:assert/strict';
import { parseSigmaRegex, renderLuceneRegex, LUCENE_RESERVED, type RegexFlags } from '../../src/ir/regex';

const F: RegexFlags = { i: false, m: false, s: false };
const r = (src: string, flags: Partial<RegexFlags> = {}, opts = {}) => {
  const f = { ...F, ...flags };
  return renderLuceneRegex(parseSigmaRegex(src, f), f, opts);
};

describe('regex dialect: Lucene renderer', () => {
  it('wraps unanchored searches and keeps anchored ends exact', () => {
    assert.deepEqual(r('abc'), { pattern: '.*abc.*', caseInsensitive: false });
    assert.equal(r('^abc').pattern, 'abc.*');
    // Python's `$` also matches before one final newline
    assert.equal(r('abc$').pattern, '.*abc\n?');
    assert.equal(r('\\Aabc\\Z').pattern, 'abc');
    assert.equal(r('^abc$').pattern, 'abc\n?');
    // a range must start with a raw character: Lucene reads an escaped one as a lone item
    assert.equal(r('(^|/)\\.[^./]').pattern, '\\.[^.-/].*|.*/\\.[^.-/].*');
    assert.equal(r('(^[a-z]{4}$)|(^[a-z]{8}$)').pattern, '([a-z]{4}|[a-z]{8})\n?');
    assert.equal(r('(^a)?b').pattern, 'ab.*|.*b.*');
  });

  it('renders multiline anchors as line boundaries', () => {
    assert.equal(r('^a', { m: true }).pattern, '(.*\n)?a.*');
    assert.equal(r('a$', { m: true }).pattern, '.*a(\n.*)?');
    assert.equal(r('\\Aa', { m: true }).pattern, 'a.*');
  });

  it('excludes newline from . unless dotall', () => {
    assert.equal(r('a.b').pattern, '.*a[^\n]b.*');
    assert.equal(r('a.b', { s: true }).pattern, '.*a.b.*');
  });

  it('escapes every Lucene operator character, outside and inside classes', () => {
    for (const ch of LUCENE_RESERVED) {
      const src = '\\' + ch;
      assert.equal(r(src).pattern, `.*\\${ch}.*`, src);
      assert.equal(r(`[x${src}]`).pattern, `.*[\\${ch}x].*`.replace(`[\\${ch}x]`, ch.charCodeAt(0) < 0x78 ? `[\\${ch}x]` : `[x\\${ch}]`), `[x${src}]`);
    }
    assert.equal(r('a@b&c<d>#~"e').pattern, '.*a\\@b\\&c\\<d\\>\\#\\~\\"e.*');
    assert.equal(r('^-\\^$').pattern, '-^\n?');
  });

  it('writes shorthand classes with Python ASCII semantics', () => {
    assert.equal(r('\\d\\w\\s').pattern, '.*[0-9][0-9A-Z_a-z][\t-\r ].*');
    assert.equal(r('\\D').pattern, '.*[^0-9].*');
    assert.equal(r('[\\w.-]').pattern, '.*[\\-\\.0-9A-Z_a-z].*');
  });

  it('sets case_insensitive for i and spells out folded ranges', () => {
    assert.deepEqual(r('(?i)abc'), { pattern: '.*abc.*', caseInsensitive: true });
    // Lucene leaves ranges unfolded, so the alternatives are written out (K = Kelvin sign, ſ = long s)
    assert.equal(r('[a-z]', { i: true }).pattern, '.*[A-Za-z\u017f-\u017f\u212a-\u212a].*');
    // shorthands stay ASCII and points with case variants are written as ranges so Lucene does not fold them
    assert.equal(r('\\w', { i: true }).pattern, '.*[0-9A-Z_a-z].*');
    assert.deepEqual(r('k', { i: true }, { caseFolding: 'explicit' }), { pattern: '.*[Kk\u212a].*', caseInsensitive: false });
  });
});
