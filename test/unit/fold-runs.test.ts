// The processor's chunk fold (lambdas/processor/fold-runs.ts) folds each family's events one family
// after the other. Against the plain way, every event of the chunk to its family in one pass in stream
// order, on dirty mixed chunks: the same outcomes per kind, event frequencies, rejections in stream
// order, last event time, and the same writes, figure rows, counters and live topics from every family.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { eventKind } from '../../domain/event-kind';
import { KIND_INDEX, KINDS } from '../../domain/families';
import { generateMixedEvents } from '../../domain/family-generator';
import { KindCounter } from '../../domain/figures';
import { mulberry32 } from '../../domain/generator';
import { KindTally } from '../../domain/tally';
import { bucketOf } from '../../domain/time';
import { processorFamilies } from '../../lambdas/processor/families';
import type { ChunkContext, FamilyChunk, Run } from '../../lambdas/processor/family-chunk';
import { foldRuns } from '../../lambdas/processor/fold-runs';

const ctx: ChunkContext = {
  doc: null as unknown as DynamoDBDocumentClient,
  tables: { graph: 'graph', history: 'history', meta: 'meta' },
  checkpoint: '',
  emptyStore: true,
};

/** The plain fold: one pass, each event to its family as it comes. */
function foldInOnePass(parts: readonly FamilyChunk[], runs: readonly Run[], lastEventAt: number | null) {
  const counts = new KindTally();
  const kinds = new KindCounter();
  const rejections: { reason: string; event: unknown; sequenceNumber: string; index: number }[] = [];
  for (const run of runs) {
    run.values.forEach((v, i) => {
      const kind = eventKind(v);
      const k = typeof kind === 'string' ? (KIND_INDEX.get(kind) ?? -1) : -1;
      let outcome = 'malformed';
      if (k >= 0) {
        const part = parts[KINDS[k].family];
        outcome = part.apply(kind as string, v, run.arrivalMs, run.seq, run.from + i);
        if (outcome !== 'malformed') lastEventAt = part.eventAt;
        if (outcome === 'applied') kinds.add(bucketOf(part.eventAt), kind as string);
      }
      counts.add(k, outcome);
      if (outcome !== 'applied' && outcome !== 'noop') {
        rejections.push({ reason: outcome, event: v, sequenceNumber: run.seq, index: run.from + i });
      }
    });
  }
  return { counts, kinds, rejections, lastEventAt };
}

/** A dirty mixed chunk cut into runs of random lengths, ending on `tail`. */
function dirtyRuns(seed: number, tail: unknown[]): Run[] {
  const random = mulberry32(seed);
  const events: unknown[] = generateMixedEvents({
    users: 40,
    batches: 4,
    seed,
    families: ['social', 'marketplace', 'posts'],
    marketplace: { dirt: 0.15 },
  });
  // Values of no known kind, a post reusing an id with other content, and events of each family
  // without created_at (a marketplace event or a post then takes its record's arrival), spread around.
  const extra: unknown[] = [
    42,
    null,
    { type: 'nonsense' },
    { event_name: 'productSold', product_id: 7, no_of_units: 1, amount: '2.50' },
    { type: 'post', post_id: 'dup', user: 'u1', content: 'first' },
    { type: 'post', post_id: 'dup', user: 'u1', content: 'other' },
    { type: 'addfriend', user1_name: 'nobody', user2_name: 'none', created_at: '20250718T205354320Z' },
  ];
  for (const e of extra) events.splice(Math.floor(random() * events.length), 0, e);
  events.push(...tail);
  const runs: Run[] = [];
  for (let at = 0; at < events.length; ) {
    const n = 1 + Math.floor(random() * 400);
    runs.push({
      seq: String(runs.length + 1).padStart(20, '0'),
      from: Math.floor(random() * 3),
      values: events.slice(at, at + n),
      arrivalMs: 1_752_000_000_000 + runs.length * 1_000,
    });
    at += n;
  }
  return runs;
}

/** The event frequency rows as sorted `bucket kind count` lines. */
function kindRows(kinds: KindCounter): string[] {
  const flat = kinds.flat();
  const rows: string[] = [];
  for (let i = 0; i < flat.length; i += 3) rows.push(`${flat[i]} ${flat[i + 1]} ${flat[i + 2]}`);
  return rows.sort();
}

async function both(runs: Run[]) {
  const fast = await Promise.all(processorFamilies().map((f) => f.begin(runs, ctx)));
  const plain = await Promise.all(processorFamilies().map((f) => f.begin(runs, ctx)));
  const a = foldRuns(fast, runs, 5);
  const b = foldInOnePass(plain, runs, 5);
  return { a, b, fast, plain };
}

describe('the chunk fold, family after family', () => {
  // Each tail leaves a different family's event last in the stream (and one a value of no kind).
  const tails: [string, unknown[]][] = [
    ['a social event', [{ type: 'register', name: 'last-one', created_at: '20300101T000000000Z' }]],
    ['a sale without created_at', [{ type: 'productSold', product_id: 'p', no_of_units: 2, amount: 3 }]],
    [
      'a post',
      [{ type: 'post', post_id: 'tail', user: 'u', content: 'late', created_at: '2031-01-01T00:00:00Z' }],
    ],
    [
      'a malformed sale after a social event',
      [
        { type: 'register', name: 'almost-last', created_at: '20290101T000000000Z' },
        { type: 'productSold', product_id: -1 },
      ],
    ],
    ['a value of no kind', [{ kind: 'none' }]],
  ];
  for (const [what, tail] of tails) {
    test(`ending on ${what}: outcomes, frequencies, rejections in order, last event time, writes`, async () => {
      for (const seed of [1, 2, 3]) {
        const runs = dirtyRuns(seed, tail);
        const { a, b, fast, plain } = await both(runs);
        assert.ok(b.rejections.length > 10, 'the chunk is dirty');
        assert.deepEqual(a.counts.toTally(), b.counts.toTally());
        // The same (bucket, kind) counts; rows come in the order first met, which may differ.
        assert.deepEqual(kindRows(a.kinds), kindRows(b.kinds));
        assert.deepEqual(a.rejections, b.rejections);
        assert.equal(a.lastEventAt, b.lastEventAt);
        const first = runs[0].seq;
        const last = runs.at(-1)?.seq ?? first;
        for (let f = 0; f < fast.length; f++) {
          assert.deepEqual(fast[f].finish(first, last), plain[f].finish(first, last), `family ${f}`);
        }
      }
    });
  }

  test('a chunk of nothing but malformed values keeps the last event time it was given', async () => {
    const runs: Run[] = [{ seq: '1', from: 0, values: [1, 'x', { type: 'unknown' }], arrivalMs: 0 }];
    const { a, b } = await both(runs);
    assert.equal(a.lastEventAt, 5);
    assert.deepEqual(a.rejections, b.rejections);
    assert.equal(a.rejections.length, 3);
  });
});
