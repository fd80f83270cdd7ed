// convert's and check's regex cost check on a worker thread (src/ir/regex/cost-offload.ts): the records must
// be those of the check done in place, also when the worker cannot start, dies or never answers.
// Real compile, real worker thread; only the worker's script is swapped for a broken one.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runCheck } from '../../src/cli/commands/check';
import { runConvert, type ConvertOptions } from '../../src/cli/commands/convert';
import { collectRuleFiles } from '../../src/compile';
import { clearLuceneCostCache } from '../../src/ir/regex/lucene-cost';
import { getProfile } from '../../src/mapping/profile';
import { REGEX_WORKER_MIN_FILES, regexWorker, runSharded } from '../../src/parallel';

const CONVERT = path.resolve(__dirname, '../../src/cli/commands/convert');
const CHECK = path.resolve(__dirname, '../../src/cli/commands/check');

// Patterns Elasticsearch refuses (determinization effort above 10,000), placed in several
// chunks of 10 files, one of them twice, apart, so that both chunks must be redone.
const REFUSED: Record<number, string> = {
  3: '.{1000,}',
  14: 'ping\\s+-n.{6,64}echo EEEE\\s?>\\s?',
  47: '.{1000,}',
  58: '(Get-Item|gci).{1,64}-Path.{1,64}\\\\(services|Run)\\\\',
};
const N = 64;

