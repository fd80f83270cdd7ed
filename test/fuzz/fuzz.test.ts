// The CI fuzz budget: a seeded, reproducible differential campaign on each real engine, run by
// the normal `npm test`. Any mismatch fails with the seed and the command that reproduces it
// (and the shrunk rule and event). FUZZ_SEED / FUZZ_CASES override the defaults.
import * as assert from 'node:assert/strict';
import { formatMismatch, reproduceCommand } from '../../src/fuzz/report';
import { runFuzz } from '../../src/fuzz/run';
import { useEngine } from '../engine/hooks';

const SEED = Number(process.env.FUZZ_SEED ?? 20261126);
const CASES = Number(process.env.FUZZ_CASES ?? 2000);
// 5 minutes for both engines on a 2-core machine.
const BUDGET_MS = 150_000;

for (const flavour of ['elasticsearch', 'opensearch'] as const) {
  describe(`fuzz: translator vs evaluator on ${flavour}`, function () {
    const engine = useEngine(flavour);
    it(`${CASES} generated rules agree with the engine (seed ${SEED})`, async function () {
      this.timeout(BUDGET_MS * 2);
      const result = await runFuzz({ engine: engine(), seed: SEED, cases: CASES, shrinkLimit: 3 });
      const secs = (result.ms / 1000).toFixed(1);
      console.log(
        `      ${flavour}: ${result.cases} cases in ${secs} s (${result.casesPerSecond.toFixed(0)}/s), ` +
          `targets ${result.targets.join('+')}${Object.keys(result.skippedTargets).length ? ` (no ${Object.keys(result.skippedTargets).join('/')} endpoint)` : ''}, ` +
          `engine matched in ${((100 * result.matchedCases) / Math.max(result.cases, 1)).toFixed(0)}% of cases`,
      );
      const report = result.mismatches.slice(0, 5).map((m) => formatMismatch(m, SEED)).join('\n');
      assert.equal(
        result.mismatches.length,
        0,
        `${result.mismatches.length} mismatches on ${flavour} (seed ${SEED}); reproduce with: ` +
          `FUZZ_SEED=${SEED} npx mocha --no-config --require tsx/cjs --extension ts --timeout 600000 test/fuzz/fuzz.test.ts, or ${reproduceCommand(SEED, flavour)}\n${report}`,
      );
      assert.ok(result.cases >= CASES, `only ${result.cases} cases ran`);
      assert.ok(result.ms <= BUDGET_MS, `the fuzz budget took ${secs} s on ${flavour}, more than ${BUDGET_MS / 1000} s`);
    });
  });
}
