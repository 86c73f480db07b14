// The reference model: a plain, obviously-correct model of the graph semantics of SPEC sections 2-5.
//
// It is written for clarity, not speed, and independently of the fast fold in domain/graph.ts (which it
// must never import). Every other test compares the real pipeline (fold, processor, rollups, API) with
// the answers of this model on the same input.
//
// How it works:
//   1. `ReferenceModel.fromItems(items)` replays the decoded items in stream order. Each item is judged
//      with the SPEC's checks, in the SPEC's order, against the graph built so far; the first check that
//      applies is the outcome. Applied events change the graph and are appended to an applied-event log.
//   2. Every question about "now" reads the final graph.
//   3. Every question about time (ranges, series, leaderboards) is answered by brute force over the
//      applied-event log, using each event's created_at only to place it in time: the graph's evolution
//      is decided by stream order, the analytics by created_at (SPEC section 2 and 4).
//
// Conventions of this model (the SPEC leaves them to us):
//   - Instants are epoch milliseconds (UTC). The API renders them as ISO 8601; callers convert.
//   - Ranged questions take `from`/`to` in ms; `undefined` from = beginning of time, `undefined` to = the
//     end of time ("now" for a system whose clock is past every event). Both are widened to 5-second
//     bucket edges first (`widenRange`): from floored, to ceiled.
//   - Time series steps start at the widened `from` and are `intervalMs` long; the last step is clipped
//     at the widened `to`. A step's "end" is min(start + intervalMs, to).
//   - `network(u)`: a node that is both a friend and in a referral relation with u is reported once,
//     with the referral relation ('referrer' or 'referred'); both of its edges (the referral edge and
//     the friendship edge) are present. Nodes: self first, then the referrer, then referred users by
//     name, then the remaining friends by name. Edges: the referral edge into u, then u's referral
//     edges by referred name, then friendship edges from u by friend name. Consumers comparing
//     shapes should compare nodes and edges as sets.
//   - Unknown users: `profile`/`network`/`friends`/`topFriends` return null; numeric questions return 0.
import { RawEventSchema } from '../../domain/events';
import { parseCreatedAt } from '../../domain/time';

/** The 5-second analytics resolution of SPEC section 4 (kept local: the model re-states the SPEC). */
export const MODEL_BUCKET_MS = 5_000;

/** The reject reasons, in the SPEC's check order. */
export const MODEL_REASONS = [
  'malformed',
  'duplicate_register',
  'unknown_user',
  'self_relation',
  'already_referred',
  'referral_cycle',
  // the posts family's (posts-model.ts)
  'duplicate_post',
] as const;
export type ModelReason = (typeof MODEL_REASONS)[number];
export type ModelOutcome = 'applied' | 'noop' | ModelReason;

export interface ModelTotals {
  applied: number;
  noop: number;
  rejected: number;
  rejectedByReason: Record<ModelReason, number>;
  byFamily: Record<string, { applied: number; noop: number; rejected: number }>;
  /** applied events per kind */
  byType: Record<string, number>;
}

const SOCIAL_KINDS = ['register', 'referral', 'addfriend', 'unfriend'];
/** Kinds of the other families (judged by their own models), listed in the totals with their zeros. */
const OTHER_FAMILIES_KINDS = [
  'productSold',
  'productRated',
  'interaction',
  'productUpserted',
  'productDeleted',
  'profileUpserted',
  'profileDeleted',
  'post',
];

/** An item's kind as a producer states it: `type`, else (absent or null) `event_name`, else `event`. */
function kindOf(item: unknown): string | null {
  if (typeof item !== 'object' || item === null) return null;
  const o = item as Record<string, unknown>;
  const k =
    o.type !== undefined && o.type !== null
      ? o.type
      : o.event_name !== undefined && o.event_name !== null
        ? o.event_name
        : o.event;
  return typeof k === 'string' ? k : null;
}

