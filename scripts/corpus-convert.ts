/**
 * Whole-corpus translation: `sigma-es convert -t dsl -p sysmon -p ecs_windows` over the SigmaHQ
 * rules (../shared/corpus/sigmahq/rules{,-emerging-threats,-threat-hunting}), compared with
 * pySigma's 3,747 of 3,754. Every failure must be a deliberate, explained error: the script
 * groups them by reason and exits 1 if any failure is not a known deliberate error code.
 *
 *   npx tsx scripts/corpus-convert.ts [-t target] [corpus dir]
 */
import * as path from 'node:path';
import * as fs from 'node:fs';
import { runConvert } from '../src/cli/commands/convert';
import { getProfile } from '../src/mapping/profile';
import { isTarget, type Target } from '../src/backends';

const PYSIGMA = { converted: 3747, total: 3754 };
const DELIBERATE = new Set(['UNSUPPORTED_CONSTRUCT', 'REGEX_UNSUPPORTED', 'UNRESOLVED_PLACEHOLDER']);

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  let target: Target = 'dsl';
  const ti = args.indexOf('-t');
  if (ti >= 0) {
    const t = args.splice(ti, 2)[1];
    if (!isTarget(t)) throw new Error(`unknown target ${t}`);
    target = t;
  }
  const corpus = args[0] ?? path.resolve(__dirname, '../../shared/corpus/sigmahq');
  if (!fs.existsSync(corpus)) {
    process.stderr.write(`corpus not found at ${corpus} (it lives in ../shared, outside the repository)\n`);
    return 2;
  }
  const dirs = ['rules', 'rules-emerging-threats', 'rules-threat-hunting'].map((d) => path.join(corpus, d));
  const start = process.hrtime.bigint();
  const { records, errors } = await runConvert(dirs, { target, pipelines: ['sysmon', 'ecs_windows'], profile: getProfile('ecs')! });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  const ok = records.filter((r) => r.ok).length;
  const failed = records.filter((r) => !r.ok);
  const byReason = new Map<string, string[]>();
  for (const r of failed) {
    const e = r.error!;
    const reason = `${e.code}: ${e.message.replace(/\(value [^)]*\)/, '').replace(/"[^"]*"/g, '"…"').replace(/'[^']*'/g, "'…'").slice(0, 140)}`;
    const list = byReason.get(reason) ?? [];
    list.push(`${path.relative(corpus, r.file)} [${r.error!.item ?? ''}]`);
    byReason.set(reason, list);
  }
  console.log(`target ${target}: ${ok} of ${records.length} rules translated (${failed.length} failed) in ${ms.toFixed(0)} ms; pySigma: ${PYSIGMA.converted} of ${PYSIGMA.total}`);
  for (const [reason, rules] of [...byReason].sort((a, b) => b[1].length - a[1].length)) {
    console.log(`\n${rules.length} × ${reason}`);
    for (const r of rules) console.log(`    ${r}`);
  }
  for (const e of errors) console.log(`input error: ${e.format()}`);
  const unexplained = failed.filter((r) => !DELIBERATE.has(r.error!.code));
  if (unexplained.length || errors.length) {
    console.log(`\n${unexplained.length + errors.length} failures are not deliberate translation errors`);
    return 1;
  }
  return 0;
}

void main().then((code) => {
  process.exitCode = code;
});
