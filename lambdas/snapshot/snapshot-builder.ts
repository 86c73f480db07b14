// The snapshot job: folds the processor's committed journals into time-bucketed rollups.
//
// Each committed batch leaves a journal (storage/pipeline-store.ts) with its per-(bucket, user)
// deltas of network strength and referral points. A run reads the journals after its cursor, in
// stream order, stopping at the first one not yet committed (its `last` is past the pipeline
// checkpoint), and adds every delta to the blocks holding its bucket (5 s, 1 min, 1 h, 1 d). A late
// event is nothing special: its delta names an old bucket, and that bucket's blocks are re-rolled.
//
// Sealed blocks only. A range is answered from blocks that end at or before the end of the latest
// bucket with data (queries/range.ts blocksFor), so a coarser block is only ever read once the data
// has reached its last bucket. Until then (the current minute, hour and day: at most one "open"
// block per level, the one holding the latest bucket) it is not written at all, and its deltas live
// in the finer blocks only. When the latest bucket moves past an open block's last bucket, the run
// materializes it once from its sub-blocks (12, 60 or 24 reads). So a run in a live system rewrites
// the few 5-second blocks it touched, not the 100,000-user hour and day blocks every time.
//
// Exactly once without transactions: a block records `upTo`, the `first` of the last journal folded
// into it, and a journal is added to a block only if its `first` is after the block's `upTo` (a
// materialized block gets the run's last journal: its sub-blocks hold everything up to it). The cursor
// moves only after every block is written, so a run that crashes in between is simply run again:
// blocks it already wrote skip the journals they hold, the others take them, and a materialization is
// recomputed from the same sub-blocks.
//
// coveredUntil, honestly: when a run has consumed every journal the processor had committed when the
// run started, every committed event is in the rollups, and coveredUntil is the end of the latest
// 5-second bucket holding data (or holding the newest event's created_at). Ranges ending before it
// answer from complete data as of lastBuiltAt. It is not a promise about the future: an event still in
// the stream, or committed after the run, may carry any created_at (a late event) and changes an
// older bucket at the next run. When a run stops early (its work cap), coveredUntil is the start of
// the earliest bucket touched by a committed journal it left unconsumed.

import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { QueryCommand, type QueryCommandOutput } from '@aws-sdk/lib-dynamodb';
import { BUCKET_MS, bucketOf } from '../../domain/time';
import { blockOf, LEVELS_MS } from '../../queries/range';
import { JOURNAL_PARTITION, PipelineStore } from '../../storage/pipeline-store';
import { type RollupBlock, type RollupHead, RollupStore, rollupPk } from '../../storage/rollup-store';
import { type SnapshotState, SnapshotStore } from '../../storage/snapshot-store';

export interface SnapshotDeps {
  doc: DynamoDBDocumentClient;
  tables: { history: string; meta: string };
}

export interface SnapshotOptions {
  /** Work cap per run: stop taking journals after this many deltas (a journal is never split). */
  maxDeltas?: number;
  /** Parallel block writes. */
  concurrency?: number;
  now?: () => number;
  /** bytes per rollup item (default: storage's CHUNK_BYTES) */
  chunkBytes?: number;
}

export interface SnapshotRunSummary {
  journals: number;
  deltas: number;
  blocksWritten: number;
  /** every journal committed when the run started is now folded */
  caughtUp: boolean;
  state: SnapshotState;
}

interface JournalGroup {
  first: string;
  last: string;
  /** flat [bucketMs, name, strengthDelta, pointsDelta, ...] */
  deltas: (string | number)[];
}

interface Working {
  levelMs: number;
  start: number;
  previous: RollupHead | null;
  upTo: string;
  born: string;
  entries: Map<string, [number, number]>;
  dirty: boolean;
}

/** About 10 s of work on dynalite, far less on DynamoDB: a run stays well inside the Lambda timeout. */
const DEFAULT_MAX_DELTAS = 500_000;