export interface ModelUser {
  name: string;
  /** created_at (ms) of the register event */
  registeredAt: number;
  referredBy: string | null;
  /** created_at (ms) of the referral that gave the user its referrer; null when none */
  referredAt: number | null;
  /** friend name -> created_at (ms) of the addfriend that made the current friendship */
  friends: Map<string, number>;
  /** referred name -> created_at (ms) of the referral, in stream order */
  referrals: Map<string, number>;
  /** all-time referral points */
  points: number;
}

/** An applied event, as the log keeps it. `seq` is the item's index in the input stream. */
export type AppliedEvent =
  | { seq: number; at: number; type: 'register'; name: string }
  | { seq: number; at: number; type: 'addfriend' | 'unfriend'; user1: string; user2: string }
  | {
      seq: number;
      at: number;
      type: 'referral';
      referrer: string;
      referred: string;
      /** the referrer's own referrer when the referral was applied (gets the depth-2 point) */
      grandReferrer: string | null;
    };

/** What one applied event did to one user. Strength change = friendsAdded - friendsRemoved + referralsMade + gotReferrer. */
export interface UserEffect {
  friendsAdded: number;
  friendsRemoved: number;
  referralsMade: number;
  gotReferrer: number;
  points: number;
}

/** Per 5-second bucket, what a user gained or lost (the same counters as the fold's history cells). */
export interface BucketDelta {
  bucket: number;
  fa: number;
  fr: number;
  rf: number;
  gr: number;
  pt: number;
}

export type LeaderboardMetric = 'network-strength' | 'referral-points';

export interface LeaderboardItem {
  rank: number;
  name: string;
  value: number;
}

export interface TopFriend {
  name: string;
  networkStrength: number;
  referralPoints: number;
  score: number;
}

export type NodeRelation = 'self' | 'referrer' | 'referred' | 'friend';
export interface NetworkAnswer {
  name: string;
  nodes: { name: string; relation: NodeRelation }[];
  edges: { from: string; to: string; type: 'referral' | 'friendship' }[];
}

export interface Profile {
  name: string;
  registeredAt: number;
  referredBy: string | null;
  friendsCount: number;
  referralsCount: number;
  networkStrength: number;
  referralPoints: number;
}

export interface Range {
  /** undefined = beginning of time */
  from: number | undefined;
  /** undefined = end of time */
  to: number | undefined;
}

export interface ReferralSeriesAnswer {
  from: number;
  to: number;
  /** direct referrals made in [from, to) */
  count: number;
  series: { start: number; count: number; cumulative: number }[];
}

export interface FriendsCountSeriesAnswer {
  from: number;
  to: number;
  atStart: number;
  atEnd: number;
  added: number;
  removed: number;
  series: { start: number; count: number }[];
}

/** Floor to the 5-second bucket edge (epoch aligned; works for negative instants too). */
export function floorToBucket(ms: number): number {
  return Math.floor(ms / MODEL_BUCKET_MS) * MODEL_BUCKET_MS + 0; // + 0 turns -0 into 0
}

/** Ceil to the 5-second bucket edge. */
export function ceilToBucket(ms: number): number {
  return Math.ceil(ms / MODEL_BUCKET_MS) * MODEL_BUCKET_MS + 0; // + 0 turns -0 into 0
}

/** SPEC section 4: a from/to inside a bucket is widened to the bucket edges (from floored, to ceiled). */
export function widenRange(from?: number, to?: number): Range {
  return {
    from: from === undefined ? undefined : floorToBucket(from),
    to: to === undefined ? undefined : ceilToBucket(to),
  };
}

function inRange(at: number, r: Range): boolean {
  return (r.from === undefined || at >= r.from) && (r.to === undefined || at < r.to);
}

function zeroEffect(): UserEffect {
  return { friendsAdded: 0, friendsRemoved: 0, referralsMade: 0, gotReferrer: 0, points: 0 };
}

