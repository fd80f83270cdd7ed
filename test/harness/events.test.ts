import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { stringifyExact } from '../../src/harness/events';
import { parseJsonAlwaysExact } from '../../src/eval/json';

describe('stringifyExact', () => {
  it('writes back the exact text it was parsed from (property)', () => {
    const num = fc.constantFrom('1.0', '1e3', '-0.0', '12345678901234567890', '7', '-2.50');
    // integer-like keys come first in a JS object whatever the text said: left out
    const key = fc.string({ maxLength: 3 }).filter((k) => !/^(0|[1-9]\d*)$/.test(k));
    const json: fc.Arbitrary<string> = fc.letrec<{ v: string }>((tie) => ({
      v: fc.oneof(
        { depthSize: 'small' },
        num,
        fc.string().map((s) => JSON.stringify(s)),
        fc.constantFrom('true', 'false', 'null'),
        fc.array(tie('v'), { maxLength: 3 }).map((a) => `[${a.join(',')}]`),
        fc.uniqueArray(fc.tuple(key, tie('v')), { maxLength: 3, selector: ([k]) => k }).map((es) => `{${es.map(([k, v]) => `${JSON.stringify(k)}:${v}`).join(',')}}`),
      ),
    })).v;
    fc.assert(
      fc.property(json, (text) => {
        assert.equal(stringifyExact(parseJsonAlwaysExact(text)), text);
      }),
      { numRuns: 2000 },
    );
  });

  it('skips undefined members as JSON.stringify does', () => {
    const v = { a: undefined, b: [undefined, 1], c: { d: undefined } };
    assert.equal(stringifyExact(v), JSON.stringify(v));
  });

  it('writes an event nested 100,000 levels deep (for the engine to refuse) without overflowing the stack', () => {
    let objects: unknown = 'x';
    let arrays: unknown = 1;
    for (let i = 0; i < 100_000; i++) (objects = { a: objects }), (arrays = [arrays]);
    assert.equal(stringifyExact(objects), '{"a":'.repeat(100_000) + '"x"' + '}'.repeat(100_000));
    assert.equal(stringifyExact({ x: arrays }), `{"x":${'['.repeat(100_000)}1${']'.repeat(100_000)}}`);
  });
});
