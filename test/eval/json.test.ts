import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { parseJsonExact, parseJsonAlwaysExact, RawNumber } from '../../src/eval/json';

// Numbers as Elasticsearch sees them (their source text) whatever else the line holds: the fast
// path (JSON.parse, then a scan for numbers written unlike JavaScript prints them) must give the
// same values as the exact parser run on every line.
describe('parseJsonExact', () => {
  it('keeps the source text of exactly the numbers that need it (property, against the exact parser)', () => {
    const numText = fc.oneof(
      fc.integer({ min: -1e6, max: 1e6 }).map(String),
      fc.constantFrom('0', '-0', '1.0', '1.50', '1e3', '1E+3', '2e-7', '-0.0', '123456789012345678', '9007199254740993', '0.1', '100', '1.5e300', '12345678901234567890123'),
    );
    // strings with digits, quotes, backslashes and number-like text, which must not be read as numbers
    const strText = fc
      .array(fc.constantFrom('a', '1', '1.0', '-', 'e', ':', ',', '[', '\\\\', '\\"', '"', ' ', 'é', '\\u0031'), { maxLength: 6 })
      .map((a) => JSON.stringify(a.join('')));
    const value: fc.Arbitrary<string> = fc.letrec<{ v: string }>((tie) => ({
      v: fc.oneof(
        { depthSize: 'small' },
        numText,
        strText,
        fc.constantFrom('true', 'false', 'null'),
        fc.array(tie('v'), { maxLength: 3 }).map((a) => `[${a.join(',')}]`),
        fc.array(fc.tuple(strText, tie('v')), { maxLength: 3 }).map((a) => `{${a.map(([k, v]) => `${k}: ${v}`).join(', ')}}`),
      ),
    })).v;
    fc.assert(
      fc.property(value, (text) => {
        const fast = parseJsonExact(text);
        const exact = parseJsonAlwaysExact(text);
        const norm = (x: unknown): unknown =>
          x instanceof RawNumber ? { raw: x.raw } : Array.isArray(x) ? x.map(norm) : x && typeof x === 'object' ? Object.fromEntries(Object.entries(x).map(([k, v]) => [k, norm(v)])) : x;
        assert.deepEqual(norm(fast), norm(exact));
      }),
      { numRuns: 5000 },
    );
  });

  it('reads a multi-megabyte line in linear time, a non-plain number at its end included', () => {
    const big = JSON.stringify({ a: 'x'.repeat(4_000_000), b: Array.from({ length: 200_000 }, (_, i) => i), c: 'y\\"'.repeat(100_000) });
    const t = Date.now();
    const plain = parseJsonExact(big) as Record<string, unknown>;
    const raw = parseJsonExact(`${big.slice(0, -1)},"z":1.0}`) as Record<string, unknown>;
    assert.equal((plain.b as number[]).length, 200_000);
    assert.ok(raw.z instanceof RawNumber && raw.z.raw === '1.0');
    assert.ok(Date.now() - t < 10_000, `took ${Date.now() - t} ms`);
  });
});
