// domain/family-generator.ts and domain/marketplace/generator.ts: the seeded generator mixes the
// families without changing the social stream, and the marketplace part looks like the wild.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { eventKind } from '../../domain/event-kind';
import {
  type FamilyName,
  generateMixedEvents,
  MixedGenerator,
  type MixedGeneratorSnapshot,
  parseFamilies,
} from '../../domain/family-generator';
import { EventGenerator, generateEvents } from '../../domain/generator';
import {
  isMarketplaceType,
  MarketplaceEventSchema,
  readMarketplaceEvent,
} from '../../domain/marketplace/events';
import { productIdOf } from '../../domain/marketplace/generator';
import type { Io } from '../../scripts/cli-args';
import { GENERATE_USAGE, generateMain } from '../../scripts/generate';

const MIXED: FamilyName[] = ['social', 'marketplace'];
const SOCIAL = new Set(['register', 'referral', 'addfriend', 'unfriend']);
const isSocial = (e: unknown) => SOCIAL.has(eventKind(e) as string);
const kindOf = (e: unknown) => eventKind(e) as string;

function batches(g: MixedGenerator | EventGenerator, n: number): unknown[][] {
  return Array.from({ length: n }, () => g.nextBatch());
}

describe('family generator: social stays as it was', () => {
  test('social alone (the default) gives exactly the social generator’s events', () => {
    for (const seed of [1, 7, 42]) {
      const o = { users: 80, seed, batches: 5 };
      const expected = JSON.stringify(generateEvents(o));
      assert.equal(JSON.stringify(generateMixedEvents(o)), expected);
      assert.equal(JSON.stringify(generateMixedEvents({ ...o, families: ['social'] })), expected);
    }
  });

  test('adding the marketplace leaves the social events, their order and times unchanged', () => {
    const mixed = generateMixedEvents({ users: 120, seed: 9, batches: 6, families: MIXED });
    assert.deepEqual(mixed.filter(isSocial), generateEvents({ users: 120, seed: 9, batches: 6 }));
    assert.ok(mixed.length > mixed.filter(isSocial).length);
  });

  test('marketplace alone: no social event, users named as the social generator would', () => {
    const events = generateMixedEvents({ users: 40, seed: 3, batches: 3, families: ['marketplace'] });
    assert.equal(events.filter(isSocial).length, 0);
    assert.ok(events.length > 0);
    for (const e of events) {
      const user = (e as { user?: unknown }).user;
      if (typeof user === 'string') assert.match(user, /^user000\d\d$/);
    }
  });
});

