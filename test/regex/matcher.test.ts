import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseSigmaRegex, type RegexAst, type RegexFlags, type RegexNode, type ClassItem } from '../../src/ir/regex';
import { compileRegexMatcher, compileWildcardMatcher } from '../../src/eval/lucene';
import { regexArb, termArb } from './gen';

const F: RegexFlags = { i: false, m: false, s: false };
const m = (src: string, term: string, flags: Partial<RegexFlags> = {}) => {
  const f = { ...F, ...flags };
  return compileRegexMatcher(parseSigmaRegex(src, f), f)(term);
};

// The same search semantics written for JS RegExp (u flag): an independent reading of the AST.
function jsSource(n: RegexNode, f: RegexFlags): string {
  const ch = (cp: number) => `\\u{${cp.toString(16)}}`;
  const item = (it: ClassItem) =>
    it.t === 'range' ? `${ch(it.from)}-${ch(it.to)}` : ({ d: '0-9', D: '\\D', w: '\\w', W: '\\W', s: '\\t-\\r ', S: '\\0-\\x08\\x0e-\\x1f\\x21-\\u{10ffff}' } as const)[it.c];
  switch (n.t) {
    case 'empty': return '(?:)';
    case 'char': return ch(n.cp);
    case 'dot': return f.s ? '[^]' : '[^\\n]';
    case 'class': return `[${n.negated ? '^' : ''}${n.items.map(item).join('')}]`;
    case 'seq': return n.items.map((x) => jsSource(x, f)).join('');
    case 'alt': return `(?:${n.items.map((x) => jsSource(x, f)).join('|')})`;
    case 'group': return `(?:${jsSource(n.body, f)})`;
    case 'repeat': return `(?:${jsSource(n.body, f)}){${n.min},${n.max ?? ''}}`;
    case 'anchor':
      // (?<![^\n]) would be wrong: V8 tries the empty match inside a surrogate pair there
      return { caret: f.m ? '(?:^|(?<=\\n))' : '^', strStart: '^', strEnd: '$', dollar: f.m ? '(?=\\n|$)' : '(?=\\n?$)' }[n.kind];
  }
}
const jsRegex = (ast: RegexAst) => new RegExp(jsSource(ast.body, ast.flags), 'u');

describe('Lucene-faithful matchers', () => {
  it('(a+)+$ on 100 KB of a followed by ! is linear', () => {
    const match = compileRegexMatcher(parseSigmaRegex('(a+)+$', F), F);
    const t0 = performance.now();
    assert.equal(match('a'.repeat(100_000) + '!'), false);
    assert.equal(match('b' + 'a'.repeat(100_000)), true);
    assert.equal(compileRegexMatcher(parseSigmaRegex('(a|aa)*c', F), F)('a'.repeat(100_000)), false);
    const ms = performance.now() - t0;
    assert.ok(ms < 200, `took ${ms} ms`);
  });

  it('follows Python search semantics for anchors and flags', () => {
    assert.equal(m('abc$', 'xabc\n'), true);
    assert.equal(m('abc$', 'xabc\n\n'), false);
    assert.equal(m('abc\\Z', 'xabc\n'), false);
    assert.equal(m('^b', 'a\nb'), false);
    assert.equal(m('^b', 'a\nb', { m: true }), true);
    assert.equal(m('a$', 'a\nb', { m: true }), true);
    assert.equal(m('a.b', 'a\nb'), false);
    assert.equal(m('a.b', 'a\nb', { s: true }), true);
    assert.equal(m('(^|/)\\.x', 'dir/.x'), true);
    assert.equal(m('(^|/)\\.x', 'dir.x'), false);
    assert.equal(m('\\d', '\u0663'), false, 'ASCII \\d: Arabic-Indic digit is not a digit');
  });

  it('folds case like Lucene 10 RegExp for i', () => {
    assert.equal(m('k', '\u212a', { i: true }), true, 'Kelvin sign');
    assert.equal(m('\u212a', 'k', { i: true }), true);
    assert.equal(m('s', 'ſ', { i: true }), true);
    assert.equal(m('σ', 'ς', { i: true }), true, 'final sigma');
    assert.equal(m('ß', 'ẞ', { i: true }), true);
    assert.equal(m('ß', 'SS', { i: true }), false, 'no multi-character folding');
    assert.equal(m('ǅ', 'ǆ', { i: true }) && m('ǅ', 'Ǆ', { i: true }), true);
    assert.equal(m('i', 'İ', { i: true }), false, 'İ lowercases to i, but i does not expand to İ');
    assert.equal(m('İ', 'i', { i: true }), true);
    assert.equal(m('ａ', 'Ａ', { i: true }), true, 'full-width letters');
    assert.equal(m('[a-c]', 'B', { i: true }), true, 'written ranges fold too');
    assert.equal(m('\\w', '\u212a', { i: true }), false, 'shorthands stay ASCII');
    assert.equal(m('k', 'K'), false);
  });

  it('matches term/prefix/wildcard queries with ES ASCII-only case_insensitive', () => {
    const w = (parts: Parameters<typeof compileWildcardMatcher>[0], ci: boolean, t: string) => compileWildcardMatcher(parts, ci)(t);
    assert.equal(w([{ t: 'lit', v: 'Straße' }], true, 'STRAßE'), true);
    assert.equal(w([{ t: 'lit', v: 'Straße' }], true, 'STRASSE'), false);
    assert.equal(w([{ t: 'lit', v: 'ß' }], true, 'ẞ'), false, 'only code points <= 128 fold');
    assert.equal(w([{ t: 'lit', v: 'k' }], true, '\u212a'), false);
    assert.equal(w([{ t: 'lit', v: 'İ' }], true, 'i'), false);
    assert.equal(w([{ t: 'lit', v: 'ａ' }], true, 'Ａ'), false);
    assert.equal(w([{ t: 'lit', v: 'ab' }, { t: 'one' }, { t: 'lit', v: 'c' }], false, 'ab😀c'), true, '? is one code point');
    assert.equal(w([{ t: 'lit', v: 'ab' }, { t: 'one' }, { t: 'lit', v: 'c' }], false, 'abxyc'), false);
    assert.equal(w([{ t: 'any' }, { t: 'lit', v: 'EXE' }], true, 'C:\\a.exe'), true);
    assert.equal(w([{ t: 'lit', v: 'C:' }, { t: 'any' }, { t: 'one' }, { t: 'lit', v: '.exe' }], true, 'c:\\x.EXE'), true);
  });

  it('agrees with JS RegExp (u flag) on random case-sensitive regexes', () => {
    fc.assert(
      fc.property(regexArb, fc.array(termArb, { minLength: 1, maxLength: 5 }), fc.boolean(), fc.boolean(), (src, terms, mflag, sflag) => {
        const f = { i: false, m: mflag, s: sflag };
        let ast: RegexAst;
        try { ast = parseSigmaRegex(src, f); } catch { return; }
        const mine = compileRegexMatcher(ast, f);
        const js = jsRegex(ast);
        for (const t of terms) assert.equal(mine(t), js.test(t), `${src} ${JSON.stringify(f)} on ${JSON.stringify(t)}`);
      }),
      { numRuns: 400 },
    );
  });
});
