// Events per second, measured from successive samples of the pipeline's counters. Pure.

/** Events per second is averaged over the samples of this window. */
export const RATE_WINDOW_MS = 10_000;

export interface Sample {
  at: number;
  total: number;
}

/** Events per second between the oldest sample of the window and the newest; null until there are two. */
export function eventsPerSecond(samples: readonly Sample[], windowMs = RATE_WINDOW_MS): number | null {
  if (samples.length < 2) return null;
  const last = samples[samples.length - 1];
  let first = samples[samples.length - 2];
  for (let i = samples.length - 2; i >= 0; i--) {
    if (last.at - samples[i].at > windowMs) break;
    first = samples[i];
  }
  const dt = (last.at - first.at) / 1000;
  if (dt <= 0) return null;
  return Math.max(0, (last.total - first.total) / dt);
}
