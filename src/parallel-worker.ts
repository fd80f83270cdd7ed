// Worker-thread side of runSharded (parallel.ts): run one shard's task, chunk by chunk, and send its result.
import { parentPort, workerData } from 'node:worker_threads';
import { runChunked, type ShardResult } from './parallel';

const job = workerData as { module: string; fn: string; payload: unknown; files: string[] };
// eslint-disable-next-line @typescript-eslint/no-require-imports
const task = (require(job.module) as Record<string, (f: string[], p: unknown) => ShardResult<unknown>>)[job.fn];
parentPort?.postMessage(runChunked(task, job.files, job.payload));
