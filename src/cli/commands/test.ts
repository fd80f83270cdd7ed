/**
 * `sigma-es test`: the differential harness on a real engine. With no arguments it runs every
 * rule in sigma/ against every fixture set in fixtures/ on the embedded Elasticsearch.
 */
import * as fs from 'node:fs';
import type { Command } from 'commander';
import { Option } from 'commander';
import { readEventFile } from '../../harness/events';
import { findFixtureFiles, loadFixtureSet } from '../../harness/fixtures';
import { renderJson, renderJunit, renderText } from '../../harness/report';
import { ENGINE_TARGETS, fixtureEventSet, harnessFailed, runHarness, type EngineTarget, type EventSet } from '../../harness/run';
import { defaultProfileName, getProfile, profileNames } from '../../mapping/profile';
import { addEngineOptions, engineFromOptions, type EngineCliOptions } from '../engine-options';
import { EXIT_FAIL, EXIT_OK, UsageError, checkOutputFile, collect, writeOutputFile } from '../output';
import { progress } from '../progress';

interface TestOpts extends EngineCliOptions {
  fixtures: string[];
  events?: string;
  profile?: string;
  pipeline: string[];
  target: string[];
  report?: 'junit' | 'json';
  reportFile?: string;
  json?: boolean;
  keepIndices?: boolean;
}

export function registerTestCommand(program: Command): void {
  const cmd = program
    .command('test')
    .description('differential harness: run rules on a real engine and on the native evaluator over the same events, compare with the fixtures')
    .argument('[rules...]', 'rule files or folders (default: sigma/)')
    .option('--fixtures <dir>', 'fixture files or folders (repeatable; default: fixtures/)', collect, [])
    .option('--events <file>', 'compare engine and evaluator on any event file instead of fixtures')
    .addOption(new Option('--profile <name>', 'mapping profile for --events (default: ecs with -p ecs_windows, defender with -p defender_xdr, else sysmon)').choices(profileNames()))
    .option('-p, --pipeline <name|file>', 'pipelines for --events (repeatable)', collect, [])
    .option('-t, --target <target>', `engine renderings to compare (repeatable; default: all the engine supports: ${ENGINE_TARGETS.join(', ')})`, collect, [])
    .addOption(new Option('--report <format>', 'also write a report file').choices(['junit', 'json']))
    .option('--report-file <file>', 'where --report writes (default: sigma-es-report.xml / .json)')
    .option('--json', 'print the summary as one JSON object')
    .option('--keep-indices', 'leave the test indices in the engine for inspection');
  addEngineOptions(cmd);
  cmd.addHelpText(
    'after',
    '\nExit status: 0 when engine, evaluator and fixtures agree everywhere, 1 on any mismatch or failure, 2 on usage errors.' +
      '\n\nExamples:\n  sigma-es test\n  sigma-es test sigma/ --fixtures fixtures/seed --engine opensearch\n  sigma-es test rules/ --events events.ndjson --profile ecs -p sysmon -p ecs_windows --report junit',
  );
  cmd.action(async (rules: string[], o: TestOpts) => {
    const rulePaths = rules.length ? rules : ['sigma'];
    for (const p of rulePaths) if (!fs.existsSync(p)) throw new UsageError(`no such rule file or folder: ${p}`);
    const targets = o.target.length ? o.target : ENGINE_TARGETS;
    for (const t of targets) if (!(ENGINE_TARGETS as string[]).includes(t)) throw new UsageError(`unknown target '${t}' (one of ${ENGINE_TARGETS.join(', ')})`);
    const reportFile = o.report ? (o.reportFile ?? (o.report === 'junit' ? 'sigma-es-report.xml' : 'sigma-es-report.json')) : undefined;
    if (reportFile) checkOutputFile(reportFile, '--report-file');
    const sets: EventSet[] = [];
    if (o.events) {
      if (o.fixtures.length) throw new UsageError('give --events or --fixtures, not both');
      const profile = getProfile(o.profile ?? defaultProfileName(o.pipeline))!;
      const { events, malformed } = await readEventFile(o.events);
      if (malformed.length) {
        for (const m of malformed) process.stderr.write(`${o.events}:${m.line}: EVENTS_INVALID ${m.reason}\n`);
        throw new UsageError(`${malformed.length} malformed records in ${o.events}; fix them first (the harness compares every event)`);
      }
      sets.push({ name: 'events', profile, pipelines: o.pipeline, events, labelledRules: [] });
    } else {
      const dirs = o.fixtures.length ? o.fixtures : ['fixtures'];
      for (const f of findFixtureFiles(dirs)) sets.push(fixtureEventSet(loadFixtureSet(f)));
      if (sets.length === 0) throw new UsageError(`no *.fixture.yml files under ${dirs.join(', ')}`);
    }
    const engine = await engineFromOptions(o, (l) => process.stderr.write(`engine: ${l}\n`));
    const bar = progress('testing');
    try {
      const report = await runHarness({
        engine,
        rulePaths,
        sets,
        targets: targets as EngineTarget[],
        keepIndices: o.keepIndices,
        onProgress: (d, t, what) => bar.update(d, t, what),
      });
      bar.stop();
      process.stdout.write(o.json ? renderJson(report) : renderText(report));
      if (reportFile) {
        writeOutputFile(reportFile, o.report === 'junit' ? renderJunit(report) : renderJson(report));
        process.stderr.write(`report written to ${reportFile}\n`);
      }
      process.exitCode = harnessFailed(report) ? EXIT_FAIL : EXIT_OK;
    } finally {
      bar.stop();
      await engine.stop();
    }
  });
}
