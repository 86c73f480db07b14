// npm run soak: every fault at once, for minutes, on the embedded runtime. A producer keeps sending
// generator batches with dirt, producer resends, garbage and truncated records, compression bombs,
// poison records and NDJSON through POST /events, while readers hit every route; the fault switch
// throttles, fails, loses replies, leaves items unprocessed, gives up, crashes, times out, duplicates
// and redelivers. Every minute the writers pause, the stream drains, and the whole graph, the
// counters, /meta/pipeline and a set of API answers must equal the reference model built from the
// stream (poison records excepted: they must be in the on-failure queue, alone). At the end the whole
// stream is replayed from TRIM_HORIZON into fresh tables, under the same faults, and checked again.
// Prints the figures (and writes them as JSON with --out). Not part of `npm test`.
//
// `--long` is another soak: the embedded default as `npm start` runs it, generator on at its default
// rate, no faults, for half an hour by default, sampling the RSS, the data directory's size and the
// p95 of a few routes every 10 s and reporting their slopes (scripts/long-run.ts).
import { writeFileSync } from 'node:fs';
import { EventGenerator, mulberry32 } from '../domain/generator';
import { ROUTES } from '../lib/definitions';
import { type FaultPlan, type FaultStats, formatFaultPlan, parseFaultSpec } from '../local/faults';
import { startLocalRuntime } from '../local/runtime';
import { makeDynamoClient, makeKinesisClient } from '../storage/clients';
import { StreamProducer } from '../stream/producer';
import { CliError, intOption, parseCli, runCli, type ScriptMain } from './cli-args';
import { longRunSummary, runLongRun } from './long-run';

const USAGE = `Usage: npm run soak -- [--seconds N] [--seed N] [--faults SPEC] [--out FILE]
       npm run soak -- --long [--minutes N] [--data-dir DIR] [--users N] [--max-users N]
                      [--every MS] [--warmup-minutes N] [--sample-seconds N] [--seed N]
                      [--collect] [--out FILE]

  --seconds  how long the writers run (default 180); a check every 60 s and at the end
  --seed     seeds the generator, the dirt and the faults (default 1)
  --faults   the fault plan (default: ${formatFaultPlan(defaultPlan(1))})
  --out      also write the figures as JSON to FILE

  --long     the long run: the embedded default as npm start runs it (generator on, no faults),
             sampled every 10 s (RSS, the data directory's size, p95 of a few routes); reports the
             slopes in MB/min after the warm-up and after the generator reached its user cap
  --minutes  how long (default 30)
  --data-dir keep the stores in DIR, as npm start -- --data-dir does (default: in memory); a
             directory that does not exist yet is created, one that exists is used as it is
  --users, --max-users, --every   the generator's settings (default npm start's: 500, 2 × users, 5000)
  --warmup-minutes  the slopes start after this (default 2)
  --sample-seconds  how often to sample (default 10)
  --collect  collect every thread's heap right before each sample, so the samples hold what the
             process keeps and not the collectors' saw (needs NODE_OPTIONS=--expose-gc)
  --seed     the generator's seed`;

const POISON = 'soak-poison-pill';
/** Records the producer may be ahead of the processor. */
const BACKLOG = 300;

