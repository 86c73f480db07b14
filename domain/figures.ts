// Figure sets: the per-bucket sums every family hands to the snapshot job.
//
// A family's fold reports what a batch changed as rows of a figure set: per (5-second bucket, key) the
// net change of each of the set's integer columns. The processor writes them into the batch's journal;
// the snapshot job rolls them up into time blocks of every level and one all-data block per set; the
// API sums the blocks that tile a range. None of these layers knows what a column means: a set is just
// an id and a list of column names, so a family adds figures without touching them.

/**
 * Two columns that hold one integer between them, `hi × base + lo`: a sum that could outgrow the exact
 * doubles (2^53) and the rollup blocks' bound (2^52), such as money in cents, stays exact in each. Rows
 * may carry any `lo`; whoever sums rows over a long span (the snapshot job) carries `lo` into `hi` so
 * that 0 ≤ lo < base (`carry`). Columns appended to a set come after its older ones, and rows or
 * blocks written before they existed read them as 0.
 */
export interface WideColumn {
  lo: number;
  hi: number;
  base: number;
}

/** Carries the `lo` columns of `row` (its columns from `at`) into their `hi` so that 0 ≤ lo < base. */
export function carry(wide: readonly WideColumn[], row: { [i: number]: number }, at = 0): void {
  for (const w of wide) {
    const lo = row[at + w.lo];
    if (lo >= 0 && lo < w.base) continue;
    const q = Math.floor(lo / w.base);
    row[at + w.lo] = lo - q * w.base;
    row[at + w.hi] += q;
  }
}

/** A figure set: its id (unique across families, part of every rollup key) and its columns. */
export interface FigureSet {
  id: string;
  columns: readonly string[];
  /** pairs of columns that hold one integer (see WideColumn) */
  wide?: readonly WideColumn[];
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

/**
 * Accumulates one set's rows by (bucket, key id), where key ids are small non-negative integers the
 * caller gives out (a fold interns its keys once per event): no string is hashed or built per add, and
 * the rows live in one typed array. `flat` names each row's key once, through `keyOf`. Rows come out
 * in the order they were first added to.
 */
export class IdFigureAccumulator {
  /** bucket (ms) of each bucket index */
  private readonly bucketMs: number[] = [];
  private lastBucket = Number.NaN;
  private lastBucketIdx = -1;
  // Open addressing over (bucket index, key id) → row index + 1 (0: empty), each slot three ints side by
  // side (one cache line per probe); capacity a power of two, at most half full.
  private slots = new Int32Array(3 * 1024);
  private mask = 1023;
  private rows = 0;
  private rowBucket = new Int32Array(256);
  private rowKey = new Int32Array(256);
  /** row r's column c at r * width + c */
  values: Float64Array;

  constructor(readonly width: number) {
    this.values = new Float64Array(256 * width);
  }

  get size(): number {
    return this.rows;
  }

  /** Adds `v` to column `c` of (bucket, key id). */
  add(bucket: number, id: number, c: number, v: number): void {
    // The row first: making it may grow (replace) `values`.
    const at = this.row(bucket, id) * this.width + c;
    this.values[at] += v;
  }

  /**
   * The index into `values` of (bucket, key id)'s first column, its row made (zeros) when new; valid
   * until the next call.
   */
  at(bucket: number, id: number): number {
    return this.row(bucket, id) * this.width;
  }

  /** The bucket (ms) of row `r`. */
  bucketOfRow(r: number): number {
    return this.bucketMs[this.rowBucket[r]];
  }

  /** The key id of row `r`. */
  keyOfRow(r: number): number {
    return this.rowKey[r];
  }

  /** The index of (bucket, key id)'s row, made (zeros) when new. */
  row(bucket: number, id: number): number {
    let b = this.lastBucketIdx;
    if (bucket !== this.lastBucket) {
      b = this.bucketMs.indexOf(bucket);
      if (b < 0) {
        b = this.bucketMs.length;
        this.bucketMs.push(bucket);
      }
      this.lastBucket = bucket;
      this.lastBucketIdx = b;
    }
    const slots = this.slots;
    const mask = this.mask;
    let s = (Math.imul(id, 0x9e3779b1) ^ Math.imul(b, 0x85ebca6b)) & mask;
    for (;;) {
      const r = slots[3 * s + 2];
      if (r === 0) break;
      if (slots[3 * s + 1] === id && slots[3 * s] === b) return r - 1;
      s = (s + 1) & mask;
    }
    const r = this.rows++;
    if (r === this.rowKey.length) this.growRows();
    this.rowBucket[r] = b;
    this.rowKey[r] = id;
    slots[3 * s] = b;
    slots[3 * s + 1] = id;
    slots[3 * s + 2] = r + 1;
    if (2 * this.rows > mask) this.growSlots();
    return r;
  }

