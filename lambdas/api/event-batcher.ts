// POST /events requests that arrive together share their puts: the bodies received while the event
// loop handles one round of requests are sent as one ordered list (each body's events contiguous and
// in their order), so the stream gets one record and one PutRecords call for them instead of one per
// request, as the Kinesis Producer Library aggregates user records. Requests that arrive together
// have no order between them, so one after the other in the list is as good as any. One shared send
// is under way at a time (a group commit): bodies that arrive meanwhile go together in the next one,
// so under load the groups grow with the send's latency instead of the sends multiplying, and an
// idle batcher adds no wait at all.
//
// A request is answered only once its own events are stored. If a shared send stops part way (the
// producer gave up on throttling, or met an error it cannot retry, perhaps because of another
// request's event), the events stored are a prefix of the list: a request whose events are all in it
// has succeeded, and every other one sends the rest of its own events alone, so it ends exactly as if
// it had been sent alone from the start.

/** How far a send got: the events stored, a prefix of the list given. */
export interface Sent {
  events: number;
}

/** A send that stopped part way, with how far it got. */
export interface PartialSendError extends Error {
  sent: Sent;
}

export class BatchedSendError extends Error {
  constructor(
    /** The error the request's own send stopped with. */
    readonly failure: unknown,
    /** How many of this request's events were stored before it stopped. */
    readonly accepted: number,
  ) {
    super(failure instanceof Error ? failure.message : String(failure), { cause: failure });
    this.name = 'BatchedSendError';
  }
}

interface Pending {
  events: unknown[];
  resolve(accepted: number): void;
  reject(err: BatchedSendError): void;
}

export interface EventBatcherOptions {
  /** A body with more events than this is sent on its own (default 1,000). */
  maxSharedEvents?: number;
}

export class EventBatcher {
  private pending: Pending[] = [];
  private scheduled = false;
  /** a shared send is under way */
  private sending = false;
  private readonly maxShared: number;

  constructor(
    /** Sends the events in order; on failure throws an error with `sent` when it knows how far it got. */
    private readonly send: (events: unknown[]) => Promise<Sent>,
    o: EventBatcherOptions = {},
  ) {
    this.maxShared = o.maxSharedEvents ?? 1_000;
  }

  /** Resolves with the number of events stored (all of them), or rejects with a BatchedSendError. */
  submit(events: unknown[]): Promise<number> {
    return new Promise((resolve, reject) => {
      const p: Pending = { events, resolve, reject };
      if (events.length > this.maxShared) {
        void this.sendAlone(p, 0);
        return;
      }
      this.pending.push(p);
      this.schedule();
    });
  }

  /** Flushes after this turn, unless a shared send is under way (its end schedules the next). */
  private schedule(): void {
    if (this.scheduled || this.sending) return;
    this.scheduled = true;
    setImmediate(() => this.flush());
  }

  private flush(): void {
    const group = this.pending;
    this.pending = [];
    this.scheduled = false;
    if (group.length === 0) return;
    this.sending = true;
    void this.sendGroup(group).finally(() => {
      this.sending = false;
      if (this.pending.length > 0) this.schedule();
    });
  }

  private async sendGroup(group: Pending[]): Promise<void> {
    if (group.length === 1) return this.sendAlone(group[0], 0);
    const all: unknown[] = [];
    for (const p of group) for (const e of p.events) all.push(e);
    let stored: number;
    let failed = false;
    try {
      stored = (await this.send(all)).events;
    } catch (err) {
      failed = true;
      stored = sentOf(err);
    }
    let start = 0;
    for (const p of group) {
      const mine = Math.max(0, Math.min(p.events.length, stored - start));
      start += p.events.length;
      if (!failed || mine === p.events.length) p.resolve(mine);
      else void this.sendAlone(p, mine);
    }
  }

  /** Sends the request's events from `from` on by themselves; `from` of them are already stored. */
  private async sendAlone(p: Pending, from: number): Promise<void> {
    try {
      const sent = await this.send(from === 0 ? p.events : p.events.slice(from));
      p.resolve(from + sent.events);
    } catch (err) {
      p.reject(new BatchedSendError(err, from + sentOf(err)));
    }
  }
}

/** How many events a failed send stored: its `sent.events` when it says, else none. */
function sentOf(err: unknown): number {
  if (typeof err !== 'object' || err === null || !('sent' in err)) return 0;
  const sent = (err as PartialSendError).sent;
  return typeof sent?.events === 'number' ? sent.events : 0;
}
