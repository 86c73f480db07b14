// Packing events into Kinesis record payloads: each record is one JSON array of consecutive events,
// optionally brotli- or gzip-compressed, at most `maxRecordBytes` on the wire. Order is kept: the
// concatenation of the decoded records is the input, element for element. `decodeRecord` (records.ts)
// reads every payload produced here; it detects the compression from the bytes.
//
// Efficiency: every event is serialized once. For compressed payloads the number of events per record
// is estimated from the compression ratio observed so far (a probe of the first events, then each
// finished record), so a record is usually compressed once; when the estimate overshoots the limit the
// chunk shrinks, and when it leaves much room the chunk grows, a bounded number of times. The size
// limit is guaranteed by the actual compressed length, never by the estimate.
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { MAX_DECODED_BYTES } from './records';

export type Compression = 'brotli' | 'gzip' | 'none';

export interface PackOptions {
  /** Largest payload per record, in bytes. Default DEFAULT_MAX_RECORD_BYTES. */
  maxRecordBytes?: number;
  /** Default DEFAULT_COMPRESSION. */
  compression?: Compression;
  /**
   * brotli quality 0–11 or gzip level 1–9, for every record. Default DEFAULT_LEVEL[compression], or
   * BULK_BROTLI_QUALITY for a brotli record of more than BULK_RAW_BYTES of JSON.
   */
  level?: number;
  /** Cap on events per record (unlimited by default). Lower it to bound a consumer's memory per record. */
  maxEventsPerRecord?: number;
  /**
   * Cap on the uncompressed JSON per record. Default DEFAULT_MAX_RAW_BYTES; never above the decoder's
   * MAX_DECODED_BYTES, or the processor would refuse the record.
   */
  maxRawBytes?: number;
}

/** Kinesis: data + partition key of one record ≤ 1 MiB. */
export const KINESIS_MAX_RECORD_BYTES = 1_048_576;
/** Partition keys are at most 256 bytes; the rest of the 4 KiB margin is slack. */
export const DEFAULT_MAX_RECORD_BYTES = KINESIS_MAX_RECORD_BYTES - 4_096;
/**
 * Uncompressed bytes per record: brotli's window (16 MiB), so a bigger chunk would not compress
 * better, and it keeps a consumer's decoded text per record bounded (about 160,000 generator events).
 */
export const DEFAULT_MAX_RAW_BYTES = 16 * 1024 * 1024;
/**
 * Chosen by measurement (`npx tsx scripts/wire-sizes.ts [--batches B --skip-batches K]`; the figures
 * are in docs/performance.md): brotli quality 5 with a 16 MiB window keeps generator streams well under
 * SPEC's 8 bytes/event, smaller than gzip -6; higher qualities gain nothing or pack far too slowly.
 */
export const DEFAULT_COMPRESSION: Compression = 'brotli';
export const DEFAULT_LEVEL: Record<Compression, number> = { brotli: 5, gzip: 6, none: 0 };
/**
 * A send this big is a backlog or a bulk load, where packing speed is what holds the producer back:
 * brotli quality 1 packs several times faster than 5 for a few more bytes (docs/performance.md).
 * Steady-state records, a few hundred KB of JSON, keep
 * quality 5, where the bytes decide how many events a shard's 1 MB/s carries.
 */
export const BULK_RAW_BYTES = 4 * 1024 * 1024;
export const BULK_BROTLI_QUALITY = 1;

function levelFor(o: PackOptions, compression: Compression, rawBytes: number): number {
  if (o.level !== undefined) return o.level;
  if (compression === 'brotli' && rawBytes > BULK_RAW_BYTES) return BULK_BROTLI_QUALITY;
  return DEFAULT_LEVEL[compression];
}

/** brotli's largest standard window (16 MiB): generator streams repeat names across the whole record. */
const BROTLI_LGWIN = 24;
/** Raw bytes compressed to estimate the first ratio. */
const PROBE_RAW_BYTES = 256 * 1024;
/** Aim this far below the limit, so an estimate a little off still fits. */
const AIM = 0.96;
/** A record this full is good enough; below it (with events left) the chunk is grown. */
const GOOD_FILL = 0.88;
const MAX_ATTEMPTS = 6;

