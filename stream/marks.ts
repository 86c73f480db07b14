// The producer side of record marks (domain/marks.ts): a producer id and the next record number.
//
// Which id each producer uses:
// - a StreamProducer made without `marks` (the CLI `npm run produce`, the generator Lambda, the local
//   runtime, benches): a random id per producer object, so per CLI run or per Lambda container;
// - POST /events: a MarkLanes pool per handler instance (a Lambda container, or the local gateway's
//   module), one lane per send under way (see MarkLanes);
// - the local generator loop: an id it keeps in its saved state, with the next record number, so that a
//   batch cut short by a crash is sent again after a restart with the same marks (local/generator-loop.ts).
//
// Whatever shares a RecordMarks must send one record at a time, each after the previous one was stored
// or given up on: the processor takes a record numbered at or below one it has folded for a resend.
import { randomBytes } from 'node:crypto';
import { formatMark, isProducerId } from '../domain/marks';

/** Longest key a mark makes: `bfk1.` + 64 + `.` + 16 digits. */
export const MAX_MARK_BYTES = 86;

/** A fresh random producer id: 16 characters of base64url (96 bits). */
export function newProducerId(): string {
  return randomBytes(12).toString('base64url');
}

export class RecordMarks {
  private nextNumber: number;

  constructor(
    readonly producerId: string = newProducerId(),
    /** The number the next record gets (default 1). */
    next = 1,
  ) {
    if (!isProducerId(producerId))
      throw new RangeError(`producer id ${JSON.stringify(producerId)} is not 1–64 of [A-Za-z0-9_-]`);
    if (!Number.isSafeInteger(next) || next < 1)
      throw new RangeError(`next record number ${next} is not a positive integer`);
    this.nextNumber = next;
  }

  /** The number the next record will get. */
  get next(): number {
    return this.nextNumber;
  }

  /** The partition key of the next record; every call numbers a new record. */
  take(): string {
    return formatMark(this.producerId, this.nextNumber++);
  }
}

/**
 * Marks for concurrent sends of one process. Each send takes a lane for its duration: a lane is a
 * RecordMarks of its own (id `<base>-<lane>`), used by one send at a time, so the numbers of each id
 * follow the stream order whatever the sends do side by side. Lanes are reused, so there are only as
 * many ids as sends ever under way at once.
 */
export class MarkLanes {
  private readonly free: RecordMarks[] = [];
  private made = 0;

  constructor(readonly base: string = newProducerId()) {
    if (!isProducerId(`${base}-0`) || base.length > 40)
      throw new RangeError(`lane base ${JSON.stringify(base)} is not up to 40 of [A-Za-z0-9_-]`);
  }

  /** Lanes made so far. */
  get lanes(): number {
    return this.made;
  }

  /** Runs `send` with a lane no other send holds meanwhile. */
  async with<T>(send: (marks: RecordMarks) => Promise<T>): Promise<T> {
    const lane = this.free.pop() ?? new RecordMarks(`${this.base}-${this.made++}`);
    try {
      return await send(lane);
    } finally {
      this.free.push(lane);
    }
  }
}
