import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { flattenEvent, parseEsDate, parseEsDateText, prepareEvent, type FieldValues, type JsonScalar, type PreparedEvent } from '../../src/eval/event';
import { getProfile, type MappingProfile } from '../../src/mapping/profile';
import { RawNumber } from '../../src/eval/json';
import { keyFault, trimTrailingDots } from '../../src/eval/limits';

// The definition flattenEvent is held to: a plain walk with no caches (flattenEvent reuses one
// tree of path nodes across events and tracks each path's values on its node).
function reference(source: Record<string, unknown>): { raw: Map<string, JsonScalar[]>; conflict: string | null; fault: string | null } {
  const raw = new Map<string, JsonScalar[]>();
  const objectPaths: string[] = [];
  const dotted: string[] = [];
  // a name ES refuses is not walked; `a.` is `a` (limits.ts)
  let fault: string | null = null;
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
    for (const k of Object.keys(v as object)) {
      const bad = keyFault(k, prefix === '');
      if (bad !== null) {
        fault ??= bad;
        continue;
      }
      const name = k.includes('.') ? trimTrailingDots(k) : k;
      walk(prefix === '' ? name : `${prefix}.${name}`, (v as Record<string, unknown>)[k], dot || name.includes('.'));
    }
  };
  walk('', source, false);
  for (const k of dotted) for (let d = k.indexOf('.'); d > 0; d = k.indexOf('.', d + 1)) objectPaths.push(k.slice(0, d));
  const hit = objectPaths.find((p) => raw.has(p));
  return { raw, conflict: hit === undefined ? null : `field [${hit}] is both an object and a value`, fault };
}

const sortedRaw = (m: Map<string, JsonScalar[]>) => [...m].map(([k, vs]) => [k, vs.map((v) => JSON.stringify(v)).sort()] as const).sort((x, y) => (x[0] < y[0] ? -1 : 1));
const trailingDotKey = (v: unknown): boolean =>
  v !== null && typeof v === 'object' && (Array.isArray(v) ? v.some(trailingDotKey) : Object.entries(v).some(([k, x]) => (k.includes('.') && k.endsWith('.')) || trailingDotKey(x)));

/**
 * Events whose keys collide once flattened (dotted ones, empty ones, leading and trailing dots),
 * with nested arrays and objects, over a few scalars plus `extra`.
 */
function eventArb(extra: unknown[]): fc.Arbitrary<Record<string, unknown>> {
  const key = fc.constantFrom('a', 'b', 'a.b', 'b.a', '', 'a.', '.b', 'c');
  const value = fc.letrec<{ v: unknown }>((tie) => ({
    v: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      fc.constantFrom<unknown>('x', 'y', 1, 2.5, true, null, ...extra, new RawNumber('1.0', 1)),
      fc.array(tie('v'), { maxLength: 3 }),
      fc.dictionary(key, tie('v'), { maxKeys: 4 }),
    ),
  })).v;
  return fc.dictionary(key, value, { maxKeys: 5 });
}

describe('flattenEvent', () => {
  it('equals a plain walk, on streams of events sharing paths (property)', () => {
    const event = eventArb([]);
    const profile = getProfile('sysmon') as MappingProfile;
    const prepared: [PreparedEvent, Map<string, JsonScalar[]>][] = [];
    fc.assert(
      fc.property(fc.array(event, { minLength: 1, maxLength: 8 }), (events) => {
        for (const e of events) {
          const got = flattenEvent(e);
          const want = reference(e);
          // a key ending in a dot is renamed before the walk (a sibling of the same name joins it), so
          // paths and a path's values may be met in another order
          const order = trailingDotKey(e) ? sortedRaw : (m: Map<string, JsonScalar[]>) => [...m];
          assert.deepEqual(order(got.raw), order(want.raw));
          // …and which of several faults is named first may differ too
          const said = trailingDotKey(e) ? (x: string | null) => x !== null : (x: string | null) => x;
          assert.equal(said(got.conflict), said(want.conflict));
          // a prepared event's map is built when first read, from lists the next events must not touch
          prepared.push([prepareEvent(e, profile), want.raw]);
          assert.equal(said(prepared[prepared.length - 1][0].rejected), said(want.fault ?? want.conflict));
        }
        for (const [p, raw] of prepared) assert.deepEqual(sortedRaw(p.raw), sortedRaw(raw));
        prepared.length = 0;
      }),
      { numRuns: 3000 },
    );
  });
});