export function compress(raw: Buffer, compression: Compression, level?: number): Buffer {
  switch (compression) {
    case 'none':
      return raw;
    case 'gzip':
      return gzipSync(raw, { level: level ?? DEFAULT_LEVEL.gzip, memLevel: 9 });
    case 'brotli':
      return brotliCompressSync(raw, {
        params: {
          [constants.BROTLI_PARAM_QUALITY]: level ?? DEFAULT_LEVEL.brotli,
          [constants.BROTLI_PARAM_LGWIN]: BROTLI_LGWIN,
          [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
          [constants.BROTLI_PARAM_SIZE_HINT]: raw.length,
        },
      });
  }
}

/** A serialized event list with prefix sums of byte lengths, so any chunk's raw size is O(1). */
class Serialized {
  readonly parts: string[];
  /** ends[i] = bytes of parts[0..i] including one separator after each. */
  readonly ends: Float64Array;

  constructor(events: unknown[]) {
    const n = events.length;
    this.parts = new Array<string>(n);
    this.ends = new Float64Array(n + 1);
    let total = 0;
    for (let i = 0; i < n; i++) {
      // JSON.stringify gives undefined for undefined/functions; inside an array they become null.
      const s = JSON.stringify(events[i]) ?? 'null';
      this.parts[i] = s;
      total += Buffer.byteLength(s) + 1;
      this.ends[i + 1] = total;
    }
  }

  /** Bytes of the JSON array holding events [start, end): brackets + items + commas. */
  rawSize(start: number, end: number): number {
    return this.ends[end] - this.ends[start] + 1;
  }

  /** Largest end (start < end ≤ limit) whose chunk is at most `bytes` raw; at least start + 1. */
  endForRaw(start: number, limit: number, bytes: number): number {
    let lo = start + 1;
    let hi = limit;
    if (this.rawSize(start, hi) <= bytes) return hi;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (this.rawSize(start, mid) <= bytes) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  chunk(start: number, end: number): Buffer {
    return Buffer.from(`[${this.parts.slice(start, end).join(',')}]`, 'utf8');
  }
}

/**
 * Compressed input up to this many times the record limit (so up to the 16 MiB raw cap) is first tried
 * as one record. Event JSON compresses well enough at the bulk quality that even a generator's first
 * batch fits, packed whole far faster than event by event (docs/performance.md).
 * Input that does not compress this well costs one wasted fast compression of at most 16 MiB before
 * the general path takes over.
 */
const WHOLE_TRY_FACTOR = 16;

/**
 * The common case, a send() whose events fit in one record: one JSON.stringify of the whole array
 * (about twice as fast as one call per event, and byte for byte the same text) and one compression,
 * with no probe. Null when the input may not fit; the caller then packs event by event.
 */
function packWhole(
  events: unknown[],
  max: number,
  maxRaw: number,
  cap: number,
  compression: Compression,
  o: PackOptions,
): PackedRecord | null {
  if (events.length > cap) return null;
  const text = JSON.stringify(events);
  // A cheap bound before encoding: UTF-8 takes at least one byte per UTF-16 unit.
  const bound = compression === 'none' ? max : max * WHOLE_TRY_FACTOR;
  if (text.length > Math.min(maxRaw, bound)) return null;
  const raw = Buffer.from(text, 'utf8');
  if (raw.length > maxRaw || raw.length > bound) return null;
  const data = compress(raw, compression, levelFor(o, compression, raw.length));
  return data.length <= max ? { data, events: events.length } : null;
}

/** One event alone does not fit in a record. `index` is its position in the list given to pack(). */
export class EventTooLargeError extends RangeError {
  constructor(
    readonly index: number,
    readonly bytes: number,
    readonly max: number,
  ) {
    super(`event ${index} alone takes ${bytes} bytes, more than the limit of ${max}`);
    this.name = 'EventTooLargeError';
  }
}

function tooLarge(index: number, bytes: number, max: number): Error {
  return new EventTooLargeError(index, bytes, max);
}

/**
 * Packs `events` into record payloads, in order, each at most `maxRecordBytes`. An empty input gives
 * no records. Throws a RangeError if one event alone cannot fit in a record.
 */
export function packRecords(events: unknown[], o: PackOptions = {}): Buffer[] {
  return pack(events, o).map((r) => r.data);
}

/** One record payload and the number of events it holds. */
export interface PackedRecord {
  data: Buffer;
  events: number;
}

/** As packRecords, with each record's event count (for progress reporting). */
export function pack(events: unknown[], o: PackOptions = {}): PackedRecord[] {
  const max = o.maxRecordBytes ?? DEFAULT_MAX_RECORD_BYTES;
  const compression = o.compression ?? DEFAULT_COMPRESSION;
  const cap = o.maxEventsPerRecord ?? Number.POSITIVE_INFINITY;
  if (!(max >= 3)) throw new RangeError('maxRecordBytes must be at least 3');
  const maxRaw = o.maxRawBytes ?? DEFAULT_MAX_RAW_BYTES;
  if (!(cap >= 1)) throw new RangeError('maxEventsPerRecord must be at least 1');
  if (!(maxRaw >= 3 && maxRaw <= MAX_DECODED_BYTES)) {
    throw new RangeError(`maxRawBytes must be between 3 and ${MAX_DECODED_BYTES}`);
  }
  const n = events.length;
  if (n === 0) return [];
  const whole = packWhole(events, max, maxRaw, cap, compression, o);
  if (whole !== null) return [whole];
  const s = new Serialized(events);
  const out: PackedRecord[] = [];

  if (compression === 'none') {
    // Exact sizes are known: greedy packing, no trial encoding.
    let start = 0;
    while (start < n) {
      const limit = Math.min(n, start + cap);
      const bound = Math.min(max, maxRaw);
      const end = s.endForRaw(start, limit, bound);
      if (s.rawSize(start, end) > bound) throw tooLarge(start, s.rawSize(start, end), bound);
      out.push({ data: s.chunk(start, end), events: end - start });
      start = end;
    }
    return out;
  }

  // Compressed bytes per raw byte, first from a probe of the first events.
  const probeEnd = s.endForRaw(0, Math.min(n, cap), Math.min(PROBE_RAW_BYTES, maxRaw));
  const probeRaw = s.rawSize(0, probeEnd);
  let ratio =
    compress(s.chunk(0, probeEnd), compression, levelFor(o, compression, probeRaw)).length / probeRaw;

  let start = 0;
  while (start < n) {
    // The raw cap is exact (prefix sums), so it simply bounds the chunk's last event.
    const limit = Math.min(n, start + cap, s.endForRaw(start, n, maxRaw));
    if (s.rawSize(start, limit) > maxRaw) throw tooLarge(start, s.rawSize(start, limit), maxRaw);
    let end = s.endForRaw(start, limit, (max * AIM) / ratio);
    let best: Buffer | null = null;
    let bestEnd = start;
    let tooBig = n + 1; // smallest end known not to fit
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const raw = s.rawSize(start, end);
      const buf = compress(s.chunk(start, end), compression, levelFor(o, compression, raw));
      ratio = buf.length / raw;
      if (buf.length <= max) {
        if (end > bestEnd) {
          best = buf;
          bestEnd = end;
        }
        if (end === limit || buf.length >= max * GOOD_FILL) break;
        const next = Math.min(s.endForRaw(start, limit, (max * AIM) / ratio), tooBig - 1);
        if (next <= end) break;
        end = next;
      } else {
        if (end === start + 1) throw tooLarge(start, buf.length, max);
        tooBig = end;
        // Shrink by the observed overshoot, and always strictly.
        const next = Math.max(bestEnd + 1, s.endForRaw(start, limit, (max * AIM) / ratio));
        if (next >= end || next <= bestEnd) {
          // The estimate cannot narrow further: halve towards what is known to fit.
          const mid = Math.max(bestEnd + 1, (start + end) >>> 1);
          if (mid >= end || mid <= bestEnd) break;
          end = mid;
        } else {
          end = next;
        }
      }
    }
    if (best === null) {
      // Attempts ran out without a fitting chunk (pathological data): halve until one fits.
      end = tooBig;
      do {
        end = start + Math.max(1, (end - start) >>> 1);
        const buf = compress(
          s.chunk(start, end),
          compression,
          levelFor(o, compression, s.rawSize(start, end)),
        );
        if (buf.length <= max) {
          best = buf;
          bestEnd = end;
        } else if (end === start + 1) {
          throw tooLarge(start, buf.length, max);
        }
      } while (best === null);
    }
    out.push({ data: best, events: bestEnd - start });
    start = bestEnd;
  }
  return out;
}
