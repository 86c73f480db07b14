// The graph fold: applies events, in stream order, to an in-memory relationship graph and decides
// every event's outcome (SPEC section 2). Pure TypeScript: the processor folds a batch with it over
// the users it loaded, the benchmark folds whole streams with it, and the API reads its shapes.
import { EventReader, type EventType, type GraphEvent } from './events';
import { COMPACT_IDS, PairTable } from './pair-table';
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
  /** history cells sorted by bucket start (the newest ones: storage may keep older ones apart) */
  history: HistoryCell[];
  /** how many chunks of older cells storage keeps apart from `history` (storage/history-archive.ts) */
  archivedChunks: number;
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
    archivedChunks: 0,
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

/** A growable Int32 list (no boxing, no per-entry object). */
class IntList {
  data = new Int32Array(256);
  length = 0;
  push(v: number): void {
    if (this.length === this.data.length) this.data = grown(this.data, this.data.length * 2);
    this.data[this.length++] = v;
  }
}

function grown<T extends Int32Array | Float64Array>(a: T, size: number): T {
  const next = (a instanceof Int32Array ? new Int32Array(size) : new Float64Array(size)) as T;
  next.set(a);
  return next;
}

/**
 * A relationship graph that folds events. It only needs the users an event names (and, for a
 * referral, the referrer's ancestors) to be present: an absent user is an unregistered one.
 *
 * The hot path (addfriend and unfriend, nearly every event) runs on integer ids and typed arrays,
 * because string-keyed per-user maps that grow and shrink on every event, and the chase through
 * user, history array and cell objects, were most of the fold's time. Names are interned to ids
 * once per event; the current friendships live in one open-addressing table of id pairs; each
 * user's friend counts for its current bucket gather in per-id counters, and the counters users
 * leave behind are filed into history cells later, one user at a time. The exchange shapes
 * (each UserState's `friends` map and history cells) are brought up to date whenever `users`,
 * `touched` or `batchDeltas()` is read, with exactly the content and map order an event-by-event
 * update gives. So a caller reads users through those (not through a UserState it kept from before
 * the last apply), and nothing else changes the users' friend maps while the graph folds them.
 */
export class Graph {
  private readonly all: Map<string, UserState>;
  private readonly reader = new EventReader();
  /** Stamp of the current batch on the history cells it changed (unique across graphs). */
  private stamp = nextStamp();
  /** Numbers this graph's batches, for `touchedIn`. */
  private batch = 1;
  private changedUsers: UserState[] = [];
  // History cells changed since beginBatch(), with their users (parallel arrays: no pair objects).
  private dirtyUsers: UserState[] = [];
  private dirtyCells: HistoryCell[] = [];

  // The event being applied: its created_at and bucket live in fields, not arguments, so that no
  // call on the hot path boxes a double.
  private at = 0;
  private bucket = 0;
  private bucketAt = Number.NaN;

  // Names interned to ids. A user's state is attached to its id when an event first needs it; a
  // friend of an attached user may have an id and no state yet.
  private readonly ids = new Map<string, number>();
  private readonly states: (UserState | null)[] = [];
  // Per id: the batch that last touched the user, and the open friend counters: the bucket they
  // count for (NaN: none open), friendships made and dissolved there, not yet in a history cell.
  private touchedIn = new Int32Array(1024);
  private openBucket = new Float64Array(1024).fill(Number.NaN);
  private openMade = new Int32Array(1024);
  private openLost = new Int32Array(1024);
  /** Ids whose counters are open. */
  private open = new IntList();
  // Counters closed (their user moved on to another bucket) but not yet added to history cells:
  // user id, bucket, friendships made, dissolved. Filed together when the graph is read.
  private closedId = new IntList();
  private closedBucket = new Float64Array(256);
  private closedMade = new IntList();
  private closedLost = new IntList();
  /** Per id, scratch for fileClosed (all zero between calls). */
  private cellCount = new Int32Array(1024);

  // The pair table: current friendships only (an unfriend empties the slot), so it is as small as the
  // live graph allows. Each pair's extra int is the index of its making (see madeBase).
  private table: PairTable;

