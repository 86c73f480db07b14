// The long run: the embedded default as `npm start` runs it (the processor on its own thread, the
// snapshot job every second, the generator at its default rate), left running while a light reader
// asks a few routes, and sampled every 10 s: the process's RSS, the data directory's size (with a data
// directory) and the p95 of each route over the last 10 s. The slopes (MB/min, least squares) after
// the first minutes and after the generator reached its user cap say whether memory and disk level
// off. Used by `npm run soak -- --long` and by the bench's `longrun` section.
import { type Dirent, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Collector, type HeapAfterCollection } from '../local/collect';
import {
  DEFAULT_GENERATOR_EVERY_MS,
  DEFAULT_GENERATOR_USERS,
  defaultGeneratorMaxUsers,
  type LocalRuntime,
  type LocalRuntimeOptions,
  startLocalRuntime,
} from '../local/runtime';

export interface LongRunOptions {
  /** How long to run, in seconds. */
  seconds: number;
  /** Samples are this far apart (default 10 s). */
  sampleSeconds?: number;
  /** The "after the first minutes" slopes start here (default 120 s). */
  warmupSeconds?: number;
  /** Persist the stores here (default: in memory). */
  dataDir?: string;
  /** Generator settings (default: npm start's). */
  users?: number;
  maxUsers?: number;
  everyMs?: number;
  seed?: number;
  /** More runtime options (the bench's fixed emulator ports). */
  runtime?: Partial<LocalRuntimeOptions>;
  /**
   * Collect every thread's heap right before each sample (local/collect.ts; needs node --expose-gc):
   * the samples are then what the process keeps, without the collectors' saw.
   */
  collect?: boolean;
  /** One line per sample (and a few more), for a terminal. */
  log?: (line: string) => void;
}

export interface LongRunSample {
  /** seconds since the runtime was up */
  t: number;
  rssMb: number;
  /** the data directory's size (null in memory) */
  dataDirMb: number | null;
  /** with collections: every thread's heap as they left it, summed (MB) */
  heapsMb?: { used: number; committed: number; malloced: number };
  /** with collections: what each thread's heap kept (MB), by thread ('main', or a worker's entry) */
  keptByThreadMb?: Record<string, number>;
  /** with collections: what each thread's heap holds from the system (MB), by thread */
  committedByThreadMb?: Record<string, number>;
  /** users the generator has registered */
  users: number;
  /** events the pipeline has decided (applied + noop + rejected) */
  events: number;
  /** p95 (ms) of each route over the requests since the last sample */
  p95Ms: Record<string, number>;
}

export interface Slopes {
  /** MB/min over the samples from `from` on (null: fewer than 3 samples there) */
  afterWarmup: number | null;
  /** MB/min over the samples from the one where the generator reached its user cap (null: never) */
  afterCap: number | null;
  /** MB/min over the second half of the run: whether it has levelled off, past the climb to its level */
  secondHalf: number | null;
}

export interface LongRunReport {
  seconds: number;
  sampleSeconds: number;
  inMemory: boolean;
  /** worker threads whose heaps were collected before each sample, besides the main thread's (null: no collections) */
  collectedThreads: number | null;
  generator: { users: number; maxUsers: number; everyMs: number };
  warmupSeconds: number;
  /** seconds from the start when the generator reached its user cap (null: not within the run) */
  capReachedAtS: number | null;
  events: number;
  rss: {
    startMb: number;
    endMb: number;
    maxMb: number;
    slopeMbPerMin: Slopes;
    /** the same of the RSS's floor (floorPoints): the memory that stays, without the collector's saw */
    floorSlopeMbPerMin: Slopes;
  };
  /** with collections: slopes of every heap's kept and committed bytes, summed */
  heaps: {
    usedSlopeMbPerMin: Slopes;
    committedSlopeMbPerMin: Slopes;
    /** the kept bytes' slopes thread by thread: which one grows */
    keptByThread: Record<string, Slopes>;
  } | null;
  dataDir: { startMb: number; endMb: number; maxMb: number; slopeMbPerMin: Slopes } | null;
  /** p95 of each route over every request after the warm-up */
  p95Ms: Record<string, number>;
  requests: number;
  errors: number;
  samples: LongRunSample[];
}

/** The routes the reader asks, in turn; `{name}` is a registered user. */
export const LONG_RUN_ROUTES = [
  '/users/{name}',
  '/users/{name}/friends',
  '/users/{name}/top-friends',
  '/users/{name}/friends-count',
  '/leaderboards/network-strength',
  '/meta/pipeline',
] as const;

