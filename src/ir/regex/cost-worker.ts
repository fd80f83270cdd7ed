// Worker-thread side of cost-offload.ts: Lucene's determinization effort of each pattern sent,
// answered under its cache key; `failed` where the computation throws (the main thread then
// computes it itself, to report the very same error).
import { parentPort } from 'node:worker_threads';
import { luceneDeterminizeEffort } from './lucene-cost';

parentPort?.on('message', (m: { key: string; pattern: string; caseInsensitive: boolean; limit: number }) => {
  try {
    const r = luceneDeterminizeEffort(m.pattern, m.caseInsensitive, m.limit);
    parentPort?.postMessage({ key: m.key, effort: r.effort, exceeds: r.exceeds });
  } catch {
    parentPort?.postMessage({ key: m.key, failed: true });
  }
});
