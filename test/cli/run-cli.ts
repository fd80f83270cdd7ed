// Entry point for CLI tests: the same main() the bin script calls, run from source through tsx.
import { main } from '../../src/cli/main';

main(process.argv).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    process.stderr.write(`sigma-es: internal error: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 3;
  },
);
