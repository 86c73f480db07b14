// A seeded, pure reproduction of the public Bacefook event generator.
//
// Behaviour (what the public generator does, and what this one does):
// - Users are named user00001, user00002, … (zero-padded to 5 digits; wider numbers keep all digits).
// - Every event of one batch shares one `created_at`, in the compact form YYYYMMDDTHHMMSSmmmZ.
// - A batch is emitted in the order: register events, then unfriend, then addfriend, then referral.
// - Batch 1 registers all `users` users. Each new user has a 20% chance of being referred by a random
//   user registered before it. The referrer always exists already and the referred user is brand
//   new, so a referral is never a self-referral, never a second referral, never a cycle.
// - Batch 1 gives each user between 1 and min(200, floor(n/2)) friendships with random partners
//   (never itself). A partner may be drawn twice, or may already have befriended this user: the
//   repeated addfriend is still emitted and ends as a noop in the pipeline, as with the public tool.
// - Every later batch unfriends 20% of the friend pairs existing at its start (exactly
//   round(0.2 × pairs), chosen uniformly), and gives 30% of the users (exactly round(0.3 × users),
//   chosen uniformly) one addfriend with a random partner (again possibly a noop, and possibly a pair
//   unfriended earlier in the same batch: order within the stream decides).
//
// Our decision where the public tool is silent: later batches also grow the user base by `growthRate`
// (default 2%) of the current users, rounded, at least one user per batch. New users are registered
// first in the batch and get the same 20% referral chance (referrer: any user registered before them).
// Growth stops at `maxUsers` (default: never), so a generator left running keeps a bounded volume.
//
// Determinism: everything flows from one mulberry32 PRNG seeded with `seed`; the same options always
// produce the same events. No Math.random, no clock. `snapshot()` / `EventGenerator.restore()` save
// and resume a generator mid-sequence (the deployed generator Lambda keeps its state between runs).
import type { RawEvent } from './events';
import { toCompact } from './time';

export interface GeneratorOptions {
  /** Users registered by the first batch. */
  users: number;
  seed: number;
  /** created_at of the first batch (epoch ms). Default 2025-07-18T20:53:54.320Z. */
  startMs?: number;
  /** Time between batches (ms). Default 5000. */
  stepMs?: number;
  /** Fraction of the current users registered by each later batch. Default 0.02 (at least 1 user). */
  growthRate?: number;
  /** Later batches register no users past this many. Default unlimited. */
  maxUsers?: number;
  /** Cap on the friends each user gets in batch 1. Default MAX_INITIAL_FRIENDS (the public tool's 200). */
  maxInitialFriends?: number;
}

export const DEFAULT_START_MS = Date.UTC(2025, 6, 18, 20, 53, 54, 320);
export const DEFAULT_STEP_MS = 5_000;
export const DEFAULT_GROWTH_RATE = 0.02;
export const REFERRAL_CHANCE = 0.2;
export const UNFRIEND_SHARE = 0.2;
export const NEW_FRIEND_SHARE = 0.3;
export const MAX_INITIAL_FRIENDS = 200;

/** mulberry32 with its 32-bit state in view, so a generator can be saved and resumed mid-sequence. */
export class Mulberry32 {
  state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
}

/** A small, fast, well-distributed 32-bit PRNG (mulberry32). Returns floats in [0, 1). */
export function mulberry32(seed: number): () => number {
  const prng = new Mulberry32(seed);
  return () => prng.next();
}

/** user00001-style name of the 1-based user number `n`. */
export function userName(n: number): string {
  return `user${String(n).padStart(5, '0')}`;
}

/**
 * Everything a generator needs to carry on exactly where it stopped: its options, the PRNG state, the
 * batch count, the registered users (their names follow from the count) and the current friend pairs
 * in the generator's own order (sampling draws by index, so order matters for an identical sequence).
 * Plain data, JSON-safe: a pair is `lo * 2^26 + hi` (0-based user indexes, lo < hi).
 */
export interface GeneratorSnapshot {
  version: 1;
  initialUsers: number;
  startMs: number;
  stepMs: number;
  growthRate: number;
  /** null: unlimited. */
  maxUsers: number | null;
  rngState: number;
  batchIndex: number;
  users: number;
  pairs: number[];
}

