// The graph fold: applies events, in stream order, to an in-memory relationship graph and decides
// every event's outcome (SPEC section 2). Pure TypeScript: the processor folds a batch with it over
// the users it loaded, the benchmark folds whole streams with it, and the API reads its shapes.
import type { GraphEvent } from './events';
import { bucketOf } from './time';

export const REJECT_REASONS = [
  'malformed',
  'duplicate_register',
  'unknown_user',
  'self_relation',
  'already_referred',
  'referral_cycle',
] as const;
export type RejectReason = (typeof REJECT_REASONS)[number];
export type Outcome = 'applied' | 'noop' | RejectReason;

/** What one user gained or lost inside one 5-second bucket. */
export interface HistoryCell {
  /** bucket start, epoch ms */
  b: number;
  /** friendships made */
  fa: number;
  /** friendships dissolved */
  fr: number;
  /** users referred */
  rf: number;
  /** 1 if the user got its referrer in this bucket */
  gr: number;
  /** referral points earned */
  pt: number;
  // Batch bookkeeping (not persisted): the cell's strength and points when the batch first touched it.
  stamp: number;
  s0: number;
  p0: number;
}

export interface UserState {
  name: string;
  registeredAt: number;
  referredBy: string | null;
  /** created_at of the referral that gave this user its referrer (0 when none). */
  referredAt: number;
  /** friend name -> since (created_at of the addfriend that made the current friendship) */
  friends: Map<string, number>;
  /** referred name -> created_at of the referral, in stream order */
  referrals: Map<string, number>;
  /** all-time referral points */
  points: number;
  /** history cells sorted by bucket start */
  history: HistoryCell[];
  // Batch bookkeeping (not persisted).
  stamp: number;
}

export function newUser(name: string, registeredAt: number): UserState {
  return {
    name,
    registeredAt,
    referredBy: null,
    referredAt: 0,
    friends: new Map(),
    referrals: new Map(),
    points: 0,
    history: [],
    stamp: 0,
  };
}

/** Network strength now: friends + users referred + (1 if the user has a referrer). */
export function networkStrength(u: UserState): number {
  return u.friends.size + u.referrals.size + (u.referredBy === null ? 0 : 1);
}

export function cellStrength(c: HistoryCell): number {
  return c.fa - c.fr + c.rf + c.gr;
}

/** Per (bucket, user): the change of network strength and referral points a batch made. */
export interface CellDelta {
  bucket: number;
  name: string;
  strength: number;
  points: number;
}

/**
 * Batch stamps are unique across every Graph of the process: a caller may keep UserState objects
 * from one batch's graph and hand them to the next (the processor's warm cache), and a stamp left on
 * them by an earlier graph must never look current.
 */
let lastStamp = 0;
function nextStamp(): number {
  return ++lastStamp;
}

/**
 * A relationship graph that folds events. It only needs the users an event names (and, for a
 * referral, the referrer's ancestors) to be present: an absent user is an unregistered one.
 */
export class Graph {
  readonly users: Map<string, UserState>;
  /** Users changed since beginBatch(), in first-touch order. */
  touched: UserState[] = [];
  /** History cells changed since beginBatch(). */
  private dirty: { user: UserState; cell: HistoryCell }[] = [];
  private stamp = nextStamp();

  constructor(users?: Map<string, UserState>) {
    this.users = users ?? new Map();
  }

  /** Starts a new unit of change tracking (a processor batch). */
  beginBatch(): void {
    this.stamp = nextStamp();
    this.touched = [];
    this.dirty = [];
  }

  /** The strength and points deltas of every cell changed since beginBatch(); zero deltas omitted. */
  batchDeltas(): CellDelta[] {
    const out: CellDelta[] = [];
    for (const { user, cell } of this.dirty) {
      const strength = cellStrength(cell) - cell.s0;
      const points = cell.pt - cell.p0;
      if (strength !== 0 || points !== 0) out.push({ bucket: cell.b, name: user.name, strength, points });
    }
    return out;
  }

  private touch(u: UserState): void {
    if (u.stamp !== this.stamp) {
      u.stamp = this.stamp;
      this.touched.push(u);
    }
  }

