/**
 * Translation benchmark: the whole SigmaHQ corpus (rules, rules-emerging-threats,
 * rules-threat-hunting) to Query DSL with sysmon + ecs_windows, sigma-es and pySigma's
 * Elasticsearch backend (format dsl_lucene) side by side in one run, on the same files.
 * Reports rules/s for both, in-process (read + parse + pipelines + translate, excluding
 * interpreter start) and whole-process (wall clock of a fresh process), and the ratios; and
 * a floor: a process that only lists, reads, YAML-loads and prints every file, which any Node
 * tool doing this job pays before its first Sigma step, with its share of the aim.
 *
 *   npx tsx scripts/bench-convert.ts [--runs N] [--write]   (--write updates BENCHMARKS.md)
 *
 * pySigma is a dev tool only: scripts/pysigma/install.sh puts it in .cache/pysigma.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { probeNsPerChar, probeRange } from './machine-probe';
import { replaceSection } from './bench-md';

const ROOT = path.resolve(__dirname, '..');
const CORPUS = path.resolve(ROOT, '../shared/corpus/sigmahq');
const DIRS = ['rules', 'rules-emerging-threats', 'rules-threat-hunting'].map((d) => path.join(CORPUS, d));
const PY = path.join(ROOT, '.cache/pysigma/bin/python');

const PY_BENCH = `
import sys, time, glob, os, json
t0 = time.perf_counter()
from sigma.collection import SigmaCollection
from sigma.backends.elasticsearch import LuceneBackend
from sigma.pipelines.sysmon import sysmon_pipeline
from sigma.pipelines.elasticsearch.windows import ecs_windows
files = sorted(f for d in sys.argv[1:] for f in glob.glob(os.path.join(d, '**', '*.yml'), recursive=True))
t1 = time.perf_counter()
passes = int(os.environ.get('PASSES', '1'))
for p in range(passes):
    t1 = time.perf_counter()
    backend = LuceneBackend(sysmon_pipeline() + ecs_windows())
    ok = failed = 0
    for f in files:
        try:
            coll = SigmaCollection.from_yaml(open(f, encoding='utf-8').read())
            out = backend.convert(coll, 'dsl_lucene')
            ok += 1
        except Exception:
            failed += 1
    t2 = time.perf_counter()
print(json.dumps({"files": len(files), "ok": ok, "failed": failed, "seconds": t2 - t1, "import_seconds": t1 - t0}))
`;

// In-process: the compiled dist/ build (as users run it), one thread (the default) or --workers 2.
const TS_BENCH = `
const workers = process.argv[2] === 'default' ? undefined : Number(process.argv[2]);
// the V8 settings the CLI applies to convert (src/cli/v8-tuning.ts), before any rule code runs
require(${JSON.stringify(path.join(ROOT, 'dist/cli/v8-tuning'))}).tuneV8();
const { runConvert } = require(${JSON.stringify(path.join(ROOT, 'dist/cli/commands/convert'))});
const { getProfile } = require(${JSON.stringify(path.join(ROOT, 'dist/mapping/profile'))});
// PASSES > 1: the last pass is timed (steady state: V8's code warm, as in a long-running service)
(async () => {
  const passes = Number(process.env.PASSES ?? '1');
  let last;
  for (let p = 0; p < passes; p++) {
    const t = process.hrtime.bigint();
    const { records } = await runConvert(${JSON.stringify(DIRS)}, { target: 'dsl', pipelines: ['sysmon', 'ecs_windows'], profile: getProfile('ecs') }, workers);
    const s = Number(process.hrtime.bigint() - t) / 1e9;
    last = { files: records.length, ok: records.filter((r) => r.ok).length, failed: records.filter((r) => !r.ok).length, seconds: s };
  }
  console.log(JSON.stringify(last));
})();
`;

// The floor: what any Node program doing this job must do before its first Sigma step, in a
// process of its own: list the files, read each, load its YAML, and write one JSON line per file.
// \`js-yaml\`: the YAML library the design names, plainly; \`reader\`: sigma-es's own YAML step
// (src/sigma/yaml.ts: the fast reader with positions, js-yaml for what it does not take). It
// prints its CPU time (every thread's) as the last line. It lists the files itself rather than
// call collectRuleFiles: loading dist/compile would bring sigma-es's whole compile stack into a
// process meant to hold no Sigma step (the lists are the same on SigmaHQ: 3,754 files both ways).
const FLOOR_BENCH = `
const fs = require('fs'), path = require('path');
const mode = process.argv[2];
const load = mode === 'js-yaml'
  ? ((y) => (text) => y.loadAll(text, null, { schema: y.CORE_SCHEMA }))(require(${JSON.stringify(path.join(ROOT, 'node_modules/js-yaml'))}))
  : ((y) => (text, file) => y.loadYamlDocuments(text, file).map((d) => d.value))(require(${JSON.stringify(path.join(ROOT, 'dist/sigma/yaml'))}));
const files = [];
const walk = (d) => { for (const e of fs.readdirSync(d, { withFileTypes: true })) { const p = path.join(d, e.name); if (e.isDirectory()) walk(p); else if (/\\.ya?ml$/.test(e.name)) files.push(p); } };
for (const d of process.argv.slice(3)) walk(d);
files.sort();
const out = [];
for (const f of files) out.push(JSON.stringify({ file: f, docs: load(fs.readFileSync(f, 'utf8'), f) }));
fs.writeFileSync(${JSON.stringify(os.devNull)}, out.join('\\n'));
const c = process.cpuUsage();
console.log(JSON.stringify({ files: files.length, ok: files.length, failed: 0, seconds: 0, cpu: (c.user + c.system) / 1e6 }));
`;

// Preloaded into the whole-process convert: its CPU time, every thread's, as the last line on stderr.
const CPU_REPORT = `process.on('exit', () => { const c = process.cpuUsage(); process.stderr.write('\\n' + JSON.stringify({ cpu: (c.user + c.system) / 1e6 }) + '\\n'); });`;

interface Run { files: number; ok: number; failed: number; seconds: number; wall: number; cpu?: number }

function timed(cmd: string, args: string[], passes = 1): Run {
  const start = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 64 << 20, cwd: ROOT, env: { ...process.env, PASSES: String(passes) } });
  const wall = Number(process.hrtime.bigint() - start) / 1e9;
  if (r.status !== 0) throw new Error(`${cmd} failed: ${r.stderr}`);
  const last = r.stdout.trim().split('\n').pop()!;
  return { ...JSON.parse(last), wall };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function main(): void {
  const startLoad = os.loadavg().map((l) => l.toFixed(1)).join(' / ');
  const runsArg = process.argv.indexOf('--runs');
  const runs = runsArg >= 0 ? Number(process.argv[runsArg + 1]) : 3;
  if (!fs.existsSync(PY)) {
    console.log('installing pySigma into .cache/pysigma (dev tool only)…');
    execFileSync(path.join(ROOT, 'scripts/pysigma/install.sh'), { stdio: 'inherit' });
  }
  const pyFile = path.join(os.tmpdir(), `sigma-es-bench-${process.pid}.py`);
  fs.writeFileSync(pyFile, PY_BENCH);
  if (!fs.existsSync(path.join(ROOT, 'dist/cli/main.js'))) execFileSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'inherit' });
  const tsFile = path.join(os.tmpdir(), `sigma-es-bench-${process.pid}.js`);
  fs.writeFileSync(tsFile, TS_BENCH);
  // whole process: the command a user types, its wall clock
  const cliArgs = [path.join(ROOT, 'bin/sigma-es.js'), 'convert', ...DIRS, '-t', 'dsl', '-p', 'sysmon', '-p', 'ecs_windows', '--json', '-o', os.devNull];
  const cpuFile = path.join(os.tmpdir(), `sigma-es-bench-cpu-${process.pid}.js`);
  fs.writeFileSync(cpuFile, CPU_REPORT);
  const floorFile = path.join(os.tmpdir(), `sigma-es-bench-floor-${process.pid}.js`);
  fs.writeFileSync(floorFile, FLOOR_BENCH);
  const wall = (extra: string[], env: NodeJS.ProcessEnv = process.env): number => whole(extra, env).wall;
  /** The CLI's wall clock and CPU time (a one-line preload reports the CPU: 1.419 against 1.399 s median wall without it, 12 alternating rounds, within the noise). */
  const whole = (extra: string[], env: NodeJS.ProcessEnv = process.env): { wall: number; cpu: number } => {
    const start = process.hrtime.bigint();
    const r = spawnSync(process.execPath, ['-r', cpuFile, ...cliArgs, ...extra], { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'], env, encoding: 'utf8', maxBuffer: 64 << 20 });
    const w = Number(process.hrtime.bigint() - start) / 1e9;
    return { wall: w, cpu: JSON.parse(r.stderr.trim().split('\n').pop()!).cpu };
  };
  // This sandbox sets NODE_EXTRA_CA_CERTS (its proxy's CA bundle), which Node parses at every
  // start, before any script runs (~85 ms here; `node -e 0` takes 0.03 s without it, 0.11 s with
  // it). Python does not read it. A machine without the variable is timed too, and both are shown.
  const caBundle = process.env.NODE_EXTRA_CA_CERTS;
  const plainEnv: NodeJS.ProcessEnv = { ...process.env };
  delete plainEnv.NODE_EXTRA_CA_CERTS;
  const ours: Run[] = [];
  const oursPlainWall: number[] = [];
  const ours1: Run[] = [];
  const theirs: Run[] = [];
  const oursSteady: Run[] = [];
  const theirsSteady: Run[] = [];
  const floorJs: Run[] = [];
  const floorReader: Run[] = [];
  // the machine probe (machine-probe.ts, ns a character) just before and after each whole-process run
  const probes: Array<{ ours: number[]; theirs: number[] }> = [];
  try {
    for (let i = 0; i < runs; i++) {
      const inProcess = timed(process.execPath, [tsFile, 'default']);
      const before = probeNsPerChar();
      const w = whole([]);
      ours.push({ ...inProcess, ...w });
      probes.push({ ours: [before, probeNsPerChar()], theirs: [] });
      floorJs.push(timed(process.execPath, [floorFile, 'js-yaml', ...DIRS]));
      floorReader.push(timed(process.execPath, [floorFile, 'reader', ...DIRS]));
      if (caBundle) oursPlainWall.push(wall([], plainEnv));
      ours1.push({ ...timed(process.execPath, [tsFile, '2']), wall: wall(['--workers', '2']) });
      probes[i].theirs.push(probeNsPerChar());
      theirs.push(timed(PY, [pyFile, ...DIRS]));
      probes[i].theirs.push(probeNsPerChar());
      oursSteady.push(timed(process.execPath, [tsFile, 'default'], 3));
      theirsSteady.push(timed(PY, [pyFile, ...DIRS], 2));
      console.log(
        `run ${i + 1}: sigma-es ${ours[i].seconds.toFixed(2)} s (${ours[i].wall.toFixed(2)} s whole), two threads ${ours1[i].seconds.toFixed(2)} s (${ours1[i].wall.toFixed(2)} s whole), pySigma ${theirs[i].seconds.toFixed(2)} s (${theirs[i].wall.toFixed(2)} s wall); floor ${floorJs[i].wall.toFixed(2)} s (js-yaml), ${floorReader[i].wall.toFixed(2)} s (sigma-es's reader); steady state sigma-es ${oursSteady[i].seconds.toFixed(2)} s, pySigma ${theirsSteady[i].seconds.toFixed(2)} s`,
      );
    }
  } finally {
    fs.rmSync(tsFile, { force: true });
    fs.rmSync(cpuFile, { force: true });
    fs.rmSync(floorFile, { force: true });
    fs.rmSync(pyFile, { force: true });
  }
  const o = { s: median(ours.map((r) => r.seconds)), w: median(ours.map((r) => r.wall)) };
  const oPlain = caBundle ? median(oursPlainWall) : undefined;
  const o1 = { s: median(ours1.map((r) => r.seconds)), w: median(ours1.map((r) => r.wall)) };
  const p = { s: median(theirs.map((r) => r.seconds)), w: median(theirs.map((r) => r.wall)) };
  const fj = { w: median(floorJs.map((r) => r.wall)), cpu: median(floorJs.map((r) => r.cpu ?? NaN)) };
  const fr = { w: median(floorReader.map((r) => r.wall)), cpu: median(floorReader.map((r) => r.cpu ?? NaN)) };
  const oCpu = median(ours.map((r) => r.cpu ?? NaN));
  const os3 = median(oursSteady.map((r) => r.seconds));
  const ps2 = median(theirsSteady.map((r) => r.seconds));
  const files = ours[0].files;
  const rate = (n: number, s: number): string => (n / s).toFixed(0);
  const table = [
    `| | rules | translated | in-process s | rules/s | whole process s (wall) | rules/s |`,
    `|---|---|---|---|---|---|---|`,
    `| sigma-es (dsl), default (one thread) | ${files} | ${ours[0].ok} | ${o.s.toFixed(2)} | ${rate(files, o.s)} | ${o.w.toFixed(2)} | ${rate(files, o.w)} |`,
    `| sigma-es (dsl), \`--workers 2\` | ${files} | ${ours1[0].ok} | ${o1.s.toFixed(2)} | ${rate(files, o1.s)} | ${o1.w.toFixed(2)} | ${rate(files, o1.w)} |`,
    `| pySigma ES backend (dsl_lucene) | ${theirs[0].files} | ${theirs[0].ok} | ${p.s.toFixed(2)} | ${rate(theirs[0].files, p.s)} | ${p.w.toFixed(2)} | ${rate(theirs[0].files, p.w)} |`,
    `| ratio (sigma-es one thread / pySigma) | | | | ${(p.s / o.s).toFixed(1)}× | | ${(p.w / o.w).toFixed(1)}× |`,
    `| ratio (sigma-es two threads / pySigma) | | | | ${(p.s / o1.s).toFixed(1)}× | | ${(p.w / o1.w).toFixed(1)}× |`,
    ...(oPlain !== undefined
      ? [
          `| sigma-es (dsl), one thread, without this machine's NODE_EXTRA_CA_CERTS | ${files} | ${ours[0].ok} | | | ${oPlain.toFixed(2)} | ${rate(files, oPlain)} |`,
          `| ratio (that / pySigma) | | | | | | ${(p.w / oPlain).toFixed(1)}× |`,
        ]
      : []),
    `| floor: list, read, load the YAML (js-yaml) and print each file as JSON; no Sigma step | ${floorJs[0].files} | | | | ${fj.w.toFixed(2)} | ${rate(floorJs[0].files, fj.w)} |`,
    `| floor with sigma-es's YAML step (its fast reader, positions recorded) | ${floorReader[0].files} | | | | ${fr.w.toFixed(2)} | ${rate(floorReader[0].files, fr.w)} |`,
    `| ratio (floors / pySigma) | | | | | | ${(p.w / fj.w).toFixed(1)}×, ${(p.w / fr.w).toFixed(1)}× |`,
    `| steady state: sigma-es, third pass in one process | ${files} | ${oursSteady[0].ok} | ${os3.toFixed(2)} | ${rate(files, os3)} | | |`,
    `| steady state: pySigma, second pass in one process | ${theirs[0].files} | ${theirsSteady[0].ok} | ${ps2.toFixed(2)} | ${rate(theirs[0].files, ps2)} | | |`,
    `| ratio (steady state) | | | | ${(ps2 / os3).toFixed(1)}× | | |`,
  ].join('\n');
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  const pyVersion = execFileSync(PY, ['-c', 'import importlib.metadata as m; print(m.version("pySigma"), m.version("pySigma-backend-elasticsearch"))'], { encoding: 'utf8' }).trim();
  const body = [
    `Whole SigmaHQ corpus (\`rules\`, \`rules-emerging-threats\`, \`rules-threat-hunting\`) to Query DSL with the sysmon + ecs_windows pipelines, median of ${runs} runs, both tools in the same run on the same files.`,
    `Steady state = the same in-process work repeated in one process, the last pass timed: V8's code optimized, sigma-es's memos of loaded pipelines and Lucene regex costs filled, pySigma's backend built anew each pass (what a long-running service would see). `,
    `In-process = reading, parsing, pipelines and translation, without interpreter start-up and imports, with the V8 settings the CLI applies to \`convert\` (src/cli/v8-tuning.ts); whole process = wall clock of \`node bin/sigma-es.js convert … -t dsl -p sysmon -p ecs_windows --json -o /dev/null\` (the compiled dist/ build, as users run it) and of a fresh \`python\` process.`,
    '',
    table,
    '',
    `- Machine: ${os.cpus().length} × ${cpu}, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB, ${os.platform()} ${os.release()}, Node ${process.version}; pySigma / ES backend ${pyVersion.replace(' ', ' / ')}`,
    `- Load average at the end of the run: ${os.loadavg().map((l) => l.toFixed(1)).join(' / ')} (other work on the machine slows both tools, not always alike: the runs below)`,
    `- Each run, whole process, sigma-es one thread / pySigma (s), with the machine probe around each (ns a character): ${ours.map((r, i) => `${r.wall.toFixed(2)} (${probeRange(probes[i].ours)}) / ${theirs[i].wall.toFixed(2)} (${probeRange(probes[i].theirs)})`).join('; ')}`,
    `- CPU time of the whole processes, every thread counted (medians, s): sigma-es ${oCpu.toFixed(2)} (its wall ${o.w.toFixed(2)}); floor ${fj.cpu.toFixed(2)} with js-yaml, ${fr.cpu.toFixed(2)} with sigma-es's reader. The aim, 20× pySigma's ${p.w.toFixed(2)} s, is ${(p.w / 20).toFixed(2)} s of wall; the floors, on one thread, take ${((fj.w / (p.w / 20)) * 100).toFixed(0)}% and ${((fr.w / (p.w / 20)) * 100).toFixed(0)}% of it before any Sigma work (a second thread can overlap part of that wall, as sigma-es's parse worker does, but not the CPU).`,
    `- Machine probe (\`scripts/machine-probe.ts\`): a fixed loop, a sum over a 1 MB string by \`charCodeAt\`, timed just before and after each whole-process run; it does not depend on either tool, so it tells the speed of the host at that moment (about 2 ns a character in the fast phases of this machine, up to 6 in its slow ones). Our run takes about a second and catches one phase; a pySigma run takes about twenty and averages over several, so the ratio of one run moves with the phases.`,
    `- Date: ${new Date().toISOString().slice(0, 10)}`,
    `- Command: \`npx tsx scripts/bench-convert.ts --runs ${runs} --write\``,
    `- Load average at the start of the run: ${startLoad}; the two tools alternate run by run, so both see the same conditions.`,
    ...(caBundle
      ? [
          `- This machine sets NODE_EXTRA_CA_CERTS (a proxy's CA bundle, ${fs.existsSync(caBundle) ? `${(fs.statSync(caBundle).size / 1024).toFixed(0)} KB` : 'missing'}), which Node parses at every start before any script runs; Python does not read it. The whole-process rows above are timed as the machine is; one row also without the variable, as on a machine without a TLS proxy.`,
        ]
      : []),
  ].join('\n');
  console.log(`\n## Translation\n\n${body}`);
  if (process.argv.includes('--write')) {
    const file = path.join(ROOT, 'BENCHMARKS.md');
    replaceSection(file, 'Translation', body);
    console.log(`updated ${file}`);
  }
}

main();
