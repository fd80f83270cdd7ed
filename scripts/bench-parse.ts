/**
 * Parse + IR benchmark (issue: foundation): the whole SigmaHQ corpus through `sigma-es check`
 * as a fresh process (the compiled dist/ build, as users run it), wall time and peak RSS from
 * GNU time, median of N runs. With --write, updates the `## Parse and IR` section of BENCHMARKS.md.
 *
 *   npx tsx scripts/bench-parse.ts [--runs 5] [--write]
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { replaceSection } from './bench-md';

const ROOT = path.resolve(__dirname, '..');
const CORPUS = path.resolve(ROOT, '../shared/corpus/sigmahq');
const argv = process.argv.slice(2);
const runs = Number(argv[argv.indexOf('--runs') + 1] ?? 5) || 5;
const dirs = ['rules', 'rules-emerging-threats', 'rules-threat-hunting'].map((d) => path.join(CORPUS, d));

// This sandbox sets NODE_EXTRA_CA_CERTS (its proxy's CA bundle), which Node parses at every start
// before any script runs (~85 ms here); rows marked so run without it, as on a machine without one.
const CA = process.env.NODE_EXTRA_CA_CERTS;
const PLAIN_ENV: NodeJS.ProcessEnv = { ...process.env };
delete PLAIN_ENV.NODE_EXTRA_CA_CERTS;

function once(extra: string[], env: NodeJS.ProcessEnv = process.env): { wall: number; rssMb: number; summary: { rules: number; valid: number } } {
  const args = ['-f', '%e %M', process.execPath, path.join(ROOT, 'bin/sigma-es.js'), 'check', ...dirs, '--json', ...extra];
  const r = spawnSync('/usr/bin/time', args, { encoding: 'utf8', maxBuffer: 64 << 20, env });
  const last = r.stderr.trim().split('\n').pop()!;
  const [wall, kb] = last.split(' ').map(Number);
  const s = JSON.parse(r.stdout);
  return { wall, rssMb: kb / 1024, summary: { rules: s.rules, valid: s.valid } };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

if (!fs.existsSync(CORPUS)) {
  console.error(`no corpus at ${CORPUS}`);
  process.exit(2);
}
const rows: string[] = [];
const startLoad = os.loadavg()[0].toFixed(2);
const cases: Array<[string, string[], NodeJS.ProcessEnv?]> = [
  ['no pipeline (`check`, default: one thread)', []],
  ['no pipeline, `--workers 2`', ['--workers', '2']],
  ['sysmon + ecs_windows', ['-p', 'sysmon', '-p', 'ecs_windows']],
  ['sysmon + ecs_windows, `--workers 2`', ['-p', 'sysmon', '-p', 'ecs_windows', '--workers', '2']],
];
if (CA) cases.push(['no pipeline, one thread, without this machine\'s NODE_EXTRA_CA_CERTS', [], PLAIN_ENV]);
for (const [label, extra, env] of cases) {
  const results = Array.from({ length: runs }, () => once(extra, env));
  const wall = median(results.map((r) => r.wall));
  const rss = median(results.map((r) => r.rssMb));
  const s = results[0].summary;
  const walls = results.map((r) => r.wall);
  rows.push(`| ${label} | ${s.rules} | ${s.valid} | ${wall.toFixed(2)} | ${Math.min(...walls).toFixed(2)}–${Math.max(...walls).toFixed(2)} | ${Math.round(s.rules / wall)} | ${rss.toFixed(0)} |`);
  console.log(`${label}: ${s.rules} rules, ${s.valid} valid, ${wall.toFixed(2)} s, ${rss.toFixed(0)} MB peak`);
}
const body = [
  'Whole SigmaHQ corpus (`rules`, `rules-emerging-threats`, `rules-threat-hunting`): read, parse, validate and build the IR,',
  `as one fresh \`node bin/sigma-es.js check … --json\` process (compiled dist/), median of ${runs} runs; peak RSS from GNU time.`,
  '`check` runs on one thread by default; `--workers 2` spreads the files over two (each thread pays its own JIT warm-up).',
  'Aim: under 1 s and under 200 MB.',
  '',
  '| run | rules | valid | wall s (median) | min–max s | rules/s | peak RSS MB |',
  '|---|---|---|---|---|---|---|',
  ...rows,
  '',
  `- Machine: ${os.cpus().length} × ${os.cpus()[0].model.trim()}, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB, ${os.type()} ${os.release()}, Node ${process.version}; load average ${startLoad} at the start, ${os.loadavg()[0].toFixed(2)} at the end (a shared machine: other work slows every figure)`,
  ...(CA
    ? [
        '- This machine sets NODE_EXTRA_CA_CERTS (a proxy\'s CA bundle), which Node parses at every start before any script runs (`node -e 0`: 0.11 s with it, 0.03 s without); the last row runs without it.',
      ]
    : []),
  `- Date: ${new Date().toISOString().slice(0, 10)}`,
  `- Command: \`npx tsx scripts/bench-parse.ts --runs ${runs} --write\``,
].join('\n');
if (argv.includes('--write')) replaceSection(path.join(ROOT, 'BENCHMARKS.md'), 'Parse and IR', body);
