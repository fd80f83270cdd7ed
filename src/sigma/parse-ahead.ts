/**
 * Reading and parsing rule files on a second thread, ahead of the thread that compiles them.
 * Parsing (file read, YAML, the rule model) is about a third of the main thread's work in
 * `convert` (SigmaHQ: main-thread CPU 1.36 s, 0.94 s with this worker; BENCHMARKS.md) and needs
 * nothing but the file; the rest (pipelines, IR, translation) takes the documents in order. A
 * worker parses the files in order and posts them in small batches; the compiling thread takes a
 * file's documents when they are there and parses the file itself when they are not (it never
 * waits), and the worker skips the files it has passed. A parsed file crosses threads as a
 * structured clone, exact for every value YAML can give (a JSON round trip would turn .nan and
 * .inf into null), with errors sent as data and made SigmaEsErrors again. The documents are the
 * same either way, so the results are those of parsing in place; a worker that cannot start or
 * dies only costs the gain.
 *
 * A stage on its own thread rather than a share of the files (`--workers`): each thread that
 * runs the whole path pays V8's warm-up of all of it, which on two cores cost more than it
 * saved; this worker warms only the parser, and the main thread no longer runs it.
 */
import { isMainThread, MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';
import { SigmaEsError, type ErrorLocation } from '../errors';
import { workerScript } from '../worker-script';
import type { ParsedFile } from './parse-file';

/** A parsed file as it crosses threads: errors as data (a structured clone drops their class). */
export interface WireFile {
  file: string;
  docs: Array<Omit<ParsedFile['docs'][number], 'errors'> & { errors: Array<{ code: string; message: string; location: ErrorLocation }> }>;
}

/** Files `from`, `from + 1`, … as the worker parsed them. */
export interface WireBatch {
  from: number;
  files: WireFile[];
}

export function toWire(pf: ParsedFile): WireFile {
  return { file: pf.file, docs: pf.docs.map((d) => ({ ...d, errors: d.errors.map((e) => ({ code: e.code, message: e.message, location: e.location })) })) };
}

function fromWire(w: WireFile): ParsedFile {
  return { file: w.file, docs: w.docs.map((d) => ({ ...d, errors: d.errors.map((e) => new SigmaEsError(e.code, e.message, e.location)) })) };
}

/**
 * Files below which no worker is started: its first files arrive some 60 ms after it is started
 * (its own Node start and module loading, on the other core), by when this thread has parsed a
 * few dozen itself.
 */
export const PARSE_AHEAD_MIN_FILES = 50;

/**
 * Files the worker may parse past the one the compiling thread needs next. Parsed files wait as
 * structured clones, ~2 KB each on SigmaHQ: a worker far faster than the compiling thread (a
 * large rule set on a machine with cores to spare) would otherwise queue the whole set.
 */
export const PARSE_AHEAD_LEAD = 1000;

/** The worker's entry; tests replace it to make the worker fail. SIGMA_ES_PARSE_AHEAD=0 turns the worker off (measurements, troubleshooting). */
export const parseAheadWorker = {
  script: (): { file: string; execArgv: string[] } => workerScript('sigma/parse-ahead-worker'),
  enabled: (): boolean => process.env.SIGMA_ES_PARSE_AHEAD !== '0',
};

export class ParseAhead {
  private worker: Worker | null = null;
  private port: MessagePort | null = null;
  /** [0]: the index of the next file this thread needs; the worker parses nothing below it. */
  private readonly next = new Int32Array(new SharedArrayBuffer(4));
  /** File → index, built only if a file is asked out of order. */
  private index: Map<string, number> | undefined;
  /** Batches received ahead of their turn, by file index. */
  private readonly got = new Map<number, WireFile>();
  private at = 0;
  /** Files taken from the worker, and parsed here (the worker had not reached them). */
  readonly counts = { ahead: 0, here: 0 };
  /** Settles when the worker has stopped (at once if it did not start). */
  readonly stopped: Promise<void>;

  /** `lead`: how many files the worker may parse past the one this thread needs next. */
  constructor(
    private readonly files: string[],
    lead = PARSE_AHEAD_LEAD,
  ) {
    let stop = (): void => undefined;
    this.stopped = new Promise((resolve) => (stop = resolve));
    try {
      const { port1, port2 } = new MessageChannel();
      const s = parseAheadWorker.script();
      const w = new Worker(s.file, { execArgv: s.execArgv, workerData: { files, next: this.next.buffer, port: port2, lead }, transferList: [port2] });
      // never what keeps the process alive: close() ends it
      w.unref();
      // A worker that fails only stops answering; this thread parses the rest itself.
      w.on('error', () => undefined);
      w.on('exit', stop);
      this.worker = w;
      this.port = port1;
    } catch {
      stop();
    }
  }

  /** The file's documents if the worker has them ready (taken once), else undefined: parse it here. */
  take(file: string): ParsedFile | undefined {
    const i = this.files[this.at] === file ? this.at : this.indexOf(file);
    if (i === undefined || !this.port) return undefined;
    // files this thread skips (asked out of order) are not kept
    if (i !== this.at) for (const k of this.got.keys()) if (k < i) this.got.delete(k);
    this.receive(i, i);
    this.at = i + 1;
    Atomics.store(this.next, 0, this.at);
    const w = this.got.get(i);
    if (w === undefined) {
      this.counts.here++;
      return undefined;
    }
    this.got.delete(i);
    this.counts.ahead++;
    return fromWire(w);
  }

  /** Files parsed and waiting to be taken (reads what the worker has posted). */
  ready(): number {
    this.receive(this.at);
    return this.got.size;
  }

  private indexOf(file: string): number | undefined {
    if (!this.index) {
      const index = new Map<string, number>();
      this.files.forEach((f, i) => index.has(f) || index.set(f, i));
      this.index = index;
    }
    return this.index.get(file);
  }

  /** Moves the posted batches' files from `from` on into `got`, stopping once file `until` is in. */
  private receive(from: number, until = -1): void {
    while (this.port && !this.got.has(until)) {
      const m = receiveMessageOnPort(this.port);
      if (m === undefined) return;
      const b = m.message as WireBatch;
      for (let k = 0; k < b.files.length; k++) if (b.from + k >= from) this.got.set(b.from + k, b.files[k]);
    }
  }

  close(): void {
    this.port?.close();
    this.port = null;
    void this.worker?.terminate();
    this.worker = null;
    this.got.clear();
  }
}

let current: ParseAhead | null = null;

/** The file's documents from the running parse-ahead, if it has them ready. */
export function parsedAhead(file: string): ParsedFile | undefined {
  return current?.take(file);
}

/**
 * Run `fn` (synchronous) with a worker parsing `files` ahead of it, in that order, when they are
 * many enough, none is running yet (an outer call's covers them) and this is the main thread
 * (the workers of `--workers` start none of their own).
 */
export function withParseAhead<T>(files: string[], fn: () => T): T {
  if (current || !isMainThread || files.length < PARSE_AHEAD_MIN_FILES || !parseAheadWorker.enabled()) return fn();
  return runWithParseAhead(new ParseAhead(files), fn);
}

/** Run `fn` with `ahead` serving parsedAhead, then end it. */
export function runWithParseAhead<T>(ahead: ParseAhead, fn: () => T): T {
  const prev = current;
  current = ahead;
  try {
    return fn();
  } finally {
    current = prev;
    ahead.close();
  }
}
