// The native evaluator against every labelled fixture in the repo (the seed's sets and the
// fuzzer's regressions): each expected verdict must hold, for both evaluators.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { compilePaths } from '../../src/compile';
import { compileRuleset, prepareEvent } from '../../src/eval';
import { expectedVerdict, findFixtureFiles, loadFixtureSet } from '../../src/harness/fixtures';
import type { IrDocument } from '../../src/ir/types';

const root = path.resolve(__dirname, '../../fixtures');
const files = fs.existsSync(root) ? findFixtureFiles([root]) : [];

describe('evaluator on the labelled fixtures', () => {
  for (const file of files) {
    const set = loadFixtureSet(file);
    it(`${path.relative(root, file)}: every expected verdict holds`, function () {
      const missing = set.rules.filter((r) => !fs.existsSync(r));
      if (missing.length) this.skip();
      const compiled = compilePaths(set.rules, { pipelines: set.pipelines });
      const docs: IrDocument[] = [];
      for (const e of compiled.entries) {
        assert.deepEqual(e.errors.map((x) => x.format()), [], 'the rules compile');
        if (e.doc) docs.push(e.doc);
      }
      const rs = compileRuleset(docs, { profile: set.profile });
      let checked = 0;
      for (const c of set.cases) {
        const ev = prepareEvent(c.event, set.profile);
        const fast = new Set(rs.match(ev));
        const oracle = new Set(rs.matchOracle(prepareEvent(c.event, set.profile)));
        // Base rules of correlations are not reported alone, but their per-event verdicts are still labelled.
        rs.rules.forEach((rule, i) => {
          const want = expectedVerdict(c, rule.meta.id);
          if (!want) return;
          checked++;
          const msg = `${c.id} × ${rule.meta.title}: ${c.reason}`;
          assert.equal(fast.has(i) ? 'match' : 'nomatch', want, `fast: ${msg}`);
          assert.equal(oracle.has(i) ? 'match' : 'nomatch', want, `oracle: ${msg}`);
        });
      }
      assert.ok(checked > 0, 'the set labels at least one rule');
    });
  }
});
