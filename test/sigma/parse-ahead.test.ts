// Files parsed on a worker ahead of the compiling thread (src/sigma/parse-ahead.ts): what the
// compiling thread takes must be what parsing in place gives, errors included, and compiling
// with the worker, without it, or with a worker that fails must give the same entries.
// Real files, real worker thread; only the worker's script is swapped for a broken one.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { collectRuleFiles, compilePaths } from '../../src/compile';
import { SigmaEsError } from '../../src/errors';
import { PARSE_AHEAD_MIN_FILES, ParseAhead, parseAheadWorker, runWithParseAhead, withParseAhead } from '../../src/sigma/parse-ahead';
import { parseFile, type ParsedFile } from '../../src/sigma/parse-file';

const N = PARSE_AHEAD_MIN_FILES + 14;

function rule(i: number): string {
  const id = `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
  const head = `title: Rule ${i}\nid: ${id}\nlogsource: {category: process_creation, product: windows}\n`;
  switch (i % 8) {
    case 1: // YAML error, with a line and column
      return `${head}detection:\n  sel:\n    Image: [a, b\n  condition: sel\n`;
    case 2: // rule model error
      return `${head}detection:\n  sel:\n    Image: x.exe\n`;
    case 3: // values only a structured clone keeps exactly
      return `${head}date: 2024-01-02\ncustom_field: {n: .nan, p: .inf, m: -.inf, z: -0.0}\ndetection:\n  sel:\n    EventID: [.nan, .inf]\n    CommandLine|contains: 'é\\u0000 ∑ 🙂'\n  condition: sel\n`;
    case 4: // two documents in one file, flow style (the js-yaml path)
      return `${head}detection: {sel: {Image|endswith: '\\x.exe'}, condition: sel}\n---\n${head.replace(`Rule ${i}`, `Rule ${i}b`)}detection: {sel: {Image: y}, condition: sel}\n`;
    default:
      return `${head}detection:\n  sel:\n    CommandLine|contains|all: ['-a${i}', '-b']\n  filter:\n    User|startswith: 'NT '\n  condition: sel and not filter\n`;
  }
}

/** A parsed file with its errors as text and class, for comparing across threads. */
function comparable(pf: ParsedFile): unknown {
  return {
    ...pf,
    docs: pf.docs.map((d) => ({ ...d, errors: d.errors.map((e) => [e instanceof SigmaEsError, e.format()]) })),
  };
}

describe('parse-ahead: rule files parsed on a worker thread', function () {
  this.timeout(120_000);
  let dir: string;
  let files: string[];
  const saved = { ...parseAheadWorker };
  let started = 0;

  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sigma-es-parse-ahead-'));
    for (let i = 0; i < N; i++) fs.writeFileSync(path.join(dir, `r${String(i).padStart(3, '0')}.yml`), rule(i));
    files = collectRuleFiles([dir]).files;
    assert.equal(files.length, N);
  });
  beforeEach(() => {
    started = 0;
    parseAheadWorker.script = () => (started++, saved.script());
    parseAheadWorker.enabled = saved.enabled;
  });
  afterEach(() => Object.assign(parseAheadWorker, saved));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("the fixtures hold YAML errors, model errors, NaN, infinities and -0", () => {
    const at = (i: number) => parseFile(files[i]);
    assert.match(at(1).docs[0].errors[0].format(), /r001\.yml:\d+:\d+: /);
    assert.ok(at(2).docs[0].errors.length > 0);
    // the values a JSON round trip would change must reach the documents compared below
    const custom = (at(3).docs[0].doc as { custom: { custom_field: Record<string, number> } }).custom.custom_field;
    assert.ok(Number.isNaN(custom.n));
    assert.equal(custom.p, Infinity);
    assert.equal(custom.m, -Infinity);
    assert.ok(Object.is(custom.z, -0));
    assert.equal(at(4).docs.length, 2);
  });

  it('gives, file by file, what parsing in place gives', async () => {
    const ahead = new ParseAhead(files);
    try {
      await ahead.stopped; // every file parsed and posted
      for (const f of files) {
        const got = ahead.take(f);
        assert.ok(got, `${f} not parsed ahead`);
        assert.deepEqual(comparable(got), comparable(parseFile(f)));
      }
      assert.deepEqual(ahead.counts, { ahead: N, here: 0 });
    } finally {
      ahead.close();
    }
  });

  it('leaves to the compiling thread the files it reaches first, and the worker goes on past them', async () => {
    const ahead = new ParseAhead(files);
    try {
      // nothing is posted before the worker has started: these are parsed here
      for (const f of files.slice(0, 10)) assert.equal(ahead.take(f), undefined);
      await ahead.stopped;
      for (const f of files.slice(10)) assert.deepEqual(comparable(ahead.take(f)!), comparable(parseFile(f)));
      assert.deepEqual(ahead.counts, { ahead: N - 10, here: 10 });
    } finally {
      ahead.close();
    }
  });

  it('parses no further than its lead past the file the compiling thread needs next', async () => {
    const ahead = new ParseAhead(files, 8);
    try {
      const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
      for (let t = 0; t < 400 && ahead.ready() < 8; t++) await sleep(50);
      await sleep(300); // time to go further, were it not held
      assert.equal(ahead.ready(), 8);
      // taking them lets it go on
      for (const f of files.slice(0, 8)) assert.ok(ahead.take(f));
      for (let t = 0; t < 400 && ahead.ready() < 8; t++) await sleep(50);
      await sleep(300);
      assert.equal(ahead.ready(), 8);
      for (const f of files.slice(8, 16)) assert.deepEqual(comparable(ahead.take(f)!), comparable(parseFile(f)));
    } finally {
      ahead.close();
    }
  });

  it('compiles to the same entries with the worker, without it, and with a worker that cannot start or dies', async () => {
    const reference = (() => {
      parseAheadWorker.enabled = () => false;
      return compilePaths([dir], { pipelines: ['sysmon'] });
    })();
    assert.equal(started, 0);
    parseAheadWorker.enabled = saved.enabled;
    assert.deepEqual(compilePaths([dir], { pipelines: ['sysmon'] }), reference);
    assert.equal(started, 1);
    // every file served by the worker (compilePaths takes the running one rather than start its own)
    const ahead = new ParseAhead(files);
    await ahead.stopped;
    assert.deepEqual(
      runWithParseAhead(ahead, () => compilePaths([dir], { pipelines: ['sysmon'] })),
      reference,
    );
    assert.deepEqual(ahead.counts, { ahead: N, here: 0 });
    assert.equal(started, 2);
    parseAheadWorker.script = () => (started++, { file: path.join(dir, 'no-such-worker.js'), execArgv: [] });
    assert.deepEqual(compilePaths([dir], { pipelines: ['sysmon'] }), reference);
    const dies = path.join(dir, 'dies.js');
    fs.writeFileSync(dies, "throw new Error('boom');\n");
    parseAheadWorker.script = () => (started++, { file: dies, execArgv: [] });
    assert.deepEqual(compilePaths([dir], { pipelines: ['sysmon'] }), reference);
    assert.equal(started, 4);
  });

  it('starts no worker for fewer files, nor inside a running one', () => {
    withParseAhead(files.slice(0, PARSE_AHEAD_MIN_FILES - 1), () => undefined);
    assert.equal(started, 0);
    withParseAhead(files, () => withParseAhead(files, () => compilePaths([dir])));
    assert.equal(started, 1);
    parseAheadWorker.enabled = () => false;
    withParseAhead(files, () => undefined);
    assert.equal(started, 1);
  });
});
