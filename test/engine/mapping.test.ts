/**
 * Facts about the shipped index template (src/mapping/profile.ts) that the native evaluator
 * must reproduce, checked on both real engines. docs/engines.md explains each one.
 */
import assert from 'node:assert/strict';
import { IGNORE_ABOVE, getProfile, indexBody } from '../../src/mapping/profile';
import type { Flavour } from '../../src/engine';
import { useEngine } from './hooks';

// Raw NDJSON, because JSON.stringify would already have turned 1.0 into 1 and 1e3 into 1000.
const RAW_DOCS: [string, string][] = [
  ['float', '{"n":1.0}'],
  ['exp', '{"n":1e3}'],
  ['expplus', '{"n":1E+3}'],
  ['negzero', '{"n":-0.0}'],
  ['small', '{"n":1.5e-7}'],
  ['bool', '{"n":true}'],
  ['boolfalse', '{"n":false}'],
  ['bigint', '{"n":12345678901234567890}'],
  ['unsafe', '{"n":9007199254740993}'],
  ['int', '{"n":100}'],
  ['null', '{"n":null}'],
  ['empty', '{"n":""}'],
  ['emptyobj', '{"obj":{}}'],
  ['nested', '{"parent":{"child":"Deep Value"}}'],
  ['array', '{"list":["First","second"]}'],
  ['long', JSON.stringify({ big: 'A'.repeat(IGNORE_ABOVE + 1) })],
  ['atlimit', JSON.stringify({ big: 'B'.repeat(IGNORE_ABOVE) })],
  ['mixed', JSON.stringify({ big: ['C'.repeat(IGNORE_ABOVE + 1), 'short'] })],
];

for (const flavour of ['elasticsearch', 'opensearch'] as Flavour[]) {
  describe(`engine: mapping facts on ${flavour}`, function () {
    const engine = useEngine(flavour);
    const index = `sigma-es-mapping-facts-${process.pid}`;
    const ids = async (query: Record<string, unknown>) => (await engine().client.searchIds(index, query)).sort();

    before(async function () {
      this.timeout(60_000);
      const c = engine().client;
      await c.deleteIndex(index);
      await c.createIndex(index, indexBody(getProfile('sysmon')!));
      const lines = RAW_DOCS.flatMap(([id, doc]) => [JSON.stringify({ index: { _id: id } }), doc]);
      const r = await c.request<{ errors: boolean }>('POST', `/${index}/_bulk?refresh=true`, lines.join('\n') + '\n', { ndjson: true });
      assert.equal(r.body.errors, false);
    });
    after(async () => {
      await engine().client.deleteIndex(index).catch(() => undefined);
    });

    it('indexes a dynamic number as its JSON text exactly as written', async () => {
      const r = await engine().client.search(index, { size: 0, aggs: { n: { terms: { field: 'n', size: 50 } } } });
      const keys = ((r.aggregations as { n: { buckets: { key: string }[] } }).n.buckets.map((b) => b.key)).sort();
      assert.deepEqual(keys, ['', '-0.0', '1.0', '1.5e-7', '100', '12345678901234567890', '1E+3', '1e3', '9007199254740993', 'false', 'true'].sort());
      assert.deepEqual(await ids({ term: { n: '1.0' } }), ['float']);
      assert.deepEqual(await ids({ term: { n: '1' } }), []);
      assert.deepEqual(await ids({ term: { n: 1 } }), []);
      assert.deepEqual(await ids({ term: { n: '1000' } }), []);
      assert.deepEqual(await ids({ term: { n: '12345678901234567890' } }), ['bigint']);
    });

    it('indexes a boolean as "true"/"false"; a JSON boolean query value matches the same term', async () => {
      assert.deepEqual(await ids({ term: { n: 'true' } }), ['bool']);
      assert.deepEqual(await ids({ term: { n: false } }), ['boolfalse']);
    });

    it('treats null and {} as missing, "" as present', async () => {
      const present = await ids({ exists: { field: 'n' } });
      assert.ok(!present.includes('null') && !present.includes('emptyobj'));
      assert.ok(present.includes('empty'));
      assert.deepEqual(await ids({ term: { n: '' } }), ['empty']);
      assert.deepEqual(await ids({ exists: { field: 'obj' } }), []);
    });

    it('makes values longer than ignore_above unmatchable, and exists() false for them', async () => {
      const long = 'A'.repeat(IGNORE_ABOVE + 1);
      assert.deepEqual(await ids({ term: { big: long } }), []);
      assert.deepEqual(await ids({ wildcard: { big: { value: 'A*' } } }), []);
      assert.deepEqual(await ids({ exists: { field: 'big' } }), ['atlimit', 'mixed']);
      assert.deepEqual(await ids({ query_string: { query: '_exists_:big' } }), ['atlimit', 'mixed']);
      // In an array only the members over the limit are dropped.
      assert.deepEqual(await ids({ term: { big: 'short' } }), ['mixed']);
      assert.deepEqual(await ids({ prefix: { big: 'C' } }), []);
      assert.deepEqual(await ids({ wildcard: { sigma_keywords: { value: 'A*' } } }), []);
      assert.deepEqual(await ids({ prefix: { big: 'B' } }), ['atlimit']);
    });

    it('copies dynamic values (nested objects, arrays, numbers) into sigma_keywords', async () => {
      assert.deepEqual(await ids({ term: { sigma_keywords: { value: 'deep value', case_insensitive: true } } }), ['nested']);
      assert.deepEqual(await ids({ term: { 'parent.child': 'Deep Value' } }), ['nested']);
      assert.deepEqual(await ids({ term: { sigma_keywords: 'second' } }), ['array']);
      assert.deepEqual(await ids({ term: { list: 'First' } }), ['array']);
      assert.deepEqual(await ids({ term: { sigma_keywords: '1e3' } }), ['exp']);
      assert.deepEqual(await ids({ term: { sigma_keywords: 'true' } }), ['bool']);
    });
  });
}
