/**
 * Evaluator benchmark: the SigmaHQ corpus over seeded synthetic events.
 *
 *   npx tsx scripts/bench-eval.ts [--count 100000] [--seed 42] [--shape sysmon|ecs] [--rounds 5] [--rsigma-runs 3] [--corpus DIR…] [--rsigma BIN] [--write]
 *
 * Reports compile time, events/s on one thread without and with NDJSON parsing (median and
 * best of --rounds passes), peak RSS,
 * the `match --workers 2` rate, and rsigma on the same rules and events when a binary is given.
 * --write runs both shapes (unless --shape is given) and replaces the `## Evaluator` section of
 * BENCHMARKS.md; without it, one shape's JSON report goes to stdout.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as os from 'node:os';
import * as v8 from 'node:v8';
import * as vm from 'node:vm';
import { spawnSync } from 'node:child_process';
import { compilePaths } from '../src/compile';
import { compileRuleset, prepareEvent } from '../src/eval';
import { parseJsonExact } from '../src/eval/json';
import { runMatch } from '../src/cli/commands/match';
import { GENERATOR_VERSION, generateEvents, type Shape } from './gen-events';
import type { IrDocument } from '../src/ir/types';
import { replaceSection } from './bench-md';
import { tuneV8 } from '../src/cli/v8-tuning';
import { probeNsPerChar, probeRange } from './machine-probe';

// the V8 settings the command line applies (src/cli/v8-tuning.ts), so in-process figures are the CLI's
tuneV8();
// a full collection between passes (untimed): `gc` exists in contexts made after the flag is set
v8.setFlagsFromString('--expose-gc');
const fullGc = vm.runInNewContext('gc') as () => void;

const argv = process.argv.slice(2);
const opt = (name: string, dflt: string): string => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 && argv[i + 1] !== undefined ? argv[i + 1] : dflt;
};
const count = Number(opt('count', '100000'));
const seed = Number(opt('seed', '42'));
const write = argv.includes('--write');
const shapes: Shape[] = argv.includes('--shape') ? [opt('shape', 'sysmon') as Shape] : write ? ['sysmon', 'ecs'] : ['sysmon'];
let shape: Shape = shapes[0];
const corpusRoot = opt('corpus', path.resolve(__dirname, '../../shared/corpus/sigmahq'));
// a local build (cargo install rsigma --root .cache/rsigma) is used when present
const localRsigma = path.resolve(__dirname, '../.cache/rsigma/bin/rsigma');
const rsigmaBin = opt('rsigma', fs.existsSync(localRsigma) ? localRsigma : '');
const pipelinesOf = (sh: Shape): string[] => (sh === 'ecs' ? ['sysmon', 'ecs_windows'] : ['sysmon']);
const profileOf = (sh: Shape): string => (sh === 'ecs' ? 'ecs' : 'sysmon');
const ruleDirs = fs.readdirSync(corpusRoot).filter((d) => d.startsWith('rules')).map((d) => path.join(corpusRoot, d));

let peak = 0;
const sample = (): void => {
  peak = Math.max(peak, process.memoryUsage().rss);
};
const timer = setInterval(sample, 20);

function ms(t0: bigint): number {
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

interface Round {
  /** Matching only, over every event parsed (untimed) just before the pass and held in one array. */
  preParsed: number;
  /** Matching only, each chunk of 5,000 events parsed (untimed) just before it is matched. */
  preParsedChunked: number;
  withParsing: number;
  matches: number;
  /** The machine probe (machine-probe.ts, ns a character) before the held pass and after each pass. */
  probe: number[];
}

const roundsWanted = Math.max(1, Number(opt('rounds', '5')));
const rsigmaRuns = Math.max(1, Number(opt('rsigma-runs', '3')));

/** Median and best of rates (events/s or ev/s-like: higher is better). */
function spread(xs: number[]): { median: number; best: number; all: number[] } {
  const s = [...xs].sort((a, b) => a - b);
  const median = s.length % 2 ? s[s.length >> 1] : Math.round((s[s.length / 2 - 1] + s[s.length / 2]) / 2);
  return { median, best: s[s.length - 1], all: xs };
}

