// Record marks: how the processor tells a producer's resend from a new record.
//
// A producer whose PutRecords reply was lost sends the record again, and the stream then holds the same
// events twice, under two sequence numbers. The checkpoint cannot see that (it only skips records it
// has seen by sequence number), so the project's producers mark every record with a producer id and a
// per-producer record number, carried in the record's partition key (the stream has one shard, so the
// key routes nothing):
//
//   bfk1.<producerId>.<recordNumber>      e.g. bfk1.c-3q2Vn8kPz0aLw1xY.17
//
// producerId is 1–64 characters of [A-Za-z0-9_-]; recordNumber is a decimal integer from 1 to 2^53 - 1
// without leading zeros. Any other key (a third party's, or the old constant `bacefook`) is no mark,
// and its record is folded as it comes. A resend carries the same key as the first copy; a producer
// numbers its records in the order it sends them and sends the next one only after the previous one
// was stored (or given up on, and its caller told so), so in the stream a producer's new record always
// comes after every earlier record of it that was stored.
//
// MarkBook is the processor's memory of marks: per producer, the highest record number folded and the
// arrival time of its latest record. A marked record whose number is at or below the highest one is a
// resend and is skipped. The book forgets a producer not seen for MARK_TTL_MS of stream time (the
// stream's retention: a resend comes seconds after its first copy, never a day later) and keeps at most
// MAX_MARKED_PRODUCERS producers (the most recently seen), so it stays a small part of the pipeline
// state item. Times are the records' arrival times (ApproximateArrivalTimestamp), never the clock, so a
// replay of the same records decides the same way.

export const MARK_PREFIX = 'bfk1';
/** The stream's retention (24 h): a producer not seen for this long is forgotten. */
export const MARK_TTL_MS = 24 * 60 * 60 * 1000;
/** Most producers the book keeps; past it the least recently seen are forgotten first. */
export const MAX_MARKED_PRODUCERS = 1_000;

const PRODUCER_ID = /^[A-Za-z0-9_-]{1,64}$/;
const MARK = /^bfk1\.([A-Za-z0-9_-]{1,64})\.([1-9][0-9]{0,15})$/;

export interface Mark {
  producer: string;
  n: number;
}

export function isProducerId(id: string): boolean {
  return PRODUCER_ID.test(id);
}

/** The partition key that marks record `n` of `producer`. */
export function formatMark(producer: string, n: number): string {
  if (!isProducerId(producer))
    throw new RangeError(`producer id ${JSON.stringify(producer)} is not 1–64 of [A-Za-z0-9_-]`);
  if (!Number.isSafeInteger(n) || n < 1)
    throw new RangeError(`record number ${n} is not a positive safe integer`);
  return `${MARK_PREFIX}.${producer}.${n}`;
}

/** The mark a partition key carries, or null when it carries none. */
export function parseMark(key: string | undefined): Mark | null {
  if (key === undefined || key.length < 8 || !key.startsWith('bfk1.')) return null;
  const m = MARK.exec(key);
  if (m === null) return null;
  const n = Number(m[2]);
  return Number.isSafeInteger(n) ? { producer: m[1], n } : null;
}

/** As stored in the pipeline state: producer id -> [highest record number folded, latest arrival ms]. */
export type MarkState = Record<string, [number, number]>;

export class MarkBook {
  private readonly entries = new Map<string, [number, number]>();
  /** Latest arrival seen (the book's "now"). */
  private latest = 0;

  constructor(state: MarkState = {}) {
    for (const [id, [n, at]] of Object.entries(state)) {
      this.entries.set(id, [n, at]);
      if (at > this.latest) this.latest = at;
    }
  }

  get size(): number {
    return this.entries.size;
  }

  /** An unknown arrival (a record built by hand) counts as the latest one seen. */
  private at(arrivalMs: number | undefined): number {
    return arrivalMs ?? this.latest;
  }

  private live(m: Mark, at: number): [number, number] | undefined {
    const e = this.entries.get(m.producer);
    return e !== undefined && at - e[1] <= MARK_TTL_MS ? e : undefined;
  }

  /**
   * Whether a marked record that arrived at `arrivalMs` is a resend of one already folded. When it is,
   * its producer counts as seen at that time.
   */
  isResent(m: Mark, arrivalMs?: number): boolean {
    const at = this.at(arrivalMs);
    const e = this.live(m, at);
    if (e === undefined || m.n > e[0]) return false;
    if (at > e[1]) e[1] = at;
    if (at > this.latest) this.latest = at;
    return true;
  }

  /** A marked record was folded. */
  folded(m: Mark, arrivalMs?: number): void {
    const at = this.at(arrivalMs);
    const e = this.live(m, at);
    // A producer forgotten (or due to be) starts afresh, whether or not a prune has run yet.
    if (e === undefined) this.entries.set(m.producer, [m.n, at]);
    else {
      if (m.n > e[0]) e[0] = m.n;
      if (at > e[1]) e[1] = at;
    }
    if (at > this.latest) this.latest = at;
  }

  /** The state to store: producers seen within MARK_TTL_MS of the latest arrival, at most MAX_MARKED_PRODUCERS. */
  toState(): MarkState {
    let kept = [...this.entries].filter(([, e]) => this.latest - e[1] <= MARK_TTL_MS);
    if (kept.length > MAX_MARKED_PRODUCERS) {
      kept.sort((a, b) => b[1][1] - a[1][1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
      kept = kept.slice(0, MAX_MARKED_PRODUCERS);
    }
    const out: MarkState = {};
    for (const [id, [n, at]] of kept) out[id] = [n, at];
    return out;
  }
}