function defaultPlan(seed: number): FaultPlan {
  return {
    throttle: 0.01,
    error: 0.02,
    lost: 0.02,
    unprocessed: 0.1,
    giveup: 0.005,
    crash: 0.05,
    timeout: 0.03,
    timeoutMaxMs: 300,
    duplicate: 0.05,
    redeliver: 0.05,
    seed,
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const longMain: ScriptMain = async (argv, io) => {
  const args = parseCli(argv, {
    long: { type: 'boolean' },
    minutes: { type: 'string' },
    'data-dir': { type: 'string' },
    users: { type: 'string' },
    'max-users': { type: 'string' },
    every: { type: 'string' },
    'warmup-minutes': { type: 'string' },
    'sample-seconds': { type: 'string' },
    seed: { type: 'string' },
    collect: { type: 'boolean' },
    out: { type: 'string' },
  });
  if (args.collect && typeof (globalThis as { gc?: unknown }).gc !== 'function') {
    throw new CliError(
      '--collect needs node --expose-gc: NODE_OPTIONS=--expose-gc npm run soak:long -- --collect',
    );
  }
  const minutes = intOption('minutes', args.minutes, { min: 1, max: 7 * 24 * 60, fallback: 30 });
  const log = (line: string) => io.stdout.write(`${new Date().toISOString().slice(11, 19)}  ${line}\n`);
  const report = await runLongRun({
    seconds: minutes * 60,
    warmupSeconds: intOption('warmup-minutes', args['warmup-minutes'], { min: 0, fallback: 2 }) * 60,
    dataDir: args['data-dir'],
    users: args.users === undefined ? undefined : intOption('users', args.users, { min: 1 }),
    maxUsers:
      args['max-users'] === undefined ? undefined : intOption('max-users', args['max-users'], { min: 1 }),
    everyMs: args.every === undefined ? undefined : intOption('every', args.every, { min: 100 }),
    sampleSeconds: intOption('sample-seconds', args['sample-seconds'], { min: 1, fallback: 10 }),
    seed: args.seed === undefined ? undefined : intOption('seed', args.seed, { min: 0 }),
    collect: args.collect === true,
    log,
  });
  const json = `${JSON.stringify(report, null, 2)}\n`;
  if (args.out) writeFileSync(args.out, json);
  io.stdout.write(`${longRunSummary(report)}\n`);
  if (!args.out) io.stdout.write(json);
};

const main: ScriptMain = async (argv, io) => {
  if (argv.includes('--long')) return longMain(argv, io);
  // The dirt and the reference model load here only: they bring fast-check, whose text arbitraries
  // alone hold some 90 MB, and the long run must measure the stack as npm start runs it.
  const { dirty, garbageRecords, oversizedRecord, pack } = await import('../test/support/fault-streams');
  const { assertMatchesModel, expectedFrom, failedRecords, streamRecords } = await import(
    '../test/support/runtime-check'
  );
  const args = parseCli(argv, {
    seconds: { type: 'string' },
    seed: { type: 'string' },
    faults: { type: 'string' },
    out: { type: 'string' },
  });
  const seconds = intOption('seconds', args.seconds, { min: 10, max: 86_400, fallback: 180 });
  const seed = intOption('seed', args.seed, { min: 0, fallback: 1 });
  let plan: FaultPlan;
  try {
    plan = args.faults === undefined ? defaultPlan(seed) : parseFaultSpec(args.faults);
  } catch (err) {
    throw new CliError(`--faults: ${err instanceof Error ? err.message : String(err)}`);
  }
  plan.poison = (r) => Buffer.from(r.kinesis.data, 'base64').includes(POISON);
  const log = (line: string) => io.stdout.write(`${new Date().toISOString().slice(11, 19)}  ${line}\n`);

  const t0 = Date.now();
  const rt = await startLocalRuntime({
    port: 0,
    kinesisPort: 0,
    dynamoPort: 0,
    generator: false,
    quiet: true,
    snapshotEveryMs: 1_000,
    faults: plan,
    mapping: { retryBaseMs: 20, retryMaxMs: 1_000 },
    // Every check reads the whole stream back for the reference model.
    streamRetentionMinutes: false,
  });
  const doc = makeDynamoClient({ endpoint: rt.endpoints.dynamodb });
  const kinesis = makeKinesisClient({ endpoint: rt.endpoints.kinesis });
  const producer = new StreamProducer(kinesis, rt.streamName);
  const random = mulberry32(seed);
  const gen = new EventGenerator({ users: 300, seed, maxUsers: 2_000 });
  log(`soak: ${seconds} s, faults ${formatFaultPlan(plan)}`);

  const sent = { records: 0, resent: 0, garbage: 0, bombs: 0, poison: 0, posts: 0, postLines: 0 };
  const api = { requests: 0, serverErrors: 0, other: new Map<number, number>() };
  const checks: { atS: number; events: number; ms: number }[] = [];
  let paused = false;
  let stopping = false;
  let dirtSeed = seed * 1_000;
  let lastBomb = 0;
  let lastPoison = Date.now();

  // ---- writers ----
  const writer = async () => {
    while (!stopping) {
      // Backpressure: keep at most BACKLOG records ahead of the processor (its pace under faults).
      const m = rt.stats().eventSourceMapping;
      if (paused || sent.records - m.records - m.failedRecords > BACKLOG) {
        await sleep(20);
        continue;
      }
      const events = gen.nextBatch();
      const records = pack(dirty(events, dirtSeed++), 5 + Math.floor(random() * 300));
      const out: Buffer[] = [];
      for (const r of records) {
        out.push(r);
        if (random() < 0.03) {
          out.push(r); // a producer resend: the same bytes at a new position
          sent.resent++;
        }
      }
      if (random() < 0.1) {
        const g = garbageRecords(dirtSeed++, events.slice(0, 20));
        out.splice(Math.floor(random() * out.length), 0, ...g);
        sent.garbage += g.length;
      }
      if (Date.now() - lastBomb > 60_000) {
        out.push(oversizedRecord());
        sent.bombs++;
        lastBomb = Date.now();
      }
      if (Date.now() - lastPoison > 15_000) {
        out.push(
          Buffer.from(JSON.stringify([{ type: 'register', name: POISON, created_at: '20250718T205354Z' }])),
        );
        sent.poison++;
        lastPoison = Date.now();
      }
      await producer.sendRecords(out);
      sent.records += out.length;
      await sleep(100);
    }
  };
  const poster = async () => {
    while (!stopping) {
      await sleep(2_000);
      if (paused || stopping) continue;
      const lines = gen.nextBatch().map((e) => JSON.stringify(e));
      lines.splice(Math.floor(random() * lines.length), 0, '{not json', '42', '{"type":"poke"}');
      const res = await fetch(`${rt.apiUrl}/events`, { method: 'POST', body: lines.join('\n') });
      if (res.status !== 202) throw new Error(`POST /events answered ${res.status}: ${await res.text()}`);
      sent.posts++;
      sent.postLines += lines.length;
    }
  };
  const reader = async () => {
    const gets = ROUTES.filter((r) => r.method === 'GET');
    while (!stopping) {
      const r = gets[Math.floor(random() * gets.length)];
      const name = `user${String(1 + Math.floor(random() * 400)).padStart(5, '0')}`;
      const res = await fetch(`${rt.apiUrl}${r.path.replace('{name}', name)}`);
      await res.arrayBuffer();
      api.requests++;
      if (res.status >= 500) api.serverErrors++;
      else if (res.status !== 200 && res.status !== 404)
        api.other.set(res.status, (api.other.get(res.status) ?? 0) + 1);
      await sleep(5);
    }
  };

  /** Pauses the writers, drains, and checks everything against the model. */
  const check = async (label: string) => {
    paused = true;
    await sleep(250); // let a send in progress finish
    const c0 = Date.now();
    await rt.drain(600_000);
    const records = await streamRecords(rt);
    const failed = failedRecords(rt, records);
    for (const r of records) {
      if (failed.has(r.sequenceNumber) && !Buffer.from(r.data).includes(POISON)) {
        throw new Error(
          `${label}: record ${r.sequenceNumber} (not a poison record) went to the failure queue`,
        );
      }
    }
    const expected = expectedFrom(records, failed);
    await assertMatchesModel(rt, doc, expected, label);
    const ms = Date.now() - c0;
    checks.push({ atS: Math.round((Date.now() - t0) / 1000), events: expected.items.length, ms });
    log(
      `${label}: ${expected.items.length} events in ${records.length} records match the reference (${ms} ms)`,
    );
    paused = false;
  };

  const loops = [writer(), poster(), reader()];
  const deadline = Date.now() + seconds * 1000;
  let nextCheck = Date.now() + 60_000;
  const failures: unknown[] = [];
  for (const l of loops) l.catch((err) => failures.push(err));
  while (Date.now() < deadline && failures.length === 0) {
    await sleep(Math.min(1_000, deadline - Date.now()));
    const s = rt.stats().eventSourceMapping;
    if (Date.now() >= nextCheck && Date.now() < deadline - 20_000) {
      await check(`check at ${Math.round((Date.now() - t0) / 1000)} s`);
      nextCheck = Date.now() + 60_000;
    } else if (Math.round((Date.now() - t0) / 1000) % 15 === 0) {
      log(
        `${s.records} records delivered, ${s.invocations} invocations, ${s.retries} retries, ${s.failures} to the failure queue`,
      );
    }
  }
  stopping = true;
  await Promise.allSettled(loops);
  if (failures.length > 0) throw failures[0];
  const writeS = (Date.now() - t0) / 1000;
  // The writers were paused during the checks: the pipeline's pace is over the rest of the time.
  const runningS = writeS - checks.reduce((sum, c) => sum + c.ms, 0) / 1000;

  const d0 = Date.now();
  await check('final check');
  const mapping = rt.stats().eventSourceMapping;
  const injected: FaultStats = rt.faults.stats();
  const pipeline = await rt.pipeline();
  const failureQueue = rt.failures().length;

  log('replaying the whole stream from TRIM_HORIZON into fresh tables, under the same faults');
  const r0 = Date.now();
  await rt.replay({ freshTables: true });
  await check('after the replay into fresh tables');
  const replayS = (Date.now() - r0) / 1000;

  const events = pipeline.applied + pipeline.noop + pipeline.rejected;
  const report = {
    seconds: Math.round(writeS),
    faults: formatFaultPlan(plan),
    events,
    records: sent.records,
    eventsPerSecond: Math.round(events / runningS),
    sent,
    pipeline: {
      applied: pipeline.applied,
      noop: pipeline.noop,
      rejected: pipeline.rejected,
      rejectedByReason: pipeline.rejectedByReason,
    },
    mapping: { invocations: mapping.invocations, retries: mapping.retries, failures: mapping.failures },
    failureQueue,
    injected,
    api: { requests: api.requests, serverErrors: api.serverErrors, other: Object.fromEntries(api.other) },
    checks,
    finalDrainS: Math.round((r0 - d0) / 100) / 10,
    replayS: Math.round(replayS * 10) / 10,
    result: 'every check equal to the reference model',
  };
  io.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  if (args.out) writeFileSync(args.out, `${JSON.stringify(report, null, 2)}\n`);
  if (api.serverErrors > 0) throw new Error(`${api.serverErrors} API answers were 5xx`);
  if (failureQueue > sent.poison * 2) throw new Error('more on-failure records than poison records');
  doc.destroy();
  kinesis.destroy();
  await rt.stop();
};

runCli('soak', USAGE, main);