async function runShape(sh: Shape): Promise<Record<string, unknown>> {
  shape = sh;
  peak = 0;
  const pipelines = pipelinesOf(sh);
  const profile = profileOf(sh);
  const report: Record<string, unknown> = { loadAverage: os.loadavg().map((x) => +x.toFixed(2)), machine: `${os.cpus()[0]?.model} × ${os.cpus().length}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}`, date: new Date().toISOString(), shape, count, seed, pipelines };

  // events file (generated once per seed/shape/count)
  const eventsFile = path.resolve(__dirname, `../.cache/bench/${shape}-${seed}-${count}-v${GENERATOR_VERSION}.ndjson`);
  if (!fs.existsSync(eventsFile)) {
    fs.mkdirSync(path.dirname(eventsFile), { recursive: true });
    const fd = fs.openSync(eventsFile, 'w');
    let buf = '';
    for (const e of generateEvents(count, seed, shape)) {
      buf += JSON.stringify(e) + '\n';
      if (buf.length > 1 << 20) (fs.writeSync(fd, buf), (buf = ''));
    }
    fs.writeSync(fd, buf);
    fs.closeSync(fd);
  }
  report.eventsFile = eventsFile;

  // YAML → IR (the loader) and IR → evaluator (this module), timed apart
  let t0 = process.hrtime.bigint();
  const compiled = compilePaths(ruleDirs, { pipelines });
  report.loadMs = Math.round(ms(t0));
  const docs: IrDocument[] = [];
  let invalid = 0;
  for (const e of compiled.entries) {
    if (e.doc && !e.errors.length) docs.push(e.doc);
    else invalid++;
  }
  let evalRejected = 0;
  t0 = process.hrtime.bigint();
  const rs = compileRuleset(docs, { profile, onRuleError: () => evalRejected++ });
  report.compileMs = Math.round(ms(t0));
  report.rules = { files: compiled.entries.length, loaded: docs.length, invalid, evalRejected, evaluated: rs.rules.length, ...rs.stats };
  sample();

  // one thread, matching only and with NDJSON parsing
  const lines = fs.readFileSync(eventsFile, 'utf8').split('\n').filter((l) => l);
  // how varied the events are: repeated values make per-value memos pay more than real logs would
  /* eslint-disable @typescript-eslint/no-explicit-any */
  const varied: Record<string, (e: Record<string, any>) => unknown> =
    sh === 'ecs'
      ? { commandLine: (e) => e.process?.command_line, parentCommandLine: (e) => e.process?.parent?.command_line, image: (e) => e.process?.executable, user: (e) => e.user?.name, host: (e) => e.host?.name }
      : { commandLine: (e) => e.CommandLine, parentCommandLine: (e) => e.ParentCommandLine, image: (e) => e.Image, user: (e) => e.User, host: (e) => e.Computer };
  /* eslint-enable @typescript-eslint/no-explicit-any */
  const seenValues = Object.fromEntries(Object.keys(varied).map((k) => [k, new Set<string>()]));
  for (const l of lines) {
    const e = JSON.parse(l);
    for (const [k, get] of Object.entries(varied)) seenValues[k].add(JSON.stringify(get(e) ?? null));
  }
  report.distinct = Object.fromEntries(Object.entries(seenValues).map(([k, v]) => [k, v.size]));
  for (let i = 0; i < Math.min(2000, lines.length); i++) rs.match(prepareEvent(parseJsonExact(lines[i]) as Record<string, unknown>, rs.profile)); // warm-up
  // "Pre-parsed" is every event parsed before its pass, as a caller holding an array of events
  // has them. Events parsed just before they are matched (the chunked pass) are still in V8's
  // young generation, so every scavenge that matching's own garbage triggers copies them too:
  // that is the parser's garbage-collection cost showing up in the matching time (ECS, 50,000
  // events, passes alternating in one process: medians 36.5k held, 30.6k in chunks of 500,
  // 28.4k in chunks of 5,000 ev/s). Both are reported; the with-parsing pass pays it all.
  // The held events live for their pass only, and a full collection (untimed) follows each
  // parse and drop, so no pass starts with another one's heap.
  // Rounds, each a pass over the held events, a chunked pass and a pass with parsing. This shared
  // machine runs in phases: the same pass on the same build took 20k and 36k ev/s minutes
  // apart, with no steal time showing in the guest. The rounds' median is the typical figure,
  // the best one what the code does when the host leaves the machine alone.
  const rounds: Round[] = [];
  for (let r = 0; r < roundsWanted; r++) {
    let matches = 0;
    let held: Array<Record<string, unknown>> | null = lines.map((l) => parseJsonExact(l) as Record<string, unknown>);
    sample();
    fullGc();
    const probe = [probeNsPerChar()];
    t0 = process.hrtime.bigint();
    for (const e of held) matches += rs.match(prepareEvent(e, rs.profile)).length;
    const heldNs = Number(process.hrtime.bigint() - t0);
    sample();
    probe.push(probeNsPerChar());
    held = null;
    fullGc();
    const CHUNK = 5000;
    let chunkNs = 0;
    let m1 = 0;
    for (let i = 0; i < lines.length; i += CHUNK) {
      const parsed = lines.slice(i, i + CHUNK).map((l) => parseJsonExact(l) as Record<string, unknown>);
      const t = process.hrtime.bigint();
      for (const e of parsed) m1 += rs.match(prepareEvent(e, rs.profile)).length;
      chunkNs += Number(process.hrtime.bigint() - t);
      sample();
    }
    probe.push(probeNsPerChar());
    t0 = process.hrtime.bigint();
    let m2 = 0;
    for (const l of lines) m2 += rs.match(prepareEvent(parseJsonExact(l) as Record<string, unknown>, rs.profile)).length;
    const parseMs = ms(t0);
    probe.push(probeNsPerChar());
    sample();
    if (m1 !== matches || m2 !== matches || (rounds.length && matches !== rounds[0].matches)) throw new Error(`matches differ between passes: ${[...rounds.map((x) => x.matches), matches, m1, m2].join(', ')}`);
    rounds.push({ preParsed: Math.round(lines.length / (heldNs / 1e9)), preParsedChunked: Math.round(lines.length / (chunkNs / 1e9)), withParsing: Math.round(lines.length / (parseMs / 1000)), matches, probe: probe.map((x) => +x.toFixed(2)) });
  }
  report.rounds = rounds;
  report.matchOnly = { ...spread(rounds.map((x) => x.preParsed)), matches: rounds[0].matches };
  report.matchOnlyChunked = { ...spread(rounds.map((x) => x.preParsedChunked)), matches: rounds[0].matches };
  report.withParsing = { ...spread(rounds.map((x) => x.withParsing)), matches: rounds[0].matches };
  report.candidatesPerEvent = rs.counters.candidates / Math.max(1, rs.counters.events);
  report.benchProcessPeakRssMB = Math.round(peak / 2 ** 20);

  // Peak memory of the real command as users run it (bin/sigma-es.js on the dist/ build, streaming,
  // one worker) from GNU time; under tsx the transpiler's own memory would be counted too.
  const bin = path.resolve(__dirname, '../bin/sigma-es.js');
  if (fs.existsSync(path.resolve(__dirname, '../dist/cli/main.js')) && fs.existsSync('/usr/bin/time')) {
    const args = ['-f', '%M', process.execPath, bin, 'match', ...ruleDirs, '--events', eventsFile, ...pipelines.flatMap((p) => ['-p', p]), '--profile', profile];
    const child = spawnSync('/usr/bin/time', args, { encoding: 'utf8', maxBuffer: 1 << 30, stdio: ['ignore', 'ignore', 'pipe'] });
    report.matchCommandPeakRssMB = Math.round(Number((child.stderr ?? '').trim().split('\n').pop()) / 1024);
  } else {
    const child = spawnSync(process.execPath, ['--require', 'tsx/cjs', __filename, '--child-cli', eventsFile, '--shape', shape], { encoding: 'utf8', maxBuffer: 1 << 26 });
    report.matchCommandPeakRssMB = Number((child.stdout ?? '').trim().split('\n').pop());
    report.matchCommandUnderTsx = true;
  }

  // the CLI end to end, 1 and 2 workers (file streaming, output serialisation included)
  for (const workers of [1, 2]) {
    let outBytes = 0;
    t0 = process.hrtime.bigint();
    await runMatch(ruleDirs, { events: eventsFile, pipeline: pipelines, profile, workers }, (s) => {
      outBytes += s.length;
    }, () => undefined);
    const t = ms(t0);
    report[`cliWorkers${workers}`] = { eventsPerSec: Math.round(count / (t / 1000)), seconds: +(t / 1000).toFixed(2), outputBytes: outBytes };
  }

  if (rsigmaBin) {
    // rsigma takes one rules path: a folder of links to every rules* folder (it follows them).
    // Several runs, so its best and median face ours like for like.
    const linked = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-eval-rsigma-'));
    for (const d of ruleDirs) fs.symlinkSync(d, path.join(linked, path.basename(d)));
    const args = ['engine', 'eval', '--rules', linked, '--event', `@${eventsFile}`];
    const runs: Array<{ seconds: number; eventsPerSec: number; status: number | null; matches: number | null }> = [];
    let stderrTail = '';
    for (let i = 0; i < rsigmaRuns; i++) {
      t0 = process.hrtime.bigint();
      const r = spawnSync(rsigmaBin, args, { maxBuffer: 1 << 30, encoding: 'utf8', stdio: ['ignore', 'ignore', 'pipe'] });
      const t = ms(t0);
      // its own summary line: "Processed N events, M matches." (its semantics differ: no pipeline, no mapping)
      const summary = /Processed (\d+) events, (\d+) matches/.exec(r.stderr ?? '');
      runs.push({ seconds: +(t / 1000).toFixed(2), eventsPerSec: Math.round(count / (t / 1000)), status: r.status, matches: summary ? Number(summary[2]) : null });
      stderrTail = (r.stderr ?? '').slice(-400);
    }
    fs.rmSync(linked, { recursive: true, force: true });
    const rate = spread(runs.map((x) => x.eventsPerSec));
    report.rsigma = { command: `${rsigmaBin} ${args.join(' ')}`, status: runs.find((x) => x.status !== 0)?.status ?? 0, eventsPerSec: rate.median, best: rate.best, runs, matches: runs[0].matches, stderrTail };
  }
  report.loadAverageEnd = os.loadavg().map((x) => +x.toFixed(2));
  return report;
}

