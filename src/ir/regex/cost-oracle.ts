/**
 * Lucene's regex determinization cost, worked out on a second thread while the rules are built.
 *
 * Loading SigmaHQ spends about a sixth of its CPU deciding whether Elasticsearch would refuse a
 * regexp (lucene-cost.ts: a handful of patterns reach the 100,000-effort cut-off). The answer
 * is a pure function of the pattern, so the build asks this oracle and goes on; a rule whose
 * answer was not in yet is built again, on this thread, once the answers are (`settle`), and
 * only when the answer could change it. While settling, this thread does not sit idle: it takes
 * the newest unanswered questions itself while the worker works from the oldest (each question
 * is claimed once, through a shared array), so waiting never costs more than computing. The rebuilt rule is exactly what a build that waited
 * would have given: same rejections, same first error. Without a second thread (or in a
 * worker already) callers simply compute inline.
 */
import * as os from 'node:os';
import { MessageChannel, Worker, isMainThread, receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import { workerScript } from '../../parallel';
import { luceneDeterminizeEffort } from './lucene-cost';

export interface CostRequest {
  key: string;
  /** Slot in the shared claims array (or -1 past its end: the worker always answers). */
  slot: number;
  pattern: string;
  caseInsensitive: boolean;
  limit: number;
}

/** `exceeds` undefined: the worker could not decide (an error); this thread recomputes it. */
export interface CostAnswer {
  key: string;
  exceeds: boolean | undefined;
}

/** How long settle() waits for the worker before deciding the rest on this thread. */
const SETTLE_TIMEOUT_MS = 10_000;
/** Questions with a claim slot; later ones (a rule set with more distinct regexes) are the worker's alone. */
const CLAIM_SLOTS = 1 << 14;
/** Claim values: free, taken by the worker, taken by this thread. */
export const CLAIM_FREE = 0;
export const CLAIM_WORKER = 1;
const CLAIM_MAIN = 2;

export class RegexCostOracle {
  private readonly answers = new Map<string, boolean | undefined>();
  private readonly asked = new Set<string>();
  /** Every key for which exceeds() said "not known yet", in order: callers slice it per rule. */
  readonly unsure: string[] = [];
  /** Questions posted to the worker and not answered yet. */
  private outstanding = 0;
  private worker: Worker | undefined;
  private port: MessagePort | undefined;
  private counter: Int32Array | undefined;
  private claims: Int32Array | undefined;
  /** Questions posted, in order, for settle() to take from the newest. */
  private readonly posted: CostRequest[] = [];
  private failed = false;

  /** An oracle when a second thread is worth it (main thread, two or more CPUs), else undefined. */
  static create(): RegexCostOracle | undefined {
    const cpus = typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
    return isMainThread && cpus > 1 ? new RegexCostOracle() : undefined;
  }

  /** Whether Elasticsearch refuses the regexp: true/false when known, undefined when asked of the worker and not in yet. */
  exceeds(pattern: string, caseInsensitive: boolean, limit: number): boolean | undefined {
    const key = `${caseInsensitive ? 'i' : 'c'}${limit}\u0000${pattern}`;
    this.drain();
    if (this.answers.has(key)) {
      const a = this.answers.get(key);
      if (a !== undefined) return a;
    } else if (!this.asked.has(key) && this.start()) {
      this.asked.add(key);
      this.outstanding++;
      const req: CostRequest = { key, slot: this.posted.length < CLAIM_SLOTS ? this.posted.length : -1, pattern, caseInsensitive, limit };
      this.posted.push(req);
      this.port!.postMessage(req);
      this.unsure.push(key);
      return undefined;
    } else if (this.asked.has(key) && !this.failed) {
      this.unsure.push(key);
      return undefined;
    }
    // the worker could not answer (or never started): decide here, exactly as a plain build does
    const exceeds = luceneDeterminizeEffort(pattern, caseInsensitive, limit).exceeds;
    this.answers.set(key, exceeds);
    return exceeds;
  }

  /**
   * Whether a build that met these "not known yet" keys could have gone otherwise: some key
   * exceeds, or was not decided by the worker. Call after settle().
   */
  couldRefuse(keys: string[]): boolean {
    return keys.some((k) => this.answers.get(k) !== false);
  }

  /**
   * Until every question asked so far has its answer: the newest unclaimed ones are computed
   * here, the rest awaited from the worker (or, if it fails or hangs, computed here too).
   */
  settle(): void {
    const deadline = Date.now() + SETTLE_TIMEOUT_MS;
    let newest = this.posted.length - 1;
    for (;;) {
      this.drain();
      if (this.failed || this.outstanding === 0) return;
      const seen = Atomics.load(this.counter!, 0);
      this.drain();
      if (this.outstanding === 0) return;
      while (newest >= 0 && (this.answers.has(this.posted[newest].key) || this.posted[newest].slot < 0 || Atomics.compareExchange(this.claims!, this.posted[newest].slot, CLAIM_FREE, CLAIM_MAIN) !== CLAIM_FREE)) newest--;
      if (newest >= 0) {
        const q = this.posted[newest--];
        let exceeds: boolean | undefined;
        try {
          exceeds = luceneDeterminizeEffort(q.pattern, q.caseInsensitive, q.limit).exceeds;
        } catch {
          exceeds = undefined; // the rebuild meets the error where a plain build does
        }
        this.answers.set(q.key, exceeds);
        this.outstanding--;
        continue;
      }
      const left = deadline - Date.now();
      if (left <= 0 || Atomics.wait(this.counter!, 0, seen, left) === 'timed-out') {
        this.giveUp();
        return;
      }
    }
  }

  close(): void {
    if (this.worker) void this.worker.terminate();
    this.port?.close();
    this.worker = undefined;
  }

  /** Starts the worker (if not yet): at the start of a load, so its own start-up overlaps the first files. */
  start(): boolean {
    if (this.failed) return false;
    if (this.worker) return true;
    try {
      const { port1, port2 } = new MessageChannel();
      const signal = new SharedArrayBuffer(4);
      const claims = new SharedArrayBuffer(4 * CLAIM_SLOTS);
      const { file, execArgv } = workerScript('ir/regex/cost-worker');
      this.worker = new Worker(file, { workerData: { port: port2, signal, claims }, transferList: [port2], execArgv });
      this.worker.unref();
      this.worker.on('error', () => this.giveUp());
      port1.unref();
      this.port = port1;
      this.counter = new Int32Array(signal);
      this.claims = new Int32Array(claims);
      return true;
    } catch {
      this.giveUp();
      return false;
    }
  }

  private drain(): void {
    if (!this.port) return;
    for (let m = receiveMessageOnPort(this.port); m; m = receiveMessageOnPort(this.port)) {
      const a = m.message as CostAnswer;
      this.answers.set(a.key, a.exceeds);
      this.outstanding--;
    }
  }

  /** Unanswered questions are then decided on this thread, by exceeds(). */
  private giveUp(): void {
    this.failed = true;
    this.close();
  }
}

let shared: RegexCostOracle | undefined;

/**
 * One oracle for a whole synchronous load, however many compilePaths calls it makes (convert
 * compiles chunk by chunk): its worker is let go once this thread next reaches its event loop,
 * that is when the load is over (a `match` then holds no idle thread while it reads events).
 * Undefined where no second thread is worth it.
 */
export function sharedRegexCostOracle(): RegexCostOracle | undefined {
  if (shared) return shared;
  const oracle = RegexCostOracle.create();
  if (!oracle) return undefined;
  shared = oracle;
  oracle.start();
  setImmediate(() => {
    if (shared === oracle) shared = undefined;
    oracle.close();
  }).unref();
  return oracle;
}
