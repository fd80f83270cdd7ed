// Worker-thread side of `match --workers N`: compile the same rules, process batches in order.
import { parentPort, workerData } from 'node:worker_threads';
import { loadRules, processBatch, rulesInfo, type LoadedRules, type MatchSetup, type RawRecord } from './batch';

const setup = workerData as MatchSetup;
let loaded: LoadedRules | null = null;
try {
  loaded = loadRules(setup);
} catch {
  // the main thread loads the rules itself to throw the error as one thread would
}
if (loaded) {
  const l = loaded;
  parentPort?.on('message', (msg: { seq: number; records: RawRecord[] }) => {
    parentPort?.postMessage({ seq: msg.seq, result: processBatch(l, setup, msg.records) });
  });
}
// the rule errors and counts the main thread reports, so that it need not compile the rules too
parentPort?.postMessage({ ready: true, info: loaded ? rulesInfo(loaded) : null });
