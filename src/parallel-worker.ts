// Worker-thread side of runSharded (parallel.ts): run the task over this thread's chunks and send the results.
import { parentPort, workerData } from 'node:worker_threads';
import { runChunks, type ShardResult } from './parallel';

const job = workerData as { module: string; fn: string; payload: unknown; chunks: string[][] };
// eslint-disable-next-line @typescript-eslint/no-require-imports
const task = (require(job.module) as Record<string, (f: string[], p: unknown) => ShardResult<unknown>>)[job.fn];
parentPort?.postMessage(runChunks(task, job.chunks, job.payload));