  /** The user's history cell for bucket b, created in order if missing, marked dirty for this batch. */
  private cell(u: UserState, b: number): HistoryCell {
    const h = u.history;
    const tail = h[h.length - 1];
    if (tail !== undefined && tail.b === b && tail.stamp === this.stamp) return tail;
    let c: HistoryCell | undefined;
    const last = h.length - 1;
    if (last >= 0 && h[last].b === b) c = h[last];
    else if (last < 0 || h[last].b < b) {
      c = { b, fa: 0, fr: 0, rf: 0, gr: 0, pt: 0, stamp: 0, s0: 0, p0: 0 };
      h.push(c);
    } else {
      // A late event: binary search for its bucket.
      let lo = 0;
      let hi = last;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (h[mid].b < b) lo = mid + 1;
        else hi = mid;
      }
      if (h[lo].b === b) c = h[lo];
      else {
        c = { b, fa: 0, fr: 0, rf: 0, gr: 0, pt: 0, stamp: 0, s0: 0, p0: 0 };
        h.splice(lo, 0, c);
      }
    }
    if (c.stamp !== this.stamp) {
      c.stamp = this.stamp;
      c.s0 = cellStrength(c);
      c.p0 = c.pt;
      this.dirty.push({ user: u, cell: c });
    }
    return c;
  }

  /** Applies one validated event and returns its outcome. Checks run in the SPEC's order. */
  apply(e: GraphEvent): Outcome {
    const users = this.users;
    switch (e.type) {
      case 'register': {
        if (users.has(e.a)) return 'duplicate_register';
        const u = newUser(e.a, e.at);
        users.set(e.a, u);
        this.touch(u);
        return 'applied';
      }
      case 'addfriend':
      case 'unfriend': {
        const a = users.get(e.a);
        if (a === undefined) return 'unknown_user';
        const b = users.get(e.b);
        if (b === undefined) return 'unknown_user';
        if (a === b) return 'self_relation';
        // Keys are the users' own name strings: their hashes are cached and equal keys are one object.
        const an = a.name;
        const bn = b.name;
        const af = a.friends;
        if (e.type === 'addfriend') {
          if (af.has(bn)) return 'noop';
          af.set(bn, e.at);
          b.friends.set(an, e.at);
          const bucket = bucketOf(e.at);
          this.cell(a, bucket).fa++;
          this.cell(b, bucket).fa++;
        } else {
          if (!af.delete(bn)) return 'noop';
          b.friends.delete(an);
          const bucket = bucketOf(e.at);
          this.cell(a, bucket).fr++;
          this.cell(b, bucket).fr++;
        }
        this.touch(a);
        this.touch(b);
        return 'applied';
      }
      case 'referral': {
        const r = users.get(e.a);
        const n = users.get(e.b);
        if (r === undefined || n === undefined) return 'unknown_user';
        if (r === n) return 'self_relation';
        if (n.referredBy !== null) return 'already_referred';
        // n has no referrer, so it is the root of its tree: a cycle iff n is an ancestor of r.
        for (let x = r.referredBy; x !== null; ) {
          if (x === n.name) return 'referral_cycle';
          const next = users.get(x);
          if (next === undefined) throw new MissingUserError(x);
          x = next.referredBy;
        }
        const bucket = bucketOf(e.at);
        n.referredBy = r.name;
        n.referredAt = e.at;
        r.referrals.set(n.name, e.at);
        r.points++;
        const rc = this.cell(r, bucket);
        rc.rf++;
        rc.pt++;
        this.cell(n, bucket).gr = 1;
        this.touch(r);
        this.touch(n);
        if (r.referredBy !== null) {
          const g = users.get(r.referredBy) as UserState;
          g.points++;
          this.cell(g, bucket).pt++;
          this.touch(g);
        }
        return 'applied';
      }
    }
  }
}

/**
 * Thrown when the fold needs a user that the caller did not load (an ancestor in a referral chain).
 * The processor loads whole ancestor chains first, so this signals a bug, not bad data.
 */
export class MissingUserError extends Error {
  constructor(readonly userName: string) {
    super(`user ${userName} is registered as an ancestor but was not loaded`);
  }
}