describe('family generator: the marketplace events', () => {
  const g = new MixedGenerator({ users: 300, seed: 11, families: MIXED });
  const bs = batches(g, 6);
  const market = bs.flat().filter((e) => !isSocial(e));
  const arrival = Date.UTC(2026, 0, 1);

  test('all valid without dirt (both validators), and in realistic proportions', () => {
    const count: Record<string, number> = {};
    for (const e of market) {
      assert.ok(MarketplaceEventSchema.safeParse(e).success, JSON.stringify(e));
      assert.notEqual(readMarketplaceEvent(e, arrival), null, JSON.stringify(e));
      count[kindOf(e)] = (count[kindOf(e)] ?? 0) + 1;
    }
    assert.ok(count.interaction > 4 * count.productSold, JSON.stringify(count));
    assert.ok(count.productSold > count.productRated, JSON.stringify(count));
    assert.ok(count.productRated > count.profileUpserted, JSON.stringify(count));
    for (const t of ['productUpserted', 'productDeleted', 'profileUpserted', 'profileDeleted']) {
      assert.ok(count[t] > 0, t);
    }
  });

  test('the first batch upserts the catalogue first, right after the social events', () => {
    const first = bs[0];
    const firstMarket = first.findIndex((e) => !isSocial(e));
    assert.ok(
      first.slice(firstMarket).every((e) => !isSocial(e)),
      'marketplace events follow the social ones',
    );
    const products = 20; // users / 20 = 15, raised to the minimum of 20
    const catalogue = first.slice(firstMarket, firstMarket + products);
    assert.deepEqual(
      catalogue.map((e) => kindOf(e)),
      Array(products).fill('productUpserted'),
    );
    assert.deepEqual(
      catalogue.map((e) => String((e as { product_id: unknown }).product_id)),
      Array.from({ length: products }, (_, i) => String(productIdOf(i + 1))),
    );
  });

  test('each batch: about ratio × social events, with the batch’s created_at or none', () => {
    for (const [i, batch] of bs.entries()) {
      const social = batch.filter(isSocial);
      const createdAt = (social[0] as { created_at: string }).created_at;
      const own = batch.filter((e) => !isSocial(e));
      const expected = Math.round(0.5 * social.length) + (i === 0 ? 20 : 0);
      assert.equal(own.length, expected, `batch ${i}`);
      for (const e of own) {
        const ca = (e as { created_at?: unknown }).created_at;
        assert.ok(ca === undefined || ca === createdAt, JSON.stringify(e));
      }
    }
  });

  test('wild spellings: event_name / event, no created_at, ids and amounts as numbers and strings, nulls', () => {
    const has = (p: (e: Record<string, unknown>) => boolean) =>
      market.some((e) => p(e as Record<string, unknown>));
    assert.ok(
      has((e) => e.event_name !== undefined && e.type === undefined),
      'event_name',
    );
    assert.ok(
      has((e) => e.event !== undefined && e.type === undefined),
      'event',
    );
    assert.ok(
      has((e) => e.created_at === undefined),
      'no created_at',
    );
    assert.ok(
      has((e) => typeof e.product_id === 'number'),
      'numeric id',
    );
    assert.ok(
      has((e) => typeof e.product_id === 'string' && /^\d+$/.test(e.product_id)),
      'numeric string id',
    );
    assert.ok(
      has((e) => typeof e.product_id === 'string' && e.product_id.startsWith('sku-')),
      'string id',
    );
    assert.ok(
      has((e) => typeof e.amount === 'number'),
      'amount as a number',
    );
    assert.ok(
      has((e) => typeof e.amount === 'string'),
      'amount as a string',
    );
    assert.ok(
      has((e) => e.source === null),
      'a null optional field',
    );
    assert.ok(
      has((e) => kindOf(e) === 'interaction' && e.source === undefined),
      'source left out',
    );
  });

  test('with dirt, malformed marketplace events follow at about that rate', () => {
    const dirty = generateMixedEvents({
      users: 300,
      seed: 11,
      batches: 6,
      families: MIXED,
      marketplace: { dirt: 0.05 },
    }).filter((e) => !isSocial(e));
    const bad = dirty.filter((e) => readMarketplaceEvent(e, arrival) === null);
    for (const e of bad) {
      assert.equal(MarketplaceEventSchema.safeParse(e).success, false);
      // malformed marketplace events, or (now and then) an unknown kind
      assert.ok(isMarketplaceType(eventKind(e)) || kindOf(e) === 'productsold', JSON.stringify(e));
    }
    const good = dirty.length - bad.length;
    assert.ok(bad.length > 0.03 * good && bad.length < 0.07 * good, `${bad.length} of ${good}`);
  });

  test('same options, same events; another seed, other events', () => {
    const o = { users: 100, batches: 4, families: MIXED, marketplace: { dirt: 0.02 } };
    assert.deepEqual(generateMixedEvents({ ...o, seed: 5 }), generateMixedEvents({ ...o, seed: 5 }));
    assert.notDeepEqual(generateMixedEvents({ ...o, seed: 5 }), generateMixedEvents({ ...o, seed: 6 }));
  });

  test('ratio and catalogue size are options', () => {
    const events = generateMixedEvents({
      users: 100,
      seed: 2,
      batches: 2,
      families: MIXED,
      marketplace: { ratio: 0, products: 3 },
    });
    assert.deepEqual(
      events.filter((e) => !isSocial(e)).map((e) => (e as { name?: unknown }).name !== undefined),
      [true, true, true],
    );
  });
});