const MB = 1024 * 1024;

/** Bytes of every file under `dir` (0 when it does not exist). */
export function dirBytes(dir: string): number {
  let total = 0;
  let entries: Dirent[];
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return 0;
  }
  for (const e of entries) {
    const full = join(dir, e.name);
    try {
      total += e.isDirectory() ? dirBytes(full) : statSync(full).size;
    } catch {
      // removed meanwhile (a LevelDB compaction)
    }
  }
  return total;
}

/** Least-squares slope of y (MB) against t (s), in MB per minute; null with fewer than 3 points. */
export function slopePerMinute(points: { t: number; y: number }[]): number | null {
  if (points.length < 3) return null;
  const n = points.length;
  const mt = points.reduce((s, p) => s + p.t, 0) / n;
  const my = points.reduce((s, p) => s + p.y, 0) / n;
  let num = 0;
  let den = 0;
  for (const p of points) {
    num += (p.t - mt) * (p.y - my);
    den += (p.t - mt) ** 2;
  }
  return den === 0 ? null : (num / den) * 60;
}

/**
 * The RSS's floor: the lowest sample of each `windowSeconds` stretch, placed at the stretch's middle.
 * Between two collections a thread's heap grows and then drops back, a saw of tens of MB that hides a
 * slope of 1 MB/min over minutes; the lowest point of each stretch is what stays after the collections.
 */
export function floorPoints(
  points: { t: number; y: number }[],
  windowSeconds: number,
): { t: number; y: number }[] {
  const windows = new Map<number, number>();
  for (const p of points) {
    const w = Math.floor(p.t / windowSeconds);
    const low = windows.get(w);
    if (low === undefined || p.y < low) windows.set(w, p.y);
  }
  return [...windows].map(([w, y]) => ({ t: (w + 0.5) * windowSeconds, y }));
}

/** The floor's stretch: a minute, or six samples when they are further apart than 10 s. */
export function floorWindowSeconds(sampleSeconds: number): number {
  return Math.max(60, 6 * sampleSeconds);
}

/** Slopes of `points` from the warm-up on, from the user cap on and over the second half of the run. */
export function slopesOf(
  points: { t: number; y: number }[],
  marks: { warmupSeconds: number; capReachedAtS: number | null },
): Slopes {
  const from = (t0s: number | null) =>
    t0s === null ? null : round2(slopePerMinute(points.filter((p) => p.t >= t0s)));
  const end = points.length === 0 ? null : points[points.length - 1].t;
  return {
    afterWarmup: from(marks.warmupSeconds),
    afterCap: from(marks.capReachedAtS),
    secondHalf: end === null ? null : from(end / 2),
  };
}

export function p95(values: number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * 0.95) - 1)];
}

/**
 * After the collections, the wait before the RSS is read. V8 hands the pages a collection freed back to
 * the system from a background thread, a moment later: read at once, the RSS held some of them or not,
 * and moved by 2.1 MB on average from one sample to the next (8 at most); a second later, by 1.05 (3.1
 * at most), in two 6-minute runs of the same code.
 */
const COLLECT_SETTLE_MS = 1_000;

