/**
 * The `sigma-es` command line. Each command lives in its own module under commands/;
 * this file only assembles them and turns every failure into a message and an exit code.
 */
import { Command, CommanderError } from 'commander';
import { describeError, isSigmaEsError } from '../errors';
import { registerCheckCommand } from './commands/check';
import { EXIT_FAIL, EXIT_USAGE, UsageError } from './output';

type Register = (program: Command) => void;

/** Commands written in their own modules; a module that is missing is simply not offered. */
function optionalCommands(): Register[] {
  const out: Register[] = [];
  const tryLoad = (mod: string, fn: string): void => {
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const m = require(mod) as Record<string, Register>;
      if (typeof m[fn] === 'function') out.push(m[fn]);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'MODULE_NOT_FOUND') throw e;
    }
  };
  tryLoad('./commands/convert', 'registerConvertCommand');
  tryLoad('./commands/match', 'registerMatchCommand');
  tryLoad('./commands/seed', 'registerSeedCommand');
  tryLoad('./commands/test', 'registerTestCommand');
  tryLoad('./commands/engine', 'registerEngineCommand');
  return out;
}

export function buildProgram(): Command {
  const program = new Command();
  program
    .name('sigma-es')
    .description(
      'Sigma rules to Elasticsearch: translate (DSL, Lucene, EQL, ES|QL, Kibana rules), evaluate natively, and prove both agree on a real engine',
    )
    .version(require('../../package.json').version)
    .exitOverride()
    .showHelpAfterError('(run with --help for usage)');
  registerCheckCommand(program);
  for (const register of optionalCommands()) register(program);
  for (const cmd of program.commands) cmd.exitOverride();
  return program;
}

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
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
