// Outcome counters as /meta/pipeline reports them: totals, rejections by reason, and per family
// (applied, noop, rejected) and per event kind (applied; every known kind is listed, zeros included).
// An event of no known kind is malformed and belongs to no family: it counts in the totals only.
import { FAMILIES, KINDS, REJECT_REASONS } from './families';

export interface FamilyCounts {
  applied: number;
  noop: number;
  rejected: number;
}

export interface Tally extends FamilyCounts {
  rejectedByReason: Record<string, number>;
  byFamily: Record<string, FamilyCounts>;
  /** applied events per kind */
  byType: Record<string, number>;
}

export function emptyTally(): Tally {
  const rejectedByReason: Record<string, number> = {};
  for (const r of REJECT_REASONS) rejectedByReason[r] = 0;
  const byFamily: Record<string, FamilyCounts> = {};
  const byType: Record<string, number> = {};
  for (const f of FAMILIES) {
    byFamily[f.name] = { applied: 0, noop: 0, rejected: 0 };
    for (const k of f.types) byType[k] = 0;
  }
  return { applied: 0, noop: 0, rejected: 0, rejectedByReason, byFamily, byType };
}

/** Counts one outcome in the totals (and, for a rejection, by reason). */
export function count(t: Tally, o: string): void {
  if (o === 'applied') t.applied++;
  else if (o === 'noop') t.noop++;
  else {
    t.rejected++;
    t.rejectedByReason[o] = (t.rejectedByReason[o] ?? 0) + 1;
  }
}

function familyCounts(t: Tally, family: string): FamilyCounts {
  let f = t.byFamily[family];
  if (f === undefined) {
    f = { applied: 0, noop: 0, rejected: 0 };
    t.byFamily[family] = f;
  }
  return f;
}

/** Counts one outcome of an event of `kind` in `family` (null: no known kind). */
export function countEvent(t: Tally, o: string, family: string | null, kind: string | null): void {
  count(t, o);
  if (family === null) return;
  const f = familyCounts(t, family);
  if (o === 'applied') {
    f.applied++;
    if (kind !== null) t.byType[kind] = (t.byType[kind] ?? 0) + 1;
  } else if (o === 'noop') f.noop++;
  else f.rejected++;
}

/** Adds `t` into `into` (missing keys of an older stored tally count as zero). */
export function addTally(into: Tally, t: Partial<Tally>): Tally {
  into.applied += t.applied ?? 0;
  into.noop += t.noop ?? 0;
  into.rejected += t.rejected ?? 0;
  for (const [r, n] of Object.entries(t.rejectedByReason ?? {}))
    into.rejectedByReason[r] = (into.rejectedByReason[r] ?? 0) + n;
  for (const [name, c] of Object.entries(t.byFamily ?? {})) {
    const f = familyCounts(into, name);
    f.applied += c.applied;
    f.noop += c.noop;
    f.rejected += c.rejected;
  }
  for (const [k, n] of Object.entries(t.byType ?? {})) into.byType[k] = (into.byType[k] ?? 0) + n;
  return into;
}

/**
 * Counts a chunk's outcomes per kind in typed arrays (the fold's hot loop: no string-keyed object per
 * event), then turns them into a Tally once.
 */
export class KindTally {
  private readonly applied = new Float64Array(KINDS.length);
  private readonly noop = new Float64Array(KINDS.length);
  private readonly rejected = new Float64Array(KINDS.length);
  private readonly reasons: Record<string, number> = {};
  /** malformed events of no known kind */
  private unknown = 0;

  /** Counts the outcome of an event of kind index `k` (KIND_INDEX), or -1 for no known kind. */
  add(k: number, outcome: string): void {
    if (k < 0) {
      this.unknown++;
      return;
    }
    if (outcome === 'applied') this.applied[k]++;
    else if (outcome === 'noop') this.noop[k]++;
    else {
      this.rejected[k]++;
      this.reasons[outcome] = (this.reasons[outcome] ?? 0) + 1;
    }
  }

  toTally(): Tally {
    const t = emptyTally();
    for (let k = 0; k < KINDS.length; k++) {
      const f = familyCounts(t, FAMILIES[KINDS[k].family].name);
      f.applied += this.applied[k];
      f.noop += this.noop[k];
      f.rejected += this.rejected[k];
      t.applied += this.applied[k];
      t.noop += this.noop[k];
      t.rejected += this.rejected[k];
      t.byType[KINDS[k].kind] += this.applied[k];
    }
    for (const [r, n] of Object.entries(this.reasons)) {
      t.rejectedByReason[r] = (t.rejectedByReason[r] ?? 0) + n;
    }
    t.rejected += this.unknown;
    t.rejectedByReason.malformed += this.unknown;
    return t;
  }
}