  /**
   * Changes to the friend maps since the last sync. `made*`: every friendship made, in stream order
   * (madeLo = -1 once it is dissolved again); `lost*`: friendships that existed at the last sync and
   * were dissolved since. A pair's extra int in the table is its making's global index, madeBase +
   * position in the list, or -1 for a friendship older than the last sync.
   */
  private madeBase = 0;
  private madeLo = new IntList();
  private madeHi = new IntList();
  private madeAt = new Float64Array(256);
  private lostLo = new IntList();
  private lostHi = new IntList();

  constructor(users?: Map<string, UserState>) {
    this.all = users ?? new Map();
    // Loaded users bring their friendships into the table as they are first used: size it for all of
    // them now (each friendship counts twice when both ends are loaded, which is the half-full bound),
    // rather than doubling through every size on the way.
    let ends = 0;
    for (const u of this.all.values()) ends += u.friends.size;
    this.table = new PairTable(Math.max(2048, ends / 2));
  }

  /** Every user the graph holds, by name, up to date. */
  get users(): Map<string, UserState> {
    this.sync();
    return this.all;
  }

  /** Users changed since beginBatch(), in first-touch order, up to date. */
  get touched(): UserState[] {
    this.sync();
    return this.changedUsers;
  }

  /** created_at (ms) of the last event applyItem read as well formed. */
  get eventAt(): number {
    return this.at;
  }

  /** Starts a new unit of change tracking (a processor batch). */
  beginBatch(): void {
    this.sync();
    this.stamp = nextStamp();
    this.batch++;
    this.changedUsers = [];
    this.dirtyUsers = [];
    this.dirtyCells = [];
  }

  /** The strength and points deltas of every cell changed since beginBatch(); zero deltas omitted. */
  batchDeltas(): CellDelta[] {
    this.sync();
    const out: CellDelta[] = [];
    const cells = this.dirtyCells;
    for (let i = 0; i < cells.length; i++) {
      const cell = cells[i];
      const strength = cellStrength(cell) - cell.s0;
      const points = cell.pt - cell.p0;
      if (strength !== 0 || points !== 0) {
        out.push({ bucket: cell.b, name: this.dirtyUsers[i].name, strength, points });
      }
    }
    return out;
  }

  /**
   * Validates one parsed JSON item and applies it: the processor's and the benchmark's entry point.
   * No temporary object per event (the reader keeps the fields). `kind`: the item's eventKind, when
   * the caller has read it already.
   */
  applyItem(item: unknown, kind?: string): Outcome {
    const r = this.reader;
    const type = r.read(item, kind);
    if (type === null) return 'malformed';
    this.at = r.at;
    return this.applyFields(type, r.a, r.b);
  }

  /** Applies one validated event and returns its outcome. */
  apply(e: GraphEvent): Outcome {
    this.at = e.at;
    return this.applyFields(e.type, e.a, e.b);
  }

  /** Checks run in the SPEC's order: the first that applies is the outcome. */
  private applyFields(type: EventType, a: string, b: string): Outcome {
    if (type === 'addfriend' || type === 'unfriend') {
      const ia = this.node(a);
      if (ia < 0) return 'unknown_user';
      const ib = this.node(b);
      if (ib < 0) return 'unknown_user';
      if (ia === ib) return 'self_relation';
      return type === 'addfriend' ? this.addFriend(ia, ib) : this.unfriend(ia, ib);
    }
    if (type === 'register') return this.register(a);
    return this.refer(a, b);
  }

  private register(name: string): Outcome {
    const all = this.all;
    if (all.has(name)) return 'duplicate_register';
    const u = newUser(name, this.at);
    all.set(name, u);
    const id = this.ids.get(name) ?? this.newId(name);
    this.states[id] = u;
    this.touch(id);
    return 'applied';
  }

  private addFriend(ia: number, ib: number): Outcome {
    const lo = ia < ib ? ia : ib;
    const hi = ia < ib ? ib : ia;
    const s = this.table.find(lo, hi);
    if (s >= 0) return 'noop';
    const i = this.madeLo.length;
    this.table.insert(~s, lo, hi, this.madeBase + i);
    this.madeLo.push(lo);
    this.madeHi.push(hi);
    if (i === this.madeAt.length) this.madeAt = grown(this.madeAt, i * 2);
    this.madeAt[i] = this.at;
    this.countFriendChange(ia, ib, true);
    return 'applied';
  }

