/**
 * `npm run corpus`: every corpus-wide check, in order. Needs ../shared (not part of a user's
 * clone), so it is a script and not part of `npm test`.
 *   1. check: the corpus parses and validates (scripts/corpus-check.ts)
 *   2. convert: every target over the corpus (scripts/corpus-convert.ts)
 *   3. engine: every DSL/Lucene translation runs on the real engine and agrees with the evaluator (scripts/corpus-engine.ts)
 */
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';

const steps: Array<[string, string[]]> = [
  ['check', ['scripts/corpus-check.ts']],
  ['convert dsl', ['scripts/corpus-convert.ts', '-t', 'dsl']],
  ['convert lucene', ['scripts/corpus-convert.ts', '-t', 'lucene']],
  ['convert eql', ['scripts/corpus-convert.ts', '-t', 'eql']],
  ['convert esql', ['scripts/corpus-convert.ts', '-t', 'esql']],
  ['engine', ['scripts/corpus-engine.ts', ...process.argv.slice(2)]],
];
let failed = 0;
for (const [name, args] of steps) {
  console.log(`\n== ${name}`);
  const r = spawnSync(process.execPath, [require.resolve('tsx/cli'), ...args], { stdio: 'inherit', cwd: path.resolve(__dirname, '..') });
  if (r.status !== 0) {
    failed++;
    console.log(`== ${name}: FAILED (exit ${r.status})`);
  }
}
console.log(failed ? `\n${failed} corpus step(s) failed` : '\nall corpus steps passed');
process.exit(failed ? 1 : 0);
