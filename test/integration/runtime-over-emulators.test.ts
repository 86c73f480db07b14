// A local runtime over emulators started beforehand (how the e2e benchmark keeps them warm between
// runs): stopping the runtime leaves them running, and `reset()` gives the next runtime an empty stream
// and empty tables, so its graph equals the reference built from its own events alone.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { ListStreamsCommand } from '@aws-sdk/client-kinesis';
import { generateEvents } from '../../domain/generator';
import { type Emulators, startEmulators } from '../../local/emulators';
import type { LocalRuntime } from '../../local/runtime';
import { makeDynamoClient, makeKinesisClient } from '../../storage/clients';
import { ReferenceModel } from '../reference/model';
import { committedGraph, modelGraph } from '../support/pipeline-harness';
import { startTestRuntime } from '../support/runtime';
import { streamRecords } from '../support/runtime-check';

async function postEvents(rt: LocalRuntime, items: unknown[]): Promise<void> {
  const res = await fetch(`${rt.apiUrl}/events`, { method: 'POST', body: JSON.stringify(items) });
  assert.equal(res.status, 202);
  await res.arrayBuffer();
  await rt.drain();
}

async function graphOf(rt: LocalRuntime) {
  const doc = makeDynamoClient({ endpoint: rt.endpoints.dynamodb });
  try {
    return await committedGraph(doc, rt.tables);
  } finally {
    doc.destroy();
  }
}

describe('a runtime over running emulators', () => {
  let emu: Emulators;
  before(async () => {
    emu = await startEmulators({ kinesisPort: 0, dynamoPort: 0 });
  });
  after(async () => {
    await emu?.stop();
  });

  it('leaves them running when it stops, and after reset() the next run starts from nothing', async () => {
    const first = generateEvents({ users: 60, batches: 3, seed: 5 });
    const rt1 = await startTestRuntime({ emulators: emu });
    try {
      await postEvents(rt1, first);
      assert.deepEqual(await graphOf(rt1), modelGraph(ReferenceModel.fromItems(first)));
    } finally {
      await rt1.stop();
    }

    // Still serving: the stream and the tables of the first run are there.
    const kinesis = makeKinesisClient({ endpoint: emu.endpoints.kinesis });
    const dynamo = makeDynamoClient({ endpoint: emu.endpoints.dynamodb });
    try {
      const streams = await kinesis.send(new ListStreamsCommand({}));
      assert.deepEqual(streams.StreamNames, [emu.streamName]);
      const tables = await dynamo.send(new ListTablesCommand({}));
      assert.deepEqual([...(tables.TableNames ?? [])].sort(), Object.values(emu.tables).sort());
    } finally {
      kinesis.destroy();
      dynamo.destroy();
    }

    const arnBefore = emu.streamArn;
    await emu.reset();
    const second = generateEvents({ users: 40, batches: 2, seed: 6 });
    const rt2 = await startTestRuntime({ emulators: emu });
    try {
      assert.equal(rt2.streamArn, emu.streamArn);
      assert.equal((await streamRecords(rt2)).length, 0, 'the reset stream is empty');
      assert.deepEqual(
        await graphOf(rt2),
        modelGraph(ReferenceModel.fromItems([])),
        'the reset tables are empty',
      );
      await postEvents(rt2, second);
      // Only the second run's events: nothing of the first run's stream, graph or checkpoint survives.
      assert.deepEqual(await graphOf(rt2), modelGraph(ReferenceModel.fromItems(second)));
      const p = (await (await fetch(`${rt2.apiUrl}/meta/pipeline`)).json()) as Record<string, number>;
      assert.equal(p.applied + p.noop + p.rejected, second.length);
      // A user only the first run registered is unknown now.
      const gone = first.find(
        (e) => e.type === 'register' && !second.some((s) => s.type === 'register' && s.name === e.name),
      );
      assert.ok(gone && gone.type === 'register');
      assert.equal((await fetch(`${rt2.apiUrl}/users/${gone.name}`)).status, 404);
    } finally {
      await rt2.stop();
    }
    assert.notEqual(arnBefore, '');
  });

  it('refuses a data directory alongside given emulators', async () => {
    await assert.rejects(startTestRuntime({ emulators: emu, dataDir: '/tmp/never-used' }), /data directory/);
  });
});