function rule(i: number): string {
  const title = `Rule ${i}`;
  const id = `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
  const head = `title: ${title}\nid: ${id}\nlogsource: {category: process_creation, product: windows}\ndetection:\n  sel:\n`;
  if (REFUSED[i]) return `${head}    CommandLine|re: '${REFUSED[i]}'\n    Image|endswith: '\\x.exe'\n  condition: sel\n`;
  if (i === 30) return `${head}    CommandLine|re: a(?=b)\n  condition: sel\n`; // no Lucene rendering at all
  if (i === 40) return `${head}    CommandLine|nope: x\n  condition: sel\n`; // broken
  // passing regexes, each one new to the cost cache, some of them several times
  return `${head}    CommandLine|re: 'tool${i % 50}\\.exe -[a-z]{1,4} \\d{1,3}'\n  condition: sel\n`;
}

describe('convert and check: the regex cost check on a worker thread', function () {
  this.timeout(120_000);
  let dir: string;
  let files: string[];
  const opts: ConvertOptions = { target: 'dsl', pipelines: ['sysmon'], profile: getProfile('sysmon')!, output: 'json' };
  const task = { module: CONVERT, fn: 'convertFiles', payload: opts };
  const saved = { ...regexWorker };
  let started = 0;
  let inThread: unknown[];

  /** Makes the regex worker the script `source` (written to `name` in the fixture folder). */
  function fakeWorker(name: string, source: string): void {
    const file = path.join(dir, name);
    fs.writeFileSync(file, source);
    regexWorker.script = () => (started++, { file, execArgv: [] });
  }

  /** Records with the worker on, every pattern uncached; counts the worker starts. */
  async function offloaded(workers = 1): Promise<unknown[]> {
    clearLuceneCostCache();
    return runSharded(files, task, workers, { regexWorker: true });
  }

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sigma-es-regex-worker-'));
    for (let i = 0; i < N; i++) fs.writeFileSync(path.join(dir, `r${String(i).padStart(3, '0')}.yml`), rule(i));
    files = collectRuleFiles([dir]).files;
    assert.equal(files.length, N);
    assert.ok(N >= REGEX_WORKER_MIN_FILES);
    clearLuceneCostCache();
    inThread = await runSharded(files, task, 1);
  });
  beforeEach(() => {
    started = 0;
    const script = saved.script;
    regexWorker.script = () => {
      started++;
      return script();
    };
    regexWorker.patienceMs = saved.patienceMs;
  });
  afterEach(() => Object.assign(regexWorker, saved));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('the fixtures hold refused, passing, unrenderable and broken rules', () => {
    const rec = inThread as { file: string; ok: boolean; error?: { code: string } }[];
    const at = (i: number) => rec.find((r) => r.file.endsWith(`r${String(i).padStart(3, '0')}.yml`))!;
    for (const i of Object.keys(REFUSED)) assert.equal(at(+i).error?.code, 'REGEX_UNSUPPORTED', `rule ${i}`);
    assert.equal(at(30).error?.code, 'REGEX_UNSUPPORTED');
    assert.equal(at(40).error?.code, 'UNKNOWN_MODIFIER');
    assert.equal(rec.length, N);
    assert.equal(rec.filter((r) => r.ok).length, N - 6);
  });

  it('gives the records of the check done in place', async () => {
    assert.deepEqual(await offloaded(), inThread);
    assert.equal(started, 1);
  });

  it("really takes the worker's answers (a worker that says no pattern exceeds lets refused rules pass)", async () => {
    fakeWorker('lies.js', "const { parentPort } = require('node:worker_threads');\nparentPort.on('message', (m) => parentPort.postMessage({ key: m.key, effort: 0, exceeds: false }));\n");
    const lied = (await offloaded()) as { file: string; ok: boolean }[];
    for (const i of Object.keys(REFUSED)) assert.ok(lied.find((r) => r.file.endsWith(`r0${i.padStart(2, '0')}.yml`))!.ok, `rule ${i}`);
  });

  it('runConvert uses it, with the same records, on one thread and on two', async () => {
    clearLuceneCostCache();
    const one = await runConvert([dir], opts);
    assert.equal(started, 1);
    assert.deepEqual(one.records, inThread);
    clearLuceneCostCache();
    assert.deepEqual((await runConvert([dir], opts, 2)).records, inThread);
  });

  it('check uses it, with the errors of the check done in place', async () => {
    for (const pipelines of [[], ['sysmon']]) {
      clearLuceneCostCache();
      const reference = await runSharded(files, { module: CHECK, fn: 'checkFiles', payload: { pipelines } }, 1);
      clearLuceneCostCache();
      started = 0;
      const summary = await runCheck([dir], pipelines);
      assert.equal(started, 1);
      const docs = reference as { valid: boolean; errors: unknown[] }[];
      assert.deepEqual(summary.errors, docs.flatMap((d) => d.errors));
      assert.equal(summary.valid, docs.filter((d) => d.valid).length);
      assert.equal(summary.valid, N - 6);
    }
  });

  it('is not started for fewer files', async () => {
    clearLuceneCostCache();
    const few = files.slice(0, REGEX_WORKER_MIN_FILES - 1);
    assert.deepEqual(await runSharded(few, task, 1, { regexWorker: true }), inThread.slice(0, few.length));
    assert.equal(started, 0);
  });

  it('falls back to the check in place when the worker cannot start', async () => {
    regexWorker.script = () => (started++, { file: path.join(dir, 'no-such-worker.js'), execArgv: [] });
    assert.deepEqual(await offloaded(), inThread);
    assert.equal(started, 1);
  });

  it('falls back when the worker dies at the first pattern', async () => {
    fakeWorker('dies.js', "require('node:worker_threads').parentPort.on('message', () => { throw new Error('boom'); });\n");
    assert.deepEqual(await offloaded(), inThread);
  });

  it('falls back when the worker exits after answering a few', async () => {
    fakeWorker(
      'exits.js',
      "const { parentPort } = require('node:worker_threads');\nlet n = 0;\nparentPort.on('message', (m) => { if (++n > 3) process.exit(3); parentPort.postMessage({ key: m.key, failed: true }); });\n",
    );
    assert.deepEqual(await offloaded(), inThread);
  });

  it('does not wait forever for a worker that never answers', async () => {
    fakeWorker('silent.js', "require('node:worker_threads').parentPort.on('message', () => {});\n");
    regexWorker.patienceMs = 300;
    assert.deepEqual(await offloaded(), inThread);
  });
});
