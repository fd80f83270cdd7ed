// Differential test against the real Lucene: the rendered pattern evaluated by Lucene's RegExp
// (tools/lucene-oracle) must accept exactly the terms our matcher accepts.
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseSigmaRegex, renderLuceneRegex, type RegexAst } from '../../src/ir/regex';
import { compileRegexMatcher, compileWildcardMatcher } from '../../src/eval/lucene';
import type { PatternPart } from '../../src/ir/types';
import { flagsArb, regexArb, termArb } from './gen';
import { b64, requireOracle, runOracle } from './oracle-client';



/** Runs a batch of requests through one oracle process. */
function oracle(requests: { kind: 'R' | 'W'; pattern: string; ci: boolean; term: string }[]): string[] {
  return runOracle(requests.map((r) => `${r.kind}\t${b64(r.pattern)}\t${r.ci ? 1 : 0}\t${b64(r.term)}`));
}

function wildcardText(parts: PatternPart[]): string {
  // ES escapes: only * ? and \ (an escaped letter would lose case-insensitivity)
  return parts.map((p) => (p.t === 'any' ? '*' : p.t === 'one' ? '?' : p.v.replace(/[*?\\]/g, '\\$&'))).join('');
}

describe('Lucene oracle differential', function () {
  before(function () {
    requireOracle(this);
  });

  it('rendered regex on Lucene 10 == our matcher, on random regexes, flags and terms', function () {
    this.timeout(120_000);
    const samples = fc.sample(fc.tuple(regexArb, flagsArb, fc.array(termArb, { minLength: 4, maxLength: 8 })), { numRuns: 250, seed: 42 });
    type Case = { src: string; ast: RegexAst; flags: { i: boolean; m: boolean; s: boolean }; mode: 'flag' | 'explicit'; pattern: string; ci: boolean; term: string; mine: boolean };
    const cases: Case[] = [];
    for (const [src, flags, terms] of samples) {
      let ast: RegexAst;
      try { ast = parseSigmaRegex(src, flags); } catch { continue; }
      const match = compileRegexMatcher(ast, flags);
      for (const mode of ['flag', 'explicit'] as const) {
        const { pattern, caseInsensitive } = renderLuceneRegex(ast, flags, { caseFolding: mode });
        for (const term of terms) cases.push({ src, ast, flags, mode, pattern, ci: caseInsensitive, term, mine: match(term) });
      }
    }
    assert.ok(cases.length > 1000, `only ${cases.length} cases`);
    const out = oracle(cases.map((c) => ({ kind: 'R', pattern: c.pattern, ci: c.ci, term: c.term })));
    // "E ..." = Lucene refuses the pattern (e.g. TooComplexToDeterminize): ES would reject the query, not answer differently
    const refused = out.filter((o) => o.startsWith('E ')).length;
    assert.ok(refused < cases.length / 10, `Lucene refused ${refused} of ${cases.length}`);
    const bad = cases.filter((c, i) => !out[i].startsWith('E ') && out[i] !== (c.mine ? '1' : '0'));
    assert.deepEqual(
      bad.slice(0, 5).map((c) => `${c.src} ${JSON.stringify(c.flags)} ${c.mode} -> ${JSON.stringify(c.pattern)} ci=${c.ci} term=${JSON.stringify(c.term)} ours=${c.mine} lucene=${out[cases.indexOf(c)]}`),
      [],
    );
  });

  it('fixed edge cases: reserved characters, case folding, anchors', () => {
    const srcs = ['a@b&c<d>#~"e', '[@&<>#~"]', '(?i)straße', '(?i)[a-z]+', '(?i)\\w', '(?i)k', '(?i)σ', '(?i)ǅ', '(?i)İ', '(?i)ａ', '^a$', '(?m)^a$', '(?s)a.b', 'a.b', '[^\\\\]', '[\\]\\-^]', '\\$PSHome\\[', '(^|/)\\.[^./]'];
    const terms = ['a@b&c<d>#~"e', '@', '#', 'STRASSE', 'STRAẞE', 'straße', 'ABC', '\u212a', 'K', 'k', 'Σ', 'ς', 'Ǆ', 'ǆ', 'i', 'İ', 'Ａ', 'a', 'a\n', 'x\na\ny', 'a\nb', 'axb', '\\', ']', '-', '^', '$PSHome[', '/.x', '.x', 'x.x', '_'];
    const reqs: { kind: 'R'; pattern: string; ci: boolean; term: string; mine: boolean; src: string }[] = [];
    for (const src of srcs) {
      const ast = parseSigmaRegex(src, { i: false, m: false, s: false });
      const match = compileRegexMatcher(ast, ast.flags);
      for (const mode of ['flag', 'explicit'] as const) {
        const r = renderLuceneRegex(ast, ast.flags, { caseFolding: mode });
        for (const term of terms) reqs.push({ kind: 'R', pattern: r.pattern, ci: r.caseInsensitive, term, mine: match(term), src });
      }
    }
    const out = oracle(reqs);
    const bad = reqs.filter((r, i) => out[i] !== (r.mine ? '1' : '0')).map((r) => `${r.src} -> ${JSON.stringify(r.pattern)} on ${JSON.stringify(r.term)}: ours ${r.mine}`);
    assert.deepEqual(bad, []);
  });

  it('wildcard matcher == ES term/wildcard query automata, with and without case_insensitive', function () {
    this.timeout(60_000);
    const partArb: fc.Arbitrary<PatternPart> = fc.oneof(
      fc.constant({ t: 'any' } as PatternPart),
      fc.constant({ t: 'one' } as PatternPart),
      termArb.filter((s) => s.length > 0).map((v) => ({ t: 'lit', v }) as PatternPart),
    );
    const samples = fc.sample(fc.tuple(fc.array(partArb, { minLength: 1, maxLength: 4 }), fc.boolean(), fc.array(termArb, { minLength: 4, maxLength: 8 })), { numRuns: 500, seed: 7 });
    const reqs: { kind: 'W'; pattern: string; ci: boolean; term: string; mine: boolean }[] = [];
    for (const [parts, ci, terms] of samples) {
      const match = compileWildcardMatcher(parts, ci);
      for (const term of terms) reqs.push({ kind: 'W', pattern: wildcardText(parts), ci, term, mine: match(term) });
      // the literal itself, in other cases, is the interesting term
      const lit = parts.map((p) => (p.t === 'lit' ? p.v : p.t === 'one' ? 'x' : '')).join('');
      for (const term of [lit, lit.toUpperCase(), lit.toLowerCase()]) reqs.push({ kind: 'W', pattern: wildcardText(parts), ci, term, mine: match(term) });
    }
    const out = oracle(reqs);
    const bad = reqs.filter((r, i) => out[i] !== (r.mine ? '1' : '0')).slice(0, 5);
    assert.deepEqual(bad, []);
  });
});
