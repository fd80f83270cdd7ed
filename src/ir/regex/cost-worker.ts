// Worker-thread side of cost-offload.ts: Lucene's determinization effort of each pattern sent,
// answered under its cache key; `failed` where the computation throws (the main thread then
// computes it itself, to report the very same error).
import * as fs from 'node:fs';
import * as os from 'node:os';
import { parentPort } from 'node:worker_threads';
import { luceneDeterminizeEffort } from './lucene-cost';

// Lowest priority for this thread only (Linux: setpriority on a thread id is per thread). The
// spare core is wanted first by V8's background compiler and GC for the main thread; taking it
// from them left the main thread longer in slow code and ate the gain (on SigmaHQ convert, median
// main-thread CPU 1.63 s at normal priority, 1.46 s at nice 19, 1.84 s with no worker). The
// main thread waits for the answers at the end, when this thread has a core to itself.
try {
  os.setPriority(Number(fs.readlinkSync('/proc/thread-self').split('/').pop()), 19);
} catch {
  /* not Linux: normal priority */
}

parentPort?.on('message', (m: { key: string; pattern: string; caseInsensitive: boolean; limit: number }) => {
  try {
    const r = luceneDeterminizeEffort(m.pattern, m.caseInsensitive, m.limit);
    parentPort?.postMessage({ key: m.key, effort: r.effort, exceeds: r.exceeds });
  } catch {
    parentPort?.postMessage({ key: m.key, failed: true });
  }
});
