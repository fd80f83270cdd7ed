// Measures how many SigmaHQ `re` values the dialect accepts: npx tsx scripts/regex-corpus.ts [corpus dir]
import fs from 'node:fs';
import path from 'node:path';
import yaml from 'js-yaml';
import { parseSigmaRegex } from '../src/ir/regex';
import { compileRegexMatcher } from '../src/eval/lucene';

const root = process.argv[2] ?? '/work/shared/corpus/sigmahq';
const values: { file: string; key: string; v: string }[] = [];
function visit(o: unknown, file: string): void {
  if (Array.isArray(o)) { for (const x of o) visit(x, file); return; }
  if (!o || typeof o !== 'object') return;
  for (const [k, v] of Object.entries(o)) {
    if (k.split('|').slice(1).includes('re')) for (const x of ([] as unknown[]).concat(v)) values.push({ file, key: k, v: String(x) });
    else visit(v, file);
  }
}
function walk(d: string): void {
  for (const f of fs.readdirSync(d)) {
    const p = path.join(d, f);
    if (fs.statSync(p).isDirectory()) walk(p);
    else if (/\.ya?ml$/.test(f) && /^rules/.test(path.relative(root, p))) {
      try { for (const doc of yaml.loadAll(fs.readFileSync(p, 'utf8')) as { detection?: unknown }[]) if (doc?.detection) visit(doc.detection, p); } catch { /* not a rule */ }
    }
  }
}
walk(root);
const reasons = new Map<string, number>();
let ok = 0;
let matchNs = 0n;
let matched = 0;
const sample = 'C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe -nop -w hidden -enc ' + 'SQBFAFgAIAAoA'.repeat(20);
for (const { key, v } of values) {
  const mods = key.split('|').slice(1);
  const flags = { i: mods.includes('i') || mods.includes('ignorecase'), m: mods.includes('m') || mods.includes('multiline'), s: mods.includes('s') || mods.includes('dotall') };
  try {
    const ast = parseSigmaRegex(v, flags);
    ok++;
    const m = compileRegexMatcher(ast, flags);
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < 100; i++) if (m(sample + i)) matched++;
    matchNs += process.hrtime.bigint() - t0;
  } catch (e) {
    const msg = (e as Error).message.split(' at position')[0];
    reasons.set(msg, (reasons.get(msg) ?? 0) + 1);
    if (process.env.VERBOSE) console.log('REJECT', JSON.stringify(v), (e as Error).message);
  }
}
console.log(`re values: ${values.length}, accepted: ${ok}, rejected: ${values.length - ok}`);
for (const [r, n] of [...reasons].sort((a, b) => b[1] - a[1])) console.log(`  ${n}  ${r}`);
const perMatch = Number(matchNs) / (ok * 100);
console.log(`matcher: ${(perMatch / 1000).toFixed(2)} µs per ${sample.length + 2}-char term (${((sample.length + 2) / (perMatch / 1000)).toFixed(0)} chars/µs), warm DFA; ${matched} hits`);