  private unfriend(ia: number, ib: number): Outcome {
    const lo = ia < ib ? ia : ib;
    const hi = ia < ib ? ib : ia;
    const table = this.table;
    const s = table.find(lo, hi);
    if (s < 0) return 'noop';
    // Made since the last sync: that making never reaches the maps. Older: the maps lose the pair.
    const made = table.extra(s) - this.madeBase;
    if (made >= 0) this.madeLo.data[made] = -1;
    else {
      this.lostLo.push(lo);
      this.lostHi.push(hi);
    }
    table.remove(s);
    this.countFriendChange(ia, ib, false);
    return 'applied';
  }

  /** A friendship of ia and ib made or dissolved now: each one's open counter for this bucket moves. */
  private countFriendChange(ia: number, ib: number, made: boolean): void {
    this.setBucket();
    const bucket = this.bucket;
    // (reopen files and zeroes the previous bucket's counters: pick the array after it)
    if (this.openBucket[ia] !== bucket) this.reopen(ia);
    (made ? this.openMade : this.openLost)[ia]++;
    if (this.openBucket[ib] !== bucket) this.reopen(ib);
    (made ? this.openMade : this.openLost)[ib]++;
    this.touch(ia);
    this.touch(ib);
  }

  private refer(referrer: string, referred: string): Outcome {
    const ir = this.node(referrer);
    const ino = this.node(referred);
    if (ir < 0 || ino < 0) return 'unknown_user';
    if (ir === ino) return 'self_relation';
    const states = this.states as UserState[];
    const r = states[ir];
    const n = states[ino];
    if (n.referredBy !== null) return 'already_referred';
    // n has no referrer, so it is the root of its tree: a cycle iff n is an ancestor of r.
    const users = this.all;
    for (let x = r.referredBy; x !== null; ) {
      if (x === n.name) return 'referral_cycle';
      const next = users.get(x);
      if (next === undefined) throw new MissingUserError(x);
      x = next.referredBy;
    }
    this.setBucket();
    const at = this.at;
    n.referredBy = r.name;
    n.referredAt = at;
    r.referrals.set(n.name, at);
    r.points++;
    const rc = this.cell(r, this.bucket);
    rc.rf++;
    rc.pt++;
    this.cell(n, this.bucket).gr = 1;
    this.touch(ir);
    this.touch(ino);
    if (r.referredBy !== null) {
      const ig = this.node(r.referredBy);
      if (ig < 0) throw new MissingUserError(r.referredBy);
      const g = states[ig];
      g.points++;
      this.cell(g, this.bucket).pt++;
      this.touch(ig);
    }
    return 'applied';
  }

  /** `bucket` = the 5-second bucket of `at` (one division per distinct created_at). */
  private setBucket(): void {
    if (this.at !== this.bucketAt) {
      this.bucketAt = this.at;
      this.bucket = bucketOf(this.at);
    }
  }

  private touch(id: number): void {
    if (this.touchedIn[id] !== this.batch) {
      this.touchedIn[id] = this.batch;
      this.changedUsers.push(this.states[id] as UserState);
    }
  }

  /** Moves the user's open counters (if any) into its history, and opens them for `bucket`. */
  private reopen(id: number): void {
    if (Number.isNaN(this.openBucket[id])) this.open.push(id);
    else this.close(id);
    this.openBucket[id] = this.bucket;
  }

  /** Closes the user's open counters into the closed log. */
  private close(id: number): void {
    const i = this.closedId.length;
    this.closedId.push(id);
    this.closedMade.push(this.openMade[id]);
    this.closedLost.push(this.openLost[id]);
    if (i === this.closedBucket.length) this.closedBucket = grown(this.closedBucket, i * 2);
    this.closedBucket[i] = this.openBucket[id];
    this.openMade[id] = 0;
    this.openLost[id] = 0;
  }

