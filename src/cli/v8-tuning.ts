/**
 * V8 settings for the batch commands (`check`, `convert`): they run thousands of rules through
 * a few hundred functions once and exit. With V8's defaults a cold run of SigmaHQ spends more
 * CPU on optimizing compiles in background threads (~1.4 s, four threads) than on the work
 * itself (~1.2 s on the main thread), and on two cores those threads take the main thread's
 * core. Tiering up later (a larger interrupt budget) and inlining less per optimized function
 * cut that background work by about 40% with no change to what the main thread does, which
 * gets it most of the machine. Measured on SigmaHQ `convert` (BENCHMARKS.md, Translation).
 *
 * Long runs (`match` over an event stream) keep the defaults: there the optimizing compiler
 * is paid once and its code runs for millions of events.
 */
import * as v8 from 'node:v8';

export const BATCH_V8_FLAGS = ['--interrupt-budget=300000', '--max-inlined-bytecode-size-cumulative=300'];

let tuned = false;

/** Applies BATCH_V8_FLAGS once; they only steer when and how much V8 optimizes, never what code does. */
export function tuneV8ForBatch(): void {
  if (tuned) return;
  tuned = true;
  v8.setFlagsFromString(BATCH_V8_FLAGS.join(' '));
}
