/**
 * The `sigma-es` command line. Each command lives in its own module under commands/;
 * this file only assembles them and turns every failure into a message and an exit code.
 */
import { Command, CommanderError } from 'commander';
import { describeError, isSigmaEsError } from '../errors';
import { EXIT_FAIL, EXIT_USAGE, UsageError } from './output';
import { tuneV8 } from './v8-tuning';

type Register = (program: Command) => void;

/** Each command's module and register function, in the order `--help` lists them. */
const COMMANDS: Array<[name: string, module: string, register: string]> = [
  ['check', './commands/check', 'registerCheckCommand'],
  ['convert', './commands/convert', 'registerConvertCommand'],
  ['match', './commands/match', 'registerMatchCommand'],
  ['seed', './commands/seed', 'registerSeedCommand'],
  ['test', './commands/test', 'registerTestCommand'],
  ['engine', './commands/engine', 'registerEngineCommand'],
];

/**
 * The register functions to load: only the invoked command's module when argv names one (each
 * module pulls in its own stack — backends, evaluator, engine client — and a start-up that
 * loads them all is paid on every run), every module for help, version and unknown commands.
 */
/** The command argv names, if any: its first word that is not an option. */
function invokedCommand(argv: string[] | undefined): string | undefined {
  return argv?.slice(2).find((a) => !a.startsWith('-'));
}

function commandsFor(argv: string[] | undefined): Register[] {
  const invoked = invokedCommand(argv);
  const wanted = COMMANDS.filter(([name]) => name === invoked);
  return (wanted.length ? wanted : COMMANDS).map(([, mod, fn]) => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return (require(mod) as Record<string, Register>)[fn];
  });
}

export function buildProgram(argv?: string[]): Command {
  const program = new Command();
  program
    .name('sigma-es')
    .description(
      'Sigma rules to Elasticsearch: translate (DSL, Lucene, EQL, ES|QL, Kibana rules), evaluate natively, and prove both agree on a real engine',
    )
    .version(require('../../package.json').version)
    .exitOverride()
    .showHelpAfterError('(run with --help for usage)');
  for (const register of commandsFor(argv)) register(program);
  for (const cmd of program.commands) cmd.exitOverride();
  return program;
}

/**
 * A reader that stops early (`sigma-es convert … | head`, or `2>&1 | head`) closes the pipe, and
 * the next write fails with EPIPE: stop there quietly, as Unix tools do, instead of dying with a
 * stack trace (or, when stderr is that pipe, with exit status 1 and no word).
 */
function quietOnClosedStdout(): void {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code !== 'EPIPE') throw e;
      process.exit(typeof process.exitCode === 'number' ? process.exitCode : 0);
    });
  }
}

export async function main(argv: string[]): Promise<number> {
  tuneV8();
  quietOnClosedStdout();
  const program = buildProgram(argv);
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') return 0;
      return EXIT_USAGE;
    }
    process.stderr.write(`${describeError(e)}\n`);
    if (e instanceof UsageError) return EXIT_USAGE;
    return isSigmaEsError(e) ? EXIT_FAIL : 3;
  }
}
