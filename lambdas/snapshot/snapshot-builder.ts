// The snapshot job: folds the processor's committed journals into time-bucketed rollups.
//
// Each committed batch leaves a journal (storage/pipeline-store.ts) with its figure rows: per figure
// set (domain/figures.ts; each family declares its own), per (bucket, key), the change of each of the
// set's columns. A run reads the journals after its cursor, in stream order, stopping at the first one
// not yet committed (its `last` is past the pipeline checkpoint), and adds every row to the set's
// blocks holding its bucket (5 s, 1 min, 1 h, 1 d). A late event is nothing special: its row names an
// old bucket, and that bucket's blocks are re-rolled. Nothing here knows what a column means.
//
// Sealed blocks only. A range is answered from blocks that end at or before the end of the latest
// bucket with data (queries/range.ts blocksFor), so a coarser block is only ever read once the data
// has reached its last bucket. Until then (the current minute, hour and day: at most one "open"
// block per level, the one holding the latest bucket) it is not written at all, and its deltas live
// in the finer blocks only. When the latest bucket moves past an open block's last bucket, the run
// materializes it once from its sub-blocks (12, 60 or 24 reads). So a run in a live system rewrites
// the few 5-second blocks it touched, not the 100,000-user hour and day blocks every time.
//
// The total block. Besides the time blocks, one block per set holds every journal folded so far, whatever its
// buckets, and the first and last bucket it holds (`lo`, `hi`): a range covering [lo, hi] (the
// commonest question, "all time", `to` at or after the latest data) is exactly that one block, where
// the decomposition reads a block per level and per edge (26 blocks of 1.45 M entries on the 100,000
// user measurement graph). Every run with journals rewrites it, folded like any other block.
//
// Names. Blocks store keys (users, products, ...) as integer ids from an append-only dictionary (storage/rollup-store.ts).
// A run gives ids to the names its journals bring for the first time and appends them before it
// writes any block; the dictionary is cached across runs (only its tail is read), for as long as the
// snapshot state names the same dictionary (`namesId`).
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
//
// Journals do not outlive their use. Once a run has folded a journal, the rollups hold its deltas (a
// late event is no exception: its own journal, committed later, names the old bucket, and the next
// run adds it to that bucket's blocks), so the journal is deleted, one run later: each run sets the
// state's `trimmedTo` to the cursor the previous run left, writes the state, then deletes every
// journal at or before it (reading their keys back, so what a crashed run left goes too). The lag
// leaves readers that follow the journals (the API's figure index: lambdas/api/figure-index.ts) a
// run's time to read the journals after the total block they started from; one that was slower sees
// `trimmedTo` past where it began and starts again from the total block. So the journal partition
// holds the journals of about two runs, whatever the volume; rollups cannot be rebuilt from journals
// (a replay of the stream rebuilds everything).

import { randomUUID } from 'node:crypto';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { figureSet } from '../../domain/families';
import { carry, type FigureSet, type WideColumn } from '../../domain/figures';
import { BUCKET_MS, bucketOf } from '../../domain/time';
import { blockOf, LEVELS_MS } from '../../queries/range';
import { settleAll } from '../../storage/batch-io';
import { type Journal, PipelineStore } from '../../storage/pipeline-store';
import { encodeBlock } from '../../storage/rollup-codec';
import {
  type RollupBlock,
  type RollupHead,
  RollupStore,
  rollupPk,
  totalPk,
} from '../../storage/rollup-store';
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
  /** Keep folded journals instead of deleting them (default false). */
  keepJournals?: boolean;
}

export interface SnapshotRunSummary {
  journals: number;
  deltas: number;
  blocksWritten: number;
  /** every journal committed when the run started is now folded */
  caughtUp: boolean;
  /** journal items deleted (journals folded by an earlier run) */
  journalsDeleted: number;
  state: SnapshotState;
}

interface Working {
  set: FigureSet;
  /** 0 for the total block */
  levelMs: number;
  start: number;
  previous: RollupHead | null;
  upTo: string;
  born: string;
  entries: Sums;
  dirty: boolean;
}

/** The total block also tracks the span of buckets it holds. */
interface TotalWorking extends Working {
  lo: number;
  hi: number;
}

/** About 10 s of work on dynalite, far less on DynamoDB: a run stays well inside the Lambda timeout. */
const DEFAULT_MAX_DELTAS = 500_000;

/**
 * Runs the tasks `concurrency` at a time. After a failure no task starts, and the error is thrown
 * only once the tasks under way have settled: nothing of a failed run is still writing when the next
 * run starts (it would race it, and lose on the blocks' conditions).
 */
