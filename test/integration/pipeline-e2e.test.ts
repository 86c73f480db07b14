// The whole write path on the embedded default: events POSTed to the local API Gateway go through
// the real POST /events handler into kinesalite, the local event source mapping feeds the real
// processor handler, and the graph lands in dynalite. The stored graph and the counters must equal
// the reference model's, and a redelivery of the whole stream must change nothing.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { generateEvents } from '../../domain/generator';
import { BatchProcessor } from '../../lambdas/processor/batch-processor';
import type { LocalRuntime } from '../../local/runtime';
import { makeDynamoClient } from '../../storage/clients';
import { ReferenceModel } from '../reference/model';
import { committedGraph, modelGraph, scanAll } from '../support/pipeline-harness';
import { pipelineAfterCommit, startTestRuntime } from '../support/runtime';
import { streamRecords } from '../support/runtime-check';

function stream(): unknown[] {
  const items: unknown[] = generateEvents({ users: 150, batches: 6, seed: 21 });
  // Dirt a producer or a client might send: resends, unknown users, self relations, malformed.
  items.splice(50, 0, items[10], {
    type: 'addfriend',
    user1_name: 'nobody',
    user2_name: 'user00001',
    created_at: '20250718T205400Z',
  });
  items.splice(400, 0, {
    type: 'referral',
    referredBy: 'user00002',
    user: 'user00002',
    created_at: '2025-07-18T20:54:00Z',
  });
  items.push({ type: 'register', name: '', created_at: '20250718T205400Z' }, [1, 2, 3]);
  return items;
}

describe('pipeline end to end on the embedded default', () => {
  let rt: LocalRuntime;
  let doc: DynamoDBDocumentClient;
  before(async () => {
    rt = await startTestRuntime();
    doc = makeDynamoClient({ endpoint: rt.endpoints.dynamodb });
  });
  after(async () => {
    doc.destroy();
    await rt.stop();
  });

  it('POST /events -> stream -> processor -> graph equals the reference, counts add up', async () => {
    const items = stream();
    // Two requests: a JSON array and NDJSON (with one line that is not JSON).
    const half = Math.floor(items.length / 2);
    const r1 = await fetch(`${rt.apiUrl}/events`, {
      method: 'POST',
      body: JSON.stringify(items.slice(0, half)),
    });
    assert.equal(r1.status, 202);
    assert.deepEqual(await r1.json(), { accepted: half });
    const ndjson = `${items
      .slice(half)
      .map((e) => JSON.stringify(e))
      .join('\n')}\n{not json\n`;
    const r2 = await fetch(`${rt.apiUrl}/events`, { method: 'POST', body: ndjson });
    assert.equal(r2.status, 202);
    assert.deepEqual(await r2.json(), { accepted: items.length - half + 1 });
    await rt.drain();

    const sent = [...items, '{not json'];
    const model = ReferenceModel.fromItems(sent);
    const got = await committedGraph(doc, rt.tables);
    assert.deepEqual(got, modelGraph(model));

    const p = await pipelineAfterCommit<Record<string, number>>(rt);
    assert.equal(p.applied + p.noop + p.rejected, sent.length);
    assert.equal(p.rejected, model.totals().rejected);
  });

  it('a redelivery of the whole stream, in other batch sizes, changes nothing', async () => {
    const before = { graph: await scanAll(doc, rt.tables.graph), meta: await scanAll(doc, rt.tables.meta) };
    const records = await streamRecords(rt);
    assert.ok(records.length >= 2);
    const p = new BatchProcessor({ doc, tables: rt.tables });
    for (let i = 0; i < records.length; i++) await p.process(records.slice(i, i + 2));
    assert.deepEqual(
      { graph: await scanAll(doc, rt.tables.graph), meta: await scanAll(doc, rt.tables.meta) },
      before,
    );
  });
});