/** What the applied event `e` did to user `u` (all zeros when it does not concern u). */
export function effectOn(e: AppliedEvent, u: string): UserEffect {
  const eff = zeroEffect();
  switch (e.type) {
    case 'register':
      break;
    case 'addfriend':
      if (e.user1 === u || e.user2 === u) eff.friendsAdded = 1;
      break;
    case 'unfriend':
      if (e.user1 === u || e.user2 === u) eff.friendsRemoved = 1;
      break;
    case 'referral':
      if (e.referrer === u) {
        eff.referralsMade = 1;
        eff.points += 1;
      }
      if (e.referred === u) eff.gotReferrer = 1;
      if (e.grandReferrer === u) eff.points += 1;
      break;
  }
  return eff;
}

function strengthOf(eff: UserEffect): number {
  return eff.friendsAdded - eff.friendsRemoved + eff.referralsMade + eff.gotReferrer;
}

/** The fields of a valid event, as the model needs them. */
type Judged =
  | { type: 'register'; at: number; name: string }
  | { type: 'addfriend' | 'unfriend'; at: number; user1: string; user2: string }
  | { type: 'referral'; at: number; referrer: string; referred: string };

/** The zod contract decides malformed-ness; null means malformed. */
function validate(item: unknown): Judged | null {
  const parsed = RawEventSchema.safeParse(item);
  if (!parsed.success) return null;
  const e = parsed.data;
  const at = parseCreatedAt(e.created_at);
  if (at === null) return null; // cannot happen: the schema refines created_at with the same parser
  switch (e.type) {
    case 'register':
      return { type: 'register', at, name: e.name };
    case 'referral':
      return { type: 'referral', at, referrer: e.referredBy, referred: e.user };
    case 'addfriend':
    case 'unfriend':
      return { type: e.type, at, user1: e.user1_name, user2: e.user2_name };
  }
}

export class ReferenceModel {
  /** The outcome of every input item, by index. */
  readonly outcomes: ModelOutcome[] = [];
  /** The kind every input item names (null: none), by index. */
  readonly kinds: (string | null)[] = [];
  /** Every input item, by index. */
  readonly items: unknown[] = [];
  /** The final graph. */
  readonly users = new Map<string, ModelUser>();
  /** Every applied event, in stream order. */
  readonly log: AppliedEvent[] = [];

  static fromItems(items: readonly unknown[]): ReferenceModel {
    const m = new ReferenceModel();
    for (const item of items) m.push(item);
    return m;
  }

  /** Judges and (if applied) applies one more item; returns its outcome. */
  push(item: unknown): ModelOutcome {
    const seq = this.outcomes.length;
    const outcome = this.judgeAndApply(seq, item);
    this.outcomes.push(outcome);
    this.kinds.push(kindOf(item));
    this.items.push(item);
    this.eventsByUser = null;
    return outcome;
  }

  private judgeAndApply(seq: number, item: unknown): ModelOutcome {
    const e = validate(item);
    if (e === null) return 'malformed';

    switch (e.type) {
      case 'register':
        return this.register(seq, e);
      case 'addfriend':
      case 'unfriend':
        return this.friendship(seq, e);
      case 'referral':
        return this.referral(seq, e);
    }
  }

  private register(seq: number, e: Extract<Judged, { type: 'register' }>): ModelOutcome {
    if (this.users.has(e.name)) return 'duplicate_register';
    this.users.set(e.name, {
      name: e.name,
      registeredAt: e.at,
      referredBy: null,
      referredAt: null,
      friends: new Map(),
      referrals: new Map(),
      points: 0,
    });
    this.log.push({ seq, at: e.at, type: 'register', name: e.name });
    return 'applied';
  }

  private friendship(seq: number, e: Extract<Judged, { type: 'addfriend' | 'unfriend' }>): ModelOutcome {
    const u1 = this.users.get(e.user1);
    const u2 = this.users.get(e.user2);
    if (u1 === undefined || u2 === undefined) return 'unknown_user';
    if (e.user1 === e.user2) return 'self_relation';
    const areFriends = u1.friends.has(e.user2);
    if (e.type === 'addfriend') {
      if (areFriends) return 'noop';
      u1.friends.set(e.user2, e.at);
      u2.friends.set(e.user1, e.at);
    } else {
      if (!areFriends) return 'noop';
      u1.friends.delete(e.user2);
      u2.friends.delete(e.user1);
    }
    this.log.push({ seq, at: e.at, type: e.type, user1: e.user1, user2: e.user2 });
    return 'applied';
  }

