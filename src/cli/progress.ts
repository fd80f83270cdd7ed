/**
 * Progress for long work: a bar on a terminal, nothing when output is piped or in CI logs
 * (where a redrawn bar is only noise).
 */
import { SingleBar, Presets } from 'cli-progress';

export interface Progress {
  update(done: number, total: number, what?: string): void;
  stop(): void;
}

export function progress(label: string, enabled = process.stderr.isTTY === true && process.env.CI !== 'true'): Progress {
  if (!enabled) return { update: () => {}, stop: () => {} };
  const bar = new SingleBar(
    { format: `${label} [{bar}] {value}/{total} {what}`, stream: process.stderr, hideCursor: true, clearOnComplete: true },
    Presets.shades_classic,
  );
  let started = false;
  return {
    update(done, total, what = '') {
      if (!started) {
        bar.start(total, done, { what });
        started = true;
      } else {
        bar.setTotal(total);
        bar.update(done, { what });
      }
    },
    stop() {
      if (started) bar.stop();
    },
  };
}
