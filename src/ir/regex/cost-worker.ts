// Worker-thread side of RegexCostOracle (cost-oracle.ts): answer each pattern's Lucene
// determinization cost, then bump the shared counter so a main thread blocked in settle() wakes.
import { workerData, type MessagePort } from 'node:worker_threads';
import { luceneDeterminizeEffort } from './lucene-cost';
import type { CostAnswer, CostRequest } from './cost-oracle';

const { port, signal } = workerData as { port: MessagePort; signal: SharedArrayBuffer };
const counter = new Int32Array(signal);
port.on('message', (req: CostRequest) => {
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