/** Committed journals after `cursor`, in stream order; stops at the first uncommitted one. */
export async function* committedJournals(
  doc: DynamoDBDocumentClient,
  table: string,
  cursor: string,
  checkpoint: string,
): AsyncGenerator<JournalGroup> {
  // Chunk sort keys are `${first}#0000`; '~' sorts after every digit, so this skips the cursor's chunks.
  const after = cursor === '' ? undefined : `${cursor}#~`;
  let start: Record<string, unknown> | undefined;
  let group: { first: string; last: string; n: number; parts: string[] } | null = null;
  do {
    const res: QueryCommandOutput = await doc.send(
      new QueryCommand({
        TableName: table,
        KeyConditionExpression: after === undefined ? 'pk = :pk' : 'pk = :pk AND sk > :after',
        ExpressionAttributeValues:
          after === undefined ? { ':pk': JOURNAL_PARTITION } : { ':pk': JOURNAL_PARTITION, ':after': after },
        ConsistentRead: true,
        ExclusiveStartKey: start,
      }),
    );
    for (const it of res.Items ?? []) {
      const first = it.first as string;
      const last = it.last as string;
      if (last > checkpoint) return;
      if (group !== null && group.first !== first) {
        throw new Error(
          `journal ${group.first} is committed but has ${group.parts.length} of ${group.n} chunks`,
        );
      }
      group ??= { first, last, n: it.n as number, parts: [] };
      group.parts.push(it.d as string);
      if (group.parts.length === group.n) {
        const body = JSON.parse(group.parts.join('')) as { deltas: (string | number)[] };
        yield { first: group.first, last: group.last, deltas: body.deltas };
        group = null;
      }
    }
    start = res.LastEvaluatedKey;
  } while (start !== undefined);
  if (group !== null) throw new Error(`journal ${group.first} is committed but incomplete`);
}

async function pool<T>(tasks: T[], concurrency: number, run: (t: T) => Promise<void>): Promise<void> {
  let next = 0;
  const workers = Array.from({ length: Math.min(concurrency, tasks.length) }, async () => {
    while (next < tasks.length) await run(tasks[next++]);
  });
  await Promise.all(workers);
}

function encodeEntries(entries: Map<string, [number, number]>): { json: string; count: number } {
  const flat: (string | number)[] = [];
  for (const [name, [s, p]] of entries) {
    // A user whose changes cancel out inside the block has nothing to say about it.
    if (s !== 0 || p !== 0) flat.push(name, s, p);
  }
  return { json: JSON.stringify(flat), count: flat.length / 3 };
}

function decodeEntries(block: RollupBlock | undefined): Map<string, [number, number]> {
  const m = new Map<string, [number, number]>();
  if (block === undefined) return m;
  const f = block.flat;
  for (let i = 0; i < f.length; i += 3) m.set(f[i] as string, [f[i + 1] as number, f[i + 2] as number]);
  return m;
}

export class SnapshotBuilder {
  private readonly pipeline: PipelineStore;
  private readonly rollups: RollupStore;
  private readonly snapshots: SnapshotStore;
  private readonly maxDeltas: number;
  private readonly concurrency: number;
  private readonly now: () => number;

  constructor(
    private readonly deps: SnapshotDeps,
    o: SnapshotOptions = {},
  ) {
    this.pipeline = new PipelineStore(deps.doc, deps.tables);
    this.rollups = new RollupStore(deps.doc, deps.tables.history, o.chunkBytes);
    this.snapshots = new SnapshotStore(deps.doc, deps.tables.meta);
    this.maxDeltas = o.maxDeltas ?? DEFAULT_MAX_DELTAS;
    this.concurrency = o.concurrency ?? 16;
    this.now = o.now ?? Date.now;
  }

