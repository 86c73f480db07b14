// storage/user-reads.ts against a real dynalite: coalesced single-user reads answer each caller with
// its own item (or null), whatever else was asked in the same turn; projections keep only what was asked.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { makeDynamoReadClient } from '../../storage/clients';
import { UserReads } from '../../storage/user-reads';
import { startDynamo, type TestDynamo } from '../support/dynamo';

const item = (i: number) => ({
  pk: `u${i}`,
  ra: 1_752_872_034_320 + i,
  ...(i % 3 === 0 ? { rb: `u${i + 1}`, rba: 1_752_872_034_321 } : {}),
  f: JSON.stringify([1_752_872_034_320, `u${i + 2}`]),
  rf: '[]',
  fc: i % 7,
  rc: i % 5,
  pts: i * 3,
  h: JSON.stringify([1_752_872_030_000, 1, 0, 0, 0, 0]),
  v: `seq-${i}`,
});

describe('UserReads (dynalite)', () => {
  let dyn: TestDynamo;
  let reads: UserReads;
  const client = () => makeDynamoReadClient({ endpoint: dyn.endpoint });
  let dynamo: ReturnType<typeof client>;

  before(async () => {
    dyn = await startDynamo();
    dynamo = client();
    reads = new UserReads(dynamo, dyn.tables.graph);
    for (let i = 0; i < 250; i++) {
      await dyn.doc.send(new PutCommand({ TableName: dyn.tables.graph, Item: item(i) }));
    }
  });
  after(async () => {
    dynamo.destroy();
    await dyn.stop();
  });

  it('a lone read returns the item as stored, numbers as numbers', async () => {
    assert.deepEqual(await reads.user('u3'), item(3));
    assert.equal(await reads.user('nobody'), null);
  });

  it('reads asked together (over 100 names, duplicates, unknown names) each get their own answer', async () => {
    const names = Array.from({ length: 300 }, (_, k) => (k % 4 === 3 ? `ghost${k}` : `u${(k * 7) % 250}`));
    const answers = await Promise.all(names.map((n) => reads.user(n)));
    names.forEach((n, k) => {
      const i = Number(n.slice(1));
      assert.deepEqual(answers[k], n.startsWith('ghost') ? null : item(i), n);
    });
  });

  it('users() returns each existing name once with only the projected attributes', async () => {
    const got = await reads.users(['u1', 'u2', 'u1', 'ghost', 'u3'], ['fc', 'rb', 'pts']);
    const byName = new Map(got.map((u) => [u.pk, u]));
    assert.equal(got.length, 3);
    assert.deepEqual(byName.get('u1'), { pk: 'u1', fc: 1, pts: 3 });
    assert.deepEqual(byName.get('u3'), { pk: 'u3', fc: 3, pts: 9, rb: 'u4' });
  });

  it('meta items asked in the same turn as users join their call, and each caller gets its own', async () => {
    const withMeta = new UserReads(dynamo, dyn.tables.graph, dyn.tables.meta);
    const state = { pk: 'pipeline', sk: 'state', checkpoint: 'cp-1', batches: 4 };
    await dyn.doc.send(new PutCommand({ TableName: dyn.tables.meta, Item: state }));
    const commands: string[] = [];
    const counting = client();
    counting.middlewareStack.add(
      (next, ctx) => (args) => {
        commands.push(String(ctx.commandName));
        return next(args);
      },
      { step: 'initialize', name: 'countCommands' },
    );
    try {
      const reads2 = new UserReads(counting, dyn.tables.graph, dyn.tables.meta);
      const [a, m, b, none] = await Promise.all([
        reads2.user('u5'),
        reads2.metaItem({ pk: 'pipeline', sk: 'state' }),
        reads2.user('ghost'),
        reads2.metaItem({ pk: 'snapshot', sk: 'nothing' }),
      ]);
      assert.deepEqual(a, item(5));
      assert.deepEqual(m, state);
      assert.equal(b, null);
      assert.equal(none, null);
      assert.deepEqual(commands, ['BatchGetItemCommand']);
      // Alone, a meta item is one GetItem.
      assert.deepEqual(await withMeta.metaItem({ pk: 'pipeline', sk: 'state' }), state);
    } finally {
      counting.destroy();
    }
  });

  it('a reader built without the meta table refuses meta reads', async () => {
    await assert.rejects(reads.metaItem({ pk: 'pipeline', sk: 'state' }), /without the meta table/);
  });
});
