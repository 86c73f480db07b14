// The EventBridge rule that runs the snapshot job, locally: the handler is invoked every `everyMs` with
// a scheduled-event payload. Runs never overlap: a run that takes longer than the period delays the
// next one (which then starts at once) instead of stacking up. A failed run is logged and not retried
// (the stack's rule target has retryAttempts 0 as well): the next tick comes soon anyway.
import { randomUUID } from 'node:crypto';
import type { Context, ScheduledEvent } from 'aws-lambda';
import { PROJECT } from '../lib/definitions';
import { type FunctionIdentity, LOCAL_ACCOUNT_ID, LOCAL_REGION, makeLambdaContext } from './lambda';
import type { RuntimeLogger } from './logs';

export type ScheduledHandler = (event: ScheduledEvent, context: Context) => Promise<unknown>;

export interface SchedulerOptions {
  fn: FunctionIdentity;
  handler: ScheduledHandler;
  everyMs: number;
  /** Rule name in the event's `resources`. Default `<project>-<fn id>Schedule`. */
  ruleName?: string;
  logger?: RuntimeLogger;
}

export interface SchedulerStats {
  runs: number;
  errors: number;
  lastRunAt: string | null;
  lastDurationMs: number | null;
}

/** The payload EventBridge sends for a schedule expression rule. */
export function scheduledEvent(ruleName: string, at = Date.now()): ScheduledEvent {
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': 'Scheduled Event',
    source: 'aws.events',
    account: LOCAL_ACCOUNT_ID,
    // EventBridge gives whole seconds.
    time: new Date(Math.floor(at / 1000) * 1000).toISOString().replace('.000Z', 'Z'),
    region: LOCAL_REGION,
    resources: [`arn:aws:events:${LOCAL_REGION}:${LOCAL_ACCOUNT_ID}:rule/${ruleName}`],
    detail: {},
  };
}

export class Scheduler {
  private readonly opts: SchedulerOptions;
  private readonly ruleName: string;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private stopped = true;
  private readonly counters: SchedulerStats = { runs: 0, errors: 0, lastRunAt: null, lastDurationMs: null };

  constructor(opts: SchedulerOptions) {
    if (!(opts.everyMs > 0)) throw new RangeError('everyMs must be positive');
    this.opts = opts;
    this.ruleName = opts.ruleName ?? `${PROJECT}-${opts.fn.id}Schedule`;
  }

  /** Starts the schedule; the first run comes one period from now, as with a new rate() rule. */
  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.schedule(this.opts.everyMs);
  }

  stats(): SchedulerStats {
    return { ...this.counters };
  }

  /** Runs the job now (waiting for a run in progress first); never two at once. */
  async runNow(): Promise<void> {
    while (this.running) await this.running;
    const started = Date.now();
    this.running = this.invoke(started);
    try {
      await this.running;
    } finally {
      this.running = null;
    }
  }

  /** Stops the schedule and waits for a run in progress. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    while (this.running) await this.running;
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      const started = Date.now();
      void this.runNow().finally(() => {
        // Next run one period after this one started, or at once if this one overran.
        this.schedule(Math.max(0, started + this.opts.everyMs - Date.now()));
      });
    }, delayMs);
  }

  private async invoke(at: number): Promise<void> {
    const t0 = performance.now();
    try {
      await this.opts.handler(scheduledEvent(this.ruleName, at), makeLambdaContext(this.opts.fn));
    } catch (err) {
      this.counters.errors++;
      this.opts.logger?.log('warn', 'scheduler', 'scheduled run failed', {
        function: this.opts.fn.id,
        error: err,
      });
    } finally {
      this.counters.runs++;
      this.counters.lastRunAt = new Date(at).toISOString();
      this.counters.lastDurationMs = Math.round(performance.now() - t0);
    }
  }
}
