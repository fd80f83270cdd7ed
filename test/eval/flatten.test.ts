import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { flattenEvent, parseEsDate, parseEsDateText, prepareEvent, type JsonScalar, type PreparedEvent } from '../../src/eval/event';
import { getProfile, type MappingProfile } from '../../src/mapping/profile';
import { RawNumber } from '../../src/eval/json';

// The definition flattenEvent is held to: a plain walk with no caches (flattenEvent reuses one
// tree of path nodes across events and tracks each path's values on its node).
function reference(source: Record<string, unknown>): { raw: Map<string, JsonScalar[]>; conflict: string | null } {
  const raw = new Map<string, JsonScalar[]>();
  const objectPaths: string[] = [];
  const dotted: string[] = [];
  const walk = (prefix: string, v: unknown, dot: boolean): void => {
    if (v === null || v === undefined) return;
    if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' || v instanceof RawNumber) {
      const arr = raw.get(prefix);
      if (arr) arr.push(v);
      else {
        raw.set(prefix, [v]);
        if (dot) dotted.push(prefix);
      }
      return;
    }
    if (Array.isArray(v)) {
      for (const m of v) walk(prefix, m, dot);
      return;
    }
    if (typeof v !== 'object') return;
    if (prefix !== '') objectPaths.push(prefix);
    for (const k of Object.keys(v as object)) walk(prefix === '' ? k : `${prefix}.${k}`, (v as Record<string, unknown>)[k], dot || k.includes('.'));
  };
  walk('', source, false);
  for (const k of dotted) for (let d = k.indexOf('.'); d > 0; d = k.indexOf('.', d + 1)) objectPaths.push(k.slice(0, d));
  const hit = objectPaths.find((p) => raw.has(p));
  return { raw, conflict: hit === undefined ? null : `field [${hit}] is both an object and a value` };
}

describe('flattenEvent', () => {
  it('equals a plain walk, on streams of events sharing paths (property)', () => {
    // keys that collide once flattened: dotted ones, empty ones, leading and trailing dots
    const key = fc.constantFrom('a', 'b', 'a.b', 'b.a', '', 'a.', '.b', 'c');
    const value = fc.letrec<{ v: unknown }>((tie) => ({
      v: fc.oneof(
        { depthSize: 'small', withCrossShrink: true },
        fc.constantFrom<unknown>('x', 'y', 1, 2.5, true, null, new RawNumber('1.0', 1)),
        fc.array(tie('v'), { maxLength: 3 }),
        fc.dictionary(key, tie('v'), { maxKeys: 4 }),
      ),
    })).v;
    const event = fc.dictionary(key, value, { maxKeys: 5 });
    const profile = getProfile('sysmon') as MappingProfile;
    const prepared: [PreparedEvent, Map<string, JsonScalar[]>][] = [];
    fc.assert(
      fc.property(fc.array(event, { minLength: 1, maxLength: 8 }), (events) => {
        for (const e of events) {
          const got = flattenEvent(e);
          const want = reference(e);
          assert.deepEqual([...got.raw], [...want.raw]);
          assert.equal(got.conflict, want.conflict);
          // a prepared event's map is built when first read, from lists the next events must not touch
          prepared.push([prepareEvent(e, profile), want.raw]);
          assert.equal(prepared[prepared.length - 1][0].rejected, want.conflict);
        }
        for (const [p, raw] of prepared) assert.deepEqual([...p.raw], [...raw]);
        prepared.length = 0;
      }),
      { numRuns: 3000 },
    );
  });
});

describe('parseEsDate', () => {
  it('reads YYYY-MM-DDTHH:MM:SS.sssZ as the general path does, invalid and near-miss shapes included (property)', () => {
    const digit = fc.constantFrom(...'0123456789');
    const two = (hi: string) => fc.tuple(fc.constantFrom(...hi), digit).map(([a, b]) => a + b);
    const stamp = fc
      .tuple(
        fc.oneof(fc.tuple(digit, digit, digit, digit).map((a) => a.join('')), fc.constantFrom('2024', '2023', '1900', '2000', '0099', '0100')),
        two('01'),
        two('0123'),
        two('012'),
        two('0123456'),
        two('0123456'),
        fc.tuple(digit, digit, digit).map((a) => a.join('')),
      )
      .map(([y, mo, d, h, mi, s, ms]) => `${y}-${mo}-${d}T${h}:${mi}:${s}.${ms}Z`);
    // one character replaced by something else: a separator, a letter, a sign
    const nearMiss = fc.tuple(stamp, fc.nat({ max: 23 }), fc.constantFrom('-', ':', '.', 'T', 'Z', 'x', '+', ' ', '5')).map(([t, i, c]) => t.slice(0, i) + c + t.slice(i + 1));
    fc.assert(
      fc.property(fc.oneof(stamp, nearMiss), (t) => {
        assert.equal(parseEsDate(t), parseEsDateText(t), t);
      }),
      { numRuns: 20000 },
    );
  });
});
