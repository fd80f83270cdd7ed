/**
 * Documents Elasticsearch refuses for their shape (nesting, mapping depth, field names, field
 * count): the evaluator marks them rejected without crashing, however deep they are. Whether
 * these verdicts are the engine's is checked on a real engine in test/engine/limits.test.ts.
 */
import { strict as assert } from 'node:assert';
import { prepareEvent } from '../../src/eval/event';
import { parseJsonExact, RawNumber } from '../../src/eval/json';
import { compileRuleset, matchEvent } from '../../src/eval';
import { getProfile, type MappingProfile } from '../../src/mapping/profile';
import { templateShape } from '../../src/eval/limits';
import { rule, str } from './helpers';

const sysmon = getProfile('sysmon') as MappingProfile;
const nestText = (n: number, leaf: string, open = '{"a":', close = '}') => open.repeat(n) + leaf + close.repeat(n);

describe('evaluator: documents Elasticsearch refuses for their shape', () => {
  for (const n of [5_000, 20_000, 200_000]) {
    it(`marks an event nested ${n} levels deep rejected instead of overflowing the stack (objects, arrays, exact numbers)`, () => {
      const objects = parseJsonExact(nestText(n, '1.0')) as Record<string, unknown>;
      const arrays = parseJsonExact(`{"x":${nestText(n, '1.0', '[', ']')}}`) as Record<string, unknown>;
      assert.match(String(prepareEvent(objects, sysmon).rejected), /^Limit of mapping depth \[20\] has been exceeded due to object field \[a(\.a){19}\]$/);
      assert.match(String(prepareEvent(arrays, sysmon).rejected), /^Document nesting depth \(1001\) exceeds the maximum allowed \(1000/);
    });
  }

  it('keeps exact numbers up to the nesting limit', () => {
    const v = parseJsonExact(`{"x":${nestText(999, '1.0', '[', ']')}}`) as Record<string, unknown>;
    let m: unknown = v.x;
    while (Array.isArray(m)) m = m[0];
    assert.ok(m instanceof RawNumber && m.raw === '1.0');
    assert.equal(prepareEvent(v, sysmon).rejected, null);
  });

  it('counts mapping depth by dots, through dotted keys and arrays of objects; values and empty arrays add none', () => {
    const deep = (n: number, leaf: unknown): Record<string, unknown> => JSON.parse(nestText(n, JSON.stringify(leaf)));
    const verdict = (ev: Record<string, unknown>) => prepareEvent(ev, sysmon).rejected !== null;
    assert.equal(verdict(deep(20, 1)), false);
    assert.equal(verdict(deep(21, 1)), true);
    assert.equal(verdict(deep(19, {})), false);
    assert.equal(verdict(deep(20, {})), true);
    assert.equal(verdict(deep(20, [])), false);
    assert.equal(verdict(deep(20, [[1]])), false);
    assert.equal(verdict(deep(19, [{ b: 1 }])), false);
    assert.equal(verdict(deep(20, [{ b: 1 }])), true);
    assert.equal(verdict({ [Array(20).fill('a').join('.')]: 1 }), false);
    assert.equal(verdict({ [Array(21).fill('a').join('.')]: 1 }), true);
    assert.equal(verdict({ 'x.y': deep(17, 1) }), false);
    assert.equal(verdict({ 'x.y': deep(18, 1) }), false);
    assert.equal(verdict({ 'x.y': deep(19, 1) }), true);
  });

  it('refuses the field names ES refuses, and reads `a.` as `a`', () => {
    const bad = ['', ' ', '\t', '\u3000', '.', '..', '.a', 'a..b', ' .a', 'a. ', '_source', '_index.x', '_routing'];
    const good = ['a.', 'a..', '\u00a0', '\u2007', 'a. b', '_x', 'a._source', '_doc_count_x', '_id'];
    for (const k of bad) assert.notEqual(prepareEvent({ [k]: 'v' }, sysmon).rejected, null, JSON.stringify(k));
    // metadata names only at the top; the others anywhere, whatever the value (null included)
    for (const k of bad) assert.equal(prepareEvent({ x: 1, y: { [k]: null } }, sysmon).rejected !== null, !k.startsWith('_'), `nested ${JSON.stringify(k)}`);
    for (const k of good) assert.equal(prepareEvent({ [k]: 'v' }, sysmon).rejected, null, JSON.stringify(k));
    const ev = prepareEvent({ 'a.': 'v', 'b..': { c: 'w' }, b: { d: 'x' } }, sysmon);
    assert.deepEqual([...ev.fields.keys()].sort(), ['a', 'b.c', 'b.d']);
  });

  it('counts the fields one event adds to a fresh index from the profile, against the limit', () => {
    const allowed = templateShape(sysmon).newFieldsAllowed;
    const flat = (n: number, extra: Record<string, unknown> = {}) => ({ ...extra, ...Object.fromEntries(Array.from({ length: n }, (_, i) => [`f${i}`, 'v'])) });
    const rejected = (ev: Record<string, unknown>) => prepareEvent(ev, sysmon).rejected;
    assert.equal(rejected(flat(allowed)), null);
    assert.match(String(rejected(flat(allowed + 1))), /^Limit of total fields \[100000\] has been exceeded while adding new fields \[99993\]$/);
    // the template's own fields are counted already; null and [] add no field; {} and implied objects do
    assert.equal(rejected(flat(allowed, { SourceIp: '10.0.0.1', ProcessId: 4 })), null);
    assert.equal(rejected(flat(allowed, { n: null, m: [] })), null);
    assert.notEqual(rejected(flat(allowed - 1, { e: {}, g: {} })), null);
    assert.notEqual(rejected(flat(allowed - 1, { 'o.p': 1 })), null);
    assert.equal(rejected(flat(allowed - 2, { 'o.p': 1 })), null);
    assert.notEqual(rejected(flat(allowed - 1, { 'o.p': {} })), null);
  });

  it('matches nothing on a rejected event, on both evaluators', () => {
    const rs = compileRuleset([rule(str('Image', '*\\wmic.exe'))], { profile: sysmon });
    const ok = { Image: 'C:\\Windows\\wmic.exe', deep: JSON.parse(nestText(19, '1')) };
    const refused = { Image: 'C:\\Windows\\wmic.exe', deep: JSON.parse(nestText(20, '1')) };
    assert.equal(matchEvent(rs, ok).length, 1);
    assert.equal(matchEvent(rs, refused).length, 0);
    const p = prepareEvent(refused, rs.profile);
    assert.deepEqual([rs.match(p), rs.matchOracle(p)], [[], []]);
  });
});