const round1 = (x: number) => Math.round(x * 10) / 10;
const round2 = (x: number | null) => (x === null ? null : Math.round(x * 100) / 100);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function runLongRun(o: LongRunOptions): Promise<LongRunReport> {
  const sampleMs = (o.sampleSeconds ?? 10) * 1000;
  const warmupSeconds = o.warmupSeconds ?? 120;
  const log = o.log ?? (() => {});
  // Made before the runtime's threads start, so it hears each of them say hello.
  const collector = o.collect ? new Collector() : null;
  const rt: LocalRuntime = await startLocalRuntime({
    port: 0,
    kinesisPort: 0,
    dynamoPort: 0,
    quiet: true,
    processorThread: 'worker',
    dataDir: o.dataDir,
    generatorUsers: o.users,
    generatorMaxUsers: o.maxUsers,
    generatorEveryMs: o.everyMs,
    generatorSeed: o.seed,
    ...o.runtime,
  });
  const t0 = Date.now();
  const users = o.users ?? DEFAULT_GENERATOR_USERS;
  const generator = {
    users,
    maxUsers: o.maxUsers ?? defaultGeneratorMaxUsers(users),
    everyMs: o.everyMs ?? DEFAULT_GENERATOR_EVERY_MS,
  };

  // ---- the reader: one request at a time, a few a second, round the routes ----
  let stopping = false;
  let window = new Map<string, number[]>();
  const afterWarmup = new Map<string, number[]>();
  let requests = 0;
  let errors = 0;
  const reader = (async () => {
    let k = 0;
    while (!stopping) {
      const route = LONG_RUN_ROUTES[k++ % LONG_RUN_ROUTES.length];
      const registered = rt.stats().generator?.users ?? 0;
      if (registered === 0) {
        await sleep(200);
        continue;
      }
      const name = `user${String(1 + Math.floor(Math.random() * registered)).padStart(5, '0')}`;
      const started = performance.now();
      try {
        const res = await fetch(`${rt.apiUrl}${route.replace('{name}', name)}`);
        await res.arrayBuffer();
        if (res.status >= 500) errors++;
      } catch {
        errors++;
      }
      const ms = performance.now() - started;
      requests++;
      const w = window.get(route) ?? [];
      w.push(ms);
      window.set(route, w);
      if (Date.now() - t0 >= warmupSeconds * 1000) {
        const a = afterWarmup.get(route) ?? [];
        a.push(ms);
        afterWarmup.set(route, a);
      }
      await sleep(150);
    }
  })();

  // ---- the samples ----
  const samples: LongRunSample[] = [];
  let capReachedAtS: number | null = null;
  try {
    for (let next = t0; ; ) {
      const heaps = await collector?.collect();
      if (heaps !== undefined) await sleep(COLLECT_SETTLE_MS);
      const s = rt.stats();
      const p = await rt.pipeline();
      const t = Math.round((Date.now() - t0) / 100) / 10;
      const sample: LongRunSample = {
        t,
        rssMb: round1(process.memoryUsage.rss() / MB),
        dataDirMb: rt.dataDir ? round1(dirBytes(rt.dataDir) / MB) : null,
        ...(heaps === undefined
          ? {}
          : {
              heapsMb: {
                used: round1(heaps.reduce((n, h) => n + h.used, 0) / MB),
                committed: round1(heaps.reduce((n, h) => n + h.committed, 0) / MB),
                malloced: round1(heaps.reduce((n, h) => n + h.malloced, 0) / MB),
              },
              keptByThreadMb: byThread(heaps, (h) => h.used),
              committedByThreadMb: byThread(heaps, (h) => h.committed),
            }),
        users: s.generator?.users ?? 0,
        events: p.applied + p.noop + p.rejected,
        p95Ms: Object.fromEntries([...window].map(([r, v]) => [r, round1(p95(v))])),
      };
      window = new Map();
      samples.push(sample);
      if (capReachedAtS === null && sample.users >= generator.maxUsers) capReachedAtS = t;
      const slowest = Math.max(0, ...Object.values(sample.p95Ms).filter(Number.isFinite));
      log(
        `${String(Math.round(t)).padStart(5)} s  rss ${sample.rssMb.toFixed(0)} MB` +
          (sample.dataDirMb === null ? '' : `  data ${sample.dataDirMb.toFixed(1)} MB`) +
          (sample.heapsMb === undefined
            ? ''
            : `  heaps ${sample.heapsMb.used.toFixed(0)}/${sample.heapsMb.committed.toFixed(0)} MB`) +
          `  ${sample.users} users  ${sample.events} events  slowest p95 ${slowest.toFixed(0)} ms`,
      );
      if (Date.now() - t0 >= o.seconds * 1000) break;
      next += sampleMs;
      await sleep(Math.max(0, next - Date.now()));
    }
  } finally {
    stopping = true;
    await reader;
    await rt.stop();
    collector?.close();
  }

  const marks = { warmupSeconds, capReachedAtS };
  const slopes = (y: (s: LongRunSample) => number | null): Slopes =>
    slopesOf(
      samples.flatMap((s) => (y(s) === null ? [] : [{ t: s.t, y: y(s) as number }])),
      marks,
    );
  const first = samples[0];
  const last = samples[samples.length - 1];
  return {
    seconds: Math.round(last.t),
    sampleSeconds: o.sampleSeconds ?? 10,
    inMemory: !o.dataDir,
    collectedThreads: collector === null ? null : collector.threadCount,
    generator,
    warmupSeconds,
    capReachedAtS,
    events: last.events,
    rss: {
      startMb: first.rssMb,
      endMb: last.rssMb,
      maxMb: Math.max(...samples.map((s) => s.rssMb)),
      slopeMbPerMin: slopes((s) => s.rssMb),
      floorSlopeMbPerMin: slopesOf(
        floorPoints(
          samples.map((s) => ({ t: s.t, y: s.rssMb })),
          floorWindowSeconds(o.sampleSeconds ?? 10),
        ),
        marks,
      ),
    },
    heaps:
      collector === null
        ? null
        : {
            usedSlopeMbPerMin: slopes((s) => s.heapsMb?.used ?? null),
            committedSlopeMbPerMin: slopes((s) => s.heapsMb?.committed ?? null),
            keptByThread: Object.fromEntries(
              Object.keys(last.keptByThreadMb ?? {}).map((t) => [
                t,
                slopes((s) => s.keptByThreadMb?.[t] ?? null),
              ]),
            ),
          },
    dataDir:
      first.dataDirMb === null || last.dataDirMb === null
        ? null
        : {
            startMb: first.dataDirMb,
            endMb: last.dataDirMb,
            maxMb: Math.max(...samples.map((s) => s.dataDirMb ?? 0)),
            slopeMbPerMin: slopes((s) => s.dataDirMb),
          },
    p95Ms: Object.fromEntries(LONG_RUN_ROUTES.map((r) => [r, round1(p95(afterWarmup.get(r) ?? []))])),
    requests,
    errors,
    samples,
  };
}

