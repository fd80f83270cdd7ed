import type { Command } from 'commander';
import { collectRuleFiles, compileFiles, crossFileDocuments } from '../../compile';
import { describeError, type SigmaEsError } from '../../errors';
import { DEFAULT_WORKERS, runSharded, type ShardResult } from '../../parallel';
import { EXIT_FAIL, EXIT_OK, UsageError, collect } from '../output';

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

interface CheckedDocument {
  valid: boolean;
  errors: JsonError[];
  warnings: CheckSummary['warnings'];
}

/** One shard of `check` (parallel.ts): the given rule files compiled together, a result per document. */
export function checkFiles(files: string[], p: { pipelines: string[] }): ShardResult<CheckedDocument> {
  const result = compileFiles(files, { pipelines: p.pipelines, allowUnresolvedPlaceholders: p.pipelines.length === 0, keepIr: false });
  return {
    crossFile: crossFileDocuments(result.entries),
    results: result.entries.map((e) => ({
      valid: e.errors.length === 0,
      errors: e.errors.map(toJson),
      warnings: e.warnings.map((w) => ({ file: e.file, rule: e.label ?? null, message: w })),
    })),
  };
}

/**
 * Validate rules as Sigma: parse, then build the IR with the given pipelines (none by default).
 * `workers` threads share the files (parallel.ts); the summary is the same.
 */
export async function runCheck(paths: string[], pipelines: string[], workers?: number): Promise<CheckSummary> {
  const { files, errors: pathErrors } = collectRuleFiles(paths);
  const docs = await runSharded<{ pipelines: string[] }, CheckedDocument>(
    files,
    { module: __filename.replace(/\.[jt]s$/, ''), fn: 'checkFiles', payload: { pipelines } },
    workers ?? DEFAULT_WORKERS,
    { regexWorker: true, parseAhead: true },
  );
  const errors: JsonError[] = pathErrors.map(toJson);
  const warnings: CheckSummary['warnings'] = [];
  let valid = 0;
  for (const d of docs) {
    if (d.valid) valid++;
    errors.push(...d.errors);
    warnings.push(...d.warnings);
  }
  return { files: files.length, rules: docs.length, valid, invalid: docs.length - valid + pathErrors.length, errors, warnings };
}

/** `--workers` as a count of threads. */
export function parseWorkers(v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > 64) throw new UsageError(`--workers must be a whole number from 1 to 64, got '${v}'`);
  return n;
}

export function registerCheckCommand(program: Command): void {
  program
    .command('check')
    .description('parse and validate Sigma rules, filters and correlations (files or folders, recursive)')
    .argument('<paths...>', 'rule files or folders')
    .option('-p, --pipeline <name|file>', 'also check that the rules build under this pipeline (repeatable)', collect, [])
    .option('--json', 'print one JSON summary object instead of text')
    .option('--workers <n>', 'threads to spread the files over (default 1: on 2 cores a second thread costs more JIT warm-up than it saves)')
    .addHelpText(
      'after',
      '\nExit status: 0 when every rule is valid, 1 otherwise, 2 on usage errors.\n\nExample:\n  sigma-es check sigma/ --json',
    )
    .action(async (paths: string[], opts: { pipeline: string[]; json?: boolean; workers?: string }) => {
      const s = await runCheck(paths, opts.pipeline, parseWorkers(opts.workers));
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
