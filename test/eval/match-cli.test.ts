import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runMatch, type MatchOptions } from '../../src/cli/commands/match';
import { generateEvents } from '../../scripts/gen-events';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sigma-es-match-'));
const ruleFile = path.join(dir, 'wmic.yml');
fs.writeFileSync(
  ruleFile,
  `title: WMIC Remote Command Execution
id: 8f2a9b1e-0c2d-4e5f-9a6b-7c8d9e0f1a2b
level: medium
logsource:
  category: process_creation
  product: windows
detection:
  selection:
    Image|endswith: '\\wmic.exe'
    CommandLine|contains: '/node:'
  filter_local:
    CommandLine|contains: '/node:127.0.0.1'
  condition: selection and not filter_local
fields:
  - CommandLine
  - User
`,
);

const E = (o: Record<string, unknown>) => JSON.stringify(o);
const hit = { Image: 'C:\\Windows\\System32\\wbem\\WMIC.exe', CommandLine: 'wmic /NODE:10.0.0.5 process call create calc', User: 'bob', _id: 'e1' };
const local = { Image: 'C:\\Windows\\System32\\wbem\\WMIC.exe', CommandLine: 'wmic /node:127.0.0.1 os get caption' };
const other = { Image: 'C:\\Windows\\System32\\cmd.exe', CommandLine: 'cmd /c dir' };

async function run(events: string, opts: Partial<MatchOptions> = {}): Promise<{ code: number; out: string[]; err: string }> {
  const file = path.join(dir, `events-${Math.random().toString(36).slice(2)}.json`);
  fs.writeFileSync(file, events);
  let out = '';
  let err = '';
  const code = await runMatch([ruleFile], { events: file, ...opts }, (s) => (out += s), (s) => (err += s));
  return { code, out: out.split('\n').filter((l) => l), err };
}