  /** Runs until every journal committed at the start of a run is folded, or `deadline` (epoch ms) passes. */
  async runUntilCaughtUp(deadline = Number.POSITIVE_INFINITY): Promise<SnapshotRunSummary> {
    const total = await this.run();
    while (!total.caughtUp && Date.now() < deadline) {
      const s = await this.run();
      total.journals += s.journals;
      total.deltas += s.deltas;
      total.blocksWritten += s.blocksWritten;
      total.caughtUp = s.caughtUp;
      total.state = s.state;
    }
    return total;
  }

  /** One run: folds committed journals after the cursor (up to the work cap) and moves the cursor. */
  async run(): Promise<SnapshotRunSummary> {
    const state = await this.snapshots.read();
    const pipeline = await this.pipeline.readState();

    const groups: JournalGroup[] = [];
    let deltas = 0;
    let caughtUp = true;
    let leftBehind = Number.POSITIVE_INFINITY;
    for await (const g of committedJournals(
      this.deps.doc,
      this.deps.tables.history,
      state.cursor,
      pipeline.checkpoint,
    )) {
      if (caughtUp && (groups.length === 0 || deltas + g.deltas.length / 4 <= this.maxDeltas)) {
        groups.push(g);
        deltas += g.deltas.length / 4;
      } else {
        // Over the cap: only note the earliest bucket this run leaves behind (for coveredUntil).
        caughtUp = false;
        for (let i = 0; i < g.deltas.length; i += 4) leftBehind = Math.min(leftBehind, g.deltas[i] as number);
      }
    }

    // The latest bucket with data after this run decides which blocks are sealed (readable).
    let maxBucket = Number.NEGATIVE_INFINITY;
    for (const g of groups)
      for (let i = 0; i < g.deltas.length; i += 4) maxBucket = Math.max(maxBucket, g.deltas[i] as number);
    const oldLatest = state.latest;
    const newLatest = oldLatest === null ? maxBucket : Math.max(oldLatest, maxBucket);
    const sealed = (levelMs: number, start: number) => start + levelMs <= newLatest + BUCKET_MS;
    // The open block of each coarser level (the one holding the old latest bucket) that this run seals.
    const toMaterialize: { pk: string; levelMs: number; start: number }[] = [];
    if (oldLatest !== null) {
      for (const l of LEVELS_MS.slice(1)) {
        const start = blockOf(l, oldLatest);
        if (!sealed(l, start) || start + l <= oldLatest + BUCKET_MS) continue;
        toMaterialize.push({ pk: rollupPk(l, start), levelMs: l, start });
      }
    }
    const materialized = new Set(toMaterialize.map((m) => m.pk));

    // Blocks that take deltas directly: every 5-second block, and sealed coarser ones.
    const pksOfBucket = new Map<number, string[]>();
    const blockKeys = new Map<string, { levelMs: number; start: number }>();
    const pksOf = (bucket: number): string[] => {
      let pks = pksOfBucket.get(bucket);
      if (pks === undefined) {
        pks = [];
        for (const l of LEVELS_MS) {
          const start = blockOf(l, bucket);
          const pk = rollupPk(l, start);
          if (l !== BUCKET_MS && (!sealed(l, start) || materialized.has(pk))) continue;
          blockKeys.set(pk, { levelMs: l, start });
          pks.push(pk);
        }
        pksOfBucket.set(bucket, pks);
      }
      return pks;
    };
    for (const g of groups) for (let i = 0; i < g.deltas.length; i += 4) pksOf(g.deltas[i] as number);
    const toRead = [...blockKeys.keys(), ...materialized];
    const existing: Map<string, RollupBlock> =
      toRead.length > 0 ? await this.rollups.readBlocks(toRead) : new Map();

    const work = new Map<string, Working>();
    for (const [pk, { levelMs, start }] of blockKeys) {
      const b = existing.get(pk);
      work.set(pk, {
        levelMs,
        start,
        previous: b?.head ?? null,
        upTo: b?.head.upTo ?? '',
        born: b?.head.born ?? '',
        entries: decodeEntries(b),
        dirty: false,
      });
    }
    for (const g of groups) {
      const d = g.deltas;
      for (let i = 0; i < d.length; i += 4) {
        const name = d[i + 1] as string;
        const s = d[i + 2] as number;
        const p = d[i + 3] as number;
        for (const pk of pksOf(d[i] as number)) {
          const w = work.get(pk) as Working;
          // Idempotence: a block already holding this journal (an earlier, crashed run) skips it.
          if (w.previous !== null && g.first <= w.previous.upTo) continue;
          const e = w.entries.get(name);
          if (e === undefined) w.entries.set(name, [s, p]);
          else {
            e[0] += s;
            e[1] += p;
          }
          w.upTo = g.first;
          if (w.born === '') w.born = g.first;
          w.dirty = true;
        }
      }
    }

    // Seal the open blocks, finer levels first: a block is the sum of its (now current) sub-blocks.
    const lastFirst = groups.length > 0 ? groups[groups.length - 1].first : state.cursor;
    for (const m of toMaterialize) {
      const subLevel = LEVELS_MS[LEVELS_MS.indexOf(m.levelMs as (typeof LEVELS_MS)[number]) - 1];
      const subPks: string[] = [];
      for (let t = m.start; t < m.start + m.levelMs; t += subLevel) subPks.push(rollupPk(subLevel, t));
      const stored = await this.rollups.readBlocks(subPks.filter((pk) => !work.has(pk)));
      const entries = new Map<string, [number, number]>();
      for (const pk of subPks) {
        const sub = work.get(pk)?.entries ?? decodeEntries(stored.get(pk));
        for (const [name, [s, p]] of sub) {
          const e = entries.get(name);
          if (e === undefined) entries.set(name, [s, p]);
          else {
            e[0] += s;
            e[1] += p;
          }
        }
      }
      const previous = existing.get(m.pk)?.head ?? null;
      work.set(m.pk, {
        levelMs: m.levelMs,
        start: m.start,
        previous,
        upTo: lastFirst,
        born: previous?.born ?? lastFirst,
        entries,
        dirty: true,
      });
    }

    const dirty = [...work.entries()].filter(([, w]) => w.dirty);
    await pool(dirty, this.concurrency, async ([pk, w]) => {
      const { json, count } = encodeEntries(w.entries);
      await this.rollups.write(
        { pk, lvl: w.levelMs, start: w.start, upTo: w.upTo, born: w.born, c: count },
        json,
        w.previous,
      );
    });

    const next: SnapshotState = { ...state, buckets: { ...state.buckets } };
    for (const [, w] of work) {
      // Created by this run, or by an earlier run that crashed before moving the cursor.
      const isNew = w.previous === null || w.previous.born > state.cursor;
      if (isNew) next.buckets[w.levelMs] = (next.buckets[w.levelMs] ?? 0) + 1;
      if (w.levelMs === BUCKET_MS) {
        next.earliest = next.earliest === null ? w.start : Math.min(next.earliest, w.start);
        next.latest = next.latest === null ? w.start : Math.max(next.latest, w.start);
      }
    }
    if (groups.length > 0) next.cursor = groups[groups.length - 1].first;
    next.journals = state.journals + groups.length;
    next.lastBuiltAt = this.now();
    let covered: number | null = next.latest === null ? null : next.latest + BUCKET_MS;
    if (pipeline.lastEventAt !== null) {
      covered = Math.max(covered ?? 0, bucketOf(pipeline.lastEventAt) + BUCKET_MS);
    }
    if (!caughtUp && Number.isFinite(leftBehind)) covered = Math.min(covered ?? leftBehind, leftBehind);
    next.coveredUntil = covered;
    await this.snapshots.write(next, state.cursor);
    return { journals: groups.length, deltas, blocksWritten: dirty.length, caughtUp, state: next };
  }
}
