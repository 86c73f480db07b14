// Money sums stay exact however large (SPEC section 11: sums of amounts are exact). A single sale may be
// 1e12, 1e14 cents; a column of doubles (and a rollup block, bounded at 2^52) would lose the last cents
// after about 45 such sales of one product in one block. Through the whole embedded pipeline (producer,
// kinesalite, processor, journal, snapshot job, rollup codec, the read path's block sums), the product
// items, and the rolled-up sales of every product and buyer, equal the reference model's bigint sums.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { P, PRODUCT_FIGURES } from '../../domain/marketplace/family';
import { centsToAmount, partsToAmount } from '../../domain/marketplace/money';
import { Reader } from '../../lambdas/api/reader';
import type { LocalRuntime } from '../../local/runtime';
import { sumBlocks } from '../../queries/figures';
import { makeDynamoClient, makeKinesisClient } from '../../storage/clients';
import { ReadStore } from '../../storage/read-store';
import { StreamProducer } from '../../stream/producer';
import { startTestRuntime } from '../support/runtime';
import { assertMatchesModel, expectedFrom, streamRecords } from '../support/runtime-check';

let rt: LocalRuntime;
let doc: DynamoDBDocumentClient;
let kinesis: KinesisClient;
let producer: StreamProducer;

before(async () => {
  rt = await startTestRuntime();
  doc = makeDynamoClient({ endpoint: rt.endpoints.dynamodb });
  kinesis = makeKinesisClient({ endpoint: rt.endpoints.kinesis });
  producer = new StreamProducer(kinesis, rt.streamName);
});

after(async () => {
  doc?.destroy();
  kinesis?.destroy();
  await rt?.stop();
});

/** Every whale sale sent so far, in cents. */
let sentCents = 0n;

/**
 * `n` sales of product 233 by `whale` at or near the largest amount, in one 5-second bucket, and one of
 * a cent.
 */
function whaleSales(n: number, createdAt: string): unknown[] {
  const out: unknown[] = [];
  const amounts = [1e12, '1000000000000.00', '999999999999.99', 999999999999.99];
  const cents = [100_000_000_000_000n, 100_000_000_000_000n, 99_999_999_999_999n, 99_999_999_999_999n];
  for (let i = 0; i < n; i++) {
    out.push({
      type: 'productSold',
      product_id: 233,
      no_of_units: 1,
      amount: amounts[i % 4],
      user: 'whale',
      created_at: createdAt,
    });
    sentCents += cents[i % 4];
  }
  out.push({
    type: 'productSold',
    product_id: '233',
    no_of_units: 1,
    amount: '0.01',
    user: 'whale',
    created_at: createdAt,
  });
  sentCents += 1n;
  return out;
}

/** Product 233's all-time revenue from its rollups, as the read path sums them. */
async function rolledUpRevenue(): Promise<number> {
  const reader = new Reader(new ReadStore(doc, rt.tables), { stateTtlMs: 0 });
  const r = await reader.rangeBlocks(PRODUCT_FIGURES.id, { from: null, to: Number.MAX_SAFE_INTEGER });
  assert.ok(r !== null);
  const row = sumBlocks(r.names, r.blocks).get('233');
  assert.ok(row !== undefined);
  return partsToAmount(row[P.cents], row[P.centsHi]);
}

describe('exact money through the pipeline', () => {
  it('thousands of 1e12 sales of one product in one bucket sum to the cent, in items and rollups', async () => {
    // 1,000 maximal sales in one bucket: 1e17 cents, past 2^53 (9.007e15) and the blocks' 2^52.
    // A small graph beside it (the whole-state check reads the social figures too).
    await producer.send([
      { type: 'register', name: 'whale', created_at: '20250718T205354320Z' },
      { type: 'register', name: 'minnow', created_at: '20250718T205354320Z' },
      { type: 'addfriend', user1_name: 'whale', user2_name: 'minnow', created_at: '20250718T205354320Z' },
      ...whaleSales(1_000, '20250718T205354320Z'),
    ]);
    await rt.drain(60_000);
    await assertMatchesModel(rt, doc, expectedFrom(await streamRecords(rt)), 'one bucket');
    assert.equal(await rolledUpRevenue(), centsToAmount(sentCents));

    // More in a later bucket and a later day: the all-data block and the day blocks carry on from the
    // stored ones.
    await producer.send(whaleSales(700, '20250718T205359000Z'));
    await producer.send(whaleSales(300, '20250720T000000000Z'));
    await rt.drain(60_000);
    await assertMatchesModel(rt, doc, expectedFrom(await streamRecords(rt)), 'more buckets');
    assert.equal(await rolledUpRevenue(), centsToAmount(sentCents));
  });
});
