// The embedded runtime with its generator on: generated events of every family (FEED_FAMILIES, the
// default) go through the ordered producer into kinesalite and are all folded, the marketplace's too.
// And the generator loop picks up where it stopped after a restart with a data directory, instead of
// registering user00001... again.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { FEED_FAMILIES, MixedGenerator } from '../../domain/family-generator';
import { EventGenerator } from '../../domain/generator';
import { pack } from '../../domain/record-encoding';
import { GeneratorLoop } from '../../local/generator-loop';
import { type LocalRuntime, startLocalRuntime } from '../../local/runtime';
import { landedPrefix } from '../../local/stream-landed';
import { makeKinesisClient } from '../../storage/clients';
import { StreamProducer } from '../../stream/producer';

let rt: LocalRuntime;
const dirs: string[] = [];

function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'bacefook-gen-'));
  dirs.push(d);
  return d;
}

before(async () => {
  rt = await startLocalRuntime({
    port: 0,
    kinesisPort: 0,
    dynamoPort: 0,
    generator: true,
    generatorUsers: 60,
    // Only the first batch within this test's life: it is sent at start.
    generatorEveryMs: 600_000,
    generatorSeed: 7,
    snapshotEveryMs: false,
    quiet: true,
    logDir: tempDir(),
  });
});

after(async () => {
  await rt?.stop();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('local runtime generator', () => {
  it('feeds every family through the producer; every generated event is folded', async () => {
    await rt.drain();
    const g = rt.stats().generator;
    assert.ok(g);
    assert.equal(g.batches, 1);
    const batch = new MixedGenerator({ users: 60, seed: 7, families: FEED_FAMILIES }).nextBatch();
    assert.equal(g.events, batch.length);
    const p = await rt.pipeline();
    assert.equal(p.applied + p.noop + p.rejected, batch.length);
    assert.equal(p.rejected, 0, 'the generator never emits an event that must be rejected');
    assert.equal(p.rejectedByReason.malformed ?? 0, 0);
    assert.equal(p.users, 60);
    // The default feed holds the marketplace: its events are applied as the social ones are.
    assert.ok(p.byFamily.marketplace.applied > 0, JSON.stringify(p.byFamily));
    assert.equal(p.byFamily.marketplace.rejected, 0);
    assert.ok(p.byFamily.social.applied > 0);
  });

  it('a generator loop with a state file continues after a restart', async () => {
    const stateFile = join(tempDir(), 'generator.json');
    const sent: unknown[][] = [];
    const loop = (seed: number) =>
      new GeneratorLoop({
        users: 20,
        everyMs: 1,
        seed,
        stateFile,
        send: async (events) => {
          sent.push(events);
          return undefined;
        },
      });
    const first = loop(11);
    await first.start();
    while (sent.length < 3) await first.idle().then(() => new Promise((r) => setImmediate(r)));
    await first.stop();
    const before = sent.length;

    // Another seed is asked for, but the saved one wins: the stream must stay one generator's story.
    const second = loop(99);
    await second.start();
    await second.stop();
    assert.equal(sent.length, before + 1);

    const reference = new MixedGenerator({ users: 20, seed: 11, families: FEED_FAMILIES });
    const batches = Array.from({ length: before + 1 }, () => reference.nextBatch());
    const strip = (b: readonly unknown[]) => b.map((e) => ({ ...(e as object), created_at: '' }));
    assert.deepEqual(strip(sent[before]), strip(batches[before]));
  });

  it("landedPrefix finds how much of a batch is in the stream, passing over other producers' records", async () => {
    const kinesis = makeKinesisClient({ endpoint: rt.endpoints.kinesis });
    try {
      const other = new StreamProducer(kinesis, rt.streamName);
      const at = '20250718T205354320Z';
      const start = await other.send([{ type: 'register', name: 'landed-probe', created_at: at }]);
      const batch = new EventGenerator({ users: 40, seed: 3 }).nextBatch();
      const records = pack(batch, { maxEventsPerRecord: 25 });
      assert.ok(records.length >= 4);
      const ours = new StreamProducer(kinesis, rt.streamName);
      const landed = () => landedPrefix(kinesis, rt.streamName, batch, start.lastSequenceNumber);
      assert.equal(await landed(), 0);
      await ours.sendRecords(records.slice(0, 2));
      await other.send([{ type: 'register', name: 'landed-probe-2', created_at: at }]);
      assert.equal(await landed(), records[0].events + records[1].events);
      await ours.send(batch.slice(records[0].events + records[1].events));
      assert.equal(await landed(), batch.length);
      // From the trim horizon (no batch before it) too.
      assert.equal(await landedPrefix(kinesis, rt.streamName, batch, undefined), batch.length);
    } finally {
      kinesis.destroy();
    }
  });

  it('a send that fails part way is finished before the next batch: each batch once, in order', async () => {
    const stream: unknown[] = [];
    let failures = 1;
    const loop = new GeneratorLoop({
      users: 20,
      everyMs: 1,
      seed: 13,
      families: ['social'],
      maxBatches: 4,
      send: async (events) => {
        if (events.length > 10 && failures-- > 0) {
          stream.push(...events.slice(0, 10));
          throw new Error('the producer gave up after 10 events');
        }
        stream.push(...events);
        return undefined;
      },
      landed: async (events) => {
        // The stream's tail holds the batch's first n events when it stopped part way.
        for (let n = Math.min(events.length, stream.length); n > 0; n--) {
          const tail = stream.slice(stream.length - n);
          if (JSON.stringify(tail) === JSON.stringify(events.slice(0, n))) return n;
        }
        return 0;
      },
    });
    await loop.start();
    while (loop.stats().made < 4 || loop.stats().pending) {
      await loop.idle().then(() => new Promise((r) => setTimeout(r, 2)));
    }
    await loop.stop();
    assert.equal(loop.stats().errors, 1);
    const reference = new EventGenerator({ users: 20, seed: 13 });
    const expected = Array.from({ length: 4 }, () => reference.nextBatch()).flat();
    const strip = (b: readonly unknown[]) => b.map((e) => ({ ...(e as object), created_at: '' }));
    assert.deepEqual(strip(stream), strip(expected));
  });
});
