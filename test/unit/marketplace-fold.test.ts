// The marketplace fold (domain/marketplace/fold.ts) against the reference model, on generated streams
// cut into batches at random, with products and profiles carried between batches through their stored
// item form (storage/marketplace/items.ts), as the processor carries them: every outcome, every
// product's all-time view, every profile, and the figure rows summed per (bucket, key).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { generateMixedEvents } from '../../domain/family-generator';
import { FigureAccumulator, type FigureDeltas } from '../../domain/figures';
import {
  P,
  PRODUCT_ACTION_FIGURES,
  PRODUCT_FIGURES,
  pairKey,
  SOURCE_ACTION_FIGURES,
  U,
  USER_ACTION_FIGURES,
  USER_FIGURES,
  USER_SOURCE_FIGURES,
} from '../../domain/marketplace/family';
import { MarketplaceFold, type ProductState, type Profile, productName } from '../../domain/marketplace/fold';
import { partsToAmount, splitCents } from '../../domain/marketplace/money';
import { bucketOf } from '../../domain/time';
import { toProductItem, toProductState } from '../../storage/marketplace/items';
import { MarketplaceModel } from '../reference/marketplace-model';
import { fieldValueArb, weightedMarketEventArb } from '../support/marketplace-arbitraries';

const ARRIVAL = Date.UTC(2025, 6, 18, 20, 0, 0);

/** Events with some of them broken: a field replaced by a value around its limits. */
const dirtyEventArb = fc.oneof(
  { weight: 5, arbitrary: weightedMarketEventArb },
  {
    weight: 1,
    arbitrary: fc.tuple(weightedMarketEventArb, fc.nat(), fieldValueArb).map(([e, i, v]) => {
      const keys = Object.keys(e);
      return { ...e, [keys[i % keys.length]]: v };
    }),
  },
);

/** Records (each with its arrival time) and the batch cuts. */
const streamArb = fc.record({
  records: fc.array(
    fc.record({
      gapMs: fc.integer({ min: 0, max: 20_000 }),
      events: fc.array(dirtyEventArb, { maxLength: 12 }),
    }),
    { minLength: 1, maxLength: 12 },
  ),
  cuts: fc.array(fc.boolean(), { minLength: 12, maxLength: 12 }),
});

function add(
  into: Map<string, number[]>,
  key: string,
  width: number,
  row: ArrayLike<number | string>,
  at: number,
) {
  let r = into.get(key);
  if (r === undefined) {
    r = new Array<number>(width).fill(0);
    into.set(key, r);
  }
  for (let c = 0; c < width; c++) r[c] += row[at + c] as number;
}

/** Rows summed per `bucket|key`, zero rows dropped. */
function sumRows(deltas: FigureDeltas[], set: string, width: number): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (const d of deltas) {
    const rows = d[set] ?? [];
    for (let i = 0; i < rows.length; i += 2 + width)
      add(out, `${rows[i]}|${rows[i + 1]}`, width, rows, i + 2);
  }
  for (const [k, r] of out) if (r.every((v) => v === 0)) out.delete(k);
  return out;
}

function flat(acc: FigureAccumulator): Map<string, number[]> {
  const rows = acc.flat();
  const out = new Map<string, number[]>();
  for (let i = 0; i < rows.length; i += 2 + acc.width)
    add(out, `${rows[i]}|${rows[i + 1]}`, acc.width, rows, i + 2);
  return out;
}

type Stream = { records: { gapMs: number; events: unknown[] }[]; cuts: boolean[] };

