// The ordered Kinesis producer: packs events into records (domain/record-encoding.ts) and puts them
// into the stream strictly in order.
//
// Order is sacred: the stream has one shard and the order of the stream is the order of the graph.
// So records are sent one at a time, each PutRecords call carrying exactly one record, and the next
// record is sent only after the previous one is acknowledged. Batching several records per call would
// gain nothing: a packed record is close to 1 MiB and a shard ingests 1 MiB/s, so one record per call
// already saturates the shard. And it would cost correctness: PutRecords is not atomic, so when the
// first entry of a call is throttled and the second succeeds, the later record lands before the earlier
// one, and retrying the earlier one can no longer restore the order.
//
// A failed record (a thrown retryable error, or an entry rejected with an ErrorCode such as
// ProvisionedThroughputExceededException) is retried with exponential backoff and jitter before
// anything after it is sent. After `maxRetries` retries the producer gives up with a ProducerError
// that says how far it got. Concurrent send() calls on one producer are queued, never interleaved.
//
// Delivery is at least once: a request that timed out may have been stored, and its retry then stores
// the record a second time, right after the first. So every record is marked (stream/marks.ts,
// domain/marks.ts): its partition key carries the producer's id and the record's number, the same on
// every retry of it, and the processor skips a marked record it has already folded.
import { type KinesisClient, PutRecordsCommand, type PutRecordsCommandOutput } from '@aws-sdk/client-kinesis';
import {
  KINESIS_MAX_RECORD_BYTES,
  type PackedRecord,
  type PackOptions,
  pack,
} from '../domain/record-encoding';
import { MAX_MARK_BYTES, RecordMarks } from './marks';

export interface ProducerProgress {
  events: number;
  records: number;
  bytes: number;
}

export interface SendResult extends ProducerProgress {
  /** Sequence number of the last record put (undefined if nothing was sent). */
  lastSequenceNumber?: string;
}

export interface ProducerOptions extends PackOptions {
  /**
   * The marks of this producer's records (default: a new RecordMarks with a random id). A RecordMarks
   * may be shared only by producers that never send at the same time (see stream/marks.ts).
   */
  marks?: RecordMarks;
  /**
   * Puts every record unmarked under this constant partition key instead (as a third party would):
   * the processor then cannot tell a resend from a new record. Not with `marks`.
   */
  partitionKey?: string;
  /** Called after every record put, with the producer's running totals since it was created. */
  onProgress?: (p: ProducerProgress) => void;
  /** Retries of one record before giving up. Default 10. */
  maxRetries?: number;
  /** First backoff delay; it doubles on every retry, up to maxDelayMs. Default 100 ms. */
  baseDelayMs?: number;
  /** Default 5000 ms. */
  maxDelayMs?: number;
  /** Injectable for tests. */
  sleep?: (ms: number) => Promise<void>;
  /** Jitter source in [0, 1). Injectable for tests. */
  random?: () => number;
}

export const DEFAULT_PARTITION_KEY = 'bacefook';
export const DEFAULT_MAX_RETRIES = 10;
export const DEFAULT_BASE_DELAY_MS = 100;
export const DEFAULT_MAX_DELAY_MS = 5_000;

/**
 * Why a send stopped: `gave_up` after maxRetries of a retryable failure (throttling: try later);
 * `not_retryable` (missing stream, bad credentials, validation); `too_large` (a record over the limit).
 */
export type ProducerFailure = 'gave_up' | 'not_retryable' | 'too_large';

/** The producer gave up, or met an error that retrying cannot fix. Nothing after `recordIndex` was sent. */
export class ProducerError extends Error {
  constructor(
    message: string,
    readonly reason: ProducerFailure,
    /** Index (within the failed call) of the record that was not stored. */
    readonly recordIndex: number,
    /** What the failed call had stored before it stopped: the caller can resume from there. */
    readonly sent: SendResult,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'ProducerError';
  }
}

/** Error names that mean "try again later" (throttling, transient service faults). */
const RETRYABLE_NAMES = new Set([
  'ProvisionedThroughputExceededException',
  'LimitExceededException',
  'KMSThrottlingException',
  'InternalFailure',
  'InternalFailureException',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'ThrottlingException',
  'Throttling',
  'RequestTimeout',
  'RequestTimeoutException',
  'TimeoutError',
]);
/** Node socket errors worth retrying (the emulator or the network blinked). */
const RETRYABLE_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN']);

interface ErrorShape {
  name?: unknown;
  code?: unknown;
  $retryable?: unknown;
  $metadata?: { httpStatusCode?: unknown };
}

export function isRetryable(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const e = err as ErrorShape;
  if (typeof e.name === 'string' && RETRYABLE_NAMES.has(e.name)) return true;
  if (typeof e.code === 'string' && RETRYABLE_CODES.has(e.code)) return true;
  if (e.$retryable) return true;
  const status = e.$metadata?.httpStatusCode;
  return typeof status === 'number' && (status === 429 || status >= 500);
}

function describe(err: unknown): string {
  if (err instanceof Error) return `${err.name}: ${err.message}`;
  return String(err);
}

const defaultSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export class StreamProducer {
  /** null: unmarked records under `partitionKey` */
  readonly marks: RecordMarks | null;
  private readonly partitionKey: string;
  /** Bytes of the longest key a record can get. */
  private readonly keyBytes: number;
  private readonly maxRetries: number;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly random: () => number;
  private readonly totals: ProducerProgress = { events: 0, records: 0, bytes: 0 };
  /** Serializes calls: the next send starts only when the previous one has settled. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly kinesis: KinesisClient,
    private readonly streamName: string,
    private readonly o: ProducerOptions = {},
  ) {
    if (o.marks !== undefined && o.partitionKey !== undefined) {
      throw new RangeError('give marks or partitionKey, not both');
    }
    this.marks = o.partitionKey === undefined ? (o.marks ?? new RecordMarks()) : null;
    this.partitionKey = o.partitionKey ?? DEFAULT_PARTITION_KEY;
    this.keyBytes = this.marks === null ? Buffer.byteLength(this.partitionKey) : MAX_MARK_BYTES;
    if (this.keyBytes < 1 || this.keyBytes > 256) throw new RangeError('partitionKey must be 1–256 bytes');
    this.maxRetries = o.maxRetries ?? DEFAULT_MAX_RETRIES;
    this.baseDelayMs = o.baseDelayMs ?? DEFAULT_BASE_DELAY_MS;
    this.maxDelayMs = o.maxDelayMs ?? DEFAULT_MAX_DELAY_MS;
    this.sleep = o.sleep ?? defaultSleep;
    this.random = o.random ?? Math.random;
    // Leave room for the partition key under the 1 MiB record limit.
    if (o.maxRecordBytes !== undefined && o.maxRecordBytes + this.keyBytes > KINESIS_MAX_RECORD_BYTES) {
      throw new RangeError(`maxRecordBytes + partition key must be at most ${KINESIS_MAX_RECORD_BYTES}`);
    }
  }

  /** Running totals since the producer was created. */
  get sent(): ProducerProgress {
    return { ...this.totals };
  }

  /** Packs `events` into records and puts them in order. Resolves when every record is stored. */
  send(events: unknown[]): Promise<SendResult> {
    return this.enqueue(() => this.put(pack(events, this.o)));
  }

  /**
   * Puts ready-made record payloads in order. Plain buffers count no events in the totals (their
   * content is not inspected); pass PackedRecords to count them.
   */
  sendRecords(records: Array<Buffer | PackedRecord>): Promise<SendResult> {
    const packed = records.map((r) => (Buffer.isBuffer(r) ? { data: r, events: 0 } : r));
    return this.enqueue(() => this.put(packed));
  }

  private enqueue<T>(work: () => Promise<T>): Promise<T> {
    const run = this.queue.then(work, work);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async put(records: PackedRecord[]): Promise<SendResult> {
    const result: SendResult = { events: 0, records: 0, bytes: 0 };
    for (let i = 0; i < records.length; i++) {
      const { data, events } = records[i];
      if (data.length + this.keyBytes > KINESIS_MAX_RECORD_BYTES) {
        throw new ProducerError(
          `record ${i} is ${data.length} bytes; with its partition key it exceeds the Kinesis limit of ${KINESIS_MAX_RECORD_BYTES}`,
          'too_large',
          i,
          { ...result },
        );
      }
      // One key per record, the same on every retry of it: that is what makes a resend recognizable.
      const key = this.marks === null ? this.partitionKey : this.marks.take();
      result.lastSequenceNumber = await this.putOne(data, key, i, result);
      result.events += events;
      result.records++;
      result.bytes += data.length;
      this.totals.events += events;
      this.totals.records++;
      this.totals.bytes += data.length;
      this.o.onProgress?.({ ...this.totals });
    }
    return result;
  }

  /** Puts one record, retrying until it is stored; returns its sequence number. */
  private async putOne(
    data: Buffer,
    key: string,
    index: number,
    sofar: SendResult,
  ): Promise<string | undefined> {
    let lastProblem = '';
    let lastError: unknown;
    for (let attempt = 0; ; attempt++) {
      let res: PutRecordsCommandOutput | undefined;
      try {
        res = await this.kinesis.send(
          new PutRecordsCommand({
            StreamName: this.streamName,
            Records: [{ Data: data, PartitionKey: key }],
          }),
        );
      } catch (err) {
        if (!isRetryable(err)) {
          throw new ProducerError(
            `putting record ${index} into stream ${this.streamName} failed: ${describe(err)}`,
            'not_retryable',
            index,
            { ...sofar },
            { cause: err },
          );
        }
        lastError = err;
        lastProblem = describe(err);
      }
      if (res) {
        const entry = res.Records?.[0];
        if (!res.FailedRecordCount && entry && !entry.ErrorCode) return entry.SequenceNumber;
        // Entry-level failures (throttling, InternalFailure) are retryable by definition.
        lastError = undefined;
        lastProblem = entry?.ErrorCode
          ? `${entry.ErrorCode}: ${entry.ErrorMessage ?? ''}`.trim()
          : 'the response did not acknowledge the record';
      }
      if (attempt >= this.maxRetries) {
        throw new ProducerError(
          `gave up on record ${index} after ${attempt + 1} attempts (${lastProblem}); ` +
            `${sofar.records} earlier records of this call were stored and nothing after it was sent`,
          'gave_up',
          index,
          { ...sofar },
          lastError === undefined ? undefined : { cause: lastError },
        );
      }
      await this.sleep(this.backoff(attempt));
    }
  }

  /** Exponential backoff with "equal jitter": half the delay is fixed, half random. */
  private backoff(attempt: number): number {
    const ceiling = Math.min(this.maxDelayMs, this.baseDelayMs * 2 ** attempt);
    return ceiling / 2 + (ceiling / 2) * this.random();
  }
}
