// Fault injection for the embedded runtime: a switch around the handlers, never a code path inside
// them. The processor runs exactly as deployed; what changes is what its DynamoDB client and its
// event source mapping do to it.
//
// - DynamoDB (a middleware plugin on every client made by storage/clients.ts, active only inside a
//   processor invocation, so the API, the snapshot job and the tests' own clients are untouched):
//     throttle     per attempt: ProvisionedThroughputExceededException, the request never sent (the SDK retries);
//     error        per attempt: InternalServerError (500), the request never sent (the SDK retries);
//     lost         per attempt: the request is applied, then its reply is lost as a 500 (the SDK retries);
//     unprocessed  per BatchWriteItem / BatchGetItem: about half of it comes back unprocessed (batch-io retries);
//     giveup       per call: fails as the SDK does once its attempts are spent: the handler sees the error
//                  and fails the batch, while its other calls in flight carry on (a function error leaves
//                  the process alive, as Lambda does).
// - The invocation (a wrapper of the processor handler, between the mapping and the handler):
//     crash        per invocation: the process dies after a random number of writes (0..crashMaxWrites):
//                  every later call fails, calls already sent land, the mapping sees a function error;
//     timeout      per invocation: the invocation is killed after a random 0..timeoutMaxMs ms, as Lambda
//                  kills one at its timeout ("Task timed out"), same consequences as a crash;
//     duplicate    per batch: delivered twice in a row (a lost checkpoint);
//     redeliver    per batch: first a redelivery of the records of the batches just before it plus a
//                  prefix of it (a mapping that restarted from an older position), its outcome ignored;
//     poison       a predicate on records: an invocation holding one crashes at its first write, every
//                  time, so the mapping bisects down to it and sends it to the on-failure queue.
// - pause(): holds every processor invocation until released (a paused or backed-up processor).
//
// `npm start -- --faults throttle=0.05,crash=0.1,seed=7` or startLocalRuntime({ faults: {...} }); the
// runtime's `faults` object switches plans at run time and counts what it injected.
import { AsyncLocalStorage } from 'node:async_hooks';
import { InternalServerError, ProvisionedThroughputExceededException } from '@aws-sdk/client-dynamodb';
import type { Context, KinesisStreamEvent, KinesisStreamRecord } from 'aws-lambda';
import { mulberry32 } from '../domain/generator';
import { addDynamoClientPlugin, type DynamoClientPlugin } from '../storage/clients';
import type { KinesisHandler } from './event-source-mapping';

export interface FaultPlan {
  throttle?: number;
  error?: number;
  lost?: number;
  unprocessed?: number;
  giveup?: number;
  crash?: number;
  timeout?: number;
  duplicate?: number;
  redeliver?: number;
  /** A crash happens after 0..crashMaxWrites writes of the invocation (default 12). */
  crashMaxWrites?: number;
  /** A timed-out invocation is killed after 0..timeoutMaxMs ms (default 200). */
  timeoutMaxMs?: number;
  /** Seed of the draws (default 1). Calls interleave, so a seed makes a run likely, not certain, to repeat. */
  seed?: number;
  /** Records an invocation must never get through (tests; not settable from the command line). */
  poison?: (record: KinesisStreamRecord) => boolean;
}

/** The probabilities of a plan, as named on the command line. */
export const FAULT_RATES = [
  'throttle',
  'error',
  'lost',
  'unprocessed',
  'giveup',
  'crash',
  'timeout',
  'duplicate',
  'redeliver',
] as const;
export type FaultRate = (typeof FAULT_RATES)[number];

const FAULT_NUMBERS = ['crashMaxWrites', 'timeoutMaxMs', 'seed'] as const;

export interface FaultStats {
  /** processor invocations made through the switch (duplicates and redeliveries included) */
  invocations: number;
  throttled: number;
  errors: number;
  lostReplies: number;
  unprocessed: number;
  gaveUp: number;
  /** random crashes (not those of invocations holding a poison record) */
  crashes: number;
  timeouts: number;
  duplicates: number;
  redeliveries: number;
  /** invocations that held a poison record */
  poisoned: number;
}

function emptyStats(): FaultStats {
  return {
    invocations: 0,
    throttled: 0,
    errors: 0,
    lostReplies: 0,
    unprocessed: 0,
    gaveUp: 0,
    crashes: 0,
    timeouts: 0,
    duplicates: 0,
    redeliveries: 0,
    poisoned: 0,
  };
}

