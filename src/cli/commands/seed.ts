/**
 * `sigma-es seed`: create an index from a mapping profile and load events into it, checking
 * that every event read became a document.
 */
import type { Command } from 'commander';
import { Option } from 'commander';
import { readEventFile } from '../../harness/events';
import { seedEvents, seedShortfall } from '../../harness/seed';
import { getProfile, profileNames } from '../../mapping/profile';
import { addEngineOptions, engineFromOptions, type EngineCliOptions } from '../engine-options';
import { EXIT_FAIL, EXIT_OK, UsageError, positiveInt } from '../output';
import { progress } from '../progress';

interface SeedOpts extends EngineCliOptions {
  events: string;
  index: string;
  profile: string;
  recreate?: boolean;
  batch: number;
  json?: boolean;
}

export function registerSeedCommand(program: Command): void {
  const cmd = program
    .command('seed')
    .description('create an index from a mapping profile and bulk-load events (NDJSON, JSON array or objects); verifies the count')
    .requiredOption('--events <file|->', 'event file, or - for stdin; an event\'s `_id` becomes its document id')
    .requiredOption('--index <name>', 'index to create')
    .addOption(new Option('--profile <name>', 'index mapping profile').choices(profileNames()).default('ecs'))
    .option('--recreate', 'delete the index first if it exists')
    .option('--batch <n>', 'documents per bulk request', positiveInt('--batch'), 1000)
    .option('--json', 'print the result as one JSON object');
  addEngineOptions(cmd);
  cmd.addHelpText(
    'after',
    '\nMalformed lines are listed with their line numbers and make the run fail; nothing is dropped silently.' +
      '\nExit status: 0 when the index holds every event, 1 otherwise, 2 on usage errors.' +
      '\n\nExample:\n  sigma-es seed --events fixtures/events.ndjson --index sigma-test --profile ecs --recreate',
  );
  cmd.action(async (o: SeedOpts) => {
    const profile = getProfile(o.profile);
    if (!profile) throw new UsageError(`unknown profile '${o.profile}'`);
    const { events, malformed } = await readEventFile(o.events);
    for (const m of malformed) process.stderr.write(`${o.events}:${m.line}: EVENTS_INVALID ${m.reason} (not loaded)\n`);
    const engine = await engineFromOptions(o, (l) => process.stderr.write(`engine: ${l}\n`));
    const bar = progress(`seeding ${o.index}`);
    try {
      const r = await seedEvents(engine.client, o.index, profile, events, {
        recreate: o.recreate,
        batchSize: o.batch,
        onProgress: (d, t) => bar.update(d, t),
      });
      bar.stop();
      const shortfall = seedShortfall(r);
      const ok = !shortfall && malformed.length === 0;
      if (o.json) {
        process.stdout.write(
          `${JSON.stringify({ ok, index: r.index, engine: { name: engine.flavour, version: engine.version }, read: r.read + malformed.length, indexed: r.indexed, documents: r.countInIndex, malformed, rejected: r.rejected, retries: r.retries, ms: r.ms })}\n`,
        );
      } else {
        process.stdout.write(`${r.countInIndex} documents in '${r.index}' on ${engine.flavour} ${engine.version} (${r.read} events read, ${(r.ms / 1000).toFixed(1)} s, ${r.retries} retries)\n`);
        if (shortfall) process.stderr.write(`${shortfall}\n`);
        if (malformed.length) process.stderr.write(`${malformed.length} malformed input records were not loaded\n`);
      }
      process.exitCode = ok ? EXIT_OK : EXIT_FAIL;
    } finally {
      bar.stop();
      await engine.stop();
    }
  });
}
