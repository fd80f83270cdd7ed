// Regressions the fuzzer found in which documents the engine refuses: the evaluator must refuse
// exactly the events the engine refuses (a refused event is never in the index, so it matches
// nothing). Fixture sets cannot hold refused events (the harness fails a set that does not seed
// completely), so these live here, checked against each real engine.
import * as assert from 'node:assert/strict';
import { RawJson } from '../../src/engine/client';
import { prepareEvent } from '../../src/eval';
import { stringifyExact } from '../../src/harness/events';
import { createIndex } from '../../src/harness/seed';
import { getProfile } from '../../src/mapping/profile';
import { useEngine } from '../engine/hooks';

const profile = getProfile('sysmon')!;
// ProcessId is a long field in the sysmon profile.
const LONG_VALUES: unknown[] = [' 4', '4\n', '\t4', '4 ', '', '  ', '+4', '4.0', '4.', '.5', '1e2', '-0', '0x10', 'abc', 4.5, -0.5, true, '9223372036854775807', '9223372036854775808', '-9223372036854775808', '-9223372036854775809', '9223372036854775807.9', '92233720368547758e2'];
// SourceIp is an ip field. Only forms both engines agree on: zone ids (`::1%eth0`) and
// non-ASCII digits (`::ａ`) are read differently by Elasticsearch 9.5 and OpenSearch 2.19.
const IP_VALUES: unknown[] = ['0FE80::1', '00000fe80::1', '0000000000000000fe80::1', '0:0:0:0:0:0:0:00000000001', '00001::1', '::00ffff:1.2.3.4', '10000::1', 'fffff::1', '::00000001.2.3.4', '1.2.3.04', '::1.2.3.004', '::0x1', ' ::1', '::1', '0::'];

async function refusalsDiffer(client: ReturnType<ReturnType<typeof useEngine>>['client'], index: string, field: string, values: unknown[]): Promise<string[]> {
  await createIndex(client, index, profile, true);
  try {
    const events = values.map((v, i) => ({ id: `v${i}`, source: { [field]: v } }));
    const res = await client.bulk(index, events.map((e) => new RawJson(stringifyExact(e.source))), { ids: events.map((e) => e.id), refresh: true });
    const refused = new Set(res.errors.map((e) => events[e.index].id));
    return events
      .filter((e) => (prepareEvent(e.source, profile).rejected !== null) !== refused.has(e.id))
      .map((e) => `${JSON.stringify(e.source[field])}: ${refused.has(e.id) ? 'refused' : 'indexed'} by the engine`);
  } finally {
    await client.deleteIndex(index).catch(() => false);
  }
}

for (const flavour of ['elasticsearch', 'opensearch'] as const) {
  describe(`fuzz regressions: refused documents on ${flavour}`, function () {
    const engine = useEngine(flavour);
    it('a long field refuses what the engine refuses (no whitespace trimming)', async function () {
      this.timeout(60_000);
      assert.deepEqual(await refusalsDiffer(engine().client, `sigma-es-refusals-${flavour}-${process.pid}`, 'ProcessId', LONG_VALUES), []);
    });
    it('an ip field takes hextets with extra leading zeros (fuzz seed 100000, batch 157)', async function () {
      this.timeout(60_000);
      assert.deepEqual(await refusalsDiffer(engine().client, `sigma-es-refusals-ip-${flavour}-${process.pid}`, 'SourceIp', IP_VALUES), []);
    });
  });
}
