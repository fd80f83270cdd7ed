/**
 * Spreading per-file work over worker threads. Loading thousands of rule files is CPU-bound
 * (YAML, validation, IR, Lucene's regex cost check) and files are independent except for
 * filters and correlations, which refer across files: a task sees every file of its shard
 * and says whether it met such a document, and the caller then runs the whole set on one
 * thread instead. Each thread works through its files in chunks (see CHUNK). Results come
 * back in file order, identical to compiling the whole set at once.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';

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

/** Below this many files a worker's start (~50–80 ms to load the compile stack) costs more than it saves. */
const MIN_FILES_PER_WORKER = 300;

/** Threads to use for `files` files when the user did not say: one per core, at most 4. */
export function defaultWorkers(files: number): number {
  const cores = typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
  return Math.max(1, Math.min(cores, 4, Math.floor(files / MIN_FILES_PER_WORKER)));
}

/** The worker entry for `name` (a module beside this one): compiled JS, or TypeScript through tsx in development. */
export function workerScript(name: string): { file: string; execArgv: string[] } {
  const js = path.join(__dirname, `${name}.js`);
  if (__filename.endsWith('.js') && fs.existsSync(js)) return { file: js, execArgv: [] };
  return { file: path.join(__dirname, `${name}.ts`), execArgv: ['--require', 'tsx/cjs'] };
}

/**
 * Files per call of the task. Small enough that one chunk's YAML, model and IR die young
 * (they never reach V8's old generation, so collecting them is cheap and memory stays low),
 * large enough that the per-call work (pipelines, resolvers) is amortised.
 */
const CHUNK = 150;

type TaskFn<P, R> = (files: string[], payload: P) => ShardResult<R>;

function taskFn<P, R>(task: { module: string; fn: string }): TaskFn<P, R> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require(task.module) as Record<string, TaskFn<P, R>>)[task.fn];
}

/** Run `fn` over `files` chunk by chunk; stops at the first chunk with a cross-file document. */
export function runChunked<P, R>(fn: TaskFn<P, R>, files: string[], payload: P): ShardResult<R> {
  const results: R[] = [];
  for (let i = 0; i < files.length; i += CHUNK) {
    const part = fn(files.slice(i, i + CHUNK), payload);
    if (part.crossFile) return { results: [], crossFile: true };
    for (const r of part.results) results.push(r);
  }
  return { results, crossFile: false };
}

function runLocal<P, R>(task: ShardTask<P>, files: string[]): ShardResult<R> {
  return runChunked(taskFn<P, R>(task), files, task.payload);
}

function runInWorker<P, R>(task: ShardTask<P>, files: string[]): Promise<ShardResult<R>> {
  const { file, execArgv } = workerScript('parallel-worker');
  return new Promise((resolve, reject) => {
    const w = new Worker(file, { workerData: { ...task, files }, execArgv });
    w.once('message', (m: ShardResult<R>) => {
      resolve(m);
      void w.terminate();
    });
    w.once('error', reject);
    w.once('exit', (code) => {
      if (code !== 0) reject(new Error(`worker exited with code ${code}`));
    });
  });
}

/**
 * Run `task` over `files` on `workers` threads (this one included) and return the results
 * in file order. Falls back to the whole set at once, on this thread, when a chunk met a
 * cross-file document.
 */
export async function runSharded<P, R>(files: string[], task: ShardTask<P>, workers: number): Promise<R[]> {
  const whole = (): R[] => taskFn<P, R>(task)(files, task.payload).results;
  if (workers <= 1 || files.length < 2) {
    const local = runLocal<P, R>(task, files);
    return local.crossFile ? whole() : local.results;
  }
  const n = Math.min(workers, files.length);
  const shards: string[][] = [];
  for (let i = 0; i < n; i++) shards.push(files.slice(Math.floor((i * files.length) / n), Math.floor(((i + 1) * files.length) / n)));
  // Workers start first so their start-up overlaps this thread's own shard.
  const remote = shards.slice(1).map((s) => runInWorker<P, R>(task, s));
  let local: ShardResult<R>;
  try {
    local = runLocal<P, R>(task, shards[0]);
  } catch (e) {
    await Promise.allSettled(remote);
    throw e;
  }
  const parts = [local, ...(await Promise.all(remote))];
  if (parts.some((p) => p.crossFile)) return whole();
  return parts.flatMap((p) => p.results);
}