/**
 * Parses `throttle=0.05,crash=0.1,seed=7` (rates in 0..1; crashMaxWrites, timeoutMaxMs and seed are
 * integers). Throws a RangeError that names the offending part.
 */
export function parseFaultSpec(spec: string): FaultPlan {
  const plan: FaultPlan = {};
  for (const part of spec.split(',')) {
    const item = part.trim();
    if (item === '') continue;
    const eq = item.indexOf('=');
    const key = eq < 0 ? item : item.slice(0, eq).trim();
    const raw = eq < 0 ? '' : item.slice(eq + 1).trim();
    const value = raw === '' ? Number.NaN : Number(raw);
    if ((FAULT_RATES as readonly string[]).includes(key)) {
      if (!(value >= 0 && value <= 1)) throw new RangeError(`fault '${key}' must be a rate from 0 to 1`);
      plan[key as FaultRate] = value;
    } else if ((FAULT_NUMBERS as readonly string[]).includes(key)) {
      if (!Number.isSafeInteger(value) || value < 0)
        throw new RangeError(`fault '${key}' must be a non-negative integer`);
      plan[key as (typeof FAULT_NUMBERS)[number]] = value;
    } else {
      throw new RangeError(
        `unknown fault '${key}' (known: ${[...FAULT_RATES, ...FAULT_NUMBERS].join(', ')})`,
      );
    }
  }
  return plan;
}

/** The spec string of a plan (rates and numbers only), e.g. for a report. */
export function formatFaultPlan(plan: FaultPlan): string {
  const parts: string[] = [];
  for (const k of [...FAULT_RATES, ...FAULT_NUMBERS])
    if (plan[k] !== undefined) parts.push(`${k}=${plan[k]}`);
  if (plan.poison) parts.push('poison=<predicate>');
  return parts.join(',');
}

/** Thrown into a dead invocation: the process is gone (a crash or a timeout). */
export class InjectedCrash extends Error {
  override readonly name = 'InjectedCrash';
}

const WRITES = new Set([
  'PutItemCommand',
  'BatchWriteItemCommand',
  'DeleteItemCommand',
  'UpdateItemCommand',
  'TransactWriteItemsCommand',
]);

/** One processor invocation as the switch sees it. */
class Invocation {
  writes = 0;
  /** why the process is gone, once it is */
  dead: string | null = null;
  private inflight = 0;
  private waiters: (() => void)[] = [];

  constructor(
    readonly crashAfter: number | null,
    /** holds a poison record (its crash is counted as `poisoned`, not as a crash) */
    readonly poisoned = false,
  ) {}

  kill(why: string): void {
    this.dead ??= why;
  }

  begin(): void {
    this.inflight++;
  }

  end(): void {
    this.inflight--;
    if (this.inflight === 0) for (const w of this.waiters.splice(0)) w();
  }

  /** Resolves once no request of this invocation is on the wire. */
  idle(): Promise<void> {
    return this.inflight === 0 ? Promise.resolve() : new Promise((r) => this.waiters.push(r));
  }
}

// Loose shapes of the SDK's middleware (no import of @smithy/types, which is not a direct dependency).
type Args = { input: Record<string, unknown> };
type Out = { output: Record<string, unknown> };
type Next = (args: Args) => Promise<Out>;
type Middleware = (next: Next, context: { commandName?: string }) => (args: Args) => Promise<Out>;
interface LooseStack {
  add(m: Middleware, o: { step: string; name: string; priority?: string; tags?: string[] }): void;
}

/** Records of the last few successful batches kept for redeliveries. */
const REDELIVERY_WINDOW = 200;

export class FaultInjector {
  private current: FaultPlan | null = null;
  private random: () => number = Math.random;
  private counters: FaultStats = emptyStats();
  private readonly scope = new AsyncLocalStorage<Invocation>();
  private recent: KinesisStreamRecord[] = [];
  /** pauses in force (see pause()) */
  private readonly gates = new Set<Promise<void>>();

  /** The DynamoDB middleware: inert outside a processor invocation or without a plan. */
  readonly plugin: DynamoClientPlugin = {
    applyToStack: (stack) => {
      const s = stack as unknown as LooseStack;
      // Outside the SDK's retry loop: what the caller of send() sees.
      s.add(this.callMiddleware, { step: 'initialize', name: 'bacefookFaultsCall', priority: 'high' });
      // Inside it (the retry middleware is finalizeRequest/high): one draw per attempt.
      s.add(this.attemptMiddleware, {
        step: 'finalizeRequest',
        name: 'bacefookFaultsAttempt',
        priority: 'low',
      });
    },
  };

