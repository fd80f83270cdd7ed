/**
 * Evaluator benchmark: the SigmaHQ corpus over seeded synthetic events.
 *
 *   npx tsx scripts/bench-eval.ts [--count 100000] [--seed 42] [--shape sysmon|ecs] [--corpus DIR…] [--rsigma BIN]
 *
 * Reports compile time, events/s on one thread without and with NDJSON parsing, peak RSS,
 * the `match --workers 2` rate, and rsigma on the same rules and events when a binary is given.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as os from 'node:os';
import { spawnSync } from 'node:child_process';
import { compilePaths } from '../src/compile';
import { compileRuleset, prepareEvent } from '../src/eval';
import { parseJsonExact } from '../src/eval/json';
import { runMatch } from '../src/cli/commands/match';
import { generateEvents, type Shape } from './gen-events';
import type { IrDocument } from '../src/ir/types';

const argv = process.argv.slice(2);
const opt = (name: string, dflt: string): string => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 && argv[i + 1] !== undefined ? argv[i + 1] : dflt;
};
const count = Number(opt('count', '100000'));
const seed = Number(opt('seed', '42'));
const shape = opt('shape', 'sysmon') as Shape;
const corpusRoot = opt('corpus', path.resolve(__dirname, '../../shared/corpus/sigmahq'));
const rsigmaBin = opt('rsigma', '');
const pipelines = shape === 'ecs' ? ['sysmon', 'ecs_windows'] : ['sysmon'];
const profile = shape === 'ecs' ? 'ecs' : 'sysmon';
const ruleDirs = fs.readdirSync(corpusRoot).filter((d) => d.startsWith('rules')).map((d) => path.join(corpusRoot, d));

let peak = 0;
const sample = (): void => {
  peak = Math.max(peak, process.memoryUsage().rss);
};
const timer = setInterval(sample, 20);

function ms(t0: bigint): number {
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

async function main(): Promise<void> {
  const report: Record<string, unknown> = { machine: `${os.cpus()[0]?.model} × ${os.cpus().length}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}`, date: new Date().toISOString(), shape, count, seed, pipelines };

  // events file (generated once per seed/shape/count)
  const eventsFile = path.resolve(__dirname, `../.cache/bench/${shape}-${seed}-${count}.ndjson`);
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

  // one thread: parse a chunk (untimed), match it (timed); then parse+match timed together.
  // Chunks keep memory flat, so the peak below is the evaluator's, not the benchmark's.
  const lines = fs.readFileSync(eventsFile, 'utf8').split('\n').filter((l) => l);
  for (let i = 0; i < Math.min(2000, lines.length); i++) rs.match(prepareEvent(parseJsonExact(lines[i]) as Record<string, unknown>, rs.profile)); // warm-up
  const CHUNK = 5000;
  let matchNs = 0;
  let matches = 0;
  for (let i = 0; i < lines.length; i += CHUNK) {
    const parsed = lines.slice(i, i + CHUNK).map((l) => parseJsonExact(l) as Record<string, unknown>);
    const t = process.hrtime.bigint();
    for (const e of parsed) matches += rs.match(prepareEvent(e, rs.profile)).length;
    matchNs += Number(process.hrtime.bigint() - t);
    sample();
  }
  report.matchOnly = { eventsPerSec: Math.round(lines.length / (matchNs / 1e9)), matches };
  t0 = process.hrtime.bigint();
  let m2 = 0;
  for (const l of lines) m2 += rs.match(prepareEvent(parseJsonExact(l) as Record<string, unknown>, rs.profile)).length;
  const parseMs = ms(t0);
  report.withParsing = { eventsPerSec: Math.round(lines.length / (parseMs / 1000)), matches: m2 };
  sample();
  report.benchProcessPeakRssMB = Math.round(peak / 2 ** 20);

  // peak memory of the real command (streaming, one worker), in a fresh process
  const child = spawnSync(process.execPath, ['--require', 'tsx/cjs', __filename, '--child-cli', eventsFile, '--shape', shape], { encoding: 'utf8', maxBuffer: 1 << 26 });
  report.matchCommandPeakRssMB = Number((child.stdout ?? '').trim().split('\n').pop());

  // the CLI end to end, 1 and 2 workers (file streaming, output serialisation included)
  for (const workers of [1, 2]) {
    let outBytes = 0;
    t0 = process.hrtime.bigint();
    await runMatch(ruleDirs, { events: eventsFile, pipeline: pipelines, profile, workers }, (s) => (outBytes += s.length), () => undefined);
    const t = ms(t0);
    report[`cliWorkers${workers}`] = { eventsPerSec: Math.round(count / (t / 1000)), seconds: +(t / 1000).toFixed(2), outputBytes: outBytes };
  }

  if (rsigmaBin) {
    t0 = process.hrtime.bigint();
    const args = ['engine', 'eval', '--rules', ...ruleDirs.flatMap((d) => [d]), '--input', eventsFile];
    const r = spawnSync(rsigmaBin, args, { maxBuffer: 1 << 30, encoding: 'utf8' });
    const t = ms(t0);
    report.rsigma = { command: `${rsigmaBin} ${args.join(' ')}`, status: r.status, seconds: +(t / 1000).toFixed(2), eventsPerSec: Math.round(count / (t / 1000)), stderrTail: (r.stderr ?? '').slice(-400) };
  }
  clearInterval(timer);
  process.stdout.write(JSON.stringify(report, null, 2) + '\n');
  const out = opt('out', '');
  if (out) fs.writeFileSync(out, JSON.stringify(report, null, 2) + '\n');
}

async function childCli(): Promise<void> {
  const file = argv[argv.indexOf('--child-cli') + 1];
  await runMatch(ruleDirs, { events: file, pipeline: pipelines, profile, workers: 1 }, () => undefined, () => undefined);
  clearInterval(timer);
  process.stdout.write(`${Math.round(process.resourceUsage().maxRSS / 1024)}\n`);
}

(argv.includes('--child-cli') ? childCli() : main()).catch((e) => {
  clearInterval(timer);
  process.stderr.write(`bench failed: ${e instanceof Error ? e.message : e}\n`);
  process.exitCode = 1;
});