// A friend pair {i, j} (0-based user indexes, i < j) as one number. 2^26 users is far beyond any
// realistic run, and lo * 2^26 + hi stays a safe integer.
const PAIR_SHIFT = 2 ** 26;
const pairKey = (a: number, b: number): number => (a < b ? a * PAIR_SHIFT + b : b * PAIR_SHIFT + a);

export class EventGenerator {
  private readonly prng: Mulberry32;
  private readonly startMs: number;
  private readonly stepMs: number;
  private readonly growthRate: number;
  private readonly maxInitialFriends: number;
  private readonly maxUsers: number;
  private readonly initialUsers: number;
  /** Names by 0-based index; its length is the number of registered users. */
  private readonly names: string[] = [];
  /** Current friend pairs: a Set for membership and an array for uniform sampling. */
  private readonly friends = new Set<number>();
  private pairs: number[] = [];
  private batchIndex = 0;

  constructor(o: GeneratorOptions) {
    if (!Number.isInteger(o.users) || o.users < 1) throw new RangeError('users must be a positive integer');
    if (o.users >= PAIR_SHIFT) throw new RangeError(`users must be below ${PAIR_SHIFT}`);
    this.initialUsers = o.users;
    this.prng = new Mulberry32(o.seed);
    this.startMs = o.startMs ?? DEFAULT_START_MS;
    this.stepMs = o.stepMs ?? DEFAULT_STEP_MS;
    this.growthRate = o.growthRate ?? DEFAULT_GROWTH_RATE;
    this.maxInitialFriends = o.maxInitialFriends ?? MAX_INITIAL_FRIENDS;
    this.maxUsers = o.maxUsers ?? Number.POSITIVE_INFINITY;
  }

  /** Registered users so far. */
  get userCount(): number {
    return this.names.length;
  }

  /** Friend pairs the generator believes exist (after the batches emitted so far). */
  get friendPairCount(): number {
    return this.friends.size;
  }

  /** Batches emitted so far. */
  get batches(): number {
    return this.batchIndex;
  }

  /** The generator's state as plain data; `EventGenerator.restore` continues from it identically. */
  snapshot(): GeneratorSnapshot {
    return {
      version: 1,
      initialUsers: this.initialUsers,
      startMs: this.startMs,
      stepMs: this.stepMs,
      growthRate: this.growthRate,
      maxUsers: Number.isFinite(this.maxUsers) ? this.maxUsers : null,
      rngState: this.prng.state,
      batchIndex: this.batchIndex,
      users: this.names.length,
      pairs: this.pairs.slice(),
    };
  }

  /** A generator that continues exactly where the snapshotted one stopped. Throws on an inconsistent snapshot. */
  static restore(s: GeneratorSnapshot): EventGenerator {
    if (s.version !== 1) throw new RangeError(`unknown generator snapshot version ${String(s.version)}`);
    const isCount = (n: unknown): n is number => Number.isInteger(n) && (n as number) >= 0;
    if (!isCount(s.batchIndex) || !isCount(s.users) || !isCount(s.rngState) || s.rngState > 0xffffffff) {
      throw new RangeError('generator snapshot has a bad batchIndex, users or rngState');
    }
    if (s.users > 0 && s.batchIndex === 0) throw new RangeError('generator snapshot has users but no batch');
    const g = new EventGenerator({
      users: s.initialUsers,
      seed: 0,
      startMs: s.startMs,
      stepMs: s.stepMs,
      growthRate: s.growthRate,
      maxUsers: s.maxUsers ?? undefined,
    });
    if (s.users >= PAIR_SHIFT) throw new RangeError(`users must be below ${PAIR_SHIFT}`);
    g.prng.state = s.rngState;
    g.batchIndex = s.batchIndex;
    for (let i = 0; i < s.users; i++) g.names.push(userName(i + 1));
    for (const key of s.pairs) {
      const lo = Math.floor(key / PAIR_SHIFT);
      const hi = key - lo * PAIR_SHIFT;
      if (!isCount(key) || lo >= hi || hi >= s.users || g.friends.has(key)) {
        throw new RangeError(`generator snapshot has a bad friend pair ${key}`);
      }
      g.friends.add(key);
    }
    g.pairs = s.pairs.slice();
    return g;
  }

  private rand(): number {
    return this.prng.next();
  }

  private int(n: number): number {
    return Math.floor(this.rand() * n);
  }