  /** Switches to `plan` (null or an empty plan: no faults) and resets the counters. */
  set(plan: FaultPlan | string | null): void {
    const p = typeof plan === 'string' ? parseFaultSpec(plan) : plan;
    this.current = p && (Object.keys(p).length > 0 || p.poison) ? { ...p } : null;
    this.random = mulberry32(p?.seed ?? 1);
    this.counters = emptyStats();
    this.recent = [];
  }

  get plan(): FaultPlan | null {
    return this.current;
  }

  stats(): FaultStats {
    return { ...this.counters };
  }

  private chance(rate: number | undefined): boolean {
    return rate !== undefined && rate > 0 && this.random() < rate;
  }

  // ---- DynamoDB ----

  private readonly callMiddleware: Middleware = (next, context) => async (args) => {
    const inv = this.scope.getStore();
    const plan = this.current;
    if (!inv || !plan) return next(args);
    if (inv.dead) throw new InjectedCrash(`the processor is gone (${inv.dead})`);
    const command = context.commandName ?? '';
    if (WRITES.has(command)) {
      inv.writes++;
      if (inv.crashAfter !== null && inv.writes > inv.crashAfter) {
        inv.kill(`crashed after ${inv.crashAfter} writes`);
        if (!inv.poisoned) this.counters.crashes++;
        throw new InjectedCrash(`injected crash before write ${inv.writes}`);
      }
    }
    if (this.chance(plan.giveup)) {
      this.counters.gaveUp++;
      throw new ProvisionedThroughputExceededException({
        message: 'injected: throughput exceeded, the SDK gave up after 8 attempts',
        $metadata: { httpStatusCode: 400, attempts: 8 },
      });
    }
    if (command === 'BatchWriteItemCommand' || command === 'BatchGetItemCommand') {
      if (this.chance(plan.unprocessed)) return this.partly(next, args, command === 'BatchWriteItemCommand');
    }
    return next(args);
  };

  private readonly attemptMiddleware: Middleware = (next) => async (args) => {
    const inv = this.scope.getStore();
    const plan = this.current;
    if (!inv || !plan) return next(args);
    if (inv.dead) throw new InjectedCrash(`the processor is gone (${inv.dead})`);
    if (this.chance(plan.throttle)) {
      this.counters.throttled++;
      throw new ProvisionedThroughputExceededException({
        message: 'injected: the level of configured provisioned throughput for the table was exceeded',
        $metadata: { httpStatusCode: 400 },
      });
    }
    if (this.chance(plan.error)) {
      this.counters.errors++;
      throw new InternalServerError({
        message: 'injected: internal server error',
        $metadata: { httpStatusCode: 500 },
      });
    }
    inv.begin();
    let out: Out;
    try {
      out = await next(args);
    } finally {
      inv.end();
    }
    if (this.chance(plan.lost)) {
      this.counters.lostReplies++;
      throw new InternalServerError({
        message: 'injected: the request was applied but its reply was lost',
        $metadata: { httpStatusCode: 500 },
      });
    }
    return out;
  };

  /** Sends part of a batch request and reports the rest as unprocessed, as DynamoDB may. */
  private async partly(next: Next, args: Args, write: boolean): Promise<Out> {
    const requestItems = (args.input.RequestItems ?? {}) as Record<string, unknown>;
    const kept: Record<string, unknown> = {};
    const held: Record<string, unknown> = {};
    let keptAny = false;
    for (const [table, spec] of Object.entries(requestItems)) {
      const all = (write ? spec : (spec as { Keys: unknown[] }).Keys) as unknown[];
      const keep: unknown[] = [];
      const hold: unknown[] = [];
      for (const x of all) (this.random() < 0.5 ? hold : keep).push(x);
      if (!keptAny && keep.length === 0 && hold.length > 0) keep.push(hold.shift());
      if (keep.length > 0) {
        keptAny = true;
        kept[table] = write ? keep : { ...(spec as object), Keys: keep };
      }
      if (hold.length > 0) held[table] = write ? hold : { ...(spec as object), Keys: hold };
    }
    if (Object.keys(held).length === 0) return next(args);
    this.counters.unprocessed++;
    const out = await next({ ...args, input: { ...args.input, RequestItems: kept } });
    const field = write ? 'UnprocessedItems' : 'UnprocessedKeys';
    const already = (out.output[field] ?? {}) as Record<string, unknown>;
    const merged: Record<string, unknown> = { ...already };
    for (const [table, rest] of Object.entries(held)) {
      const prev = already[table];
      if (write) merged[table] = [...((prev as unknown[] | undefined) ?? []), ...(rest as unknown[])];
      else {
        const keys = [
          ...((prev as { Keys?: unknown[] } | undefined)?.Keys ?? []),
          ...(rest as { Keys: unknown[] }).Keys,
        ];
        merged[table] = { ...(rest as object), Keys: keys };
      }
    }
    return { ...out, output: { ...out.output, [field]: merged } };
  }

