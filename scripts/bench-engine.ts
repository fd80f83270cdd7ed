/**
 * Engine benchmark (issue: harness): cold start of each embedded engine to yellow health, its
 * resident memory, and seeding throughput (documents/s, bulk of generated ECS events, refresh
 * and count check included). With --write, updates the `## Engines and seeding` section.
 *
 *   npx tsx scripts/bench-engine.ts [--events 100000] [--write]
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { startEngine, type Flavour } from '../src/engine';
import { stringifyExact, type HarnessEvent } from '../src/harness/events';
import { seedEvents } from '../src/harness/seed';
import { getProfile } from '../src/mapping/profile';
import { replaceSection } from './bench-md';
import { generateEvents } from './gen-events';

const argv = process.argv.slice(2);
const count = Number(argv.includes('--events') ? argv[argv.indexOf('--events') + 1] : 100000);

/** RSS of a process group (the launcher and the JVM), in MB. */
function groupRssMb(pgid: number): number {
  let kb = 0;
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${d}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[2]) !== pgid) continue;
      const m = /VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${d}/status`, 'utf8'));
      if (m) kb += Number(m[1]);
    } catch {
      // process ended while we looked
    }
  }
  return kb / 1024;
}

async function main(): Promise<void> {
  const events: HarnessEvent[] = [];
  let i = 0;
  for (const ev of generateEvents(count, 11, 'ecs')) events.push({ id: `g${i++}`, source: ev, json: stringifyExact(ev) });
  const rows: string[] = [];
  for (const flavour of ['elasticsearch', 'opensearch'] as Flavour[]) {
    const t0 = Date.now();
    const engine = await startEngine({ flavour, owner: 'process' });
    const startS = (Date.now() - t0) / 1000;
    const rssStart = engine.pid ? groupRssMb(engine.pid) : NaN;
    try {
      const r = await seedEvents(engine.client, 'bench-seed', getProfile('ecs')!, events, { recreate: true });
      const rssAfter = engine.pid ? groupRssMb(engine.pid) : NaN;
      const dps = r.read / (r.ms / 1000);
      rows.push(`| ${flavour} ${engine.version} | ${startS.toFixed(1)} | ${rssStart.toFixed(0)} | ${r.read} | ${r.countInIndex} | ${(r.ms / 1000).toFixed(1)} | ${Math.round(dps)} | ${rssAfter.toFixed(0)} |`);
      console.log(rows[rows.length - 1]);
    } finally {
      await engine.stop();
    }
  }
  const body = [
    `Cold start of each embedded engine (already provisioned in .cache/engines) to yellow health, then \`seedEvents\` of ${count} generated ECS process events (batches of 1,000, refresh and count check included) into a fresh index. Heap 1 GiB (the embedded default).`,
    '',
    '| engine | start s | RSS after start MB | events | documents | seed s | docs/s | RSS after seed MB |',
    '|---|---|---|---|---|---|---|---|',
    ...rows,
    '',
    `- Machine: ${os.cpus().length} × ${os.cpus()[0].model.trim()}, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB, Node ${process.version}; load average at start ${os.loadavg()[0].toFixed(2)}`,
    `- Date: ${new Date().toISOString().slice(0, 10)}`,
    `- Command: \`npx tsx scripts/bench-engine.ts --events ${count} --write\``,
  ].join('\n');
  if (argv.includes('--write')) replaceSection(path.join(__dirname, '../BENCHMARKS.md'), 'Engines and seeding', body);
}

main().catch((e) => {
  process.stderr.write(`bench failed: ${e instanceof Error ? e.message : e}\n`);
  process.exit(1);
});