/** A figure of each thread's heap, in MB; threads of one name (workers of one entry) are summed. */
function byThread(
  heaps: readonly HeapAfterCollection[],
  bytes: (h: HeapAfterCollection) => number,
): Record<string, number> {
  const out: Record<string, number> = {};
  for (const h of heaps) out[h.thread] = (out[h.thread] ?? 0) + bytes(h) / MB;
  for (const t of Object.keys(out)) out[t] = round1(out[t]);
  return out;
}

/** The report as a few readable lines. */
export function longRunSummary(r: LongRunReport): string {
  const slope = (s: Slopes) =>
    `${s.afterWarmup === null ? 'n/a' : `${s.afterWarmup.toFixed(2)} MB/min`} after ${r.warmupSeconds} s` +
    (s.afterCap === null ? '' : `, ${s.afterCap.toFixed(2)} MB/min after the user cap`) +
    (s.secondHalf === null ? '' : `, ${s.secondHalf.toFixed(2)} MB/min over the second half`);
  const lines = [
    `long run: ${Math.round(r.seconds / 60)} min ${r.inMemory ? 'in memory' : 'on a data directory'}, generator ` +
      `${r.generator.users} users growing to ${r.generator.maxUsers}, a batch every ${r.generator.everyMs / 1000} s` +
      (r.capReachedAtS === null
        ? ' (cap not reached)'
        : ` (cap reached at ${Math.round(r.capReachedAtS)} s)`),
    `events decided: ${r.events.toLocaleString('en-US')}` +
      (r.collectedThreads === null
        ? ''
        : `; every heap collected before each sample (the main thread's and ${r.collectedThreads} worker threads')`),
    `RSS: ${r.rss.startMb.toFixed(0)} MB at the start, ${r.rss.endMb.toFixed(0)} MB at the end, ` +
      `${r.rss.maxMb.toFixed(0)} MB at most; slope ${slope(r.rss.slopeMbPerMin)}`,
    `RSS floor (each ${floorWindowSeconds(r.sampleSeconds)} s's lowest): slope ${slope(r.rss.floorSlopeMbPerMin)}`,
  ];
  if (r.heaps) {
    lines.push(
      `heaps after the collections, kept: slope ${slope(r.heaps.usedSlopeMbPerMin)}; committed: slope ${slope(r.heaps.committedSlopeMbPerMin)}`,
    );
    for (const [thread, s] of Object.entries(r.heaps.keptByThread ?? {})) {
      lines.push(`  kept by ${thread}: slope ${slope(s)}`);
    }
  }
  if (r.dataDir) {
    lines.push(
      `data directory: ${r.dataDir.startMb.toFixed(1)} MB at the start, ${r.dataDir.endMb.toFixed(1)} MB at the end, ` +
        `${r.dataDir.maxMb.toFixed(1)} MB at most; slope ${slope(r.dataDir.slopeMbPerMin)}`,
    );
  }
  lines.push(
    `p95 after ${r.warmupSeconds} s (${r.requests} requests, ${r.errors} errors): ` +
      Object.entries(r.p95Ms)
        .map(([route, ms]) => `${route} ${ms} ms`)
        .join(', '),
  );
  return lines.join('\n');
}
