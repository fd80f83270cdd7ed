// Worker-thread side of RegexCostOracle (cost-oracle.ts): answer each pattern's Lucene
// determinization cost, then bump the shared counter so a main thread blocked in settle() wakes.
import { workerData, type MessagePort } from 'node:worker_threads';
import { luceneDeterminizeEffort } from './lucene-cost';
import { CLAIM_FREE, CLAIM_WORKER, type CostAnswer, type CostRequest } from './cost-oracle';

const { port, signal, claims } = workerData as { port: MessagePort; signal: SharedArrayBuffer; claims: SharedArrayBuffer };
const counter = new Int32Array(signal);
const claimed = new Int32Array(claims);
port.on('message', (req: CostRequest) => {
  // the main thread may have taken it while settling: then it is answered there
  if (req.slot >= 0 && Atomics.compareExchange(claimed, req.slot, CLAIM_FREE, CLAIM_WORKER) !== CLAIM_FREE) return;
  let answer: CostAnswer;
  try {
    answer = { key: req.key, exceeds: luceneDeterminizeEffort(req.pattern, req.caseInsensitive, req.limit).exceeds };
  } catch {
    // the main thread recomputes it and meets the same error where the build expects it
    answer = { key: req.key, exceeds: undefined };
  }
  port.postMessage(answer);
  Atomics.add(counter, 0, 1);
  Atomics.notify(counter, 0);
});
