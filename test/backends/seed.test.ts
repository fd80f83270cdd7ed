// The seed rule (sigma/wmic_remote_command_execution.yml) through the real parser in all five
// targets, with each pipeline it is meant for. Reviewed outputs in test/golden/seed.*.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { compileYaml } from '../../src/compile';
import { translate, TARGETS } from '../../src/backends';
import { getProfile } from '../../src/mapping/profile';
import { isSigmaEsError } from '../../src/errors';

const SEED = path.join(__dirname, '..', '..', 'sigma', 'wmic_remote_command_execution.yml');
const GOLDEN = path.join(__dirname, '..', 'golden');

const SETUPS: Array<{ name: string; pipelines: string[]; profile: string }> = [
  { name: 'ecs', pipelines: ['sysmon', 'ecs_windows'], profile: 'ecs' },
  { name: 'sysmon', pipelines: [], profile: 'sysmon' },
];

describe('backends: the seed rule in every target', () => {
  const text = fs.readFileSync(SEED, 'utf8');
  for (const setup of SETUPS) {
    it(`renders the seed rule with ${setup.pipelines.join(' + ') || 'no pipeline'}`, () => {
      const [doc] = compileYaml(text, { file: 'sigma/wmic_remote_command_execution.yml', pipelines: setup.pipelines });
      const parts: string[] = [];
      for (const target of TARGETS) {
        let out: string;
        try {
          const t = translate(doc, target, { profile: getProfile(setup.profile)!, index: 'logs-*' });
          out = (typeof t.query === 'string' ? t.query : JSON.stringify(t.query, null, 1)) + t.warnings.map((w) => `\n# warning: ${w}`).join('');
        } catch (e) {
          if (!isSigmaEsError(e)) throw e;
          out = `ERROR ${e.format()}`;
        }
        parts.push(`### ${target}\n${out}\n`);
      }
      const actual = parts.join('\n');
      const file = path.join(GOLDEN, `seed.${setup.name}.txt`);
      if (process.env.UPDATE_GOLDEN === '1' || !fs.existsSync(file)) fs.writeFileSync(file, actual);
      else assert.equal(actual, fs.readFileSync(file, 'utf8'), `${file} differs; review and regenerate with UPDATE_GOLDEN=1`);
      assert.doesNotMatch(actual, /ERROR/);
    });
  }
});
