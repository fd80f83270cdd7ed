import { strict as assert } from 'node:assert';
import * as path from 'node:path';
import { compilePaths } from '../../src/compile';
import { findFixtureFiles, loadFixtureSet, type FixtureSet } from '../../src/harness/fixtures';

const ROOT = path.resolve(__dirname, '../..');
const SEED = path.join(ROOT, 'sigma/wmic_remote_command_execution.yml');

/**
 * The original hunting query, written out in TypeScript so the fixtures' `kql` labels are
 * checked rather than trusted: FileName =~ "WMIC.exe", RemoteIP = first match of the IPv4
 * regex in ProcessCommandLine (leftmost, greedy, as RE2 and JS agree for this pattern),
 * not empty and not '127.0.0.1'.
 */
function kqlVerdict(ev: Record<string, unknown>): 'match' | 'nomatch' {
  const fileName = ev.FileName;
  if (typeof fileName !== 'string' || fileName.toLowerCase() !== 'wmic.exe') return 'nomatch';
  const cmd = typeof ev.ProcessCommandLine === 'string' ? ev.ProcessCommandLine : '';
  const m = /[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}/.exec(cmd);
  const remote = m ? m[0] : '';
  return remote !== '' && remote !== '127.0.0.1' ? 'match' : 'nomatch';
}

describe('the seed rule: WMIC Remote Command Execution', () => {
  const sets: FixtureSet[] = findFixtureFiles([path.join(ROOT, 'fixtures/seed')]).map(loadFixtureSet);

  it('has a Defender-, a Sysmon- and an ECS-shaped fixture set', () => {
    assert.deepEqual(sets.map((s) => s.profile.name).sort(), ['defender', 'ecs', 'sysmon']);
  });

  for (const set of sets) {
    it(`compiles under the ${set.name} pipelines (${set.pipelines.join(' + ') || 'none'})`, () => {
      const r = compilePaths([SEED], { pipelines: set.pipelines });
      const errs = r.entries.flatMap((e) => e.errors.map((x) => x.format()));
      assert.deepEqual(errs, []);
      assert.equal(r.entries[0].doc?.kind, 'rule');
    });
  }

  it("pins the KQL's own verdict for every Defender case", () => {
    const defender = sets.find((s) => s.profile.name === 'defender')!;
    for (const c of defender.cases) {
      assert.ok(c.kql, `${c.id} has a kql label`);
      assert.equal(kqlVerdict(c.event), c.kql, `${c.id}: ${c.reason}`);
    }
  });

  it('covers the cases the port cannot match exactly, and each is in the parity table', () => {
    const fs = require('node:fs') as typeof import('node:fs');
    const parity = fs.readFileSync(path.join(ROOT, 'docs/seed-parity.md'), 'utf8');
    const defender = sets.find((s) => s.profile.name === 'defender')!;
    const diverging = defender.cases.filter((c) => c.kql !== c.expect);
    assert.ok(diverging.length >= 4);
    for (const c of diverging) assert.ok(parity.includes(c.id), `${c.id} is listed in docs/seed-parity.md`);
  });
});