  /** The rows, flat (`[bucketMs, keyOf(id), c0, ...]`), all-zero rows left out. */
  flat(keyOf: (id: number) => string): FigureRows {
    const out: FigureRows = [];
    const w = this.width;
    const values = this.values;
    for (let r = 0; r < this.rows; r++) {
      let zero = true;
      for (let c = 0; c < w; c++) if (values[r * w + c] !== 0) zero = false;
      if (zero) continue;
      out.push(this.bucketMs[this.rowBucket[r]], keyOf(this.rowKey[r]));
      for (let c = 0; c < w; c++) out.push(values[r * w + c]);
    }
    return out;
  }

  private growRows(): void {
    const n = 2 * this.rowKey.length;
    const grow = (a: Int32Array) => {
      const b = new Int32Array(n);
      b.set(a);
      return b;
    };
    this.rowBucket = grow(this.rowBucket);
    this.rowKey = grow(this.rowKey);
    const v = new Float64Array(n * this.width);
    v.set(this.values);
    this.values = v;
  }

  private growSlots(): void {
    const n = 2 * (this.mask + 1);
    const mask = n - 1;
    const slots = new Int32Array(3 * n);
    for (let r = 0; r < this.rows; r++) {
      const b = this.rowBucket[r];
      const id = this.rowKey[r];
      let s = (Math.imul(id, 0x9e3779b1) ^ Math.imul(b, 0x85ebca6b)) & mask;
      while (slots[3 * s + 2] !== 0) s = (s + 1) & mask;
      slots[3 * s] = b;
      slots[3 * s + 1] = id;
      slots[3 * s + 2] = r + 1;
    }
    this.slots = slots;
    this.mask = mask;
  }
}

/**
 * Counts per (row, token id), for a set keyed by (bucket, key, token) where tokens are few (actions,
 * sources): it rides on the rows of an IdFigureAccumulator keyed by (bucket, key), which the fold finds
 * anyway, so a count is one typed-array increment instead of a lookup of its own. Rows may also be
 * plain key ids (counts per key and token over every bucket).
 */
export class TokenCounts {
  /** per token id: count per row */
  private readonly byToken: Float64Array[] = [];

  add(row: number, token: number, v: number): void {
    let a = this.byToken[token];
    if (a === undefined || row >= a.length) a = this.grow(token, row);
    a[row] += v;
  }

  /** Calls `f(row, token, count)` for every non-zero count, rows ascending, then tokens. */
  forEach(f: (row: number, token: number, count: number) => void): void {
    const byToken = this.byToken;
    let rows = 0;
    for (const a of byToken) if (a !== undefined && a.length > rows) rows = a.length;
    for (let r = 0; r < rows; r++) {
      for (let t = 0; t < byToken.length; t++) {
        const a = byToken[t];
        if (a !== undefined && r < a.length && a[r] !== 0) f(r, t, a[r]);
      }
    }
  }

  /** Every count back to zero. */
  clear(): void {
    for (const a of this.byToken) a?.fill(0);
  }

  /** The rows of the (bucket, key, token) set: `[acc.bucketOfRow(r), keyOf(acc.keyOfRow(r), t), count]`. */
  flat(acc: IdFigureAccumulator, keyOf: (id: number, token: number) => string): FigureRows {
    const out: FigureRows = [];
    this.forEach((r, t, n) => {
      out.push(acc.bucketOfRow(r), keyOf(acc.keyOfRow(r), t), n);
    });
    return out;
  }

  private grow(token: number, row: number): Float64Array {
    while (this.byToken.length < token) this.byToken.push(new Float64Array(0));
    const old = this.byToken[token];
    const a = new Float64Array(Math.max(256, 2 * (old?.length ?? 0), row + 1));
    if (old !== undefined) a.set(old);
    this.byToken[token] = a;
    return a;
  }
}

/** Gives dense ids to keys (strings), and back. */
export class KeyIds {
  private readonly ids = new Map<string, number>();
  readonly keys: string[] = [];

  id(key: string): number {
    let id = this.ids.get(key);
    if (id === undefined) {
      id = this.keys.length;
      this.keys.push(key);
      this.ids.set(key, id);
    }
    return id;
  }
}

/** Gives dense ids to pairs of dense ids (a, b), for sets keyed by two parts; b is the one of few values. */
export class PairIds {
  /** per b: a → pair id + 1 */
  private readonly byB: Int32Array[] = [];
  readonly as: number[] = [];
  readonly bs: number[] = [];

  id(a: number, b: number): number {
    let m = this.byB[b];
    if (m === undefined) {
      m = new Int32Array(Math.max(64, a + 1));
      // Fill any hole below b so the array stays packed.
      while (this.byB.length < b) this.byB.push(new Int32Array(0));
      this.byB[b] = m;
    } else if (a >= m.length) {
      const g = new Int32Array(Math.max(2 * m.length, a + 1));
      g.set(m);
      m = g;
      this.byB[b] = m;
    }
    const p = m[a];
    if (p !== 0) return p - 1;
    const id = this.as.length;
    this.as.push(a);
    this.bs.push(b);
    m[a] = id + 1;
    return id;
  }
}
