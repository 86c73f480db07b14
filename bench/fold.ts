// fold: the pure graph fold on one core — parsed JSON items in, outcomes decided, history kept. Each
// item goes through Graph.applyItem, the call the processor makes for every event it folds.

import { generateEvents } from '../domain/generator';
import { Graph } from '../domain/graph';
import { count, emptyTally } from '../domain/tally';
import type { Section } from './report';

export function benchFold(quick: boolean): Section {
  const users = quick ? 1_000 : 5_000;
  const batches = quick ? 20 : 40;
  // Round-trip through JSON so the items are what the processor sees after decoding a record.
  const items: unknown[] = JSON.parse(JSON.stringify(generateEvents({ users, batches, seed: 11 })));
  const reps = quick ? 15 : 21;
  // A rep lasts under 100 ms, and V8 keeps optimizing the fold for the first several of them (the
  // rate climbs from ~1 M to its plateau over 5-10 reps): warm-up reps first, as a processor that has
  // folded a few batches is warm, then the measured ones.
  const warmup = 6;
  const rates: number[] = [];
  for (let r = 0; r < warmup + reps; r++) {
    const graph = new Graph();
    graph.beginBatch();
    const tally = emptyTally();
    const t = performance.now();
    for (let i = 0; i < items.length; i++) {
      count(tally, graph.applyItem(items[i]));
    }
    // Reading the touched users brings their friend maps up to date, as the processor's write step does.
    if (graph.touched.length === 0) throw new Error('nothing folded');
    if (r >= warmup) rates.push((items.length / (performance.now() - t)) * 1000);
  }
  rates.sort((a, b) => a - b);
  const median = rates[rates.length >> 1];
  return {
    eventsPerSec: {
      value: median,
      unit: 'events/s',
      target: '≥ 2,500,000',
      how: `median of ${reps} runs (after ${warmup} warm-up runs) folding ${items.length.toLocaleString('en-US')} generated events (${users.toLocaleString('en-US')} users, ${batches} batches) from parsed JSON: validation + fold + outcome counting (Graph.applyItem per item, the processor's own call), users' friend maps and history cells up to date at the end, one thread, fresh graph each run`,
    },
  };
}
