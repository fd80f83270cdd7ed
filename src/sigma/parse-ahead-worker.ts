// Worker-thread side of parse-ahead.ts: parse the files in order, in small batches, skipping
// those the compiling thread has already reached.
import { workerData, type MessagePort } from 'node:worker_threads';
import { toWire, type WireBatch } from './parse-ahead';
import { parseFile } from './parse-file';

const job = workerData as { files: string[]; next: SharedArrayBuffer; port: MessagePort; lead: number };
const next = new Int32Array(job.next);
// Small: the compiling thread can take a file only once its batch is posted, and parses it
// itself if it gets there first.
const BATCH = 4;
let out: WireBatch | null = null;
const flush = (): void => {
  if (out) job.port.postMessage(out);
  out = null;
};
let i = 0;
while (i < job.files.length) {
  const reached = Atomics.load(next, 0);
  if (i < reached) {
    flush();
    i = reached;
    continue;
  }
  if (i - reached >= job.lead) {
    // far enough ahead: post what is done and look again shortly
    flush();
    Atomics.wait(next, 0, reached, 2);
    continue;
  }
  out ??= { from: i, files: [] };
  out.files.push(toWire(parseFile(job.files[i++])));
  if (out.files.length === BATCH) flush();
}
flush();
job.port.close();