  // ---- invocations ----

  /**
   * Holds every processor invocation from now on until the returned function is called (an
   * invocation already running finishes): the processor is paused, as a slow or backed-up one would
   * be, and records wait in the stream. Not a fault plan: it works with or without one.
   */
  pause(): () => void {
    let release = () => {};
    const gate = new Promise<void>((r) => {
      release = r;
    });
    this.gates.add(gate);
    return () => {
      this.gates.delete(gate);
      release();
    };
  }

  /** Wraps the processor handler the event source mapping calls. */
  wrapKinesis(handler: KinesisHandler): KinesisHandler {
    return async (event, context) => {
      while (this.gates.size > 0) await Promise.all([...this.gates]);
      const plan = this.current;
      if (!plan) return handler(event, context);
      if (this.recent.length > 0 && this.chance(plan.redeliver)) {
        this.counters.redeliveries++;
        const tail = this.recent.slice(-1 - Math.floor(this.random() * this.recent.length));
        const head = event.Records.slice(0, Math.floor(this.random() * (event.Records.length + 1)));
        // Its outcome does not matter: every record in it is (or was) delivered anyway.
        await this.invokeOnce(handler, { Records: [...tail, ...head] }, context).catch(() => undefined);
      }
      const response = await this.invokeOnce(handler, event, context);
      const failures = (response as { batchItemFailures?: unknown[] } | undefined)?.batchItemFailures;
      if (failures === undefined || failures.length === 0) {
        this.recent = [...this.recent, ...event.Records].slice(-REDELIVERY_WINDOW);
        if (this.chance(plan.duplicate)) {
          this.counters.duplicates++;
          return this.invokeOnce(handler, event, context);
        }
      }
      return response;
    };
  }

  private async invokeOnce(handler: KinesisHandler, event: KinesisStreamEvent, context: Context) {
    const plan = this.current ?? {};
    this.counters.invocations++;
    let crashAfter: number | null = null;
    const poisoned = plan.poison !== undefined && event.Records.some((r) => plan.poison?.(r));
    if (poisoned) {
      this.counters.poisoned++;
      crashAfter = 0;
    } else if (this.chance(plan.crash)) {
      crashAfter = Math.floor(this.random() * ((plan.crashMaxWrites ?? 12) + 1));
    }
    const inv = new Invocation(crashAfter, poisoned);
    const killAfterMs = this.chance(plan.timeout)
      ? Math.floor(this.random() * ((plan.timeoutMaxMs ?? 200) + 1))
      : null;
    const deadline = killAfterMs === null ? null : Date.now() + killAfterMs;
    const ctx: Context =
      deadline === null
        ? context
        : { ...context, getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()) };
    const running = this.scope.run(inv, () => handler(event, ctx));
    let timer: NodeJS.Timeout | undefined;
    const timedOut =
      killAfterMs === null
        ? null
        : new Promise<'timeout'>((resolve) => {
            timer = setTimeout(() => resolve('timeout'), killAfterMs);
          });
    try {
      const first = await (timedOut ? Promise.race([running, timedOut]) : running);
      if (first === 'timeout') {
        running.catch(() => undefined);
        inv.kill('timed out');
        this.counters.timeouts++;
        await inv.idle();
        throw new Error(`Task timed out after ${(killAfterMs ?? 0) / 1000} seconds`);
      }
      return first;
    } catch (err) {
      // A dead process sends nothing more; what it already sent lands before the mapping retries.
      if (inv.dead) await inv.idle();
      throw err;
    } finally {
      clearTimeout(timer);
    }
  }
}

/**
 * The process-wide switch. Handler modules build their clients once per process, so there is one
 * switch per process too; the runtime installs its plugin before it loads the handlers.
 */
export const faults = new FaultInjector();

let installed = false;

/** Adds the switch's middleware to every DynamoDB client made from now on (idempotent). */
export function installFaults(): FaultInjector {
  if (!installed) {
    addDynamoClientPlugin(faults.plugin);
    installed = true;
  }
  return faults;
}