  /** A random user index other than `i` (requires at least two users). */
  private partnerOf(i: number, n: number): number {
    const j = this.int(n - 1);
    return j >= i ? j + 1 : j;
  }

  /** Next batch of events. `createdAtMs` overrides the default startMs + batchIndex × stepMs. */
  nextBatch(createdAtMs?: number): RawEvent[] {
    const at = toCompact(createdAtMs ?? this.startMs + this.batchIndex * this.stepMs);
    const first = this.batchIndex === 0;
    this.batchIndex++;

    const registers: RawEvent[] = [];
    const unfriends: RawEvent[] = [];
    const addfriends: RawEvent[] = [];
    const referrals: RawEvent[] = [];

    // Registrations (and the referrals of the new users, emitted last).
    const before = this.names.length;
    const newUsers = first
      ? this.initialUsers
      : Math.min(Math.max(1, Math.round(before * this.growthRate)), Math.max(0, this.maxUsers - before));
    for (let k = 0; k < newUsers; k++) {
      const index = before + k;
      const name = userName(index + 1);
      this.names.push(name);
      registers.push({ type: 'register', name, created_at: at });
      if (index > 0 && this.rand() < REFERRAL_CHANCE) {
        const referrer = this.names[this.int(index)];
        referrals.push({ type: 'referral', referredBy: referrer, user: name, created_at: at });
      }
    }
    const n = this.names.length;

    if (first) {
      const maxFriends = Math.min(this.maxInitialFriends, Math.floor(n / 2));
      if (maxFriends >= 1) {
        for (let i = 0; i < n; i++) {
          const count = 1 + this.int(maxFriends);
          for (let c = 0; c < count; c++) this.addFriend(i, this.partnerOf(i, n), at, addfriends);
        }
      }
    } else {
      this.unfriendShare(at, unfriends);
      if (n >= 2) {
        // Partial Fisher–Yates over the user indexes picks exactly round(30% × n) distinct users.
        const picks = Math.round(n * NEW_FRIEND_SHARE);
        const order = new Uint32Array(n);
        for (let i = 0; i < n; i++) order[i] = i;
        for (let k = 0; k < picks; k++) {
          const j = k + this.int(n - k);
          const u = order[j];
          order[j] = order[k];
          order[k] = u;
          this.addFriend(u, this.partnerOf(u, n), at, addfriends);
        }
      }
    }

    const out = registers;
    for (const e of unfriends) out.push(e);
    for (const e of addfriends) out.push(e);
    for (const e of referrals) out.push(e);
    return out;
  }

  private addFriend(i: number, j: number, at: string, out: RawEvent[]): void {
    out.push({ type: 'addfriend', user1_name: this.names[i], user2_name: this.names[j], created_at: at });
    const key = pairKey(i, j);
    if (!this.friends.has(key)) {
      this.friends.add(key);
      this.pairs.push(key);
    }
  }

  private unfriendShare(at: string, out: RawEvent[]): void {
    const pairs = this.pairs;
    const total = pairs.length;
    const picks = Math.round(total * UNFRIEND_SHARE);
    // Partial Fisher–Yates: the first `picks` slots end up holding a uniform sample.
    for (let k = 0; k < picks; k++) {
      const j = k + this.int(total - k);
      const key = pairs[j];
      pairs[j] = pairs[k];
      pairs[k] = key;
      this.friends.delete(key);
      const lo = Math.floor(key / PAIR_SHIFT);
      const hi = key - lo * PAIR_SHIFT;
      // Which of the two is user1 is a coin flip, as a real client would send either.
      const [a, b] = this.rand() < 0.5 ? [lo, hi] : [hi, lo];
      out.push({ type: 'unfriend', user1_name: this.names[a], user2_name: this.names[b], created_at: at });
    }
    this.pairs = picks > 0 ? pairs.slice(picks) : pairs;
  }
}

/** All events of `batches` consecutive batches, in stream order. */
export function generateEvents(o: GeneratorOptions & { batches: number }): RawEvent[] {
  const g = new EventGenerator(o);
  const out: RawEvent[] = [];
  for (let b = 0; b < o.batches; b++) {
    const batch = g.nextBatch();
    for (let i = 0; i < batch.length; i++) out.push(batch[i]);
  }
  return out;
}
