// Every user's all-time network strength and referral points, kept in memory for top-friends.
//
// Reading each friend's item costs the store one key read per friend (~17 per request); the figures
// can instead be summed from what the snapshot job and the processor already write. The all-time
// strength of a user is the sum of its strength deltas over every committed journal (friends added
// minus removed, referrals made, being referred), its points the sum of its points deltas. The total
// rollup block holds those sums for every journal up to its `upTo`; the committed journals after it
// hold the rest. So the index is built once from the total block (or from nothing, before the first
// snapshot) plus the journals after it, and then only follows: when the committed checkpoint moves,
// it reads the journals after the last one it applied, up to that checkpoint, and adds their deltas.
//
// Journals never change once committed, so an index stays exact whatever the snapshot job does after
// it was built: a newer total block says nothing the journals have not. But the snapshot job deletes
// the journals it has folded, a run after folding them, and marks how far in its state (`trimmedTo`)
// before it deletes any: a refresh reads that mark after the journals, and if it has moved past where
// the refresh began, journals it asked for may have gone unseen, so the index starts again from the
// total block (which holds them). It is also dropped when the rollups start over (a new name
// dictionary: the store was rebuilt).
//
// The journals a refresh read are applied together, with no await in between, so the map always holds
// a committed prefix of the stream: a request reading it while a refresh is under way sees a state the
// pipeline really had (at least as new as the checkpoint it asked for, once `at` resolves).
import { SOCIAL_FIGURES, SOCIAL_POINTS, SOCIAL_STRENGTH } from '../../domain/social-family';
import type { Journal } from '../../storage/pipeline-store';

export interface Figures {
  strength: number;
  points: number;
}

/** Where an index starts: the sums of every journal up to `upTo` (the `first` of the last one). */
export interface FigureBase {
  upTo: string;
  /** the rollups' dictionary id the sums were read under ('' when they are not from a block) */
  namesId: string;
  sums: Map<string, Figures>;
}

export interface FigureSource {
  /** The sums the index starts from (the total block's, or none). */
  base(): Promise<FigureBase>;
  /** The committed journals after the one starting at `after` ('' for all), up to `checkpoint`. */
  journals(after: string, checkpoint: string): AsyncIterable<Journal>;
  /** Where journals may have been deleted up to (the snapshot state's `trimmedTo`), read afresh. */
  trimmedTo(): Promise<string>;
}

interface State {
  sums: Map<string, Figures>;
  /** `first` of the last journal in `sums` */
  applied: string;
  /** every journal committed at this checkpoint is in `sums` */
  covered: string;
  /** the rollups' dictionary id the base was read under ('' when it was built from journals alone) */
  namesId: string;
}

const ZERO: Figures = { strength: 0, points: 0 };

export class FigureIndex {
  private state: State | null = null;
  /** the refresh under way: concurrent requests share it */
  private loading: Promise<void> | null = null;
  /** the newest checkpoint any request asked for (a refresh reads up to it) */
  private wanted = '';
  /** counts clear()s: a refresh that began before one keeps nothing it read */
  private epoch = 0;

  constructor(private readonly source: FigureSource) {}

  /** Drops everything (the store was rebuilt). */
  clear(): void {
    this.wanted = '';
    this.restart();
  }

  /** Drops the sums (the requests waiting keep what they asked for). */
  private restart(): void {
    this.state = null;
    this.epoch++;
  }

  /**
   * A lookup of figures holding at least every journal committed at `checkpoint`. A user with no
   * committed deltas (registered, never befriended nor referred) has strength 0 and points 0.
   */
  async at(checkpoint: string, namesId: string): Promise<(name: string) => Figures> {
    const kept = this.state;
    if (kept !== null) {
      // An index built before the first snapshot run belongs to the dictionary that run starts; a
      // different dictionary later means the store was rebuilt (an id, once given, never changes).
      if (kept.namesId === '') kept.namesId = namesId;
      else if (kept.namesId !== namesId) this.clear();
    }
    if (checkpoint > this.wanted) this.wanted = checkpoint;
    for (;;) {
      const s = this.state;
      // Another request may have refreshed past this checkpoint already: a newer committed state is
      // as good an answer (it is what a request arriving a moment later would get).
      if (s !== null && s.covered >= checkpoint) {
        const sums = s.sums;
        return (name) => sums.get(name) ?? ZERO;
      }
      this.loading ??= this.refresh().finally(() => {
        this.loading = null;
      });
      await this.loading;
    }
  }

  private async refresh(): Promise<void> {
    const target = this.wanted;
    const epoch = this.epoch;
    let s = this.state;
    if (s === null) {
      const base = await this.source.base();
      if (this.epoch !== epoch) return;
      s = { sums: base.sums, applied: base.upTo, covered: '', namesId: base.namesId };
      this.state = s;
    }
    // The journals after `from` are read first and applied after the check below, all at once (no await
    // in between): a request reading the map meanwhile sees it as it was, never with a gap.
    const from = s.applied;
    const read: Journal[] = [];
    for await (const j of this.source.journals(from, target)) {
      // A clear() or a rebuild while this ran: its journals belong to a state no longer kept.
      if (this.state !== s) return;
      read.push(j);
    }
    // Journals after `from` deleted before this read them (see the header): start from the total block.
    const trimmedTo = await this.source.trimmedTo();
    if (this.state !== s) return;
    if (trimmedTo > from) {
      this.restart();
      return;
    }
    const { sums } = s;
    const s0 = 2 + SOCIAL_STRENGTH;
    const p0 = 2 + SOCIAL_POINTS;
    for (const j of read) {
      const d = j.sets[SOCIAL_FIGURES.id] ?? [];
      for (let i = 0; i < d.length; i += 2 + SOCIAL_FIGURES.columns.length) {
        const name = d[i + 1] as string;
        const f = sums.get(name);
        if (f === undefined) sums.set(name, { strength: d[i + s0] as number, points: d[i + p0] as number });
        else {
          f.strength += d[i + s0] as number;
          f.points += d[i + p0] as number;
        }
      }
      s.applied = j.first;
    }
    if (this.state === s && target > s.covered) s.covered = target;
  }
}

/**
 * A read never older than the call asking for it, shared by concurrent callers. A read already under
 * way began before the caller arrived and may miss a write the caller must see, so the caller waits
 * for the next one, which starts when that one ends and serves everyone who arrived meanwhile. Under
 * any load this is at most one read in flight per read time, instead of one per request.
 */
export class FreshRead<T> {
  private running: Promise<T> | null = null;
  private queued: Promise<T> | null = null;

  constructor(private readonly load: () => Promise<T>) {}

  get(): Promise<T> {
    if (this.running === null) return this.start();
    const after = this.running.then(
      () => {},
      () => {},
    );
    this.queued ??= after.then(() => {
      this.queued = null;
      return this.start();
    });
    return this.queued;
  }

  private start(): Promise<T> {
    const p = this.load();
    this.running = p;
    const done = () => {
      if (this.running === p) this.running = null;
    };
    p.then(done, done);
    return p;
  }
}
