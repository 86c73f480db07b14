// The graph table's user item, and its conversion to and from the fold's UserState.
//
// Lists are packed into one JSON string attribute each: DynamoDB (and dynalite) marshal one long
// string far faster than a list of hundreds of small strings, and the processor reads and writes the
// whole user anyway.
//
// Crash safety without transactions: a batch first writes a redo log holding every item it will
// write, then the items, then commits the pipeline state. Once the redo log is complete the batch is
// decided (a retry finishes it from the log), so every stored user item is part of the graph's
// history: readers never need an undo rule. `v` records the position of the last event of the batch
// that wrote the item.
import type { HistoryCell, UserState } from '../domain/graph';
import { newUser } from '../domain/graph';

export interface UserItem {
  pk: string;
  /** registeredAt, epoch ms */
  ra: number;
  /** referredBy and the referral's created_at */
  rb?: string;
  rba?: number;
  /** friends and since (ms), encoded by encodeTimedNames */
  f: string;
  /** referrals made and when (ms), in stream order, encoded by encodeTimedNames */
  rf: string;
  /** counts, kept beside the packed lists so readers can project them without parsing */
  fc: number;
  rc: number;
  /** all-time referral points */
  pts: number;
  /** the newest history cells: JSON [bucketMs, fa, fr, rf, gr, pt, ...] sorted by bucket */
  h: string;
  /** chunks of older cells in the history table (storage/history-archive.ts); absent: none */
  hn?: number;
  /** position of the last event of the batch that wrote this item */
  v: string;
}

/**
 * The item as readers must see it. With the redo log every stored item belongs to a decided batch,
 * so this is the item itself; kept as the one place that states the rule.
 */
export function committedImage(item: UserItem, _checkpoint: string): UserItem | null {
  return item;
}

/**
 * A name -> time map, in its order, as one JSON array where a number sets the time of the names that
 * follow it: [t1, "ann", "bob", t2, "cy"]. Relations made together share a created_at (the generator
 * gives a whole batch one), so a time is written once per run instead of once per name: about half
 * the bytes of [name, time] pairs, and faster to parse.
 */
export function encodeTimedNames(m: Map<string, number>): string {
  const out: (string | number)[] = [];
  let last = Number.NaN;
  for (const [name, t] of m) {
    if (t !== last) {
      out.push(t);
      last = t;
    }
    out.push(name);
  }
  return JSON.stringify(out);
}

export function decodeTimedNames(json: string): Map<string, number> {
  const flat = JSON.parse(json) as (string | number)[];
  const m = new Map<string, number>();
  let t = 0;
  for (const x of flat) {
    if (typeof x === 'number') t = x;
    else m.set(x, t);
  }
  return m;
}

export function encodeHistory(history: HistoryCell[]): string {
  const out: number[] = new Array(history.length * 6);
  let i = 0;
  for (const c of history) {
    out[i++] = c.b;
    out[i++] = c.fa;
    out[i++] = c.fr;
    out[i++] = c.rf;
    out[i++] = c.gr;
    out[i++] = c.pt;
  }
  return JSON.stringify(out);
}

export function decodeHistory(json: string): HistoryCell[] {
  const flat = JSON.parse(json) as number[];
  const out: HistoryCell[] = new Array(flat.length / 6);
  for (let i = 0, j = 0; i < flat.length; i += 6, j++) {
    out[j] = {
      b: flat[i],
      fa: flat[i + 1],
      fr: flat[i + 2],
      rf: flat[i + 3],
      gr: flat[i + 4],
      pt: flat[i + 5],
      stamp: 0,
      s0: 0,
      p0: 0,
    };
  }
  return out;
}

export function toUserState(item: UserItem): UserState {
  const u = newUser(item.pk, item.ra);
  if (item.rb !== undefined) {
    u.referredBy = item.rb;
    u.referredAt = item.rba ?? 0;
  }
  u.friends = decodeTimedNames(item.f);
  u.referrals = decodeTimedNames(item.rf);
  u.points = item.pts;
  u.history = decodeHistory(item.h);
  u.archivedChunks = item.hn ?? 0;
  return u;
}

/** The item for a user as a batch leaves it. */
export function toUserItem(u: UserState, v: string): UserItem {
  const item: UserItem = {
    pk: u.name,
    ra: u.registeredAt,
    f: encodeTimedNames(u.friends),
    rf: encodeTimedNames(u.referrals),
    fc: u.friends.size,
    rc: u.referrals.size,
    pts: u.points,
    h: encodeHistory(u.history),
    v,
  };
  if (u.referredBy !== null) {
    item.rb = u.referredBy;
    item.rba = u.referredAt;
  }
  if (u.archivedChunks > 0) item.hn = u.archivedChunks;
  return item;
}

/** Friends as [name, since] sorted by name (the API's order). */
export function friendsOf(item: UserItem): [string, number][] {
  const out = [...decodeTimedNames(item.f)];
  out.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return out;
}

/** Referrals made, in stream order. */
export function referralsOf(item: UserItem): [string, number][] {
  return [...decodeTimedNames(item.rf)];
}

export function strengthOf(item: UserItem): number {
  return item.fc + item.rc + (item.rb === undefined ? 0 : 1);
}
