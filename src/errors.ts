/**
 * The project's one error type. Everything a user can cause (bad YAML, an invalid rule,
 * an untranslatable construct, bad events, an engine that will not start) is a SigmaEsError
 * with a stable code, so the CLI can print it as `file:line:col: CODE message` and exit
 * non-zero. Anything else that escapes is an internal failure and is reported as one.
 */
export interface ErrorLocation {
  file?: string;
  line?: number; // 1-based
  column?: number; // 1-based
  /** Rule id or title when known. */
  rule?: string;
  /** Detection item, e.g. `selection.CommandLine|re`. */
  item?: string;
}

export class SigmaEsError extends Error {
  readonly code: string;
  location: ErrorLocation;

  constructor(code: string, message: string, location: ErrorLocation = {}) {
    super(message);
    this.name = 'SigmaEsError';
    this.code = code;
    this.location = { ...location };
  }

  /** Fill in location fields that are not yet known (inner code knows the item, outer code the file). */
  at(location: ErrorLocation): this {
    for (const [k, v] of Object.entries(location) as [keyof ErrorLocation, never][]) {
      if (v !== undefined && this.location[k] === undefined) this.location[k] = v;
    }
    return this;
  }

  /** `file:line:col: [rule] item: CODE message` */
  format(): string {
    const l = this.location;
    let where = l.file ?? '';
    if (l.file && l.line) where += `:${l.line}${l.column ? `:${l.column}` : ''}`;
    const parts: string[] = [];
    if (where) parts.push(`${where}:`);
    if (l.rule) parts.push(`[${l.rule}]`);
    if (l.item) parts.push(`${l.item}:`);
    parts.push(`${this.code} ${this.message}`);
    return parts.join(' ');
  }
}

export function isSigmaEsError(e: unknown): e is SigmaEsError {
  return e instanceof SigmaEsError;
}

/**
 * What was thrown while compiling a file, as that file's error: a SigmaEsError with the file
 * (and rule) filled in where it did not say, anything else as a failure of our own code.
 */
export function fileError(e: unknown, file: string, rule?: string): SigmaEsError {
  if (e instanceof SigmaEsError) return e.at({ file, rule });
  const msg = e instanceof Error ? e.message : String(e);
  return new SigmaEsError('INTERNAL', `internal failure (please report): ${msg}`, { file, rule });
}

/** A message for any thrown value, without a stack trace. */
export function describeError(e: unknown): string {
  if (isSigmaEsError(e)) return e.format();
  if (e instanceof Error) return `INTERNAL ${e.message}`;
  return `INTERNAL ${String(e)}`;
}
