// e2e, writes, freshness, memory: the embedded default under load. Generated events go through the
// producer into kinesalite, the local event source mapping feeds the real processor handler, and
// the graph lands in dynalite — the same path `npm start` runs.
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { EventGenerator } from '../domain/generator';
import type { LocalRuntime } from '../local/runtime';
import { nextMessage, startTsWorker } from '../local/ts-worker';
import { makeDynamoClient, makeKinesisClient } from '../storage/clients';
import { PIPELINE_KEY, type PipelineState } from '../storage/pipeline-store';
import { StreamProducer } from '../stream/producer';
import type { ProducerWorkerData } from './e2e-producer-worker';
import { runNaive } from './naive-processor';
import { type Section, startBenchRuntime } from './report';

export interface E2eOptions {
  quick: boolean;
}

function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
}

async function pipelineState(rt: LocalRuntime): Promise<PipelineState> {
  const doc = makeDynamoClient({ endpoint: rt.endpoints.dynamodb });
  const res = await doc.send(new GetCommand({ TableName: rt.tables.meta, Key: PIPELINE_KEY }));
  doc.destroy();
  return res.Item as unknown as PipelineState;
}

const SEED = 31;

/** The first `n` events of the seeded batches the producer thread sends (fewer if there are fewer). */
function firstEvents(users: number, n: number): unknown[] {
  const gen = new EventGenerator({ users, seed: SEED });
  const out: unknown[] = [];
  while (out.length < n) {
    const b = gen.nextBatch();
    if (b.length === 0) break;
    for (const e of b) out.push(e);
  }
  return out.slice(0, n);
}

interface ProducerThread {
  /** Events in its batches. */
  total: number;
  /** Sends every batch once more (into the stream as it now is); resolves with how long it took. */
  go(): Promise<number>;
  stop(): Promise<void>;
}

/**
 * Starts the producer thread (bench/e2e-producer-worker.ts) and waits until its batches are generated:
 * once for all the runs, which send the same batches into the same (reset) stream.
 */
async function startProducerThread(data: ProducerWorkerData): Promise<ProducerThread> {
  const worker = startTsWorker(new URL('./e2e-producer-worker.ts', import.meta.url), { workerData: data });
  const { total } = await nextMessage<{ total: number }>(worker);
  return {
    total,
    async go() {
      const done = nextMessage<{ sendMs: number }>(worker);
      worker.postMessage('go');
      return (await done).sendMs;
    },
    async stop() {
      await worker.terminate();
    },
  };
}

/**
 * One end-to-end run on the stack as it is (fresh, or reset to a fresh stream and fresh tables): the
 * producer thread sends every batch and the clock stops once the stream is drained.
 */
/** Warm-up runs, then `reps` measured ones, each on the stack reset to a fresh stream and tables. */
async function measure(
  rt: LocalRuntime,
  sender: ProducerThread,
  reps: number,
  warmup: number,
): Promise<{ median: Run; runs: Run[]; warm: number[] }> {
  const runs: Run[] = [];
  const warm: number[] = [];
  for (let r = 0; r < warmup + reps; r++) {
    if (r > 0) await rt.reset();
    const run = await runOnce(rt, sender, sender.total);
    if (r < warmup) warm.push(run.eventsPerSec);
    else runs.push(run);
  }
  const byRate = [...runs].sort((a, b) => a.eventsPerSec - b.eventsPerSec);
  return { median: byRate[byRate.length >> 1], runs, warm };
}

interface Run {
  eventsPerSec: number;
  sendMs: number;
  state: PipelineState;
}

async function runOnce(rt: LocalRuntime, sender: ProducerThread, total: number): Promise<Run> {
  // The producer has generated its batches (the generator is not what we measure); it streams them
  // batch by batch as a live producer would, while the processor folds concurrently.
  const t0 = performance.now();
  const sendMs = await sender.go();
  await rt.drain(600_000);
  const t1 = performance.now();
  const state = await pipelineState(rt);
  const settled = state.tally.applied + state.tally.noop + state.tally.rejected;
  if (settled !== total) throw new Error(`e2e: ${settled} events settled, ${total} sent`);
  return { eventsPerSec: (total / (t1 - t0)) * 1000, sendMs, state };
}

