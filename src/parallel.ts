/**
 * Spreading per-file work over worker threads. Loading thousands of rule files is CPU-bound
 * (YAML, validation, IR, Lucene's regex cost check) and files are independent except for
 * filters and correlations, which refer across files: a task sees every file of its shard
 * and says whether it met such a document, and the caller then runs the whole set on one
 * thread instead. Files go in chunks (see CHUNK), dealt to the threads in turn. Results come
 * back in file order, identical to compiling the whole set at once.
 */
import { Worker } from 'node:worker_threads';
import { CostOffload } from './ir/regex/cost-offload';
import { withParseAhead } from './sigma/parse-ahead';
import { workerScript } from './worker-script';

/** What a shard task returns: its results, and whether a document refers across files. */
export interface ShardResult<R> {
  results: R[];
  crossFile: boolean;
}

/** A synchronous function of a module, `fn(files, payload)`, run in this thread or a worker. */
export interface ShardTask<P> {
  /** Absolute module path without extension (resolved to dist/*.js or, under tsx, src/*.ts). */
  module: string;
  fn: string;
  payload: P;
}

/**
 * Threads for `check`/`convert` when the user did not say: one. Measured on SigmaHQ on a quiet
 * 2-core machine, one thread takes 1.0 s wall (1.6 s CPU: V8 compiles and collects garbage on
 * the other core) and two take 1.3 s, each isolate paying its own JIT warm-up. `--workers N`
 * is there for larger machines and larger rule sets.
 */
export const DEFAULT_WORKERS = 1;

/**
 * Files per call of the task. A chunk's YAML, model, IR and queries are all alive until its
 * last file is done, and every young-generation collection in between copies them: small
 * chunks keep that live set small. On SigmaHQ `convert` (37 scavenges either way) the
 * scavenges took 160–290 ms with 150 files a chunk and 70–130 ms with 10–20. The per-call
 * work (pipelines and resolvers are memoised) is small enough not to need larger ones.
 */
const CHUNK = 10;

/** `files` in chunks of CHUNK, in order. */
export function chunksOf(files: string[]): string[][] {
  const chunks: string[][] = [];
  for (let i = 0; i < files.length; i += CHUNK) chunks.push(files.slice(i, i + CHUNK));
  return chunks;
}

type TaskFn<P, R> = (files: string[], payload: P) => ShardResult<R>;

function taskFn<P, R>(task: { module: string; fn: string }): TaskFn<P, R> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require(task.module) as Record<string, TaskFn<P, R>>)[task.fn];
}

/** Per chunk its results, or `crossFile` at the first chunk that met a cross-file document. */
export interface ChunkResults<R> {
  chunks: R[][];
  crossFile: boolean;
}

/** Run `fn` over each chunk of files in turn. */
export function runChunks<P, R>(fn: TaskFn<P, R>, chunks: string[][], payload: P): ChunkResults<R> {
  const out: R[][] = [];
  for (const c of chunks) {
    const part = fn(c, payload);
    if (part.crossFile) return { chunks: [], crossFile: true };
    out.push(part.results);
  }
  return { chunks: out, crossFile: false };
}

function runInWorker<P, R>(task: ShardTask<P>, chunks: string[][]): Promise<ChunkResults<R>> {
  const { file, execArgv } = workerScript('parallel-worker');
  return new Promise((resolve, reject) => {
    const w = new Worker(file, { workerData: { ...task, chunks }, execArgv });
    w.once('message', (m: ChunkResults<R>) => {
      resolve(m);
      void w.terminate();
    });
    w.once('error', reject);
    w.once('exit', (code) => {
      if (code !== 0) reject(new Error(`worker exited with code ${code}`));
    });
  });
}

/** How runSharded may run: `regexWorker` puts Lucene's regex cost check on a worker (cost-offload.ts). */
export interface ShardOptions {
  regexWorker?: boolean;
  /** Parse this thread's files on a worker ahead of it (sigma/parse-ahead.ts); the task must compile through compileFiles. */
  parseAhead?: boolean;
}

/**
 * Files below which the regex worker is not started: its start-up (~30 ms of the other core,
 * and a little of this one) would cost more than a few files' regexes.
 */
export const REGEX_WORKER_MIN_FILES = 50;

/** The regex worker's entry, and how long to wait for its answers; tests replace them to make it fail. */
export const regexWorker = { script: (): { file: string; execArgv: string[] } => workerScript('ir/regex/cost-worker'), patienceMs: 10_000 };

/**
 * Run `task` over `files` on `workers` threads (this one included) and return the results
 * in file order. Chunks are dealt to the threads in turn, so each gets a like share of every
 * part of the tree (the costly regex rules cluster in a few folders). Falls back to the whole
 * set at once, on this thread, when a chunk met a cross-file document. With `regexWorker`
 * (and enough files), this thread's chunks leave the regex cost check to a worker, and those
 * that used a pattern that turns out too costly are compiled again (cost-offload.ts).
 */
export async function runSharded<P, R>(files: string[], task: ShardTask<P>, workers: number, options: ShardOptions = {}): Promise<R[]> {
  const fn = taskFn<P, R>(task);
  const whole = (): R[] => fn(files, task.payload).results;
  const chunks = chunksOf(files);
  const n = Math.max(1, Math.min(workers, chunks.length));
  const dealt: string[][][] = Array.from({ length: n }, (_, t) => chunks.filter((_, j) => j % n === t));
  const offload = options.regexWorker && files.length >= REGEX_WORKER_MIN_FILES ? new CostOffload(regexWorker.script(), regexWorker.patienceMs) : null;
  // Workers start first so their start-up overlaps this thread's own chunks.
  const remote = dealt.slice(1).map((d) => runInWorker<P, R>(task, d));
  // Per local chunk, the patterns it took on trust; a chunk that threw while trusting is redone
  // too (an error that the real answer may not have let happen).
  const trusted: string[][] = [];
  const redo = new Set<number>();
  const localFn: TaskFn<P, R> = !offload
    ? fn
    : (c, p) => {
        const keys: string[] = [];
        trusted.push(keys);
        try {
          return offload.deferring(() => fn(c, p), keys);
        } catch (e) {
          if (!keys.length) throw e;
          redo.add(trusted.length - 1);
          return { results: [], crossFile: false };
        }
      };
  let local: ChunkResults<R>;
  try {
    const run = (): ChunkResults<R> => runChunks(localFn, dealt[0], task.payload);
    // this thread's files in the order its chunks take them
    local = options.parseAhead ? withParseAhead(dealt[0].flat(), run) : run();
    if (offload) {
      await offload.settle();
      for (let i = 0; i < local.chunks.length && !local.crossFile; i++) {
        if (!redo.has(i) && !offload.mustRedo(trusted[i])) continue;
        const again = fn(dealt[0][i], task.payload);
        if (again.crossFile) local = { chunks: [], crossFile: true };
        else local.chunks[i] = again.results;
      }
    }
  } catch (e) {
    offload?.abandon();
    await Promise.allSettled(remote);
    throw e;
  }
  const parts = [local, ...(await Promise.all(remote))];
  if (parts.some((p) => p.crossFile)) return whole();
  const results: R[] = [];
  for (let j = 0; j < chunks.length; j++) for (const r of parts[j % n].chunks[Math.floor(j / n)]) results.push(r);
  return results;
}