  /** "referrer refers referred" */
  private referral(seq: number, e: Extract<Judged, { type: 'referral' }>): ModelOutcome {
    const r = this.users.get(e.referrer);
    const n = this.users.get(e.referred);
    if (r === undefined || n === undefined) return 'unknown_user';
    if (e.referrer === e.referred) return 'self_relation';
    if (n.referredBy !== null) return 'already_referred';
    if (this.ancestorsOf(r.name).includes(n.name)) return 'referral_cycle';
    const grandReferrer = r.referredBy;
    n.referredBy = r.name;
    n.referredAt = e.at;
    r.referrals.set(n.name, e.at);
    r.points += 1;
    if (grandReferrer !== null) this.users.get(grandReferrer)!.points += 1;
    this.log.push({
      seq,
      at: e.at,
      type: 'referral',
      referrer: r.name,
      referred: n.name,
      grandReferrer,
    });
    return 'applied';
  }

  /** The referrer, the referrer's referrer, ... of `name` (nearest first). */
  ancestorsOf(name: string): string[] {
    const out: string[] = [];
    let x = this.users.get(name)?.referredBy ?? null;
    while (x !== null) {
      if (out.includes(x)) throw new Error(`reference model: referral cycle through ${x}`);
      out.push(x);
      x = this.users.get(x)?.referredBy ?? null;
    }
    return out;
  }

  // ---- counters ---------------------------------------------------------------------------------

  totals(): ModelTotals {
    const rejectedByReason = {} as Record<ModelReason, number>;
    for (const r of MODEL_REASONS) rejectedByReason[r] = 0;
    const social = { applied: 0, noop: 0, rejected: 0 };
    // The other families' events are judged by their own models (marketplace-model.ts); the streams
    // judged here hold none, so their counts are zero.
    const marketplace = { applied: 0, noop: 0, rejected: 0 };
    const posts = { applied: 0, noop: 0, rejected: 0 };
    const t: ModelTotals = {
      applied: 0,
      noop: 0,
      rejected: 0,
      rejectedByReason,
      byFamily: { social, marketplace, posts },
      // Every kind of every family is listed, zeros included.
      byType: Object.fromEntries([...SOCIAL_KINDS, ...OTHER_FAMILIES_KINDS].map((k) => [k, 0])),
    };
    this.outcomes.forEach((o, i) => {
      const kind = this.kinds[i];
      // Only the social kinds belong to this model's family; any other kind is malformed and in no family.
      const family = kind !== null && SOCIAL_KINDS.includes(kind) ? social : null;
      if (o === 'applied') {
        t.applied++;
        if (family !== null) {
          family.applied++;
          t.byType[kind as string] = (t.byType[kind as string] ?? 0) + 1;
        }
      } else if (o === 'noop') {
        t.noop++;
        if (family !== null) family.noop++;
      } else {
        t.rejected++;
        t.rejectedByReason[o]++;
        if (family !== null) family.rejected++;
      }
    });
    return t;
  }

  // ---- now --------------------------------------------------------------------------------------

  user(name: string): ModelUser | undefined {
    return this.users.get(name);
  }

  /** Names of all registered users, sorted. */
  names(): string[] {
    return [...this.users.keys()].sort(byName);
  }

  /** Current network strength: friends + users referred + (1 if the user has a referrer). */
  networkStrength(name: string): number {
    const u = this.users.get(name);
    if (u === undefined) return 0;
    return u.friends.size + u.referrals.size + (u.referredBy === null ? 0 : 1);
  }

  referralPoints(name: string): number {
    return this.users.get(name)?.points ?? 0;
  }