  /**
   * Adds the closed log to the history cells, one user after another (a stable counting sort by id),
   * so each user's history is walked once for all its entries rather than once per bucket it left.
   */
  private fileClosed(): void {
    const n = this.closedId.length;
    if (n === 0) return;
    const ids = this.closedId.data;
    const count = this.cellCount;
    const users = new IntList();
    for (let i = 0; i < n; i++) {
      if (count[ids[i]]++ === 0) users.push(ids[i]);
    }
    // count[id] becomes the position where the user's next entry goes.
    let at = 0;
    for (let k = 0; k < users.length; k++) {
      const id = users.data[k];
      const c = count[id];
      count[id] = at;
      at += c;
    }
    const order = new Int32Array(n);
    for (let i = 0; i < n; i++) order[count[ids[i]]++] = i;
    const states = this.states as UserState[];
    for (let k = 0; k < n; k++) {
      const i = order[k];
      const c = this.cell(states[ids[i]], this.closedBucket[i]);
      c.fa += this.closedMade.data[i];
      c.fr += this.closedLost.data[i];
    }
    for (let k = 0; k < users.length; k++) count[users.data[k]] = 0;
    this.closedId.length = 0;
    this.closedMade.length = 0;
    this.closedLost.length = 0;
  }

  /** The id of a registered user, its state attached; -1 when the name is not a registered user. */
  private node(name: string): number {
    const id = this.ids.get(name);
    if (id !== undefined && this.states[id] !== null) return id;
    return this.attach(name, id);
  }

  /** First use of a loaded user: give it an id and enter its current friendships into the table. */
  private attach(name: string, known: number | undefined): number {
    const u = this.all.get(name);
    if (u === undefined) return -1;
    const id = known ?? this.newId(name);
    this.states[id] = u;
    for (const friend of u.friends.keys()) {
      const other = this.ids.get(friend) ?? this.newId(friend);
      const lo = id < other ? id : other;
      const hi = id < other ? other : id;
      const s = this.table.find(lo, hi);
      // Already there when the friend was attached first (from its own map): nothing to add.
      if (s >= 0) continue;
      // Older than the last sync: the maps hold it already.
      this.table.insert(~s, lo, hi, -1);
    }
    return id;
  }

  private newId(name: string): number {
    const id = this.states.length;
    this.states.push(null);
    this.ids.set(name, id);
    if (id === COMPACT_IDS) this.table.widen();
    if (id === this.touchedIn.length) {
      const size = id * 2;
      this.touchedIn = grown(this.touchedIn, size);
      this.openBucket = grown(this.openBucket, size);
      this.openBucket.fill(Number.NaN, id);
      this.openMade = grown(this.openMade, size);
      this.openLost = grown(this.openLost, size);
      this.cellCount = grown(this.cellCount, size);
    }
    return id;
  }

  /**
   * Brings the exchange shapes up to date: open friend counters go into history cells; friend maps
   * lose the friendships dissolved, then gain those made, in the order they were made (so each map
   * ends in the order an event-by-event update would have left it, a friendship made again moving
   * to the end).
   */
  private sync(): void {
    const open = this.open;
    for (let i = 0; i < open.length; i++) {
      const id = open.data[i];
      this.close(id);
      this.openBucket[id] = Number.NaN;
    }
    open.length = 0;
    this.fileClosed();
    const madeLo = this.madeLo;
    const lostLo = this.lostLo;
    if (madeLo.length === 0 && lostLo.length === 0) return;
    const states = this.states as UserState[];
    for (let i = 0; i < lostLo.length; i++) {
      const a = states[lostLo.data[i]];
      const b = states[this.lostHi.data[i]];
      a.friends.delete(b.name);
      b.friends.delete(a.name);
    }
    for (let i = 0; i < madeLo.length; i++) {
      const lo = madeLo.data[i];
      if (lo === -1) continue;
      const a = states[lo];
      const b = states[this.madeHi.data[i]];
      const since = this.madeAt[i];
      a.friends.set(b.name, since);
      b.friends.set(a.name, since);
    }
    // Every friendship in the table is now older than the last sync.
    this.madeBase += madeLo.length;
    if (this.madeBase >= 0x40000000) {
      // Keep the global indices far from overflow: mark every slot as old and number afresh.
      this.table.fillExtra(-1);
      this.madeBase = 0;
    }
    madeLo.length = 0;
    this.madeHi.length = 0;
    lostLo.length = 0;
    this.lostHi.length = 0;
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
      this.dirtyUsers.push(u);
      this.dirtyCells.push(c);
    }
    return c;
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
