// The embedded runtime with its generator on: generated events go through the ordered producer into
// kinesalite and are all folded. And the generator loop picks up where it stopped after a restart with
// a data directory, instead of registering user00001... again.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { EventGenerator } from '../../domain/generator';
import { GeneratorLoop } from '../../local/generator-loop';
import { type LocalRuntime, startLocalRuntime } from '../../local/runtime';

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
  it('feeds the stream through the producer; every generated event is folded', async () => {
    await rt.drain();
    const g = rt.stats().generator;
    assert.ok(g);
    assert.equal(g.batches, 1);
    const expected = new EventGenerator({ users: 60, seed: 7 }).nextBatch().length;
    assert.equal(g.events, expected);
    const p = await rt.pipeline();
    assert.equal(p.applied + p.noop + p.rejected, expected);
    assert.equal(p.rejected, 0, 'the generator never emits an event that must be rejected');
    assert.equal(p.users, 60);
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

    const reference = new EventGenerator({ users: 20, seed: 11 });
    const batches = Array.from({ length: before + 1 }, () => reference.nextBatch());
    const strip = (b: readonly unknown[]) => b.map((e) => ({ ...(e as object), created_at: '' }));
    assert.deepEqual(strip(sent[before]), strip(batches[before]));
  });
});
