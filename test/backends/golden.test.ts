// Golden outputs of every construct in every target. The files under test/golden/ are reviewed
// by hand; regenerate with UPDATE_GOLDEN=1 after a deliberate change and review the diff.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { translate, TARGETS, type Target } from '../../src/backends';
import { getProfile } from '../../src/mapping/profile';
import { isSigmaEsError } from '../../src/errors';
import type { IrDocument } from '../../src/ir/types';
import { correlationCases, ruleCases } from './constructs';

const GOLDEN = path.join(__dirname, '..', 'golden');
const profile = getProfile('ecs')!;

export function renderCase(doc: IrDocument, target: Target): string {
  try {
    const t = translate(doc, target, { profile, index: 'logs-*' });
    const q = typeof t.query === 'string' ? t.query : JSON.stringify(t.query, null, target === 'dsl' ? 1 : undefined);
    return q + t.warnings.map((w) => `\n# warning: ${w}`).join('');
  } catch (e) {
    if (isSigmaEsError(e)) return `ERROR ${e.format()}`;
    throw e;
  }
}

function goldenText(target: Target, cases: Array<[string, IrDocument]>): string {
  return cases.map(([name, doc]) => `### ${name}\n${renderCase(doc, target)}\n`).join('\n');
}

function check(file: string, actual: string): void {
  const p = path.join(GOLDEN, file);
  if (process.env.UPDATE_GOLDEN === '1' || !fs.existsSync(p)) {
    fs.mkdirSync(GOLDEN, { recursive: true });
    fs.writeFileSync(p, actual);
    return;
  }
  assert.equal(actual, fs.readFileSync(p, 'utf8'), `${file} differs; review and regenerate with UPDATE_GOLDEN=1`);
}

describe('backends: golden constructs', () => {
  for (const target of TARGETS) {
    it(`renders every construct for ${target}`, () => {
      check(`constructs.${target}.txt`, goldenText(target, ruleCases()));
    });
    it(`renders every correlation type for ${target}`, () => {
      check(`correlations.${target}.txt`, goldenText(target, correlationCases()));
    });
  }
});