async function main(): Promise<void> {
  const reports: Array<Record<string, unknown>> = [];
  if (shapes.length > 1) {
    // each shape in a fresh process: the loader's caches and a warm JIT would flatter the second
    const keep = ['--count', String(count), '--seed', String(seed), '--corpus', corpusRoot, '--rounds', String(roundsWanted), '--rsigma-runs', String(rsigmaRuns), ...(rsigmaBin ? ['--rsigma', rsigmaBin] : [])];
    for (const sh of shapes) {
      const tmp = path.join(os.tmpdir(), `bench-eval-${process.pid}-${sh}.json`);
      const r = spawnSync(process.execPath, ['--require', 'tsx/cjs', __filename, '--shape', sh, '--out', tmp, ...keep], { stdio: 'inherit' });
      if (r.status !== 0) throw new Error(`the ${sh} run failed`);
      reports.push(JSON.parse(fs.readFileSync(tmp, 'utf8')));
      fs.rmSync(tmp, { force: true });
    }
  } else {
    const report = await runShape(shapes[0]);
    reports.push(report);
    process.stdout.write(JSON.stringify(report, null, 2) + '\n');
  }
  clearInterval(timer);
  const out = opt('out', '');
  if (out) fs.writeFileSync(out, JSON.stringify(reports.length === 1 ? reports[0] : reports, null, 2) + '\n');
  if (write) replaceSection(path.resolve(__dirname, '../BENCHMARKS.md'), 'Evaluator', evaluatorSection(reports));
}

