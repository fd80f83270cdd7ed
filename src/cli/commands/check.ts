import type { Command } from 'commander';
import { compilePaths } from '../../compile';
import { describeError, type SigmaEsError } from '../../errors';
import { EXIT_FAIL, EXIT_OK, collect } from '../output';

interface JsonError {
  file: string | null;
  line: number | null;
  column: number | null;
  rule: string | null;
  code: string;
  message: string;
}

function toJson(e: SigmaEsError): JsonError {
  const l = e.location;
  const message = l.item ? `${l.item}: ${e.message}` : e.message;
  return { file: l.file ?? null, line: l.line ?? null, column: l.column ?? null, rule: l.rule ?? null, code: e.code, message };
}

export interface CheckSummary {
  files: number;
  rules: number;
  valid: number;
  invalid: number;
  errors: JsonError[];
  warnings: Array<{ file: string; rule: string | null; message: string }>;
}

/** Validate rules as Sigma: parse, then build the IR with the given pipelines (none by default). */
export function runCheck(paths: string[], pipelines: string[]): CheckSummary {
  const result = compilePaths(paths, { pipelines, allowUnresolvedPlaceholders: pipelines.length === 0 });
  const errors: JsonError[] = result.errors.map(toJson);
  let valid = 0;
  let invalid = 0;
  const warnings: CheckSummary['warnings'] = [];
  for (const e of result.entries) {
    if (e.errors.length) {
      invalid++;
      errors.push(...e.errors.map(toJson));
    } else valid++;
    for (const w of e.warnings) warnings.push({ file: e.file, rule: e.label ?? null, message: w });
  }
  return { files: result.files, rules: result.entries.length, valid, invalid: invalid + result.errors.length, errors, warnings };
}

export function registerCheckCommand(program: Command): void {
  program
    .command('check')
    .description('parse and validate Sigma rules, filters and correlations (files or folders, recursive)')
    .argument('<paths...>', 'rule files or folders')
    .option('-p, --pipeline <name|file>', 'also check that the rules build under this pipeline (repeatable)', collect, [])
    .option('--json', 'print one JSON summary object instead of text')
    .addHelpText(
      'after',
      '\nExit status: 0 when every rule is valid, 1 otherwise, 2 on usage errors.\n\nExample:\n  sigma-es check sigma/ --json',
    )
    .action((paths: string[], opts: { pipeline: string[]; json?: boolean }) => {
      const s = runCheck(paths, opts.pipeline);
      if (opts.json) {
        process.stdout.write(`${JSON.stringify({ files: s.files, rules: s.rules, valid: s.valid, invalid: s.invalid, errors: s.errors, warnings: s.warnings })}\n`);
      } else {
        for (const e of s.errors) {
          const where = [e.file, e.line, e.column].filter((x) => x !== null).join(':');
          process.stdout.write(`${where}: ${e.rule ? `[${e.rule}] ` : ''}${e.code} ${e.message}\n`);
        }
        for (const w of s.warnings) process.stdout.write(`${w.file}: ${w.rule ? `[${w.rule}] ` : ''}warning: ${w.message}\n`);
        process.stdout.write(`${s.files} files, ${s.rules} documents: ${s.valid} valid, ${s.invalid} invalid\n`);
      }
      process.exitCode = s.invalid === 0 ? EXIT_OK : EXIT_FAIL;
    });
  void describeError;
}
