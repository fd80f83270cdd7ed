/**
 * How a mismatch is shown (with what it takes to reproduce it) and kept: a shrunk mismatch
 * becomes a regression fixture (`<slug>.yml` rule + `<slug>.fixture.yml` event set) that the
 * harness then runs on every engine for good.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as jsyaml from 'js-yaml';
import { RawNumber } from '../eval/json';
import { ruleYaml } from './rules';
import { seedOf } from './events';
import type { FuzzMismatch } from './run';

const verdict = (b: boolean): string => (b ? 'match' : 'nomatch');

export function reproduceCommand(seed: number, engine?: string): string {
  return `npm run fuzz -- --seed ${seed} --cases <N>${engine ? ` --engine ${engine}` : ''}`;
}

export function formatMismatch(m: FuzzMismatch, seed: number): string {
  const lines = [`- [${m.kind}${m.target ? `/${m.target}` : ''}] batch ${m.batch}${m.ruleIndex !== undefined ? ` rule ${m.ruleIndex}` : ''} (seed ${seed}): ${m.message}`];
  if (m.minimal) {
    const x = m.minimal;
    lines.push(`  shrunk in ${x.checks} checks: engine ${verdict(x.engine)}, evaluator ${verdict(x.evaluator)}; per target ${JSON.stringify(x.verdicts)}`);
    lines.push(...x.yaml.trimEnd().split('\n').map((l) => `    ${l}`));
    lines.push(`    event: ${x.event.json.length > 400 ? `${x.event.json.slice(0, 400)}… (${x.event.json.length} chars)` : x.event.json}`);
  } else {
    if (m.yaml) lines.push(...m.yaml.trimEnd().split('\n').map((l) => `    ${l}`));
    for (const e of (m.events ?? []).slice(0, 2)) lines.push(`    event ${e.id}: ${e.json.length > 400 ? `${e.json.slice(0, 400)}…` : e.json}`);
  }
  return lines.join('\n');
}

/** YAML cannot keep a number's written form (`1.0`, `1e0`): such values are written as their number. */
function plain(v: unknown): unknown {
  if (v instanceof RawNumber) return v.value;
  if (Array.isArray(v)) return v.map(plain);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]));
  return v;
}

/**
 * Write a shrunk mismatch as `<dir>/<slug>.yml` + `<dir>/<slug>.fixture.yml`. The label is the
 * engine's DSL verdict (the engine is the judge); when only the Lucene rendering disagrees with
 * the DSL, the DSL verdict is the rule's meaning and Lucene's is the bug. Returns the fixture path.
 */
export function writeRegression(dir: string, m: FuzzMismatch, seed: number, slug?: string): string {
  const x = m.minimal!;
  const name = slug ?? `fuzz-${seedOf(x.yaml, x.event.json).toString(16).padStart(8, '0')}`;
  fs.mkdirSync(dir, { recursive: true });
  const rule = { ...x.rule, title: `fuzz regression ${name}` };
  fs.writeFileSync(path.join(dir, `${name}.yml`), ruleYaml(rule));
  const label = x.verdicts.dsl ?? x.engine;
  const fixture = {
    name: `regression-${name}`,
    description: `Found by the differential fuzzer (seed ${seed}, batch ${m.batch}, ${x.target}): engine ${verdict(x.engine)}, evaluator ${verdict(x.evaluator)}.`,
    profile: 'sysmon',
    pipelines: [],
    rules: [`./${name}.yml`],
    cases: [
      {
        id: 'minimal',
        expect: verdict(label),
        reason: `shrunk fuzz case; per target on the engine: ${JSON.stringify(x.verdicts)}`,
        event: plain(x.event.source),
      },
    ],
  };
  const file = path.join(dir, `${name}.fixture.yml`);
  fs.writeFileSync(file, jsyaml.dump(fixture, { lineWidth: -1, noRefs: true, quotingType: '"' }));
  return file;
}
