// Long differential fuzzing campaigns: `npm run fuzz -- --cases 100000 --seed 7 --engine opensearch`.
// Prints progress (cases/s) on stderr, a summary on stdout (`--json`: {"cases","mismatches","engine",…}),
// and writes each shrunk mismatch as a regression fixture with `--write-fixtures DIR`. Exit 1 on a mismatch.
import { Command } from 'commander';
import { ensureEngine, type Flavour } from '../src/engine';
import { describeError } from '../src/errors';
import { formatMismatch, writeRegression } from '../src/fuzz/report';
import { runFuzz } from '../src/fuzz/run';
import type { EngineTarget } from '../src/harness/run';

async function main(): Promise<number> {
  const program = new Command()
    .name('fuzz')
    .option('--cases <n>', 'generated rules to compare on the engine', '10000')
    .option('--seed <s>', 'campaign seed (default: random, printed)')
    .option('--engine <flavour>', 'elasticsearch | opensearch', 'elasticsearch')
    .option('--rules-per-batch <n>', 'rules sharing one seeded index', '250')
    .option('--events-per-batch <n>', 'events per seeded index', '120')
    .option('--targets <list>', 'comma-separated: dsl,lucene,eql,esql (EQL/ES|QL only where the engine has them)', 'dsl,lucene,eql,esql')
    .option('--shrink <n>', 'shrink at most this many mismatches', '10')
    .option('--write-fixtures <dir>', 'write each shrunk mismatch as a regression fixture there')
    .option('--json', 'print the summary as JSON')
    .option('--out <file>', 'write every mismatch (rule YAML, events, shrunk case) to this JSON file')
    .parse();
  const o = program.opts();
  const seed = o.seed !== undefined ? Number(o.seed) : Math.floor(Math.random() * 2 ** 31);
  const engine = await ensureEngine({ flavour: o.engine as Flavour, onProgress: (l) => process.stderr.write(`[engine] ${l}\n`) });
  const cases = Number(o.cases);
  process.stderr.write(`fuzz: ${cases} cases on ${engine.flavour} ${engine.version}, seed ${seed}\n`);
  try {
    const result = await runFuzz({
      engine,
      seed,
      cases,
      rulesPerBatch: Number(o.rulesPerBatch),
      eventsPerBatch: Number(o.eventsPerBatch),
      targets: String(o.targets).split(',') as EngineTarget[],
      shrinkLimit: Number(o.shrink),
      onBatch: (p) => {
        if (p.batch % 10 === 0 || p.cases >= cases) {
          process.stderr.write(`  ${p.cases}/${cases} cases, ${(p.cases / (p.ms / 1000)).toFixed(0)} cases/s, ${p.mismatches} mismatches\n`);
        }
      },
    });
    if (o.out) require('node:fs').writeFileSync(String(o.out), JSON.stringify(result.mismatches, null, 1));
    const written: string[] = [];
    if (o.writeFixtures) for (const m of result.mismatches) if (m.minimal) written.push(writeRegression(String(o.writeFixtures), m, seed));
    if (o.json) {
      process.stdout.write(
        JSON.stringify({
          cases: result.cases,
          mismatches: result.mismatches.length,
          engine: result.engine,
          seed,
          casesPerSecond: Number(result.casesPerSecond.toFixed(1)),
          seconds: Number((result.ms / 1000).toFixed(1)),
          generated: result.generated,
          rejected: result.rejected,
          events: result.events,
          comparisons: result.comparisons,
          matchRate: { cases: result.matchedCases / Math.max(result.cases, 1), pairs: result.matchedPairs / Math.max(result.pairs, 1) },
          targets: result.targets,
          skippedTargets: result.skippedTargets,
          fixtures: written,
        }) + '\n',
      );
    } else {
      const pct = (x: number): string => `${(100 * x).toFixed(1)}%`;
      console.log(`engine: ${result.engine}; targets: ${result.targets.join(', ')}${Object.keys(result.skippedTargets).length ? ` (skipped: ${Object.values(result.skippedTargets).join('; ')})` : ''}`);
      console.log(`seed ${seed}: ${result.cases} cases (${result.generated} generated, ${result.rejected} rejected by the translator) in ${(result.ms / 1000).toFixed(1)} s = ${result.casesPerSecond.toFixed(0)} cases/s`);
      console.log(`${result.events} events, ${result.comparisons} verdicts compared; the engine matched in ${pct(result.matchedCases / Math.max(result.cases, 1))} of cases, ${pct(result.matchedPairs / Math.max(result.pairs, 1))} of (rule, event) pairs`);
      console.log(`rejections: ${JSON.stringify(result.rejectedCodes)}; unsupported per target: ${JSON.stringify(result.unsupported)}`);
      console.log(`${result.mismatches.length} mismatches`);
      for (const m of result.mismatches.slice(0, 20)) console.log(formatMismatch(m, seed));
      for (const f of written) console.log(`wrote ${f}`);
    }
    return result.mismatches.length ? 1 : 0;
  } finally {
    await engine.stop();
  }
}

main().then(
  (code) => process.exit(code),
  (e) => {
    console.error(describeError(e));
    process.exit(2);
  },
);
