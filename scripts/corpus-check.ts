/**
 * `sigma-es check` over the SigmaHQ corpus (issue: foundation): the active rule folders must be
 * accepted at 99.5% or better with zero internal failures; deprecated/ and unsupported/ must give
 * a clear per-rule result (valid, or errors with codes), never a crash.
 *
 *   npx tsx scripts/corpus-check.ts
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runCheck } from '../src/cli/commands/check';

const CORPUS = path.resolve(__dirname, '../../shared/corpus/sigmahq');

async function main(): Promise<number> {
  if (!fs.existsSync(CORPUS)) {
    process.stderr.write(`corpus not found at ${CORPUS} (it lives in ../shared, outside the repository)\n`);
    return 2;
  }
  let failed = false;
  const active = await runCheck(['rules', 'rules-emerging-threats', 'rules-threat-hunting'].map((d) => path.join(CORPUS, d)), []);
  const internal = active.errors.filter((e) => e.code === 'INTERNAL');
  const rate = active.valid / active.rules;
  console.log(`active rules: ${active.files} files, ${active.rules} documents, ${active.valid} valid (${(rate * 100).toFixed(2)}%), ${internal.length} internal failures`);
  const byCode = new Map<string, number>();
  for (const e of active.errors) byCode.set(e.code, (byCode.get(e.code) ?? 0) + 1);
  for (const [code, n] of byCode) console.log(`  ${code}: ${n}`);
  for (const e of active.errors) console.log(`    ${e.file}:${e.line}: ${e.code} ${e.message}`);
  if (rate < 0.995 || internal.length) failed = true;

  for (const dir of ['deprecated', 'unsupported']) {
    const s = await runCheck([path.join(CORPUS, dir)], []);
    const crashes = s.errors.filter((e) => e.code === 'INTERNAL');
    const codes = new Map<string, number>();
    for (const e of s.errors) codes.set(e.code, (codes.get(e.code) ?? 0) + 1);
    console.log(`${dir}/: ${s.rules} documents, ${s.valid} valid, ${s.invalid} invalid, ${crashes.length} internal failures; errors by code: ${[...codes].map(([c, n]) => `${c} ${n}`).join(', ')}`);
    if (crashes.length) failed = true;
  }
  console.log(failed ? 'FAILED' : 'OK');
  return failed ? 1 : 0;
}

void main().then((code) => process.exit(code));
