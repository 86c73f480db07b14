// Figure sets: the per-bucket sums every family hands to the snapshot job.
//
// A family's fold reports what a batch changed as rows of a figure set: per (5-second bucket, key) the
// net change of each of the set's integer columns. The processor writes them into the batch's journal;
// the snapshot job rolls them up into time blocks of every level and one all-data block per set; the
// API sums the blocks that tile a range. None of these layers knows what a column means: a set is just
// an id and a list of column names, so a family adds figures without touching them.

/** A figure set: its id (unique across families, part of every rollup key) and its columns. */
export interface FigureSet {
  id: string;
  columns: readonly string[];
  /**
   * The set's all-data block holds most keys of the name dictionary (e.g. every user): the snapshot
   * job keeps it in arrays indexed by id instead of a map.
   */
  dense?: boolean;
}

/**
 * One batch's rows of one set, flat: `[bucketMs, key, c0, ..., c(w-1), bucketMs, key, ...]` where w is
 * the set's column count. Rows whose columns are all zero may be left out.
 */
export type FigureRows = (string | number)[];

/** A batch's rows by set id. */
export type FigureDeltas = Record<string, FigureRows>;

/** Accumulates one set's rows by (bucket, key), so a batch writes each pair once. */
export class FigureAccumulator {
  private readonly rows = new Map<number, Map<string, number[]>>();

  constructor(readonly width: number) {}

  /** Adds `v` to column `c` of (bucket, key). */
  add(bucket: number, key: string, c: number, v: number): void {
    let byKey = this.rows.get(bucket);
    if (byKey === undefined) {
      byKey = new Map();
      this.rows.set(bucket, byKey);
    }
    let row = byKey.get(key);
    if (row === undefined) {
      row = new Array<number>(this.width).fill(0);
      byKey.set(key, row);
    }
    row[c] += v;
  }

  get size(): number {
    let n = 0;
    for (const m of this.rows.values()) n += m.size;
    return n;
  }

  /** The rows, flat, all-zero rows left out. */
  flat(): FigureRows {
    const out: FigureRows = [];
    for (const [bucket, byKey] of this.rows) {
      for (const [key, row] of byKey) {
        if (row.every((v) => v === 0)) continue;
        out.push(bucket, key);
        for (const v of row) out.push(v);
      }
    }
    return out;
  }
}

/**
 * Applied events per kind, of every family: the one set the shared fold itself reports (the event
 * frequencies), keyed by the event's kind.
 */
export const EVENT_FIGURES: FigureSet = { id: 'events', columns: ['applied'] };

/** Counts applied events per (bucket, kind): the EVENT_FIGURES rows of a batch. */
export class KindCounter {
  private readonly acc = new FigureAccumulator(1);
  // Consecutive events mostly share a bucket and a kind: skip the maps for those.
  private lastBucket = Number.NaN;
  private lastKind = '';
  private pending = 0;

  add(bucket: number, kind: string): void {
    if (bucket === this.lastBucket && kind === this.lastKind) {
      this.pending++;
      return;
    }
    this.flush();
    this.lastBucket = bucket;
    this.lastKind = kind;
    this.pending = 1;
  }

  private flush(): void {
    if (this.pending > 0) this.acc.add(this.lastBucket, this.lastKind, 0, this.pending);
    this.pending = 0;
  }

  flat(): FigureRows {
    this.flush();
    return this.acc.flat();
  }
}
