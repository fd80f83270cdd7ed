/**
 * `npm run bench`: every benchmark, each writing its own section of BENCHMARKS.md.
 * Needs ../shared (the SigmaHQ corpus) and the provisioned engines. Pass --quick for fewer runs.
 */
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';

const quick = process.argv.includes('--quick');
const steps: Array<[string, string[]]> = [
  ['parse + IR', ['scripts/bench-parse.ts', '--runs', quick ? '1' : '5', '--write']],
  ['translation vs pySigma', ['scripts/bench-convert.ts', '--runs', quick ? '1' : '3', '--write']],
  ['evaluator', ['scripts/bench-eval.ts', '--write', ...(quick ? ['--count', '20000'] : [])]],
  ['engines and seeding', ['scripts/bench-engine.ts', '--write', '--events', quick ? '20000' : '100000']],
  ['corpus on the engine', ['scripts/corpus-engine.ts', '--write', '--events', quick ? '1000' : '5000']],
];
let failed = 0;
for (const [name, args] of steps) {
  console.log(`\n== ${name}`);
  const r = spawnSync(process.execPath, [require.resolve('tsx/cli'), ...args], { stdio: 'inherit', cwd: path.resolve(__dirname, '..') });
  if (r.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);
