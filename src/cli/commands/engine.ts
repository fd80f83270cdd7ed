/**
 * `sigma-es engine start|stop|status`: manage the embedded engines that `sigma-es test` and
 * `seed` reuse. A started engine outlives this command (it is recorded in the state file under
 * the engine cache) until `engine stop`.
 */
import { Option, type Command } from 'commander';
import { DEFAULT_HEAP, FLAVOURS, engineStatus, engineStatuses, runningEmbedded, startEngine, stopEngine, type EngineStatus, type Flavour } from '../../engine';
import { EXIT_FAIL, EXIT_OK, positiveInt } from '../output';

interface CommonOpts {
  engine?: Flavour;
  json?: boolean;
}

function engineOption(defaultText: string): Option {
  return new Option('--engine <flavour>', `which engine (${defaultText})`).choices([...FLAVOURS]);
}

function say(json: boolean | undefined, text: string): void {
  // With --json, stdout carries only the JSON document; human progress goes to stderr.
  (json ? process.stderr : process.stdout).write(`${text}\n`);
}

export function registerEngineCommand(program: Command): void {
  const engine = program
    .command('engine')
    .description('start, stop or inspect the embedded Elasticsearch/OpenSearch engine (provisioned from Maven Central)')
    .addHelpText(
      'after',
      '\nThe engines are provisioned by `bash scripts/engine/provision.sh` (run automatically on first start).' +
        '\nExit status: 0 ok, 1 failure, 2 usage error.\n\nExamples:\n  sigma-es engine start\n  sigma-es engine start --engine opensearch --json\n  sigma-es engine status\n  sigma-es engine stop',
    );

  engine
    .command('start')
    .description('start an engine in the background (reuses one that is already running)')
    .addOption(engineOption('default: elasticsearch'))
    .option('--port <n>', 'HTTP port (default: first free in 9200-9249 for elasticsearch, 9250-9299 for opensearch)', positiveInt('--port'))
    .option('--heap <size>', 'JVM heap, e.g. 1g or 2g', DEFAULT_HEAP)
    .option('--timeout <seconds>', 'how long to wait for yellow health', positiveInt('--timeout'), 180)
    .option('--json', 'print the engine as one JSON object')
    .action(async (opts: CommonOpts & { port?: number; heap: string; timeout: number }) => {
      const flavour = opts.engine ?? 'elasticsearch';
      const running = await runningEmbedded(flavour);
      if (running) {
        if (opts.json) process.stdout.write(JSON.stringify({ ...(await engineStatus(flavour)), reused: true }) + '\n');
        else say(false, `${flavour} ${running.version} is already running at ${running.url} (pid ${running.pid})`);
        process.exitCode = EXIT_OK;
        return;
      }
      const t0 = Date.now();
      const e = await startEngine({
        flavour,
        provider: 'embedded',
        owner: 'cli',
        port: opts.port,
        heap: opts.heap,
        timeoutMs: opts.timeout * 1000,
        onProgress: (l) => say(opts.json, l),
      });
      const secs = ((Date.now() - t0) / 1000).toFixed(1);
      if (opts.json) process.stdout.write(JSON.stringify({ ...(await engineStatus(flavour)), reused: false, startSeconds: Number(secs) }) + '\n');
      else say(false, `${flavour} ${e.version} is up at ${e.url} (pid ${e.pid}, ${secs} s); stop it with 'sigma-es engine stop --engine ${flavour}'`);
      process.exitCode = EXIT_OK;
    });

  engine
    .command('stop')
    .description('stop engines started by `engine start` (and orphans of killed test runs); both flavours unless --engine')
    .addOption(engineOption('default: both'))
    .option('--all', 'also stop engines that running test processes started for themselves')
    .option('--json', 'print what was stopped as JSON')
    .action(async (opts: CommonOpts & { all?: boolean }) => {
      const flavours = opts.engine ? [opts.engine] : [...FLAVOURS];
      const stopped: { flavour: Flavour; url: string; pid: number }[] = [];
      for (const f of flavours) {
        const states = await stopEngine(f, { all: opts.all });
        for (const s of states) {
          stopped.push({ flavour: f, url: s.url, pid: s.pid });
          say(opts.json, `stopped ${f} at ${s.url} (pid ${s.pid})`);
        }
        if (states.length === 0) say(opts.json, `${f}: nothing to stop`);
      }
      if (opts.json) process.stdout.write(JSON.stringify({ stopped }) + '\n');
      process.exitCode = EXIT_OK;
    });

  engine
    .command('status')
    .description('list running engines with URL and health; exit 1 when none of those asked for is healthy')
    .addOption(engineOption('default: both'))
    .option('--json', 'print a JSON array (one object per running engine, or one with running: false)')
    .action(async (opts: CommonOpts) => {
      const flavours = opts.engine ? [opts.engine] : [...FLAVOURS];
      const all: EngineStatus[] = [];
      for (const f of flavours) {
        const list = await engineStatuses(f);
        all.push(...(list.length ? list : [{ flavour: f, running: false, healthy: false }]));
      }
      if (opts.json) process.stdout.write(JSON.stringify(all) + '\n');
      else {
        for (const s of all) {
          if (!s.running) say(false, `${s.flavour}: not running`);
          else {
            const by = s.owner === 'cli' ? 'engine start' : `test process ${s.ownerPid}`;
            say(false, `${s.flavour}: ${s.health} at ${s.url} (version ${s.version}, pid ${s.pid}, started ${s.startedAt} by ${by}, log ${s.log})`);
          }
        }
      }
      process.exitCode = all.some((s) => s.healthy) ? EXIT_OK : EXIT_FAIL;
    });
}
