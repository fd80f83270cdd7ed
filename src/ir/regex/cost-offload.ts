/**
 * Lucene's regex cost check (lucene-cost.ts) on a second thread. Run cold, before V8 has
 * optimized it, the check of SigmaHQ's regexes took 200–280 ms of the 1 s `convert`, most of it
 * in a handful of patterns, while the machine's other core was partly idle. With an offload in
 * place, a pattern not yet in the cost cache is sent to a worker and taken as "does not exceed"
 * for now; each chunk of files notes the patterns it took on trust. Once the chunks are done,
 * the worker's answers fill the cache and a chunk that used a pattern that exceeds (or whose
 * check throws) is compiled again, now with the real answer: the results are those of the
 * check done in place. The IR build (build.ts) stays the one place that decides.
 *
 * If the worker cannot start, dies or does not answer a pattern, the main thread computes that
 * pattern itself: slower, never a wrong answer.
 */
import { Worker } from 'node:worker_threads';
import { deferLuceneCost, luceneDeterminizeEffort, primeLuceneCost } from './lucene-cost';

interface Ask {
  pattern: string;
  caseInsensitive: boolean;
  limit: number;
}

type Answer = { key: string; effort: number; exceeds: boolean } | { key: string; failed: true };

export class CostOffload {
  private readonly asked = new Map<string, Ask>();
  private readonly answered = new Set<string>();
  private worker: Worker | null = null;
  private dead = false;
  private wake: (() => void) | null = null;

  /**
   * Start the worker (`script` as from worker-script.ts). `patienceMs`: how long settle()
   * waits for answers before computing the rest here (a stuck worker must not hang convert).
   */
  constructor(script: { file: string; execArgv: string[] }, private readonly patienceMs = 10_000) {
    try {
      const w = new Worker(script.file, { execArgv: script.execArgv });
      // Not what keeps the process alive while this thread compiles (an early exit must not
      // wait for it); settle() holds it while waiting for the answers.
      w.unref();
      w.on('message', (a: Answer) => {
        this.answered.add(a.key);
        if (!('failed' in a)) primeLuceneCost(a.key, a);
        this.poke();
      });
      w.on('error', () => this.stop());
      w.on('exit', () => this.stop());
      this.worker = w;
    } catch {
      this.dead = true;
    }
  }

  private stop(): void {
    this.dead = true;
    this.poke();
  }

  private poke(): void {
    if (this.wake && (this.dead || this.answered.size >= this.asked.size)) {
      this.wake();
      this.wake = null;
    }
  }

  /** Run `fn` with uncached patterns sent to the worker, adding to `keys` those it took on trust. */
  deferring<T>(fn: () => T, keys: string[]): T {
    // The 'error'/'exit' events only arrive between chunks' work, but a worker known dead is no
    // longer asked: its patterns are computed here as they come.
    if (this.dead || !this.worker) return fn();
    const w = this.worker;
    const prev = deferLuceneCost((key, pattern, caseInsensitive, limit) => {
      keys.push(key);
      if (this.asked.has(key)) return;
      this.asked.set(key, { pattern, caseInsensitive, limit });
      w.postMessage({ key, pattern, caseInsensitive, limit });
    });
    try {
      return fn();
    } finally {
      deferLuceneCost(prev);
    }
  }

  /** Wait for the worker's answers to every pattern asked (or for its end), then stop it. */
  async settle(): Promise<void> {
    if (!this.dead && this.answered.size < this.asked.size) {
      this.worker?.ref();
      let timer: NodeJS.Timeout | undefined;
      await new Promise<void>((resolve) => {
        this.wake = resolve;
        timer = setTimeout(() => this.stop(), this.patienceMs);
      });
      clearTimeout(timer);
    }
    this.dead = true;
    if (this.worker) void this.worker.terminate();
  }

  /** Stop the worker without waiting for its answers (the compile failed: they are not needed). */
  abandon(): void {
    this.dead = true;
    if (this.worker) void this.worker.terminate();
  }

  /**
   * After settle(): whether a chunk that took `keys` on trust must be compiled again, because
   * one of them exceeds or its check throws. A pattern the worker did not answer is computed
   * here (a cache hit for those it did).
   */
  mustRedo(keys: string[]): boolean {
    for (const k of keys) {
      const a = this.asked.get(k)!;
      try {
        if (luceneDeterminizeEffort(a.pattern, a.caseInsensitive, a.limit).exceeds) return true;
      } catch {
        return true;
      }
    }
    return false;
  }
}
