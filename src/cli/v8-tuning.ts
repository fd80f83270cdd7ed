/**
 * V8 settings for the command line. Every command runs a few thousand rules, each compiled
 * to closures over shared helpers, through a few hundred functions. With V8's defaults a cold
 * run of SigmaHQ spends more CPU on optimizing compiles in background threads (~1.4 s, four
 * threads) than on its own work (~1.2 s on the main thread), and on two cores those threads take
 * the main thread's core. Tiering up later (a larger interrupt budget) and inlining less per
 * optimized function cut that background work by about 40% (`check`, `convert`: total CPU
 * 2.65 → 1.54 s) with no change to what the code does; on `match` it shortens the rule set's
 * compilation (~0.9 → ~0.4 s) and takes 6% fewer instructions over 10,000 events, the matching
 * rate itself within the noise of the shared machine.
 * Measured: BENCHMARKS.md (Translation, Parse and IR, Evaluator) and the commits that set them.
 *
 * Library users who embed the loader or evaluator can call tuneV8() themselves, first thing.
 */
import * as v8 from 'node:v8';

export const V8_FLAGS = ['--interrupt-budget=300000', '--max-inlined-bytecode-size-cumulative=300'];

/**
 * The V8 line the flags were measured on (Node 20's). V8 prints "unrecognized flag" on stderr
 * for a flag it does not know, so on another line they are left out rather than risk a warning
 * on every command.
 */
const MEASURED_V8 = /^11\./;

let tuned = false;

/** Applies V8_FLAGS once; they only steer when and how much V8 optimizes, never what code does. */
export function tuneV8(): void {
  if (tuned) return;
  tuned = true;
  if (MEASURED_V8.test(process.versions.v8)) v8.setFlagsFromString(V8_FLAGS.join(' '));
}
