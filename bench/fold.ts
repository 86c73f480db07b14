// fold: the pure fold on one core — parsed JSON items in, outcomes decided, state kept.
// - fold.eventsPerSec: a social stream, each item through Graph.applyItem, the call the processor makes
//   for every social event it folds.
// - fold.mixedEventsPerSec: a mixed stream (social and marketplace events in the generator's
//   proportions) through the processor's own chunk fold (lambdas/processor/fold-runs.ts): every event to
//   its family's chunk (social-chunk.ts, marketplace-chunk.ts), outcomes counted per kind, applied events
//   per (bucket, kind).
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { generateMixedEvents } from '../domain/family-generator';
import { DEFAULT_START_MS, generateEvents } from '../domain/generator';
import { Graph } from '../domain/graph';
import { count, emptyTally } from '../domain/tally';
import { processorFamilies } from '../lambdas/processor/families';
import type { ChunkContext, Run } from '../lambdas/processor/family-chunk';
import { foldRuns } from '../lambdas/processor/fold-runs';
import type { Figure, Section } from './report';

// A rep lasts under 100 ms, and V8 keeps optimizing the fold for the first several of them (the rate
// climbs from ~1 M to its plateau over 5-10 reps, the mixed fold over 8-10): warm-up reps first, as a processor that has folded a
// few batches is warm, then the measured ones.
const WARMUP = 10;

function median(rates: number[]): number {
  const s = [...rates].sort((a, b) => a - b);
  return s[s.length >> 1];
}

function sizes(quick: boolean): { users: number; batches: number; reps: number } {
  return { users: quick ? 1_000 : 5_000, batches: quick ? 20 : 40, reps: quick ? 15 : 21 };
}

export function benchFold(quick: boolean): Section {
  const { users, batches, reps } = sizes(quick);
  // Round-trip through JSON so the items are what the processor sees after decoding a record.
  const items: unknown[] = JSON.parse(JSON.stringify(generateEvents({ users, batches, seed: 11 })));
  const rates: number[] = [];
  for (let r = 0; r < WARMUP + reps; r++) {
    const graph = new Graph();
    graph.beginBatch();
    const tally = emptyTally();
    const t = performance.now();
    for (let i = 0; i < items.length; i++) {
      count(tally, graph.applyItem(items[i]));
    }
    // Reading the touched users brings their friend maps up to date, as the processor's write step does.
    if (graph.touched.length === 0) throw new Error('nothing folded');
    if (r >= WARMUP) rates.push((items.length / (performance.now() - t)) * 1000);
  }
  return {
    eventsPerSec: {
      value: median(rates),
      unit: 'events/s',
      target: '≥ 2,500,000',
      how: `median of ${reps} runs (after ${WARMUP} warm-up runs) folding ${items.length.toLocaleString('en-US')} generated events (${users.toLocaleString('en-US')} users, ${batches} batches) from parsed JSON: validation + fold + outcome counting (Graph.applyItem per item, the processor's own call), users' friend maps and history cells up to date at the end, one thread, fresh graph each run`,
    },
  };
}

/** Events per run: about what one ~1 MiB record carries. */
const RUN_EVENTS = 10_000;

/** A mixed stream (social, marketplace and posts, the generator's proportions) as the processor's runs. */
export function mixedRuns(users: number, batches: number, seed: number): { runs: Run[]; events: number } {
  const values: unknown[] = JSON.parse(
    JSON.stringify(
      generateMixedEvents({ users, batches, seed, families: ['social', 'marketplace', 'posts'] }),
    ),
  );
  const runs: Run[] = [];
  for (let from = 0; from < values.length; from += RUN_EVENTS) {
    runs.push({
      seq: String(runs.length + 1).padStart(20, '0'),
      from: 0,
      values: values.slice(from, from + RUN_EVENTS),
      // Marketplace events and posts without created_at are placed at their record's arrival.
      arrivalMs: DEFAULT_START_MS + runs.length * 1_000,
    });
  }
  return { runs, events: values.length };
}

export async function benchMixedFold(quick: boolean): Promise<Section> {
  const { users, batches, reps } = sizes(quick);
  const { runs, events } = mixedRuns(users, batches, 11);
  // Nothing committed yet: the families load nothing (no store is read; the client is never used).
  const ctx: ChunkContext = {
    doc: null as unknown as DynamoDBDocumentClient,
    tables: { graph: 'graph', history: 'history', meta: 'meta' },
    checkpoint: '',
    emptyStore: true,
  };
  const rates: number[] = [];
  const loadRates: number[] = [];
  let byFamily = '';
  for (let r = 0; r < WARMUP + reps; r++) {
    const families = processorFamilies();
    const t0 = performance.now();
    // What a chunk's load does besides reading: each family scans the chunk for what its events name.
    const parts = await Promise.all(families.map((f) => f.begin(runs, ctx)));
    const t = performance.now();
    const folded = foldRuns(parts, runs, null);
    // Reading the touched users brings their friend maps and history cells up to date, as in the social
    // figure (the processor's write step does it when it builds the items).
    const graph = (parts[0] as unknown as { graph?: unknown }).graph;
    if (!(graph instanceof Graph) || graph.touched.length === 0) throw new Error('nothing folded');
    const t1 = performance.now();
    if (r >= WARMUP) {
      rates.push((events / (t1 - t)) * 1000);
      loadRates.push((events / (t - t0)) * 1000);
    }
    if (r === 0) {
      const tally = folded.counts.toTally();
      if (tally.rejected > 0) throw new Error(`mixed fold: ${tally.rejected} generated events rejected`);
      byFamily = Object.entries(tally.byFamily)
        .map(([f, c]) => `${f} ${(c.applied + c.noop + c.rejected).toLocaleString('en-US')}`)
        .join(', ');
    }
  }
  const figure: Figure = {
    value: median(rates),
    unit: 'events/s',
    target: '≥ 2,500,000',
    how: `median of ${reps} runs (after ${WARMUP} warm-up runs) folding ${events.toLocaleString('en-US')} generated mixed events (${byFamily}; ${users.toLocaleString('en-US')} users, ${batches} batches, \`--families social,marketplace,posts\`) from parsed JSON through the processor's chunk fold (lambdas/processor/fold-runs.ts: each event to its family's chunk, validation + fold + outcome counting per kind + event frequencies), users' friend maps and history cells up to date at the end, one thread, fresh families each run; the families' scan of the chunk before it (what its events name) is not counted, and ran at a median ${Math.round(median(loadRates)).toLocaleString('en-US')} events/s`,
  };
  return { mixedEventsPerSec: figure };
}
