import assert from 'node:assert/strict';
import { main } from '../../src/cli/main';
import { useEngine } from './hooks';

/** Runs the CLI in-process, capturing what it prints. */
async function run(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const w1 = process.stdout.write.bind(process.stdout);
  const w2 = process.stderr.write.bind(process.stderr);
  process.stdout.write = ((c: string | Uint8Array) => ((out += String(c)), true)) as typeof process.stdout.write;
  process.stderr.write = ((c: string | Uint8Array) => ((err += String(c)), true)) as typeof process.stderr.write;
  const before = process.exitCode;
  try {
    const code = await main(['node', 'sigma-es', ...args]);
    return { code, out, err };
  } finally {
    process.stdout.write = w1;
    process.stderr.write = w2;
    process.exitCode = before;
  }
}

describe('engine: CLI', function () {
  const es = useEngine('elasticsearch');

  it('engine status --json lists the running engine with its health', async () => {
    const e = es();
    const r = await run('engine', 'status', '--engine', 'elasticsearch', '--json');
    const list = JSON.parse(r.out) as { flavour: string; running: boolean; healthy: boolean; url?: string }[];
    if (e.provider !== 'embedded') return; // an external cluster has no state file to show
    assert.equal(r.code, 0);
    const mine = list.find((s) => s.url === e.url);
    assert.ok(mine, `status lists ${e.url}: ${r.out}`);
    assert.equal(mine.healthy, true);
  });

  it('engine start starts a shared engine, a second start reuses it, engine stop stops it', async function () {
    // The CLI's own engine (not the test run's): OpenSearch, the quicker of the two to start.
    this.timeout(10 * 60_000);
    const first = await run('engine', 'start', '--engine', 'opensearch', '--json');
    assert.equal(first.code, 0, first.err);
    const started = JSON.parse(first.out) as { url: string; pid: number; reused: boolean };
    if (started.reused) {
      // someone's own OpenSearch (`sigma-es engine start`) is running: a test must not stop it
      console.log(`      skipping the stop: an OpenSearch started outside this test runs at ${started.url}`);
      this.skip();
    }
    try {
      const again = await run('engine', 'start', '--engine', 'opensearch', '--json');
      assert.equal(again.code, 0, again.err);
      const reused = JSON.parse(again.out) as { url: string; reused: boolean };
      assert.equal(reused.reused, true);
      assert.equal(reused.url, started.url);
    } finally {
      const stop = await run('engine', 'stop', '--engine', 'opensearch', '--json');
      assert.equal(stop.code, 0, stop.err);
    }
    let alive = true;
    try {
      process.kill(started.pid, 0);
    } catch {
      alive = false;
    }
    assert.equal(alive, false, `engine ${started.pid} is gone after engine stop`);
  });

  it('rejects an unknown engine with exit code 2', async () => {
    const r = await run('engine', 'start', '--engine', 'solr');
    assert.equal(r.code, 2);
    assert.match(r.err, /Allowed choices are elasticsearch, opensearch/);
  });
});