export async function benchE2e(
  o: E2eOptions,
): Promise<{ e2e: Section; writes: Section; freshness: Section; memory: Section }> {
  const users = o.quick ? 1_000 : 2_000;
  const batches = o.quick ? 12 : 30;
  // A run lasts a few seconds, and where the mapping cuts the stream into batches varies from run to
  // run (it takes what has arrived): the median of several runs, each on a fresh pipeline. The first run
  // of the process is a warm-up and not counted: it compiles the processor, the SDK and the emulators
  // (V8 optimizes them over the first hundred thousand events), as a Lambda container behind a steady
  // stream has long done. So every run goes through the same stack, reset before each to a fresh
  // stream and fresh tables (LocalRuntime.reset): restarted per run, the processor's thread and the
  // emulators would be cold again every time, which a deployed function and the services the
  // emulators stand in for are not.
  const reps = 3;
  const warmup = 1;
  let peakRss = process.memoryUsage().rss;
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
  }, 50);
  const rt = await startBenchRuntime();
  let sender: ProducerThread | null = null;
  try {
    sender = await startProducerThread({
      endpoint: rt.endpoints.kinesis,
      streamName: rt.streamName,
      users,
      seed: SEED,
      batches,
    });
    // The events exist only on the producer's thread, so the stack's memory below is not inflated
    // by a second copy of them here.
    const social = await measure(rt, sender, reps, warmup);
    const { eventsPerSec, sendMs, state } = social.median;
    const total = sender.total;
    await sender.stop();
    sender = null;

    // The same on a mixed stream (social, marketplace and posts events in the generator's proportions).
    await rt.reset();
    sender = await startProducerThread({
      endpoint: rt.endpoints.kinesis,
      streamName: rt.streamName,
      users,
      seed: SEED,
      batches,
      families: ['social', 'marketplace', 'posts'],
    });
    const mixed = await measure(rt, sender, reps, warmup);
    const mixedTotal = sender.total;
    await sender.stop();
    sender = null;

    // Freshness: one new user at a time, from put to visible through GET /users/{name}.
    const kinesis = makeKinesisClient({ endpoint: rt.endpoints.kinesis });
    const producer = new StreamProducer(kinesis, rt.streamName);
    const samples: number[] = [];
    // The e2e runs never called the API: the first sample, not counted, also warms its route (its
    // code and its connection to dynalite), as steady traffic keeps a Lambda warm. Enough samples that
    // the p95 is not simply the slowest one.
    const n = o.quick ? 50 : 200;
    for (let i = -1; i < n; i++) {
      const name = `fresh${(i + 1).toString().padStart(4, '0')}`;
      const t = performance.now();
      await producer.send([{ type: 'register', name, created_at: new Date().toISOString() }]);
      for (;;) {
        const res = await fetch(`${rt.apiUrl}/users/${name}`);
        await res.arrayBuffer();
        if (res.status === 200) break;
        await new Promise((r) => setTimeout(r, 5));
      }
      if (i >= 0) samples.push(performance.now() - t);
    }
    kinesis.destroy();

    // The naive baseline: same emulators, same events, one DynamoDB write per event.
    // Its first 1,000 events are the registrations; at a few hundred events per second, a quick run
    // stops it after 10 s.
    const naiveLimit = o.quick ? 4_000 : 15_000;
    const naive = await runNaive(
      rt.endpoints.dynamodb,
      firstEvents(users, naiveLimit),
      naiveLimit,
      o.quick ? 10_000 : 120_000,
    );

    const ratio = eventsPerSec / naive.eventsPerSec;
    const rate = (x: number) => Math.round(x).toLocaleString('en-US');
    const all = social.runs.map((x) => rate(x.eventsPerSec)).join(', ');
    const warm = social.warm.map(rate).join(', ');
    const mixedState = mixed.median.state;
    const mixedByFamily = Object.entries(mixedState.tally.byFamily)
      .map(([f, c]) => `${f} ${(c.applied + c.noop + c.rejected).toLocaleString('en-US')}`)
      .join(', ');
    return {
      e2e: {
        eventsPerSec: {
          value: eventsPerSec,
          unit: 'events/s',
          target: '≥ 100,000',
          how: `median of ${reps} runs (${all} events/s) after ${warmup} warm-up run (${warm} events/s), each on a fresh stream and fresh tables of the same local stack (reset between runs): ${total.toLocaleString('en-US')} generated events (${users} users, ${batches} batches) sent batch by batch through the producer into kinesalite and folded by the processor handler behind the local event source mapping into dynalite, all in one process on this machine (kinesalite, dynalite, the processor and the producer each on a worker thread); from the first put to the stream drained (in the median run the producer, on its own thread, was done after ${(sendMs / 1000).toFixed(1)} s)`,
        },
        mixedEventsPerSec: {
          value: mixed.median.eventsPerSec,
          unit: 'events/s',
          target: '≥ 100,000',
          how: `as e2e.eventsPerSec, on a mixed stream (\`--families social,marketplace,posts\`: ${mixedTotal.toLocaleString('en-US')} generated events, ${mixedByFamily}; ${users} users, ${batches} batches) after the social runs, on the same stack reset to a fresh stream and fresh tables: median of ${reps} runs (${mixed.runs.map((x) => rate(x.eventsPerSec)).join(', ')} events/s) after ${warmup} warm-up run (${mixed.warm.map(rate).join(', ')} events/s); in the median run the producer was done after ${(mixed.median.sendMs / 1000).toFixed(1)} s`,
        },
        naiveEventsPerSec: {
          value: naive.eventsPerSec,
          unit: 'events/s',
          how: `a one-write-per-event processor (read the named users, apply, put every touched user, per event) on the first ${naive.events.toLocaleString('en-US')} of the same events (as many as it folded in ${o.quick ? 10 : 120} s, at most ${o.quick ? '4,000' : '15,000'}) against the same dynalite; ours is ${ratio.toFixed(0)}× faster`,
        },
      },
      writes: {
        per1000Events: {
          value: (state.itemWrites / total) * 1000,
          unit: 'item writes',
          target: '≤ 100',
          how: `DynamoDB item writes counted by the processor (user items, name registry, journal, redo and rejection chunks, pipeline state) over the median e2e run; the naive processor makes ${naive.writesPer1000.toFixed(0)}`,
        },
        mixedPer1000Events: {
          value: (mixedState.itemWrites / mixedTotal) * 1000,
          unit: 'item writes',
          target: '≤ 100',
          how: `as writes.per1000Events, over the median mixed e2e run (user, product and profile items, name and product registries, journal, redo and rejection chunks, pipeline state)`,
        },
      },
      freshness: {
        p95Ms: {
          value: percentile(samples, 95),
          unit: 'ms',
          target: '< 1,000',
          how: `${n} registrations put one at a time after the last run (after one more, not counted, that warms the route); time from the put to GET /users/{name} answering 200 (polled every 5 ms); median ${percentile(samples, 50).toFixed(0)} ms`,
        },
      },
      memory: {
        stackPeakRssMb: {
          value: peakRss / 2 ** 20,
          unit: 'MB',
          target: '≤ 1,500',
          how: 'peak RSS of the whole local stack (emulators, mapping, processor, API, producer) sampled every 50 ms during the e2e runs',
        },
      },
    };
  } finally {
    clearInterval(sampler);
    await sender?.stop();
    await rt.stop();
  }
}