  profile(name: string): Profile | null {
    const u = this.users.get(name);
    if (u === undefined) return null;
    return {
      name: u.name,
      registeredAt: u.registeredAt,
      referredBy: u.referredBy,
      friendsCount: u.friends.size,
      referralsCount: u.referrals.size,
      networkStrength: this.networkStrength(name),
      referralPoints: u.points,
    };
  }

  /** Current friends, by name ascending, with the created_at (ms) of the friendship. */
  friends(name: string): { name: string; since: number }[] | null {
    const u = this.users.get(name);
    if (u === undefined) return null;
    return [...u.friends.entries()]
      .map(([f, since]) => ({ name: f, since }))
      .sort((a, b) => byName(a.name, b.name));
  }

  /** Current friends ranked by (current network strength + all-time referral points) desc, then name asc. */
  topFriends(name: string, limit: number): TopFriend[] | null {
    const u = this.users.get(name);
    if (u === undefined) return null;
    return [...u.friends.keys()]
      .map((f) => {
        const networkStrength = this.networkStrength(f);
        const referralPoints = this.referralPoints(f);
        return { name: f, networkStrength, referralPoints, score: networkStrength + referralPoints };
      })
      .sort((a, b) => b.score - a.score || byName(a.name, b.name))
      .slice(0, limit);
  }

  /** See the header comment for how nodes with two relations are reported. */
  network(name: string): NetworkAnswer | null {
    const u = this.users.get(name);
    if (u === undefined) return null;
    const nodes: NetworkAnswer['nodes'] = [{ name, relation: 'self' }];
    const edges: NetworkAnswer['edges'] = [];
    const listed = new Set<string>([name]);
    if (u.referredBy !== null) {
      nodes.push({ name: u.referredBy, relation: 'referrer' });
      listed.add(u.referredBy);
      edges.push({ from: u.referredBy, to: name, type: 'referral' });
    }
    for (const r of [...u.referrals.keys()].sort(byName)) {
      nodes.push({ name: r, relation: 'referred' });
      listed.add(r);
      edges.push({ from: name, to: r, type: 'referral' });
    }
    for (const f of [...u.friends.keys()].sort(byName)) {
      if (!listed.has(f)) nodes.push({ name: f, relation: 'friend' });
      edges.push({ from: name, to: f, type: 'friendship' });
    }
    return { name, nodes, edges };
  }

  // ---- time: brute force over the applied-event log -----------------------------------------------

  /** Applied events that concern each user, in stream order (an index built lazily; push() drops it). */
  private eventsByUser: Map<string, AppliedEvent[]> | null = null;

  /** The applied events that concern `name` (the ones effectOn(e, name) can be non-zero for). */
  eventsOf(name: string): readonly AppliedEvent[] {
    if (this.eventsByUser === null) {
      const index = new Map<string, AppliedEvent[]>();
      for (const e of this.log) {
        for (const u of ReferenceModel.usersTouchedBy(e)) {
          let list = index.get(u);
          if (list === undefined) {
            list = [];
            index.set(u, list);
          }
          list.push(e);
        }
      }
      this.eventsByUser = index;
    }
    return this.eventsByUser.get(name) ?? [];
  }

  /** Sum of the effects on `name` of applied events with created_at in the (already widened) range. */
  private sumEffects(name: string, r: Range): UserEffect {
    const sum = zeroEffect();
    for (const e of this.eventsOf(name)) {
      if (!inRange(e.at, r)) continue;
      const eff = effectOn(e, name);
      sum.friendsAdded += eff.friendsAdded;
      sum.friendsRemoved += eff.friendsRemoved;
      sum.referralsMade += eff.referralsMade;
      sum.gotReferrer += eff.gotReferrer;
      sum.points += eff.points;
    }
    return sum;
  }

  /** Net change of network strength from applied events in the widened [from, to). No from = value at to. */
  strengthDelta(name: string, from?: number, to?: number): number {
    return strengthOf(this.sumEffects(name, widenRange(from, to)));
  }

  /** Network strength at instant t, from applied events with created_at < t (t is not widened). */
  strengthAt(name: string, t: number): number {
    return strengthOf(this.sumEffects(name, { from: undefined, to: t }));
  }

