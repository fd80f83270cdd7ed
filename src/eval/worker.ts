// Worker-thread side of `match --workers N`: compile the same rules, process batches in order.
import { parentPort, workerData } from 'node:worker_threads';
import { loadRules, processBatch, type MatchSetup, type RawRecord } from './batch';

const setup = workerData as MatchSetup;
const loaded = loadRules(setup);
parentPort?.on('message', (msg: { seq: number; records: RawRecord[] }) => {
  parentPort?.postMessage({ seq: msg.seq, result: processBatch(loaded, setup, msg.records) });
});
parentPort?.postMessage({ ready: true });