describe('flattenEvent, own keys', () => {
  it('reads own keys only: inherited enumerable ones (a caller\'s prototype) are not fields', () => {
    const proto = { inherited: 'x', a: 'shadowed' };
    const e = Object.assign(Object.create(proto) as Record<string, unknown>, { a: 'own', b: Object.assign(Object.create(proto) as object, { c: 1 }) });
    for (let round = 0; round < 2; round++) {
      // the second time through, the path nodes are known (the walk compares keys by identity)
      const got = flattenEvent(e);
      assert.deepEqual([...got.raw], [...reference(e).raw]);
      assert.deepEqual([...got.raw.keys()], ['a', 'b.c']);
    }
  });
});

describe('prepareEvent fields', () => {
  it('read while the event is the last prepared (through the path nodes) and after later events (a map) give the same answers (property)', () => {
    const event = eventArb(['']);
    const profile = getProfile('sysmon') as MappingProfile;
    fc.assert(
      fc.property(fc.array(fc.tuple(event, fc.boolean()), { minLength: 1, maxLength: 8 }), (events) => {
        // every path any event of the stream has, so a field of another event is asked for too
        const names = new Set<string>(['zz', 'a.b.c']);
        for (const [e] of events) for (const k of flattenEvent(e).raw.keys()) names.add(k);
        const seen: [PreparedEvent, Array<[string, FieldValues | undefined]>, Array<[string, FieldValues]>][] = [];
        for (const [e, flattenAfter] of events) {
          const p = prepareEvent(e, profile);
          const now = [...names].map((n): [string, FieldValues | undefined] => [n, p.fields.get(n)]);
          for (const [n, fv] of now) assert.equal(p.fields.has(n), fv !== undefined);
          const listed: Array<[string, FieldValues]> = [];
          p.fields.forEach((fv, n) => listed.push([n, fv]));
          assert.equal(listed.length, p.fields.size);
          // what is listed is what get finds, and only fields with an indexed value are listed
          for (const [n, fv] of listed) assert.equal(p.fields.get(n), fv);
          assert.equal(now.filter(([, fv]) => fv !== undefined).length, listed.length);
          seen.push([p, now, listed]);
          if (flattenAfter) flattenEvent(e);
        }
        for (const [p, now, listed] of seen) {
          for (const [n, fv] of now) assert.equal(p.fields.get(n), fv, n);
          assert.deepEqual([...p.fields], listed);
          assert.deepEqual([...p.fields.keys()], listed.map(([n]) => n));
        }
      }),
      { numRuns: 3000 },
    );
  });
  it('a dotted key and nested objects naming one path: the nested one is found on an event without dotted keys', () => {
    const profile = getProfile('sysmon') as MappingProfile;
    // keys no other test uses, so these events create the nodes, nested first
    const terms = (e: Record<string, unknown>): string[] | undefined => prepareEvent(e, profile).fields.get('dq1.dq2.dq3')?.terms;
    assert.deepEqual(terms({ dq1: { dq2: { dq3: 'x' } } }), ['x']);
    assert.deepEqual(terms({ 'dq1.dq2': { dq3: 'y' } }), ['y']);
    assert.deepEqual(terms({ dq1: { 'dq2.dq3': 'w' } }), ['w']);
    assert.deepEqual(terms({ dq1: { dq2: { dq3: 'z' } } }), ['z']);
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