  /** Referral points awarded by applied referrals in the widened [from, to). */
  pointsIn(name: string, from?: number, to?: number): number {
    return this.sumEffects(name, widenRange(from, to)).points;
  }

  /** Friend count at instant t: friendships made minus dissolved with created_at < t (t is not widened). */
  friendsAt(name: string, t: number): number {
    const s = this.sumEffects(name, { from: undefined, to: t });
    return s.friendsAdded - s.friendsRemoved;
  }

  /** Friendships of `name` made in the widened [from, to). */
  friendsAdded(name: string, from?: number, to?: number): number {
    return this.sumEffects(name, widenRange(from, to)).friendsAdded;
  }

  /** Friendships of `name` dissolved in the widened [from, to). */
  friendsRemoved(name: string, from?: number, to?: number): number {
    return this.sumEffects(name, widenRange(from, to)).friendsRemoved;
  }

  /** Direct referrals made by `name` in the widened [from, to). */
  referralsIn(name: string, from?: number, to?: number): number {
    return this.sumEffects(name, widenRange(from, to)).referralsMade;
  }

  /** Direct referrals made by `name` with created_at < t (t is not widened). */
  referralsBefore(name: string, t: number): number {
    return this.sumEffects(name, { from: undefined, to: t }).referralsMade;
  }

  /**
   * Users with a positive value over the widened [from, to), by value desc then name asc, ranked 1..n,
   * at most `limit` of them (default 10, as the route). network-strength: the net change of strength in the range (with no from:
   * the strength at to); referral-points: the points awarded in the range.
   */
  leaderboard(metric: LeaderboardMetric, from?: number, to?: number, limit = 10): LeaderboardItem[] {
    const items: { name: string; value: number }[] = [];
    for (const name of this.users.keys()) {
      const value =
        metric === 'network-strength' ? this.strengthDelta(name, from, to) : this.pointsIn(name, from, to);
      if (value > 0) items.push({ name, value });
    }
    items.sort((a, b) => b.value - a.value || byName(a.name, b.name));
    return items.slice(0, limit).map((it, i): LeaderboardItem => ({ rank: i + 1, ...it }));
  }

  /** Steps of a series over the widened [from, to): [start, end) with the last one clipped at to. */
  static steps(from: number, to: number, intervalMs: number): { start: number; end: number }[] {
    if (!(intervalMs > 0)) throw new Error('intervalMs must be positive');
    const r = widenRange(from, to) as { from: number; to: number };
    const out: { start: number; end: number }[] = [];
    for (let start = r.from; start < r.to; start += intervalMs) {
      out.push({ start, end: Math.min(start + intervalMs, r.to) });
    }
    return out;
  }

  /** GET /users/{name}/referrals: count in range, and per step the count made and the all-time total at its end. */
  referralSeries(name: string, from: number, to: number, intervalMs: number): ReferralSeriesAnswer {
    const r = widenRange(from, to) as { from: number; to: number };
    return {
      from: r.from,
      to: r.to,
      count: this.referralsIn(name, r.from, r.to),
      series: ReferenceModel.steps(from, to, intervalMs).map(({ start, end }) => ({
        start,
        count: this.referralsIn(name, start, end),
        cumulative: this.referralsBefore(name, end),
      })),
    };
  }

  /** GET /users/{name}/friends-count: friends at the range's edges, made/dissolved inside, and per step the count at its end. */
  friendsCountSeries(name: string, from: number, to: number, intervalMs: number): FriendsCountSeriesAnswer {
    const r = widenRange(from, to) as { from: number; to: number };
    return {
      from: r.from,
      to: r.to,
      atStart: this.friendsAt(name, r.from),
      atEnd: this.friendsAt(name, r.to),
      added: this.friendsAdded(name, r.from, r.to),
      removed: this.friendsRemoved(name, r.from, r.to),
      series: ReferenceModel.steps(from, to, intervalMs).map(({ start, end }) => ({
        start,
        count: this.friendsAt(name, end),
      })),
    };
  }