describe('family generator: snapshot and restore', () => {
  test('a restored mixed generator continues identically (through JSON)', () => {
    const o = { users: 150, seed: 17, families: MIXED, marketplace: { dirt: 0.01 } };
    const original = new MixedGenerator(o);
    const resumed = new MixedGenerator(o);
    batches(resumed, 3);
    const saved = JSON.parse(JSON.stringify(resumed.snapshot())) as MixedGeneratorSnapshot;
    const restored = MixedGenerator.restore(saved);
    assert.deepEqual(batches(restored, 3), batches(original, 6).slice(3));
    assert.deepEqual(restored.families, MIXED);
  });

  test('a social-only snapshot continues with the marketplace added: its catalogue comes next', () => {
    const social = new EventGenerator({ users: 60, seed: 4 });
    batches(social, 2);
    const g = MixedGenerator.restore(social.snapshot(), { families: MIXED, seed: 4 });
    const next = g.nextBatch();
    const market = next.filter((e) => !isSocial(e));
    assert.deepEqual(next.filter(isSocial), social.nextBatch());
    assert.equal(kindOf(market[0]), 'productUpserted');
    assert.equal(g.batches, 3);
  });

  test('restoring with fewer families drops the others', () => {
    const g = new MixedGenerator({ users: 60, seed: 4, families: MIXED });
    batches(g, 2);
    const r = MixedGenerator.restore(g.snapshot(), { families: ['social'] });
    assert.ok(r.nextBatch().every(isSocial));
  });
});

describe('family generator: the families list and the CLI', () => {
  test('parseFamilies', () => {
    assert.deepEqual(parseFamilies('marketplace, social'), ['social', 'marketplace']);
    assert.deepEqual(parseFamilies('social'), ['social']);
    assert.deepEqual(parseFamilies('posts,social,marketplace'), ['social', 'marketplace', 'posts']);
    assert.throws(() => parseFamilies('social,stories'), /unknown family 'stories'/);
    assert.throws(() => parseFamilies(' , '), RangeError);
  });

  test('npm run generate -- --families social,marketplace writes the mixed stream', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'bacefook-generate-'));
    try {
      const out = join(dir, 'mixed.ndjson');
      let stdout = '';
      const io: Io = {
        stdout: {
          write: (s: string | Uint8Array) => {
            stdout += String(s);
            return true;
          },
        },
        stderr: { write: () => true },
        env: {},
      };
      const args = ['--users', '40', '--batches', '3', '--seed', '8', '--format', 'ndjson', '--out', out];
      await generateMain(
        [...args, '--families', 'social,marketplace', '--dirt', '0.02', '--products', '5'],
        io,
      );
      const lines = (await readFile(out, 'utf8')).trim().split('\n');
      assert.deepEqual(
        lines.map((l) => JSON.parse(l)),
        JSON.parse(
          JSON.stringify(
            generateMixedEvents({
              users: 40,
              seed: 8,
              batches: 3,
              families: MIXED,
              marketplace: { dirt: 0.02, products: 5 },
            }),
          ),
        ),
      );
      assert.match(stdout, /families social,marketplace/);
      await assert.rejects(generateMain([...args, '--dirt', '0.1'], io), /needs the marketplace family/);
      await assert.rejects(generateMain([...args, '--families', 'stories'], io), /unknown family/);
      await assert.rejects(generateMain([...args, '--posts-ratio', '0.1'], io), /needs the posts family/);
      await assert.rejects(
        generateMain([...args, '--families', 'social,marketplace', '--dirt', '2'], io),
        /--dirt must be a number from 0 to 1/,
      );
      assert.ok(GENERATE_USAGE.includes('--families'));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
