// Events the engine refuses for their shape: the harness holds the evaluator to each refusal
// (both refuse: listed with the line, not a failure; one side only: a failure), on a real engine.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { readEventFile } from '../../src/harness/events';
import { renderText } from '../../src/harness/report';
import { runHarness } from '../../src/harness/run';
import { getProfile } from '../../src/mapping/profile';
import { useEngine } from '../engine/hooks';

const ROOT = path.resolve(__dirname, '../..');
const WMIC = '"Image":"C:\\\\Windows\\\\wmic.exe","CommandLine":"wmic /node:10.0.0.5 process call create"';
const nest = (n: number) => '{"a":'.repeat(n) + '1.0' + '}'.repeat(n);

describe('harness: events the engine refuses (elasticsearch)', function () {
  this.timeout(5 * 60_000);
  const engine = useEngine('elasticsearch');

  it('lists refusals both sides make with their lines, fails on one the evaluator does not make', async () => {
    const lines = [
      `{${WMIC}}`,
      `{${WMIC},"deep":${nest(19)}}`,
      `{"_id":"deep20",${WMIC},"deep":${nest(20)}}`,
      `{"_id":"deep5000",${WMIC},"deep":${nest(5_000)}}`,
      `{"_id":"arrays",${WMIC},"deep":${'['.repeat(20_000)}1${']'.repeat(20_000)}}`,
      `{"_id":"name",${WMIC},"a..b":1}`,
      // refused for the mapping the previous event left: the evaluator judges each event alone
      '{"_id":"value","n":"x"}',
      '{"_id":"history","n":{"b":1}}',
    ];
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'sigma-es-refused-')), 'events.ndjson');
    fs.writeFileSync(file, lines.join('\n') + '\n');
    const { events, malformed } = await readEventFile(file);
    assert.deepEqual(malformed, []);
    const report = await runHarness({
      engine: engine(),
      rulePaths: [path.join(ROOT, 'sigma', 'wmic_remote_command_execution.yml')],
      sets: [{ name: 'refused', profile: getProfile('sysmon')!, pipelines: [], events, labelledRules: [] }],
      targets: ['dsl'],
      indexPrefix: 'harness-refused-test',
    });
    const text = renderText(report);
    assert.deepEqual(report.mismatches, [], text);
    assert.deepEqual(report.failures.map((f) => [f.code, f.message.slice(0, 40)]), [['REFUSAL_MISMATCH', 'event history (line 8): the engine refus']], text);
    const listed = report.skipped.filter((s) => s.code === 'EVENT_REFUSED').map((s) => s.message.replace(/\):.*/, ')'));
    assert.deepEqual(listed, ['event deep20 (line 3)', 'event deep5000 (line 4)', 'event arrays (line 5)', 'event name (line 6)'], text);
  });
});
