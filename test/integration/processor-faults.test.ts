// The processor against dynalite under faults that the crash-at-a-write harness (processor.test.ts)
// cannot express: an attempt that fails while other writes of it are still on their way, and redo
// slots left half written by two different attempts that start at the same stream position.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { mulberry32 } from '../../domain/generator';
import { decodeRecord } from '../../domain/records';
import { BatchProcessor } from '../../lambdas/processor/batch-processor';
import { PipelineStore } from '../../storage/pipeline-store';
import { ReferenceModel } from '../reference/model';
import { startDynamo, type TestDynamo } from '../support/dynamo';
import { committedGraph, modelGraph, sequenceNumbers } from '../support/pipeline-harness';

interface Call {
  name: string;
  table: string;
  input: { RequestItems?: Record<string, { PutRequest?: { Item: Record<string, unknown> } }[]> };
}

/** What a script does with one call: pass it on, change it, delay it, or fail it (after or instead). */
type Step = { input?: Call['input']; delayMs?: number; failAfter?: boolean; fail?: boolean };

class ScriptedFailure extends Error {}

/** batch-io sends flat items as attribute values (BatchWriteItemCommand), others as documents. */
const isBatchWrite = (name: string) => name === 'BatchWriteCommand' || name === 'BatchWriteItemCommand';
/** A string attribute of an item in either form. */
function str(item: Record<string, unknown> | undefined, key: string): string {
  const v = item?.[key];
  return typeof v === 'object' && v !== null && 'S' in v ? String(v.S) : String(v);
}

/** A document client whose every call goes through `script` first. */
function scriptedDoc(doc: DynamoDBDocumentClient, script: (call: Call) => Step) {
  const wrapper = Object.create(doc) as DynamoDBDocumentClient;
  const sent: { name: string; at: number }[] = [];
  wrapper.send = (async (cmd: {
    constructor: { name: string };
    input: Call['input'] & { TableName?: string };
  }) => {
    const name = cmd.constructor.name;
    const table = cmd.input.TableName ?? Object.keys(cmd.input.RequestItems ?? {})[0] ?? '';
    const step = script({ name, table, input: cmd.input });
    if (step.delayMs) await new Promise((r) => setTimeout(r, step.delayMs));
    if (step.fail) throw new ScriptedFailure(`scripted failure of ${name}`);
    // A document command marshals the input it was built with: a changed input needs a new command.
    const ctor = cmd.constructor as new (input: unknown) => unknown;
    const actual = step.input ? new ctor(step.input) : cmd;
    sent.push({ name, at: performance.now() });
    const out = await (doc.send as (c: unknown) => Promise<unknown>)(actual);
    if (step.failAfter) throw new ScriptedFailure(`scripted failure after ${name}`);
    return out;
  }) as DynamoDBDocumentClient['send'];
  return { doc: wrapper, sent };
}

const at = '20250718T205354320Z';
const reg = (name: string) => ({ type: 'register', name, created_at: at });

describe('processor on dynalite, attempts that fail untidily', () => {
  let db: TestDynamo;
  before(async () => {
    db = await startDynamo();
  });
  after(async () => {
    await db.stop();
  });

  it('an attempt that fails sends nothing more once process() has thrown (no stray write can race the retry)', async () => {
    const tables = await db.freshTables();
    const seqs = sequenceNumbers(2);
    // 60 users: three BatchWriteItem calls of user items, sent side by side.
    const names = Array.from({ length: 60 }, (_, i) => `u${String(i).padStart(3, '0')}`);
    const records = [
      { sequenceNumber: seqs[0], data: Buffer.from(JSON.stringify(names.map(reg))) },
      {
        sequenceNumber: seqs[1],
        data: Buffer.from(
          JSON.stringify([{ type: 'addfriend', user1_name: 'u000', user2_name: 'u001', created_at: at }]),
        ),
      },
    ];
    let graphWrites = 0;
    const faulty = scriptedDoc(db.doc, (c) => {
      if (!isBatchWrite(c.name) || c.table !== tables.graph) return {};
      graphWrites++;
      // The first user-item call is slow, the second fails at once.
      return graphWrites === 1 ? { delayMs: 150 } : graphWrites === 2 ? { fail: true } : {};
    });
    await assert.rejects(new BatchProcessor({ doc: faulty.doc, tables }).process(records), ScriptedFailure);
    const thrownAt = performance.now();
    const late = () => faulty.sent.filter((s) => s.at > thrownAt);
    await new Promise((r) => setTimeout(r, 300));
    assert.deepEqual(late(), [], 'a write of the failed attempt was sent after it had failed');
    // And the retry finishes the decided batch.
    await new BatchProcessor({ doc: db.doc, tables }).process(records);
    const items = records.flatMap((r) => decodeRecord(r.data));
    assert.deepEqual(await committedGraph(db.doc, tables), modelGraph(ReferenceModel.fromItems(items)));
  });

  it('redo slots half written by two attempts from the same position are never taken for one log', async () => {
    const tables = await db.freshTables();
    const seqs = sequenceNumbers(2);
    // A batch whose (compressed) redo log takes several slots: many users with long random names that
    // do not compress; and a tiny record after it.
    const random = mulberry32(9);
    const alphabet = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-';
    const names = Array.from({ length: 4_000 }, () =>
      Array.from({ length: 128 }, () => alphabet[Math.floor(random() * 64)]).join(''),
    );
    const r1 = { sequenceNumber: seqs[0], data: Buffer.from(JSON.stringify(names.map(reg))) };
    const r2 = { sequenceNumber: seqs[1], data: Buffer.from(JSON.stringify([reg('tail')])) };
    const store = new PipelineStore(db.doc, tables);

    let slotsSeen = 0;
    /** A client that writes only the redo slots `keep` picks, then dies. */
    const halfRedo = (keep: (slot: number) => boolean) =>
      scriptedDoc(db.doc, (c) => {
        const puts = c.input.RequestItems?.[tables.meta];
        if (!isBatchWrite(c.name) || !puts?.some((p) => str(p.PutRequest?.Item, 'pk') === 'redo')) return {};
        const kept = puts.filter((p) => keep(Number(str(p.PutRequest?.Item, 'sk').slice(5))));
        slotsSeen = Math.max(slotsSeen, puts.length);
        return kept.length === 0
          ? { fail: true }
          : { input: { RequestItems: { [tables.meta]: kept } }, failAfter: true };
      });

    // Attempt 1, the whole batch: dies after the first half of its redo slots.
    await assert.rejects(new BatchProcessor({ doc: halfRedo((s) => s < 1).doc, tables }).process([r1, r2]));
    const chunks1 = (await store.readState()).pending?.redoChunks;
    // Attempt 2, the first half of a bisected retry (same first position): dies after the other slots.
    await assert.rejects(new BatchProcessor({ doc: halfRedo((s) => s >= 1).doc, tables }).process([r1]));
    const chunks2 = (await store.readState()).pending?.redoChunks;
    assert.ok(chunks1 !== undefined && chunks1 >= 2 && chunks1 === chunks2, `${chunks1} ${chunks2}`);

    // Every slot now holds a piece of one attempt or the other: neither log is complete.
    const p = new BatchProcessor({ doc: db.doc, tables });
    await p.process([r1]);
    await p.process([r2]);
    const items = [r1, r2].flatMap((r) => decodeRecord(r.data));
    assert.deepEqual(await committedGraph(db.doc, tables), modelGraph(ReferenceModel.fromItems(items)));
  });
});