describe('sigma-es match', () => {
  it('NDJSON: one line per match with rule, 0-based event index, _id and the rule fields', async () => {
    const r = await run([E(hit), E(local), E(other), E({ ...hit, _id: undefined })].join('\n') + '\n');
    assert.equal(r.code, 0, r.err);
    const lines = r.out.map((l) => JSON.parse(l));
    assert.deepEqual(lines[0], {
      rule: { id: '8f2a9b1e-0c2d-4e5f-9a6b-7c8d9e0f1a2b', title: 'WMIC Remote Command Execution', level: 'medium' },
      event: 0,
      _id: 'e1',
      fields: { CommandLine: hit.CommandLine, User: 'bob' },
    });
    assert.deepEqual(
      lines.map((l) => l.event),
      [0, 3],
    );
    assert.match(r.err, /4 event\(s\), 2 match\(es\)/);
  });

  it('accepts a JSON array and a pretty-printed object', async () => {
    const a = await run(`[\n${E(other)},\n  ${JSON.stringify(hit, null, 2)}\n]\n`);
    assert.deepEqual(a.out.map((l) => JSON.parse(l).event), [1]);
    const o = await run(JSON.stringify(hit, null, 2));
    assert.deepEqual(o.out.map((l) => JSON.parse(l).event), [0]);
  });

  it('reports a malformed line with its number, skips it by default, fails with --on-error fail', async () => {
    const text = [E(hit), '{"Image": ', E(hit)].join('\n') + '\n';
    const skip = await run(text);
    assert.equal(skip.code, 0);
    assert.match(skip.err, /:2: EVENT_MALFORMED/);
    assert.match(skip.err, /1 malformed/);
    assert.deepEqual(skip.out.map((l) => JSON.parse(l).event), [0, 2], 'indices count the malformed record');
    const fail = await run(text, { onError: 'fail' });
    assert.equal(fail.code, 1);
    assert.match(fail.err, /:2: EVENT_MALFORMED/);
    assert.deepEqual(fail.out.map((l) => JSON.parse(l).event), [0], 'matches before the bad line are still reported');
  });

  it('counts events Elasticsearch would refuse for their shape, however deep, and goes on (1 and 2 workers)', async function () {
    this.timeout(120_000);
    const deep = (n: number) => `{"Image":"C:\\\\wmic.exe","CommandLine":"wmic /node:10.0.0.5 x","deep":${'{"a":'.repeat(n)}1.0${'}'.repeat(n)}}`;
    const arrays = `{"Image":"C:\\\\wmic.exe","CommandLine":"wmic /node:10.0.0.5 x","deep":${'['.repeat(20_000)}1${']'.repeat(20_000)}}`;
    const text = [deep(19), deep(20), deep(5_000), deep(20_000), arrays, E(hit)].join('\n') + '\n';
    for (const workers of [1, 2]) {
      const r = await run(text, { workers });
      assert.equal(r.code, 0, r.err);
      assert.deepEqual(r.out.map((l) => JSON.parse(l).event), [0, 5], `${workers} worker(s)`);
      assert.match(r.err, /6 event\(s\), 2 match\(es\).*4 event\(s\) Elasticsearch would reject/s);
    }
  });

  it('--explain says which items matched and why the filter failed', async () => {
    const r = await run(E(local) + '\n', { explain: true });
    const text = r.out.join('\n');
    assert.match(text, /event 0 .*no match/);
    assert.match(text, /✓ selection\.Image\|endswith/);
    assert.match(text, /✓ filter_local\.CommandLine\|contains/);
  });

  it('--workers 2 gives the same output, in the same order, as one worker', async function () {
    this.timeout(60000);
    const events: string[] = [];
    for (const e of generateEvents(3000, 7, 'sysmon')) events.push(JSON.stringify(e));
    events.splice(1500, 0, 'garbage');
    const text = events.join('\n') + '\n';
    const one = await run(text, { pipeline: [] });
    const two = await run(text, { pipeline: [], workers: 2, batchSize: 100 });
    assert.ok(one.out.length > 10, 'the generator produces WMIC /node: events');
    assert.deepEqual(two.out, one.out);
    assert.equal(two.code, one.code);
  });

  it('--workers 2 reports rule errors, correlations and load failures as one worker does', async function () {
    this.timeout(120000);
    // the main thread no longer compiles the rules for workers unless it runs correlations or must
    // throw a load error: what it prints and returns must not change
    const rulesDir = fs.mkdtempSync(path.join(dir, 'rules-'));
    fs.copyFileSync(ruleFile, path.join(rulesDir, 'wmic.yml'));
    fs.writeFileSync(path.join(rulesDir, 'broken.yml'), 'title: Broken\nlogsource:\n  product: windows\ndetection:\n  sel:\n    Image|nosuchmodifier: x\n  condition: sel\n');
    const corrFile = path.join(rulesDir, 'corr.yml');
    const corrRule = 'title: Many WMIC\nid: 0b7c1f2e-3d4a-4b5c-8d6e-7f8091a2b3c4\ncorrelation:\n  type: event_count\n  rules:\n    - 8f2a9b1e-0c2d-4e5f-9a6b-7c8d9e0f1a2b\n  group-by:\n    - User\n  timespan: 1h\n  condition:\n    gte: 2\n';
    const events: string[] = [];
    for (const e of generateEvents(1500, 11, 'sysmon')) events.push(JSON.stringify(e));
    const file = path.join(dir, 'events-workers-info.ndjson');
    fs.writeFileSync(file, events.join('\n') + '\n');
    const runIn = async (paths: string[], workers: number): Promise<{ code: number | string; out: string; err: string }> => {
      let out = '';
      let err = '';
      try {
        const code = await runMatch(paths, { events: file, pipeline: [], workers, batchSize: 100 }, (s) => (out += s), (s) => (err += s));
        return { code, out, err: err.replace(/; [\d.]+ s\n$/, '') };
      } catch (e) {
        return { code: `throws ${(e as Error).message}`, out, err };
      }
    };
    for (const withCorr of [false, true]) {
      if (withCorr) fs.writeFileSync(corrFile, corrRule);
      const one = await runIn([rulesDir], 1);
      const two = await runIn([rulesDir], 2);
      assert.match(one.err, /nosuchmodifier/);
      if (withCorr) assert.match(one.out, /Many WMIC/);
      assert.deepEqual(two, one, withCorr ? 'with a correlation' : 'without');
    }
    const brokenOnly = fs.mkdtempSync(path.join(dir, 'broken-'));
    fs.copyFileSync(path.join(rulesDir, 'broken.yml'), path.join(brokenOnly, 'broken.yml'));
    for (const paths of [[brokenOnly], [path.join(dir, 'no-such-rules')]]) {
      const one = await runIn(paths, 1);
      assert.match(String(one.code), /^throws /);
      assert.deepEqual(await runIn(paths, 2), one);
    }
  });

  it('waits for a slow writer (backpressure) and still writes everything, in order, with 1 or 2 workers', async function () {
    this.timeout(60000);
    const events: string[] = [];
    for (const e of generateEvents(4000, 9, 'sysmon')) events.push(JSON.stringify(e));
    const file = path.join(dir, 'slow.ndjson');
    fs.writeFileSync(file, events.join('\n') + '\n');
    const fast = await run(events.join('\n') + '\n', { pipeline: [] });
    for (const workers of [1, 2]) {
      let out = '';
      let writes = 0;
      let pending = 0;
      let maxPending = 0;
      // every write "fills the buffer": reading must pause until it has drained
      const slow = (s: string): Promise<void> => {
        out += s;
        writes++;
        maxPending = Math.max(maxPending, ++pending);
        return new Promise((res) => setTimeout(() => (pending--, res()), 20));
      };
      await runMatch([ruleFile], { events: file, pipeline: [], workers, batchSize: 50 }, slow, () => undefined);
      assert.deepEqual(out.split('\n').filter((l) => l), fast.out, `${workers} worker(s)`);
      // what one read chunk produces (or the batches workers have in flight: up to 4 each), not the whole output
      const bound = workers > 1 ? workers * 4 + 2 : 3;
      assert.ok(writes >= 30 && maxPending <= bound, `${maxPending} of ${writes} writes outstanding at once with ${workers} worker(s)`);
    }
  });
});
