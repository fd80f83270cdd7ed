/**
 * Shared CLI plumbing: exit codes, error printing, and the usage-error type, so every
 * command reports problems the same way and never prints a stack trace.
 */
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
