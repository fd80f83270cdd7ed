// `seed` and `test` end to end through the CLI, on the real engine the test run shares
// (passed with --url, so the CLI does not start a second one).
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { useEngine } from '../engine/hooks';
import { cli } from './helpers';

const ROOT = path.resolve(__dirname, '../..');

describe('sigma-es seed and test on elasticsearch', function () {
  this.timeout(180_000);
  const engine = useEngine('elasticsearch');
  let dir: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sigma-es-cli-'));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('seed loads every event, keeps `_id`, and verifies the count', async () => {
    const file = path.join(dir, 'ok.ndjson');
    fs.writeFileSync(file, ['{"_id":"a","process":{"command_line":"x"},"n":1.0}', '{"_id":"b","source.ip":"10.0.0.1"}', '{"n":"1e3"}'].join('\n') + '\n');
    const r = cli(['seed', '--events', file, '--index', 'cli-seed-ok', '--profile', 'ecs', '--recreate', '--url', engine().url, '--json']);
    assert.equal(r.status, 0, r.stderr);
    const s = JSON.parse(r.stdout);
    assert.equal(s.documents, 3);
    assert.equal(s.indexed, 3);
    // The document id came from `_id`, and the number kept its written form 1.0.
    const ids = await engine().client.searchIds('cli-seed-ok', { term: { n: '1.0' } });
    assert.deepEqual(ids, ['a']);
  });

  it('seed refuses to overwrite an existing index without --recreate', () => {
    const file = path.join(dir, 'ok.ndjson');
    const r = cli(['seed', '--events', file, '--index', 'cli-seed-ok', '--url', engine().url]);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /INDEX_EXISTS .*--recreate/);
  });

  it('seed names every rejected document and malformed line, and fails', () => {
    const file = path.join(dir, 'bad.ndjson');
    fs.writeFileSync(file, ['{"_id":"good","x":1}', '{"_id":"badip","source.ip":"not-an-ip"}', '{not json', '{"_id":"good2","x":2}'].join('\n') + '\n');
    const r = cli(['seed', '--events', file, '--index', 'cli-seed-bad', '--profile', 'ecs', '--recreate', '--url', engine().url]);
    assert.equal(r.status, 1, r.stdout);
    assert.match(r.stderr, /bad\.ndjson:3: EVENTS_INVALID/);
    assert.match(r.stderr, /rejected badip \(line 2\): .*source\.ip/);
    assert.match(r.stdout, /^2 documents/);
  });

  it('test: fixtures pass, with a JSON summary and a JUnit report', () => {
    const junit = path.join(dir, 'report.xml');
    const r = cli(['test', '--url', engine().url, '--json', '--report', 'junit', '--report-file', junit]);
    assert.equal(r.status, 0, r.stdout + r.stderr);
    const s = JSON.parse(r.stdout);
    assert.equal(s.engine.name, 'elasticsearch');
    assert.equal(s.mismatches, 0);
    assert.ok(s.rules >= 1 && s.events >= 40 && s.compared > s.events);
    const xml = fs.readFileSync(junit, 'utf8');
    assert.match(xml, /<testsuites name="sigma-es elasticsearch/);
    assert.doesNotMatch(xml, /<failure/);
  });

  it('test: a wrong label is a mismatch table naming the leaf, and exit 1', () => {
    const fx = path.join(dir, 'wrong.fixture.yml');
    fs.writeFileSync(
      fx,
      `name: wrong\nprofile: sysmon\nrules: [${JSON.stringify(path.join(ROOT, 'sigma/wmic_remote_command_execution.yml'))}]\ncases:\n` +
        `  - id: w1\n    expect: match\n    reason: deliberately wrong label\n    event: {Image: 'C:\\Windows\\notepad.exe', CommandLine: 'notepad 10.0.0.1'}\n`,
    );
    const r = cli(['test', '--fixtures', fx, '--url', engine().url]);
    assert.equal(r.status, 1, r.stdout + r.stderr);
    assert.match(r.stdout, /MISMATCHES \(1\)/);
    assert.match(r.stdout, /w1\s+expected\s+-\s+nomatch\s+match\s+selection_img\.Image\|endswith/);
  });

  it('test --events compares engine and evaluator on any event file', () => {
    const file = path.join(dir, 'events.ndjson');
    fs.writeFileSync(file, '{"Image":"C:\\\\Windows\\\\System32\\\\wbem\\\\WMIC.exe","CommandLine":"wmic /node:10.1.1.1 os get x"}\n{"Image":"x"}\n');
    const r = cli(['test', '--events', file, '--profile', 'sysmon', '--url', engine().url, '--json']);
    assert.equal(r.status, 0, r.stdout + r.stderr);
    const s = JSON.parse(r.stdout);
    assert.equal(s.events, 2);
    assert.equal(s.mismatches, 0);
  });
});