async function pool<T>(tasks: T[], concurrency: number, run: (t: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failed = false;
  const workers = Array.from({ length: Math.min(concurrency, tasks.length) }, async () => {
    while (!failed && next < tasks.length) {
      try {
        await run(tasks[next++]);
      } catch (err) {
        failed = true;
        throw err;
      }
    }
  });
  await settleAll(workers);
}

/** A block's entries while a run folds into it: per key id, the net change of each column. */
interface Sums {
  /** Adds the row `values[at .. at + width)` to id's entry. */
  add(id: number, values: ArrayLike<number | string>, at: number): void;
  /** Adds every entry into `into`. */
  addTo(into: Sums): void;
  /** The block's bytes (keys whose changes cancel out are left out) and how many entries they hold. */
  encode(): { bytes: Uint8Array; count: number };
}

/** For blocks holding few of the keys (most time blocks): a map by id. */
class SparseSums implements Sums {
  private readonly m = new Map<number, Float64Array>();

  constructor(
    private readonly width: number,
    private readonly wide: readonly WideColumn[],
  ) {}

  add(id: number, values: ArrayLike<number | string>, at: number): void {
    let e = this.m.get(id);
    if (e === undefined) {
      e = new Float64Array(this.width);
      this.m.set(id, e);
    }
    for (let c = 0; c < this.width; c++) e[c] += values[at + c] as number;
    if (this.wide.length > 0) carry(this.wide, e);
  }

  addTo(into: Sums): void {
    for (const [id, e] of this.m) into.add(id, e, 0);
  }

  encode(): { bytes: Uint8Array; count: number } {
    const n = this.m.size;
    const ids = new Float64Array(n);
    const cols = Array.from({ length: this.width }, () => new Float64Array(n));
    let i = 0;
    let count = 0;
    for (const [id, e] of this.m) {
      ids[i] = id;
      let zero = true;
      for (let c = 0; c < this.width; c++) {
        cols[c][i] = e[c];
        if (e[c] !== 0) zero = false;
      }
      i++;
      if (!zero) count++;
    }
    return { bytes: encodeBlock(ids, cols), count };
  }
}

/** For a total block holding nearly every key (a dense set's): arrays indexed by id, no map, no sort. */
class DenseSums implements Sums {
  private cols: Float64Array[];
  /** 1 + the largest id added */
  private size = 0;

  constructor(
    private readonly width: number,
    private readonly wide: readonly WideColumn[],
  ) {
    this.cols = Array.from({ length: width }, () => new Float64Array(1_024));
  }

  add(id: number, values: ArrayLike<number | string>, at: number): void {
    if (id >= this.cols[0].length) {
      const cap = Math.max(id + 1, this.cols[0].length * 2);
      this.cols = this.cols.map((old) => {
        const grown = new Float64Array(cap);
        grown.set(old);
        return grown;
      });
    }
    for (let c = 0; c < this.width; c++) this.cols[c][id] += values[at + c] as number;
    for (const w of this.wide) {
      const lo = this.cols[w.lo][id];
      if (lo >= 0 && lo < w.base) continue;
      const q = Math.floor(lo / w.base);
      this.cols[w.lo][id] = lo - q * w.base;
      this.cols[w.hi][id] += q;
    }
    if (id >= this.size) this.size = id + 1;
  }

  private nonZero(id: number): boolean {
    for (let c = 0; c < this.width; c++) if (this.cols[c][id] !== 0) return true;
    return false;
  }

  addTo(into: Sums): void {
    const row = new Float64Array(this.width);
    for (let id = 0; id < this.size; id++) {
      if (!this.nonZero(id)) continue;
      for (let c = 0; c < this.width; c++) row[c] = this.cols[c][id];
      into.add(id, row, 0);
    }
  }

  encode(): { bytes: Uint8Array; count: number } {
    const ids: number[] = [];
    for (let id = 0; id < this.size; id++) if (this.nonZero(id)) ids.push(id);
    const cols = this.cols.map((col) => ids.map((id) => col[id]));
    return { bytes: encodeBlock(ids, cols), count: ids.length };
  }
}

function newSums(set: FigureSet, total: boolean): Sums {
  const w = set.columns.length;
  const wide = set.wide ?? [];
  return total && set.dense === true ? new DenseSums(w, wide) : new SparseSums(w, wide);
}

/** `block`'s entries (none when absent) added into `into`. */
function loadSums(block: RollupBlock | undefined, into: Sums): Sums {
  if (block !== undefined) {
    const { ids, cols } = block.data;
    const row = new Float64Array(cols.length);
    for (let i = 0; i < ids.length; i++) {
      for (let c = 0; c < cols.length; c++) row[c] = cols[c][i];
      into.add(ids[i], row, 0);
    }
  }
  return into;
}

/** Calls `fn(bucket, key, at)` for every row of `rows` (a set of `width` columns; `at` is the row's first column). */
function eachRow(
  rows: (string | number)[],
  width: number,
  fn: (bucket: number, key: string, at: number) => void,
): void {
  const stride = 2 + width;
  for (let i = 0; i < rows.length; i += stride) fn(rows[i] as number, rows[i + 1] as string, i + 2);
}

/** Rows in a journal (all sets). */
function rowCount(j: Journal): number {
  let n = 0;
  for (const [id, rows] of Object.entries(j.sets)) n += rows.length / (2 + figureSet(id).columns.length);
  return n;
}

export class SnapshotBuilder {
  private readonly pipeline: PipelineStore;
  private readonly rollups: RollupStore;
  private readonly snapshots: SnapshotStore;
  private readonly maxDeltas: number;
  private readonly concurrency: number;
  private readonly now: () => number;
  private readonly keepJournals: boolean;
  /** The name dictionary as far as this builder has read or written it. */
  private dictionary = { namesId: '', names: [] as string[], ids: new Map<string, number>() };

  constructor(deps: SnapshotDeps, o: SnapshotOptions = {}) {
    this.pipeline = new PipelineStore(deps.doc, deps.tables);
    this.rollups = new RollupStore(deps.doc, deps.tables.history, o.chunkBytes);
    this.snapshots = new SnapshotStore(deps.doc, deps.tables.meta);
    this.maxDeltas = o.maxDeltas ?? DEFAULT_MAX_DELTAS;
    this.concurrency = o.concurrency ?? 16;
    this.now = o.now ?? Date.now;
    this.keepJournals = o.keepJournals ?? false;
  }

  /** Runs until every journal committed at the start of a run is folded, or `deadline` (epoch ms) passes. */
  async runUntilCaughtUp(deadline = Number.POSITIVE_INFINITY): Promise<SnapshotRunSummary> {
    const total = await this.run();
    while (!total.caughtUp && Date.now() < deadline) {
      const s = await this.run();
      total.journals += s.journals;
      total.deltas += s.deltas;
      total.blocksWritten += s.blocksWritten;
      total.journalsDeleted += s.journalsDeleted;
      total.caughtUp = s.caughtUp;
      total.state = s.state;
    }
    return total;
  }

  /** One run: folds committed journals after the cursor (up to the work cap) and moves the cursor. */
  async run(): Promise<SnapshotRunSummary> {
    const state = await this.snapshots.read();
    const pipeline = await this.pipeline.readState();
    // Rollups that start from nothing start a new dictionary (the store may have been rebuilt).
    const namesId = state.namesId !== '' ? state.namesId : randomUUID();
    if (this.dictionary.namesId !== namesId) this.dictionary = { namesId, names: [], ids: new Map() };
    const dict = this.dictionary;
    for (const name of await this.rollups.readNames(dict.names.length)) {
      dict.ids.set(name, dict.names.length);
      dict.names.push(name);
    }
    // Names met for the first time in this run, with the ids they get once appended.
    const fresh = new Map<string, number>();
    const idOf = (name: string): number => {
      let id = dict.ids.get(name) ?? fresh.get(name);
      if (id === undefined) {
        id = dict.names.length + fresh.size;
        fresh.set(name, id);
      }
      return id;
    };

    const groups: Journal[] = [];
    let deltas = 0;
    let caughtUp = true;
    let leftBehind = Number.POSITIVE_INFINITY;
    for await (const g of this.pipeline.committedJournals(state.cursor, pipeline.checkpoint)) {
      const rows = rowCount(g);
      if (caughtUp && (groups.length === 0 || deltas + rows <= this.maxDeltas)) {
        groups.push(g);
        deltas += rows;
      } else {
        // Over the cap: only note the earliest bucket this run leaves behind (for coveredUntil).
        caughtUp = false;
        for (const [id, r] of Object.entries(g.sets)) {
          eachRow(r, figureSet(id).columns.length, (bucket) => {
            leftBehind = Math.min(leftBehind, bucket);
          });
        }
      }
    }

    // The sets this run touches, and every set that already has rollups (their open blocks may seal).
    const setIds = new Set(state.sets);
    for (const g of groups) for (const id of Object.keys(g.sets)) setIds.add(id);
    const sets = [...setIds].sort().map(figureSet);

    // The latest bucket with data after this run decides which blocks are sealed (readable).
    let maxBucket = Number.NEGATIVE_INFINITY;
    for (const g of groups) {
      for (const [id, r] of Object.entries(g.sets)) {
        eachRow(r, figureSet(id).columns.length, (bucket) => {
          if (bucket > maxBucket) maxBucket = bucket;
        });
      }
    }
    const oldLatest = state.latest;
    const newLatest = oldLatest === null ? maxBucket : Math.max(oldLatest, maxBucket);
    const sealed = (levelMs: number, start: number) => start + levelMs <= newLatest + BUCKET_MS;
    // The open block of each coarser level (the one holding the old latest bucket) that this run
    // seals, in every set.
    const toMaterialize: { set: FigureSet; pk: string; levelMs: number; start: number }[] = [];
    if (oldLatest !== null) {
      for (const l of LEVELS_MS.slice(1)) {
        const start = blockOf(l, oldLatest);
        if (!sealed(l, start) || start + l <= oldLatest + BUCKET_MS) continue;
        for (const set of sets)
          toMaterialize.push({ set, pk: rollupPk(set.id, l, start), levelMs: l, start });
      }
    }
    const materialized = new Set(toMaterialize.map((m) => m.pk));

    // Blocks that take rows directly: every 5-second block, and sealed coarser ones.
    const pksOfBucket = new Map<string, string[]>();
    const blockKeys = new Map<string, { set: FigureSet; levelMs: number; start: number }>();
    const pksOf = (set: FigureSet, bucket: number): string[] => {
      const memo = `${set.id}|${bucket}`;
      let pks = pksOfBucket.get(memo);
      if (pks === undefined) {
        pks = [];
        for (const l of LEVELS_MS) {
          const start = blockOf(l, bucket);
          const pk = rollupPk(set.id, l, start);
          if (l !== BUCKET_MS && (!sealed(l, start) || materialized.has(pk))) continue;
          blockKeys.set(pk, { set, levelMs: l, start });
          pks.push(pk);
        }
        pksOfBucket.set(memo, pks);
      }
      return pks;
    };
    const touchedSets = new Set<string>();
    for (const g of groups) {
      for (const [id, r] of Object.entries(g.sets)) {
        const set = figureSet(id);
        if (r.length > 0) touchedSets.add(id);
        eachRow(r, set.columns.length, (bucket) => pksOf(set, bucket));
      }
    }
    const toRead = [...blockKeys.keys(), ...materialized];
    for (const id of touchedSets) toRead.push(totalPk(id));
    const existing: Map<string, RollupBlock> =
      toRead.length > 0 ? await this.rollups.readBlocks(toRead) : new Map();

    const work = new Map<string, Working>();
    for (const [pk, { set, levelMs, start }] of blockKeys) {
      const b = existing.get(pk);
      work.set(pk, {
        set,
        levelMs,
        start,
        previous: b?.head ?? null,
        upTo: b?.head.upTo ?? '',
        born: b?.head.born ?? '',
        entries: loadSums(b, newSums(set, false)),
        dirty: false,
      });
    }
    const totals = new Map<string, TotalWorking>();
    for (const id of touchedSets) {
      const set = figureSet(id);
      const block = existing.get(totalPk(id));
      totals.set(id, {
        set,
        levelMs: 0,
        start: 0,
        previous: block?.head ?? null,
        upTo: block?.head.upTo ?? '',
        born: block?.head.born ?? '',
        entries: loadSums(block, newSums(set, true)),
        dirty: false,
        lo: block?.head.lo ?? Number.POSITIVE_INFINITY,
        hi: block?.head.hi ?? Number.NEGATIVE_INFINITY,
      });
    }
    const fold = (w: Working, g: Journal, id: number, rows: (string | number)[], at: number): void => {
      w.entries.add(id, rows, at);
      w.upTo = g.first;
      if (w.born === '') w.born = g.first;
      w.dirty = true;
    };
    for (const g of groups) {
      for (const [setId, rows] of Object.entries(g.sets)) {
        const set = figureSet(setId);
        const total = totals.get(setId);
        // Idempotence: a block already holding this journal (an earlier, crashed run) skips it.
        const toTotal = total !== undefined && (total.previous === null || g.first > total.previous.upTo);
        eachRow(rows, set.columns.length, (bucket, key, at) => {
          const id = idOf(key);
          for (const pk of pksOf(set, bucket)) {
            const w = work.get(pk) as Working;
            if (w.previous === null || g.first > w.previous.upTo) fold(w, g, id, rows, at);
          }
          if (toTotal) {
            fold(total, g, id, rows, at);
            if (bucket < total.lo) total.lo = bucket;
            if (bucket > total.hi) total.hi = bucket;
          }
        });
      }
    }

    // Seal the open blocks, finer levels first: a block is the sum of its (now current) sub-blocks.
    const lastFirst = groups.length > 0 ? groups[groups.length - 1].first : state.cursor;
    for (const m of toMaterialize) {
      const subLevel = LEVELS_MS[LEVELS_MS.indexOf(m.levelMs as (typeof LEVELS_MS)[number]) - 1];
      const subPks: string[] = [];
      for (let t = m.start; t < m.start + m.levelMs; t += subLevel)
        subPks.push(rollupPk(m.set.id, subLevel, t));
      const stored = await this.rollups.readBlocks(subPks.filter((pk) => !work.has(pk)));
      const entries = newSums(m.set, false);
      let any = false;
      for (const pk of subPks) {
        const sub = work.get(pk);
        if (sub !== undefined) {
          sub.entries.addTo(entries);
          any = true;
        } else if (stored.has(pk)) {
          loadSums(stored.get(pk), entries);
          any = true;
        }
      }
      const previous = existing.get(m.pk)?.head ?? null;
      // A set with no data anywhere in the block has nothing to seal: an absent block reads as empty.
      if (!any && previous === null) continue;
      work.set(m.pk, {
        set: m.set,
        levelMs: m.levelMs,
        start: m.start,
        previous,
        upTo: lastFirst,
        born: previous?.born ?? lastFirst,
        entries,
        dirty: true,
      });
    }

    // Every id a block will hold is in the dictionary before the first block is written.
    if (fresh.size > 0) {
      const names = [...fresh.keys()];
      await this.rollups.appendNames(dict.names.length, names);
      for (const name of names) {
        dict.ids.set(name, dict.names.length);
        dict.names.push(name);
      }
    }

    const dirty: [string, Working][] = [...work.entries()].filter(([, w]) => w.dirty);
    for (const [id, t] of totals) if (t.dirty) dirty.push([totalPk(id), t]);
    await pool(dirty, this.concurrency, async ([pk, w]) => {
      const { bytes, count } = w.entries.encode();
      const span = w.levelMs === 0 ? { lo: (w as TotalWorking).lo, hi: (w as TotalWorking).hi } : {};
      await this.rollups.write(
        { pk, lvl: w.levelMs, start: w.start, upTo: w.upTo, born: w.born, c: count, ...span },
        bytes,
        w.previous,
      );
    });

    const next: SnapshotState = {
      ...state,
      blocksBySet: Object.fromEntries(Object.entries(state.blocksBySet).map(([k, v]) => [k, { ...v }])),
      namesId,
      sets: [...setIds].sort(),
    };
    for (const [, w] of work) {
      // Created by this run, or by an earlier run that crashed before moving the cursor.
      const isNew = w.previous === null || w.previous.born > state.cursor;
      if (isNew) {
        const counts = next.blocksBySet[w.set.id] ?? {};
        counts[w.levelMs] = (counts[w.levelMs] ?? 0) + 1;
        next.blocksBySet[w.set.id] = counts;
      }
      if (w.levelMs === BUCKET_MS) {
        next.earliest = next.earliest === null ? w.start : Math.min(next.earliest, w.start);
        next.latest = next.latest === null ? w.start : Math.max(next.latest, w.start);
      }
    }
    // Blocks per level, counted per time span: the set with the most blocks at a level has one wherever
    // any set has (in a real stream the `events` set: every applied event of every family is in it).
    next.buckets = {};
    for (const counts of Object.values(next.blocksBySet)) {
      for (const [level, n] of Object.entries(counts))
        next.buckets[level] = Math.max(next.buckets[level] ?? 0, n);
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
    // The journals the previous run folded go (see the header): marked in the state before any goes.
    if (!this.keepJournals && state.cursor > state.trimmedTo) next.trimmedTo = state.cursor;
    await this.snapshots.write(next, state.cursor);
    const journalsDeleted =
      this.keepJournals || next.trimmedTo === ''
        ? 0
        : await this.pipeline.deleteJournalsThrough(next.trimmedTo);
    return {
      journals: groups.length,
      deltas,
      blocksWritten: dirty.length,
      caughtUp,
      journalsDeleted,
      state: next,
    };
  }
}
