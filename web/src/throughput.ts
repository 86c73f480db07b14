// The overview's throughput over the last minutes: events per second at each poll of the pipeline's
// counters, kept for as long as the page is open (across visits to other pages of the dashboard).
// Pure.
import { eventsPerSecond, RATE_WINDOW_MS, type Sample } from './rate';

/** How far back the chart reaches. */
export const THROUGHPUT_WINDOW_MS = 5 * 60_000;

/** Events per second at `at` (averaged over RATE_WINDOW_MS); null marks a gap in the measurements. */
export interface RatePoint {
  at: number;
  eps: number | null;
}

export class ThroughputHistory {
  private readonly points: RatePoint[] = [];
  /** The samples of the current unbroken run, as far back as the rate window needs. */
  private run: Sample[] = [];

  /** `gapMs`: two samples further apart than this are not one run (a hidden tab, another page). */
  constructor(
    private readonly gapMs: number,
    private readonly windowMs = THROUGHPUT_WINDOW_MS,
  ) {}

  add(s: Sample): void {
    const last = this.run.at(-1);
    // Counters that went back (a pipeline reset) or a long pause start a new run, drawn apart.
    if (last !== undefined && (s.at - last.at > this.gapMs || s.total < last.total || s.at <= last.at)) {
      if (s.at > last.at) this.points.push({ at: last.at + (s.at - last.at) / 2, eps: null });
      this.run = [];
    }
    this.run.push(s);
    while (this.run.length > 2 && s.at - this.run[1].at >= RATE_WINDOW_MS) this.run.shift();
    const eps = eventsPerSecond(this.run);
    if (eps !== null) this.points.push({ at: s.at, eps });
    while (this.points.length > 0 && this.points[0].at < s.at - this.windowMs) this.points.shift();
  }

  /** Events per second now: null until the current run has two samples. */
  current(): number | null {
    return eventsPerSecond(this.run);
  }

  /** The points of the last `windowMs` before the newest sample, oldest first. */
  series(): readonly RatePoint[] {
    return this.points;
  }
}
