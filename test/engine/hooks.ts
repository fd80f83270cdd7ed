/**
 * One real engine of each flavour per mocha run, shared by every test file that asks for it.
 *
 * Engines start lazily (a run that never needs OpenSearch never starts it) and are stopped by
 * a root `after` hook, which also checks that no process of theirs is left. When an engine
 * cannot be had, tests skip with the reason, except under CI (CI=true), where they fail:
 * a CI that silently skipped every engine test would prove nothing.
 *
 * Usage in a test file:
 *   const es = useEngine('elasticsearch');   // registers a before() hook
 *   it('…', async () => { await es().client.search(…) });
 */
import { ensureEngine, type Engine, type Flavour } from '../../src/engine';
import { describeError } from '../../src/errors';

const engines = new Map<Flavour, Promise<Engine>>();
const failures = new Map<Flavour, string>();
const START_TIMEOUT_MS = 15 * 60_000; // includes provisioning from Maven Central on a fresh machine

export function getEngine(flavour: Flavour): Promise<Engine> {
  let p = engines.get(flavour);
  if (!p) {
    p = ensureEngine({ flavour, onProgress: (l) => process.stderr.write(`      [engine] ${l}\n`) });
    engines.set(flavour, p);
  }
  return p;
}

function groupAlive(pid: number): boolean {
  try {
    process.kill(-pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Registers a `before` hook that provides the shared engine, or skips/fails the suite without one. */
export function useEngine(flavour: Flavour): () => Engine {
  let engine: Engine | undefined;
  before(async function () {
    this.timeout(START_TIMEOUT_MS);
    const known = failures.get(flavour);
    if (!known) {
      try {
        engine = await getEngine(flavour);
        return;
      } catch (e) {
        failures.set(flavour, describeError(e));
      }
    }
    const reason = failures.get(flavour)!;
    if (process.env.CI === 'true') throw new Error(`no ${flavour} engine in CI: ${reason}`);
    console.log(`      skipping: no ${flavour} engine could be started: ${reason}`);
    this.skip();
  });
  return () => {
    if (!engine) throw new Error(`${flavour} engine requested outside a test`);
    return engine;
  };
}

// Root-level hook: mocha runs it once, after every file.
after(async function () {
  this.timeout(120_000);
  const leaks: string[] = [];
  for (const [flavour, p] of engines) {
    const e = await p.catch(() => undefined);
    if (!e) continue;
    await e.stop();
    if (e.owned && e.pid !== undefined && groupAlive(e.pid)) leaks.push(`${flavour} (process group ${e.pid})`);
  }
  engines.clear();
  if (leaks.length) throw new Error(`engine processes still running after stop: ${leaks.join(', ')}`);
});
