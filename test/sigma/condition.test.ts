import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { parseCondition, selectIdentifiers } from '../../src/sigma/condition';
import { SigmaEsError } from '../../src/errors';
import { compileYaml } from '../../src/compile';
import { query, ruleYaml, show } from './helpers';

const det = 'a:\n  fa: 1\nb:\n  fb: 1\nc:\n  fc: 1\nsel_x:\n  fx: 1\nsel_y:\n  fy: 1\n_hidden:\n  fh: 1\n';
const cond = (c: string): string => show(query(`${det}condition: ${c}`));

describe('conditions', () => {
  it('precedence: or < and < not', () => {
    assert.equal(cond('a or b and c'), '(fa=1 OR (fb=1 AND fc=1))');
    assert.equal(cond('not a and b'), '(NOT fa=1 AND fb=1)');
    assert.equal(cond('not (a and b)'), 'NOT (fa=1 AND fb=1)');
    assert.equal(cond('(a or b) and c'), '((fa=1 OR fb=1) AND fc=1)');
  });
  it('1 of / any of / all of with patterns', () => {
    assert.equal(cond('1 of sel_*'), '(fx=1 OR fy=1)');
    assert.equal(cond('any of sel_*'), '(fx=1 OR fy=1)');
    assert.equal(cond('all of sel_*'), '(fx=1 AND fy=1)');
    assert.equal(cond('a and not 1 of sel_*'), '(fa=1 AND NOT (fx=1 OR fy=1))');
  });
  it('them excludes identifiers starting with _, unless the pattern starts with _', () => {
    assert.equal(cond('all of them'), '(fa=1 AND fb=1 AND fc=1 AND fx=1 AND fy=1)');
    assert.equal(cond('1 of _*'), 'fh=1');
  });
  it('a list of conditions is OR', () => {
    const docs = compileYaml(ruleYaml(`${det}condition:\n  - a\n  - b`));
    assert.equal(show((docs[0] as { query: never }).query), '(fa=1 OR fb=1)');
  });
  it('operator words need word boundaries (notepad is an identifier)', () => {
    assert.deepEqual(parseCondition('sel and notepad'), { t: 'and', items: [{ t: 'id', name: 'sel' }, { t: 'id', name: 'notepad' }] });
  });
  it('a selector naming nothing is dropped (as pySigma), with a warning', () => {
    assert.equal(cond('a and not 1 of nomatch*'), 'fa=1');
  });
  const bad: Array<[string, RegExp]> = [
    ['a AND b', /lowercase/],
    ['a and', /end of condition/],
    ['(a or b', /expected '\)'/],
    ['2 of sel_*', /only '1 of'/],
    ['sel_*', /is a pattern/],
    ['a | count() > 5', /correlation/],
    ['', /empty/],
  ];
  for (const [c, re] of bad) {
    it(`rejects '${c}'`, () => {
      assert.throws(() => parseCondition(c), (e: unknown) => e instanceof SigmaEsError && e.code === 'CONDITION_SYNTAX' && re.test(e.message));
    });
  }
  it('rejects an undefined identifier, naming it', () => {
    assert.throws(
      () => query(`${det}condition: a and missing`),
      (e: unknown) => e instanceof SigmaEsError && e.code === 'UNKNOWN_IDENTIFIER' && /missing/.test(e.message),
    );
  });
});

describe('name patterns of `x of`', () => {
  // the reference reading: `*` is any run of characters, everything else literal
  const viaRegExp = (pattern: string, ids: string[]): string[] => {
    const re = new RegExp(`^${pattern.split('*').map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
    return ids.filter((n) => re.test(n) && (!n.startsWith('_') || pattern.startsWith('_')));
  };
  it('select exactly what the glob-as-regex reading selects', () => {
    const unit = fc.constantFrom('a', 'b', '_', '.', '1', '-');
    fc.assert(
      fc.property(fc.string({ unit: fc.oneof(unit, fc.constant('*')), maxLength: 6 }), fc.array(fc.string({ unit, maxLength: 6 }), { maxLength: 6 }), (p, ids) => {
        assert.deepEqual(selectIdentifiers(p, ids), viaRegExp(p, ids));
      }),
      { numRuns: 5000 },
    );
  });
});
