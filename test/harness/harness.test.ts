// The README's main check, inside the test suite: every rule in sigma/ against every fixture set
// in fixtures/, on a real Elasticsearch and a real OpenSearch, engine vs evaluator vs labels.
import { strict as assert } from 'node:assert';
import * as path from 'node:path';
import { findFixtureFiles, loadFixtureSet } from '../../src/harness/fixtures';
import { renderText } from '../../src/harness/report';
import { fixtureEventSet, runHarness } from '../../src/harness/run';
import { useEngine } from '../engine/hooks';

const ROOT = path.resolve(__dirname, '../..');

for (const flavour of ['elasticsearch', 'opensearch'] as const) {
  describe(`harness: sigma/ against fixtures/ on ${flavour}`, function () {
    this.timeout(10 * 60_000);
    const engine = useEngine(flavour);

    it('engine, evaluator and fixture labels agree on every rule and event', async () => {
      const sets = findFixtureFiles([path.join(ROOT, 'fixtures')]).map((f) => fixtureEventSet(loadFixtureSet(f)));
      const report = await runHarness({ engine: engine(), rulePaths: [path.join(ROOT, 'sigma')], sets, indexPrefix: `harness-test` });
      const text = renderText(report);
      assert.equal(report.failures.length, 0, text);
      assert.equal(report.mismatches.length, 0, text);
      // It compared something on the engine for every set: DSL and Lucene at least.
      for (const s of report.sets) {
        assert.ok(s.targets.includes('dsl') && s.targets.includes('lucene'), `${s.name}: ${s.targets.join(',')}`);
        assert.ok(s.events > 0 && s.rules > 0, `${s.name} ran`);
      }
      assert.ok(report.compared >= report.events * 2, `compared ${report.compared}`);
    });
  });
}
