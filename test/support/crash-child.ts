// A local runtime in a process of its own, for the crash tests (test/integration/crash-*.test.ts):
// the parent kills it with SIGKILL at a chosen or random moment, then starts it again on the same
// data directory. It says where it is with one JSON line per step on stdout.
//
//   node --import tsx test/support/crash-child.ts <mode> <dataDir> [seed]
//
// modes:
//   fill         starts a runtime (no generator), sends a seeded generated stream in small records,
//                drains and stops
//   replay       starts a runtime on the data dir, replays the whole stream into fresh tables,
//                drains and stops
//   check        starts a runtime on the data dir, drains, and compares everything with the
//                reference model built from the stream (exit 1 with the message when it differs)
//   generator    starts a runtime with its generator on (small batches every 150 ms, at most
//                GENERATOR_BATCHES in all, default 12) and says each step of each batch; with
//                CRASH_AT=<step>:<batch> it kills itself (SIGKILL) at that step of that batch
//                (GeneratorLoop's onStep: saved, sent, marked); it stops once the last batch is sent
//   generator-check  as generator, without a crash; once the last batch is in, compares the stream
//                with an uninterrupted generator's batches and everything with the reference model
import assert from 'node:assert/strict';
import type { RawEvent } from '../../domain/events';
import { EventGenerator, generateEvents } from '../../domain/generator';
import { type LocalRuntime, type LocalRuntimeOptions, startLocalRuntime } from '../../local/runtime';
import { makeDynamoClient, makeKinesisClient } from '../../storage/clients';
import { StreamProducer } from '../../stream/producer';
import { assertMatchesModel, expectedFrom, failedRecords, streamRecords } from './runtime-check';

const [mode, dataDir, seedArg] = process.argv.slice(2);
const seed = Number(seedArg ?? 1);

function say(phase: string, extra: object = {}): void {
  process.stdout.write(`${JSON.stringify({ phase, at: Date.now(), ...extra })}\n`);
}

const base: LocalRuntimeOptions = {
  port: 0,
  kinesisPort: 0,
  dynamoPort: 0,
  dataDir,
  quiet: true,
  generator: false,
  snapshotEveryMs: false,
  // Small batches: a replay takes many invocations, so a kill lands inside one more often than not.
  mapping: { batchSize: 4 },
};

async function fill(): Promise<void> {
  const rt = await startLocalRuntime(base);
  say('started');
  const events = generateEvents({ users: 150, seed, batches: 8 });
  const kinesis = makeKinesisClient({ endpoint: rt.endpoints.kinesis });
  await new StreamProducer(kinesis, rt.streamName, { maxEventsPerRecord: 60 }).send(events);
  kinesis.destroy();
  say('sent', { events: events.length });
  await rt.drain(120_000);
  say('filled');
  await rt.stop();
}

async function replay(): Promise<void> {
  const rt = await startLocalRuntime(base);
  await rt.drain(120_000);
  const replayed = rt.replay({ freshTables: true });
  say('replaying');
  await replayed;
  await rt.drain(120_000);
  say('replayed');
  await rt.stop();
}

async function check(): Promise<void> {
  const rt = await startLocalRuntime(base);
  say('started');
  const doc = makeDynamoClient({ endpoint: rt.endpoints.dynamodb });
  try {
    await rt.drain(120_000);
    say('drained');
    const records = await streamRecords(rt);
    await assertMatchesModel(rt, doc, expectedFrom(records, failedRecords(rt, records)), 'after restart');
    say('matches', { records: records.length });
  } finally {
    doc.destroy();
    await rt.stop();
  }
}

const GENERATOR_USERS = 30;
const batchesWanted = Number(process.env.GENERATOR_BATCHES ?? 12);

function generatorRuntime(): LocalRuntimeOptions {
  const crashAt = process.env.CRASH_AT;
  return {
    ...base,
    generator: true,
    generatorUsers: GENERATOR_USERS,
    generatorMaxUsers: 2 * GENERATOR_USERS,
    generatorEveryMs: 150,
    generatorSeed: seed,
    // The social family alone: the check below compares with the social generator and model.
    generatorFamilies: ['social'],
    generatorMaxBatches: batchesWanted,
    generatorOnStep: (step, batch) => {
      say(step, { batch });
      if (crashAt === `${step}:${batch}`) process.kill(process.pid, 'SIGKILL');
    },
  };
}

async function untilGenerated(rt: LocalRuntime): Promise<void> {
  for (;;) {
    const g = rt.stats().generator;
    if (g && g.made >= batchesWanted && !g.pending) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  await rt.drain(120_000);
}

async function generator(): Promise<void> {
  const rt = await startLocalRuntime(generatorRuntime());
  say('started');
  await untilGenerated(rt);
  say('generated');
  await rt.stop();
}

async function generatorCheck(): Promise<void> {
  const rt = await startLocalRuntime(generatorRuntime());
  say('started');
  const doc = makeDynamoClient({ endpoint: rt.endpoints.dynamodb });
  try {
    await untilGenerated(rt);
    const records = await streamRecords(rt);
    const expected = expectedFrom(records);
    // The same events as one uninterrupted generator's, batch after batch, each batch with one time.
    const reference = new EventGenerator({
      users: GENERATOR_USERS,
      seed,
      maxUsers: 2 * GENERATOR_USERS,
    });
    const got = expected.items as RawEvent[];
    let offset = 0;
    for (let b = 1; b <= batchesWanted; b++) {
      const batch = reference.nextBatch();
      const slice = got.slice(offset, offset + batch.length);
      const times = new Set(slice.map((e) => e.created_at));
      assert.equal(times.size, 1, `batch ${b} has one created_at`);
      const strip = (es: RawEvent[]) => es.map((e) => ({ ...e, created_at: '' }));
      assert.deepEqual(strip(slice), strip(batch), `batch ${b}: the events of an uninterrupted run`);
      offset += batch.length;
    }
    assert.equal(got.length, offset, 'nothing in the stream but the generated batches');
    await assertMatchesModel(rt, doc, expected, 'generator after kills');
    const p = await rt.pipeline();
    assert.equal(p.rejectedByReason.duplicate_register ?? 0, 0);
    assert.equal(p.rejected, 0, 'the generator never emits an event that must be rejected');
    say('matches', { records: records.length, events: got.length });
  } finally {
    doc.destroy();
    await rt.stop();
  }
}

const modes: Record<string, () => Promise<void>> = {
  fill,
  replay,
  check,
  generator,
  'generator-check': generatorCheck,
};

const run = modes[mode];
if (!run || !dataDir) {
  process.stderr.write(`usage: crash-child.ts <${Object.keys(modes).join('|')}> <dataDir> [seed]\n`);
  process.exit(2);
}
run().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    say('failed', { message: err instanceof Error ? err.message.slice(0, 2000) : String(err) });
    process.exit(1);
  },
);
