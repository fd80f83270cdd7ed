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
const VALUES: unknown[] = [' 4', '4\n', '\t4', '4 ', '', '  ', '+4', '4.0', '4.', '.5', '1e2', '-0', '0x10', 'abc', 4.5, -0.5, true, '9223372036854775807', '9223372036854775808', '-9223372036854775808', '-9223372036854775809', '9223372036854775807.9', '92233720368547758e2'];

for (const flavour of ['elasticsearch', 'opensearch'] as const) {
  describe(`fuzz regressions: refused documents on ${flavour}`, function () {
    const engine = useEngine(flavour);
    it('a long field refuses what the engine refuses (no whitespace trimming)', async function () {
      this.timeout(60_000);
      const client = engine().client;
      const index = `sigma-es-refusals-${flavour}-${process.pid}`;
      await createIndex(client, index, profile, true);
      try {
        const events = VALUES.map((v, i) => ({ id: `v${i}`, source: { ProcessId: v } }));
        const res = await client.bulk(index, events.map((e) => new RawJson(stringifyExact(e.source))), { ids: events.map((e) => e.id), refresh: true });
        const refused = new Set(res.errors.map((e) => events[e.index].id));
        const wrong = events
          .filter((e) => (prepareEvent(e.source, profile).rejected !== null) !== refused.has(e.id))
          .map((e) => `${JSON.stringify(e.source.ProcessId)}: ${flavour} ${refused.has(e.id) ? 'refuses' : 'indexes'} it`);
        assert.deepEqual(wrong, []);
      } finally {
        await client.deleteIndex(index).catch(() => false);
      }
    });
  });
}