  /**
   * Per 5-second bucket, the counters applied events with created_at in that bucket changed for `name`
   * (buckets where nothing happened to the user are absent), by bucket ascending.
   */
  bucketDeltas(name: string): BucketDelta[] {
    const byBucket = new Map<number, BucketDelta>();
    for (const e of this.eventsOf(name)) {
      const eff = effectOn(e, name);
      if (
        eff.friendsAdded === 0 &&
        eff.friendsRemoved === 0 &&
        eff.referralsMade === 0 &&
        eff.gotReferrer === 0 &&
        eff.points === 0
      ) {
        continue;
      }
      const bucket = floorToBucket(e.at);
      let d = byBucket.get(bucket);
      if (d === undefined) {
        d = { bucket, fa: 0, fr: 0, rf: 0, gr: 0, pt: 0 };
        byBucket.set(bucket, d);
      }
      d.fa += eff.friendsAdded;
      d.fr += eff.friendsRemoved;
      d.rf += eff.referralsMade;
      d.gr += eff.gotReferrer;
      d.pt += eff.points;
    }
    return [...byBucket.values()].sort((a, b) => a.bucket - b.bucket);
  }

  /** Users whose state an applied event changed (registered, friended, referred, or given points). */
  static usersTouchedBy(e: AppliedEvent): string[] {
    switch (e.type) {
      case 'register':
        return [e.name];
      case 'addfriend':
      case 'unfriend':
        return [e.user1, e.user2];
      case 'referral':
        return e.grandReferrer === null
          ? [e.referrer, e.referred]
          : [e.referrer, e.referred, e.grandReferrer];
    }
  }
}

/** Name order: plain code-unit string comparison (what `Array.prototype.sort` does by default). */
export function byName(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** A stream record as the model reads it (SPEC 10, "Producer resends"). */
export interface ModelRecord {
  data: Uint8Array;
  partitionKey?: string;
  arrivalMs?: number;
}

/** A producer's mark in a partition key: `bfk1.<producer>.<number>` (the README states the format). */
const MODEL_MARK = /^bfk1\.([A-Za-z0-9_-]{1,64})\.([1-9][0-9]{0,15})$/;
/** The stream's retention: a producer silent this long is forgotten (so is what it sent). */
const MODEL_MARK_TTL_MS = 24 * 3600 * 1000;

/**
 * The records the processor folds, in order, and how many it skips as resends: a marked record is a
 * resend when a record of the same producer with the same or a higher number was folded earlier, and
 * the producer had not been silent for more than 24 h (by arrival) since its previous record. Unmarked
 * records are always folded. (Written by brute force over the earlier records, independently of
 * domain/marks.ts.) A record without an arrival time counts as arriving with the one before it.
 */
export function withoutResends<R extends ModelRecord>(
  records: readonly R[],
): { folded: R[]; resent: number } {
  const folded: R[] = [];
  let resent = 0;
  const seen: { producer: string; n: number; at: number; folded: boolean }[] = [];
  let lastAt = 0;
  for (const r of records) {
    const at = r.arrivalMs ?? lastAt;
    lastAt = Math.max(lastAt, at);
    const m = MODEL_MARK.exec(r.partitionKey ?? '');
    if (m === null || !Number.isSafeInteger(Number(m[2]))) {
      folded.push(r);
      continue;
    }
    const producer = m[1];
    const n = Number(m[2]);
    // The producer's records since its last silence of more than 24 h.
    const mine = seen.filter((s) => s.producer === producer);
    let eraStart = 0;
    for (let i = 1; i <= mine.length; i++) {
      const next = i < mine.length ? mine[i].at : at;
      if (next - mine[i - 1].at > MODEL_MARK_TTL_MS) eraStart = i;
    }
    const isResent = mine.slice(eraStart).some((s) => s.folded && s.n >= n);
    seen.push({ producer, n, at, folded: !isResent });
    if (isResent) resent++;
    else folded.push(r);
  }
  return { folded, resent };
}
