/**
 * Shared CLI plumbing: exit codes, error printing, and the usage-error type, so every
 * command reports problems the same way and never prints a stack trace.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { SigmaEsError, describeError } from '../errors';

export const EXIT_OK = 0;
export const EXIT_FAIL = 1;
export const EXIT_USAGE = 2;

export class UsageError extends SigmaEsError {
  constructor(message: string) {
    super('USAGE', message);
  }
}

export function printError(e: unknown): void {
  process.stderr.write(`${describeError(e)}\n`);
}

/** Parse a positive integer option, or fail as a usage error. */
export function positiveInt(name: string) {
  return (v: string): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1) throw new UsageError(`${name} must be a whole number of at least 1, got '${v}'`);
    return n;
  };
}

/** Collect a repeatable option into a list (`-p a -p b`). */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/**
 * Refuses, before any work is done, an output path that cannot be written: a missing or
 * read-only folder, or a folder where the file should be.
 */
export function checkOutputFile(file: string, option: string): void {
  const dir = path.dirname(path.resolve(file));
  let reason: string | undefined;
  if (!fs.existsSync(dir)) reason = `the folder ${dir} does not exist`;
  else if (fs.existsSync(file) && fs.statSync(file).isDirectory()) reason = 'it is a folder';
  else {
    try {
      fs.accessSync(dir, fs.constants.W_OK);
    } catch {
      reason = `the folder ${dir} is not writable`;
    }
  }
  if (reason) throw new UsageError(`${option} ${file}: cannot write there: ${reason}`);
}

/**
 * Writes `text` to `file` (opened only now, when the work is done), with a clear error naming
 * the file when that fails. Written in place, not through a temporary file renamed over it:
 * the target may be a device or a pipe (`-o /dev/null`, `-o >(gzip …)`).
 */
export function writeOutputFile(file: string, text: string): void {
  try {
    fs.writeFileSync(file, text);
  } catch (e) {
    throw new SigmaEsError('OUTPUT_FAILED', `cannot write ${file}: ${(e as Error).message}`);
  }
}
