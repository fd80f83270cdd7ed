/**
 * How fast this machine is at a moment: a fixed loop (a sum over a 1 MB string by charCodeAt,
 * the per-character work our scanners do), timed in nanoseconds a character. The benches run it
 * around every timed pass, so each figure comes with the speed the machine had about then.
 *
 * Why: on these shared 2-core machines the same pass over the same events has run at 20k and at
 * 45k ev/s minutes apart, with no steal time visible in the guest, and this loop's own time
 * moves as much (2 ns a character at some moments, up to 6 at others, where a C loop doing the
 * same work runs at 0.4). A reading before and after a pass of a few seconds samples the host's
 * speed, it does not measure it through the pass: it is context for a figure, not a correction.
 * The loop does not depend on the project's code, so its readings compare across commits.
 */

// flat, as JSON.parse gives an event's values, whatever `repeat` builds
const TEXT: string = JSON.parse(JSON.stringify('abcdefghijklmnopqrstuvwxyz0123456789'.repeat(30_000)));

function sum(t: string): number {
  let a = 0;
  for (let i = 0; i < t.length; i++) a = (a + t.charCodeAt(i) * 31) | 0;
  return a;
}

let warm = false;
// the loop's result is kept, so no compiler may drop the loop
let sink = 0;

/** Nanoseconds a character of the loop, over `reps` passes of 1 MB (~20-50 ms at 10). */
export function probeNsPerChar(reps = 10): number {
  if (!warm) {
    for (let w = 0; w < 5; w++) sink ^= sum(TEXT);
    warm = true;
  }
  const t = process.hrtime.bigint();
  for (let k = 0; k < reps; k++) sink ^= sum(TEXT);
  return Number(process.hrtime.bigint() - t) / (reps * TEXT.length);
}

/** `xs` as "a-b" (min-max) with two decimals, or one figure when they round alike. */
export function probeRange(xs: number[]): string {
  if (!xs.length) return '—';
  const lo = Math.min(...xs).toFixed(2);
  const hi = Math.max(...xs).toFixed(2);
  return lo === hi ? lo : `${lo}-${hi}`;
}