/* eslint-disable @typescript-eslint/no-explicit-any */
function evaluatorSection(reports: Array<Record<string, any>>): string {
  const label = (r: Record<string, any>): string => (r.shape === 'ecs' ? 'ECS-shaped' : 'Sysmon-shaped');
  const num = (x: number | undefined): string => (x === undefined || Number.isNaN(x) ? '—' : Math.round(x).toLocaleString('en-US'));
  const secs = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;
  const row = (name: string, cells: string[], aim = ''): string => `| ${name} | ${cells.join(' | ')} | ${aim} |`;
  const col = (f: (r: Record<string, any>) => string): string[] => reports.map(f);
  const r0 = reports[0];
  const lines = [
    'SigmaHQ corpus (every `rules*` folder of `../shared/corpus/sigmahq`) over seeded synthetic process',
    `events from \`scripts/gen-events.ts\` (${num(r0.count)} per shape, seed ${r0.seed}). Sysmon-shaped events: \`-p sysmon\`,`,
    'profile `sysmon`; ECS-shaped events: `-p sysmon -p ecs_windows`, profile `ecs`. Written by',
    '`npx tsx scripts/bench-eval.ts --write` (part of `npm run bench`), with the V8 settings the command line applies',
    '(`src/cli/v8-tuning.ts`) in every run, in-process ones included.',
    '',
    `| ${num(r0.count)} events | ${reports.map(label).join(' | ')} | aim |`,
    `|---|${reports.map(() => '---|').join('')}---|`,
    row('distinct command lines / parent command lines / images / users / hosts', col((r) => (r.distinct ? [r.distinct.commandLine, r.distinct.parentCommandLine, r.distinct.image, r.distinct.user, r.distinct.host].map(num).join(' / ') : '—'))),
    row('rules: files / loaded / run natively', col((r) => `${num(r.rules.files)} / ${num(r.rules.loaded)} / ${num(r.rules.evaluated)}`)),
    row('YAML → IR (the rule loader, `compilePaths`; its own aim is in "Parse and IR")', col((r) => secs(r.loadMs))),
    row('compile: IR → compiled rule set (`compileRuleset`)', col((r) => secs(r.compileMs)), '≤ 1 s'),
    row('loader + compile (what `match` does before its first event)', col((r) => secs((r.loadMs + r.compileMs)))),
    row(`one thread, events pre-parsed: median of ${r0.rounds.length} rounds`, col((r) => `${num(r.matchOnly.median)} ev/s`), '≥ 30,000'),
    row('… the best round', col((r) => `${num(r.matchOnly.best)} ev/s`), '≥ 30,000'),
    row('… events parsed in chunks of 5,000 just before matching (their GC counted): median, best', col((r) => `${num(r.matchOnlyChunked.median)} / ${num(r.matchOnlyChunked.best)} ev/s`)),
    row(`one thread, NDJSON parsing included: median of ${r0.rounds.length} rounds`, col((r) => `${num(r.withParsing.median)} ev/s`), '≥ 20,000'),
    row('… the best round', col((r) => `${num(r.withParsing.best)} ev/s`), '≥ 20,000'),
    row('`match` command, 1 worker (file → NDJSON out, rule loading included)', col((r) => `${num(r.cliWorkers1.eventsPerSec)} ev/s`)),
    row('`match --workers 2`', col((r) => `${num(r.cliWorkers2.eventsPerSec)} ev/s`)),
    row('peak RSS of `sigma-es match` (dist build, streaming, 1 worker)', col((r) => `${num(r.matchCommandPeakRssMB)} MB${r.matchCommandUnderTsx ? ' (under tsx: no dist build)' : ''}`), '≤ 200 MB'),
    row('machine probe around the timed passes: ns a character, min-max (lower = faster machine)', col((r) => probeRange(r.rounds.flatMap((x: Round) => x.probe)))),
    row('matches (rule × event), identical across modes', col((r) => num(r.matchOnly.matches))),
    row('candidate rules per event (witness index)', col((r) => (r.candidatesPerEvent === undefined ? '—' : `${r.candidatesPerEvent.toFixed(1)} of ${num(r.rules.evaluated)}`))),
    row('rsigma on the same rules and events: median / best of its runs', col((r) => (r.rsigma ? `${num(r.rsigma.eventsPerSec)} / ${num(r.rsigma.best)} ev/s (status ${r.rsigma.status})` : 'not run'))),
    row('ratio sigma-es pre-parsed / rsigma: medians, bests', col((r) => (r.rsigma ? `${(r.matchOnly.median / r.rsigma.eventsPerSec).toFixed(1)}×, ${(r.matchOnly.best / r.rsigma.best).toFixed(1)}×` : '—')), '≥ 1×'),
    '',
    `- Machine: ${r0.machine}; load average ${reports.map((r) => `${label(r)} ${r.loadAverage[0]} → ${r.loadAverageEnd[0]}`).join(', ')} (1-minute, start → end): a shared machine, so every figure is pessimistic and runs vary.`,
    `- Date: ${String(r0.date).slice(0, 10)}; commit ${gitHead()}; command \`npx tsx scripts/bench-eval.ts --write --rounds ${r0.rounds.length} --rsigma-runs ${r0.rsigma?.runs?.length ?? 0}\`.`,
    '- Rounds: after a 2,000-event warm-up, each round is one pass over every event pre-parsed (all parsed, untimed, just before the pass and held in one array, then dropped; an untimed full collection after the parse and after the drop), one pass over events parsed in untimed chunks of 5,000 just before each chunk is matched, and one pass parsing each NDJSON line; matches are checked equal in every pass. The chunked pass was the pre-parsed figure until 2026-11-26: events parsed just before matching are still in the young generation of V8, and every scavenge matching triggers copies them, so it counts part of the GC cost of parsing as matching time (ECS, 50,000 events, passes alternating in one process: 36.5k held, 30.6k in chunks of 500, 28.4k in chunks of 5,000 ev/s, medians of 6). The with-parsing pass pays all of it. This shared machine runs in phases: the same pass on the same build ran at 20k and 36k ev/s minutes apart, with no steal time visible in the guest, and a later pass over events it had not seen (another seed) ran as fast as a repeated one, so the spread is the host, not warm caches. The median is the typical figure; the best round is what the code does when the host leaves the machine alone. rsigma runs several times the same way (each run 2-5× longer than one of our passes here, so its best is less likely to fall wholly in a fast phase: compare medians for the ratio).',
    '- Machine probe (`scripts/machine-probe.ts`): a fixed loop, a sum over a 1 MB string by `charCodeAt` (the per-character work of the scanners), timed before the held pass and after each pass of every round; it does not depend on the project code, so it tells the speed of the host at that moment and compares across commits. About 2 ns a character in the fast phases of this machine, up to 6 in its slow ones (a C loop doing the same runs at 0.4).',
    ...reports.map((r) => `- ${label(r)} rounds (pre-parsed / in chunks / with parsing, ev/s; probe before the held pass → after each pass, ns a character): ${r.rounds.map((x: Round) => `${num(x.preParsed)} / ${num(x.preParsedChunked)} / ${num(x.withParsing)} (${x.probe.map((p) => p.toFixed(2)).join(' → ')})`).join('; ')}${r.rsigma?.runs ? `; rsigma runs: ${r.rsigma.runs.map((x: { eventsPerSec: number }) => num(x.eventsPerSec)).join('; ')} ev/s` : ''}.`),
    '- rsigma runs in the same bench when `.cache/rsigma/bin/rsigma` exists (`CARGO_TARGET_DIR=.cache/rsigma/target cargo install rsigma --version 0.23.0 --locked --root .cache/rsigma`; 0.23.0 is the newest release that builds with rustc 1.95) or with `--rsigma BIN`.',
  ];
  return lines.join('\n');
}

function gitHead(): string {
  const r = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8', cwd: path.resolve(__dirname, '..') });
  return (r.stdout ?? '').trim() || 'unknown';
}

async function childCli(): Promise<void> {
  const file = argv[argv.indexOf('--child-cli') + 1];
  await runMatch(ruleDirs, { events: file, pipeline: pipelinesOf(shape), profile: profileOf(shape), workers: 1 }, () => undefined, () => undefined);
  clearInterval(timer);
  process.stdout.write(`${Math.round(process.resourceUsage().maxRSS / 1024)}\n`);
}

(argv.includes('--child-cli') ? childCli() : main()).catch((e) => {
  clearInterval(timer);
  process.stderr.write(`bench failed: ${e instanceof Error ? e.message : e}\n`);
  process.exitCode = 1;
});
