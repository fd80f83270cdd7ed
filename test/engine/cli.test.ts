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

  it('engine start reuses a running engine instead of starting another', async function () {
    // Only an engine started by `engine start` is shared; a test-owned one is not, so this
    // case is only observable when the shared engine came from the CLI.
    const e = es();
    if (e.provider !== 'embedded' || e.owned) this.skip();
    const r = await run('engine', 'start', '--engine', 'elasticsearch', '--json');
    assert.equal(r.code, 0);
    assert.equal((JSON.parse(r.out) as { reused: boolean }).reused, true);
  });

  it('rejects an unknown engine with exit code 2', async () => {
    const r = await run('engine', 'start', '--engine', 'solr');
    assert.equal(r.code, 2);
    assert.match(r.err, /Allowed choices are elasticsearch, opensearch/);
  });
});
