import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { AhoCorasick } from '../../src/eval/aho';

describe('Aho-Corasick', () => {
  it('finds exactly the needles that occur (property, against String.includes)', () => {
    const str = fc.array(fc.constantFrom('a', 'b', 'c', 'é', '😀'), { maxLength: 12 }).map((a) => a.join(''));
    fc.assert(
      fc.property(fc.array(str.filter((s) => s.length > 0), { minLength: 1, maxLength: 10 }), str, (needles, text) => {
        const ac = new AhoCorasick(needles);
        const found = new Set<number>();
        ac.scan(text, (id) => found.add(id));
        const want = new Set(needles.map((n, i) => (text.includes(n) ? i : -1)).filter((i) => i >= 0));
        assert.deepEqual([...found].sort(), [...want].sort());
        assert.equal(ac.test(text), want.size > 0);
      }),
      { numRuns: 2000 },
    );
  });
});
