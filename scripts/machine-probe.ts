/**
 * How fast this machine is at a moment: a fixed loop (a sum over a 1 MB string by charCodeAt,
 * the per-character work our scanners do), timed in nanoseconds a character. The benches run it
 * beside every timed pass, so each figure comes with the speed the machine had when it was taken.
 *
 * Why: on these shared 2-core machines the same pass over the same events has run at 20k and at
 * 45k ev/s minutes apart, with no steal time visible in the guest, and this loop moved with it
 * (2 ns a character in fast phases, 4-5 in slow ones, where a C loop doing the same work runs
 * at 0.4). The aims are absolute rates; the probe tells a slow run of the code from a run in a
 * slow phase of the host. The loop does not depend on the project's code, so its figure compares
 * across commits.
 */

// A flat string: `repeat` builds a rope, and charCodeAt on one takes a slower path.
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
