/**
 * The whole SigmaHQ corpus on a real engine (issue 5): every DSL (and Lucene) translation with
 * sysmon + ecs_windows must be accepted by the engine (zero query errors), and engine and
 * evaluator must agree on a realistic generated ECS event set. Prints the harness report,
 * exits 1 on any query error or mismatch. With --write, records the timing in BENCHMARKS.md.
 *
 *   npx tsx scripts/corpus-engine.ts [--events 5000] [--seed 7] [--engine elasticsearch|opensearch] [--write]
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ensureEngine, type Flavour } from '../src/engine';
import { stringifyExact, type HarnessEvent } from '../src/harness/events';
import { renderText } from '../src/harness/report';
import { harnessFailed, runHarness } from '../src/harness/run';
import { getProfile } from '../src/mapping/profile';
import { replaceSection } from './bench-md';
import { generateEvents } from './gen-events';

const argv = process.argv.slice(2);
const opt = (n: string, d: string): string => (argv.includes(`--${n}`) ? argv[argv.indexOf(`--${n}`) + 1] : d);
const count = Number(opt('events', '5000'));
const seed = Number(opt('seed', '7'));
const flavour = opt('engine', 'elasticsearch') as Flavour;
const CORPUS = path.resolve(__dirname, '../../shared/corpus/sigmahq');

async function main(): Promise<number> {
  if (!fs.existsSync(CORPUS)) {
    process.stderr.write(`corpus not found at ${CORPUS} (it lives in ../shared, outside the repository)\n`);
    return 2;
  }
  const events: HarnessEvent[] = [];
  let i = 0;
  for (const ev of generateEvents(count, seed, 'ecs')) events.push({ id: `g${i++}`, source: ev, json: stringifyExact(ev) });
  const engine = await ensureEngine({ flavour, onProgress: (l) => process.stderr.write(`engine: ${l}\n`) });
  try {
    const started = Date.now();
    const report = await runHarness({
      engine,
      rulePaths: ['rules', 'rules-emerging-threats', 'rules-threat-hunting'].map((d) => path.join(CORPUS, d)),
      sets: [{ name: 'corpus', profile: getProfile('ecs')!, pipelines: ['sysmon', 'ecs_windows'], events, labelledRules: [] }],
      targets: ['dsl', 'lucene'],
      indexPrefix: 'sigma-es-corpus',
      onProgress: (d, t, what) => process.stderr.write(`  ${what} (${d}/${t})\n`),
    });
    const secs = (Date.now() - started) / 1000;
    // Rules that do not translate were already counted by scripts/corpus-convert.ts; here only engine errors matter.
    const queryErrors = report.failures.filter((f) => f.code === 'ENGINE_QUERY_FAILED');
    const matched = new Set<string>();
    process.stdout.write(renderText({ ...report, failures: report.failures.filter((f) => f.code !== 'UNSUPPORTED_CONSTRUCT' && f.code !== 'REGEX_UNSUPPORTED' && f.code !== 'UNRESOLVED_PLACEHOLDER') }));
    process.stdout.write(`corpus on ${engine.flavour} ${engine.version}: ${report.rules} rules × ${events.length} events, ${queryErrors.length} query errors, ${report.mismatches.length} mismatches, ${secs.toFixed(1)} s\n`);
    void matched;
    if (argv.includes('--write')) {
      replaceSection(
        path.join(__dirname, '../BENCHMARKS.md'),
        `Corpus on the engine (${flavour})`,
        [
          `The whole SigmaHQ corpus (3,754 rules, sysmon + ecs_windows) against ${events.length} generated ECS process events on the embedded ${engine.flavour} ${engine.version}: seed once, every rule's DSL and Lucene query through \`_msearch\`, the evaluator on the same events, ids compared.`,
          '',
          '| rules compared | events | query errors | mismatches | wall s |',
          '|---|---|---|---|---|',
          `| ${report.rules} | ${events.length} | ${queryErrors.length} | ${report.mismatches.length} | ${secs.toFixed(1)} |`,
          '',
          `- Machine: ${os.cpus().length} × ${os.cpus()[0].model.trim()}, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB, Node ${process.version}`,
          `- Date: ${new Date().toISOString().slice(0, 10)}`,
          `- Command: \`npx tsx scripts/corpus-engine.ts --events ${count} --seed ${seed} --engine ${flavour} --write\``,
        ].join('\n'),
      );
    }
    return queryErrors.length || harnessFailed({ ...report, failures: queryErrors }) ? 1 : 0;
  } finally {
    await engine.stop();
  }
}

main().then(
  (c) => process.exit(c),
  (e) => {
    process.stderr.write(`${e instanceof Error ? e.message : e}\n`);
    process.exit(3);
  },
);