/** Folds the stream batch by batch (cut where `cuts` says) and compares everything with the model. */
function checkStream({ records, cuts }: Stream): void {
  let arrival = ARRIVAL;
  const recs = records.map((r) => {
    arrival += r.gapMs;
    return { arrivalMs: arrival, events: r.events };
  });
  const model = MarketplaceModel.fromRecords(recs);

  // Stored state between batches, as items.
  let products = new Map<string, ReturnType<typeof toProductItem>>();
  const profiles = new Map<string, Profile | null>();
  const outcomes: string[] = [];
  const deltas: FigureDeltas[] = [];
  let fold: MarketplaceFold | null = null;
  const finish = () => {
    if (fold === null) return;
    for (const id of fold.touchedProducts) {
      products.set(id, toProductItem(fold.products.get(id) as ProductState, 'v'));
    }
    for (const u of fold.touchedProfiles) profiles.set(u, fold.profiles.get(u) ?? null);
    deltas.push(fold.figures());
    fold = null;
  };
  recs.forEach((r, i) => {
    if (fold === null || cuts[i]) {
      finish();
      // A fresh batch loads (copies of) what is stored.
      const loaded = new Map([...products].map(([id, it]) => [id, toProductState(it)]));
      fold = new MarketplaceFold(loaded, new Map(profiles));
    }
    for (const e of r.events) outcomes.push((fold as MarketplaceFold).apply(e, r.arrivalMs));
  });
  finish();
  products = new Map([...products].filter(([, it]) => it.fs !== null));

  assert.deepEqual(
    outcomes,
    model.verdicts.map((v) => v.outcome),
  );

  // Every product the model knows, as the API shows it, and no other.
  assert.deepEqual([...products.keys()].sort(), [...model.products.keys()].sort());
  for (const [id, it] of products) {
    const p = toProductState(it);
    const want = model.product(id);
    assert.ok(want !== null);
    assert.equal(productName(p), want.name, `${id} name`);
    assert.equal(new Date(p.firstSeenAt as number).toISOString(), want.firstSeenAt, `${id} firstSeenAt`);
    assert.equal(p.entry?.category ?? null, want.category);
    assert.equal(p.entry?.description ?? null, want.description);
    assert.equal(p.entry?.costCents == null ? null : p.entry.costCents / 100, want.cost);
    assert.deepEqual(
      { orders: p.orders, units: p.units, revenue: partsToAmount(p.cents, p.centsHi) },
      want.sales,
      `${id} sales`,
    );
    assert.deepEqual(
      { count: p.ratings, average: p.ratings === 0 ? null : p.ratingSum / p.ratings },
      want.ratings,
      `${id} ratings`,
    );
    assert.deepEqual(
      { total: p.interactions, byAction: p.byAction },
      want.interactions,
      `${id} interactions`,
    );
  }
  for (const [user, profile] of profiles) {
    const want = model.profileOf(user);
    assert.deepEqual(profile, want === null ? null : { displayName: want.displayName, email: want.email });
  }

  // Figure rows: brute force from the model's log of applied events.
  const want = {
    product: new FigureAccumulator(PRODUCT_FIGURES.columns.length),
    user: new FigureAccumulator(USER_FIGURES.columns.length),
    productAction: new FigureAccumulator(1),
    userAction: new FigureAccumulator(1),
    userSource: new FigureAccumulator(1),
    sourceAction: new FigureAccumulator(1),
  };
  for (const { event: e } of model.log) {
    const b = bucketOf(e.at);
    if (e.type === 'productSold') {
      want.product.add(b, e.productId, P.orders, 1);
      want.product.add(b, e.productId, P.units, e.units);
      const [lo, hi] = splitCents(e.cents);
      want.product.add(b, e.productId, P.cents, lo);
      want.product.add(b, e.productId, P.centsHi, hi);
      if (e.user !== null) {
        want.user.add(b, e.user, U.orders, 1);
        want.user.add(b, e.user, U.units, e.units);
        want.user.add(b, e.user, U.cents, lo);
        want.user.add(b, e.user, U.centsHi, hi);
      }
    } else if (e.type === 'productRated') {
      want.product.add(b, e.productId, P.ratings, 1);
      want.product.add(b, e.productId, P.ratingSum, e.rating);
      want.product.add(b, e.productId, P.star1 + e.rating - 1, 1);
      if (e.user !== null) {
        want.user.add(b, e.user, U.ratings, 1);
        want.user.add(b, e.user, U.ratingSum, e.rating);
      }
    } else if (e.type === 'interaction') {
      want.product.add(b, e.productId, P.interactions, 1);
      want.user.add(b, e.user, U.interactions, 1);
      want.productAction.add(b, pairKey(e.productId, e.action), 0, 1);
      want.userAction.add(b, pairKey(e.user, e.action), 0, 1);
      want.userSource.add(b, pairKey(e.user, e.source), 0, 1);
      want.sourceAction.add(b, pairKey(e.source, e.action), 0, 1);
    }
  }
  const sets: [string, FigureAccumulator][] = [
    [PRODUCT_FIGURES.id, want.product],
    [USER_FIGURES.id, want.user],
    [PRODUCT_ACTION_FIGURES.id, want.productAction],
    [USER_ACTION_FIGURES.id, want.userAction],
    [USER_SOURCE_FIGURES.id, want.userSource],
    [SOURCE_ACTION_FIGURES.id, want.sourceAction],
  ];
  for (const [id, acc] of sets) assert.deepEqual(sumRows(deltas, id, acc.width), flat(acc), id);
}

describe('marketplace fold vs reference model', () => {
  test('outcomes, products, profiles and figure rows agree, however the stream is cut into batches', () => {
    fc.assert(fc.property(streamArb, checkStream), { numRuns: 300 });
  });

  test('the same on a generated stream large enough that every table of the fold grows', () => {
    // Thousands of products, users and (bucket, key) rows in one batch: the fold's id tables and row
    // arrays grow many times over while it adds into them.
    const events = generateMixedEvents({ users: 1_500, batches: 3, seed: 5, families: ['marketplace'] });
    const records: Stream['records'] = [];
    for (let i = 0; i < events.length; i += 2_000) {
      records.push({ gapMs: 6_000, events: events.slice(i, i + 2_000) });
    }
    assert.ok(events.length > 5_000, `${events.length} events`);
    checkStream({ records, cuts: records.map((_, i) => i === 0) });
  });
});
