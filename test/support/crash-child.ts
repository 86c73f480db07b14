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
//   generator    starts a runtime with its generator on (fast batches) and keeps it running; with
//                CRASH_AT=<step>:<batch> it kills itself at that step of that batch (GeneratorLoop's
//                onStep hook); with GENERATOR_BATCHES=N the generator stops after N batches
//   generator-check  as check, and prints the generated events the stream holds

import { generateEvents } from '../../domain/generator';
import { type LocalRuntimeOptions, startLocalRuntime } from '../../local/runtime';
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

const modes: Record<string, () => Promise<void>> = { fill, replay, check };

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
