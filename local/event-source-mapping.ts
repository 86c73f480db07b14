// The Lambda Kinesis event source mapping, reproduced for ONE shard with ParallelizationFactor 1.
//
// What it does, as the Lambda service does:
// - reads the shard in order (TRIM_HORIZON, or after its checkpoint), gathers records until the batch
//   size is reached, the batching window expires, or the invocation payload would pass 6 MB;
// - invokes the handler with a real-shaped KinesisStreamEvent and a Lambda context, one batch at a time;
// - success: checkpoints after the batch's last record;
// - partial batch response (ReportBatchItemFailures): checkpoints before the first failed record and
//   retries from it; an empty, missing or unknown itemIdentifier fails the whole batch;
// - the handler throws: retries with exponential backoff, splitting the batch in two first when
//   BisectBatchOnFunctionError is on (first half, then second half);
// - retries are counted per batch (halves of a bisected batch inherit its count) up to
//   MaximumRetryAttempts; records older than MaximumRecordAgeInSeconds are never sent to the function;
//   both send an on-failure record (the shape of Lambda's on-failure destination message) to the
//   failure queue and move on.
// Every batch is delivered in stream order, and the next one only after the previous one settled.
import { randomUUID } from 'node:crypto';
import { appendFileSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import {
  DescribeStreamCommand,
  ExpiredIteratorException,
  GetRecordsCommand,
  type GetRecordsCommandOutput,
  GetShardIteratorCommand,
  InvalidArgumentException,
  type KinesisClient,
} from '@aws-sdk/client-kinesis';
import type { Context, KinesisStreamEvent, KinesisStreamRecord } from 'aws-lambda';
import { PROCESSOR, PROCESSOR_MAPPING } from '../lib/definitions';
import {
  type FunctionIdentity,
  functionArn,
  LOCAL_ACCOUNT_ID,
  LOCAL_REGION,
  localFunctionName,
  makeLambdaContext,
} from './lambda';
import type { RuntimeLogger } from './logs';

/** A Kinesis handler as the mapping calls it; its resolved value is the (optional) partial batch response. */
export type KinesisHandler = (event: KinesisStreamEvent, context: Context) => Promise<unknown>;

export interface MappingConfig {
  batchSize: number;
  maxBatchingWindowSeconds: number;
  /** -1 = retry until the records expire. */
  maxRetryAttempts: number;
  /** -1 = no limit. */
  maxRecordAgeSeconds: number;
  bisectBatchOnFunctionError: boolean;
  reportBatchItemFailures: boolean;
  startingPosition: 'TRIM_HORIZON' | 'LATEST';
}

export interface EventSourceMappingOptions extends Partial<MappingConfig> {
  kinesis: KinesisClient;
  streamName: string;
  handler: KinesisHandler;
  /** The function behind the mapping (context, ARNs, timeout). Default: PROCESSOR. */
  fn?: FunctionIdentity;
  /** Persist the checkpoint (and failures.ndjson) under this directory. Default: in memory. */
  dataDir?: string;
  /**
   * Delete the checkpoint saved under `dataDir` when starting, and read from `startingPosition`
   * (a replay into emptied tables). Default false: continue after the saved checkpoint.
   */
  forgetCheckpoint?: boolean;
  /** Where on-failure records go. Default: a new FailureQueue (on `<dataDir>/failures.ndjson`). */
  failureQueue?: FailureQueue;
  logger?: RuntimeLogger;
  /** Idle poll interval when the shard has nothing new. Default 25 ms: a put is picked up within it (Lambda polls a shard about once a second; a local stack can afford to be fresher), for ~1% of a core while idle. */
  pollIntervalMs?: number;
  /** First retry delay; doubles per retry up to retryMaxMs. Defaults 100 ms and 5 s. */
  retryBaseMs?: number;
  retryMaxMs?: number;
  /** Largest invocation payload (Lambda's synchronous limit: 6 MB). */
  maxPayloadBytes?: number;
  /** Clock for record ages (tests). Default Date.now. */
  now?: () => number;
}

export interface MappingStats {
  /** batches read from the shard (before any retry or split) */
  batches: number;
  /** handler invocations, retries included */
  invocations: number;
  /** records checkpointed after a successful invocation */
  records: number;
  /** invocations that repeated records after a failure */
  retries: number;
  /** on-failure records sent */
  failures: number;
  /** records discarded to the failure queue */
  failedRecords: number;
  /** the checkpoint: sequence number of the last record done with (null before the first) */
  checkpoint: string | null;
  /** records fetched from the shard and not yet done with */
  pending: number;
}

/** The message Lambda sends to a Kinesis mapping's on-failure destination. */
export interface OnFailureRecord {
  requestContext: {
    requestId: string;
    functionArn: string;
    condition: 'RetryAttemptsExhausted' | 'RecordAgeExceeded';
    approximateInvokeCount: number;
  };
  responseContext: { statusCode: number; executedVersion: string; functionError?: string };
  version: '1.0';
  timestamp: string;
  KinesisBatchInfo: {
    shardId: string;
    startSequenceNumber: string;
    endSequenceNumber: string;
    approximateArrivalOfFirstRecord: string;
    approximateArrivalOfLastRecord: string;
    batchSize: number;
    streamArn: string;
  };
}

/** The local stand-in for the on-failure SQS queue: kept in memory, appended to a JSON-lines file. */
export class FailureQueue {
  readonly records: OnFailureRecord[] = [];

  /** `file`: e.g. `<dataDir>/failures.ndjson`; without it the queue is in memory only. */
  constructor(readonly file?: string) {
    if (file) mkdirSync(dirname(file), { recursive: true });
  }

  send(record: OnFailureRecord): void {
    this.records.push(record);
    if (this.file) appendFileSync(this.file, `${JSON.stringify(record)}\n`);
  }
}

export function failureQueueFile(dataDir: string): string {
  return join(dataDir, 'failures.ndjson');
}

interface ShardRecord {
  seq: string;
  data: Uint8Array;
  partitionKey: string;
  arrivalMs: number;
  base64?: string;
}

type Outcome =
  | { kind: 'ok'; requestId: string }
  | { kind: 'error'; requestId: string; error: unknown }
  /** records before `failedAt` succeeded; 0 = the whole batch failed */
  | { kind: 'partial'; requestId: string; failedAt: number; reason: string };

interface Segment {
  records: ShardRecord[];
  retries: number;
}

interface Drain {
  epoch: number;
  resolve: () => void;
  reject: (err: Error) => void;
  timer: NodeJS.Timeout;
}

/** Lambda's synchronous invocation payload limit. */
export const MAX_INVOKE_PAYLOAD_BYTES = 6 * 1024 * 1024;
/** JSON of one event record around its data: ARNs, ids, field names. */
const RECORD_OVERHEAD_BYTES = 600;

function base64Length(bytes: number): number {
  return 4 * Math.ceil(bytes / 3);
}

export class KinesisEventSourceMapping {
  readonly failures: FailureQueue;
  private readonly cfg: MappingConfig;
  private readonly kinesis: KinesisClient;
  private readonly streamName: string;
  private readonly handler: KinesisHandler;
  private readonly fn: FunctionIdentity;
  private readonly logger?: RuntimeLogger;
  private readonly pollIntervalMs: number;
  private readonly retryBaseMs: number;
  private readonly retryMaxMs: number;
  private readonly maxPayloadBytes: number;
  private readonly now: () => number;
  private readonly dataDir?: string;
  private readonly forgetCheckpoint: boolean;

  private shardId = '';
  private streamArn = '';
  private checkpointFile?: string;
  private checkpointSeq: string | null = null;

  private iterator: string | undefined;
  private shardClosed = false;
  /** sequence number of the last record fetched into the buffer */
  private lastFetched: string | null = null;
  private buffer: ShardRecord[] = [];
  private bufferBytes = 0;
  private fetchEpoch = 0;
  private drains: Drain[] = [];

  private started = false;
  private stopped = false;
  private readonly sleepers = new Set<{ idle: boolean; wake: () => void }>();
  private loop: Promise<void> = Promise.resolve();
  private readonly counters = {
    batches: 0,
    invocations: 0,
    records: 0,
    retries: 0,
    failures: 0,
    failedRecords: 0,
  };

  constructor(opts: EventSourceMappingOptions) {
    this.cfg = {
      batchSize: opts.batchSize ?? PROCESSOR_MAPPING.batchSize,
      maxBatchingWindowSeconds: opts.maxBatchingWindowSeconds ?? PROCESSOR_MAPPING.maxBatchingWindowSeconds,
      maxRetryAttempts: opts.maxRetryAttempts ?? PROCESSOR_MAPPING.maxRetryAttempts,
      maxRecordAgeSeconds: opts.maxRecordAgeSeconds ?? PROCESSOR_MAPPING.maxRecordAgeSeconds,
      bisectBatchOnFunctionError:
        opts.bisectBatchOnFunctionError ?? PROCESSOR_MAPPING.bisectBatchOnFunctionError,
      reportBatchItemFailures: opts.reportBatchItemFailures ?? PROCESSOR_MAPPING.reportBatchItemFailures,
      startingPosition: opts.startingPosition ?? PROCESSOR_MAPPING.startingPosition,
    };
    if (!Number.isInteger(this.cfg.batchSize) || this.cfg.batchSize < 1 || this.cfg.batchSize > 10_000) {
      throw new RangeError('batchSize must be an integer in 1..10000');
    }
    this.kinesis = opts.kinesis;
    this.streamName = opts.streamName;
    this.handler = opts.handler;
    this.fn = opts.fn ?? PROCESSOR;
    this.logger = opts.logger;
    this.dataDir = opts.dataDir;
    this.forgetCheckpoint = opts.forgetCheckpoint ?? false;
    this.failures =
      opts.failureQueue ?? new FailureQueue(opts.dataDir ? failureQueueFile(opts.dataDir) : undefined);
    this.pollIntervalMs = opts.pollIntervalMs ?? 25;
    this.retryBaseMs = opts.retryBaseMs ?? 100;
    this.retryMaxMs = opts.retryMaxMs ?? 5_000;
    this.maxPayloadBytes = opts.maxPayloadBytes ?? MAX_INVOKE_PAYLOAD_BYTES;
    this.now = opts.now ?? Date.now;
  }

  get config(): Readonly<MappingConfig> {
    return this.cfg;
  }

  /** Finds the shard, loads the checkpoint and starts polling. */
  async start(): Promise<void> {
    if (this.started) throw new Error('event source mapping already started');
    this.started = true;
    const d = await this.kinesis.send(new DescribeStreamCommand({ StreamName: this.streamName }));
    const shards = d.StreamDescription?.Shards ?? [];
    if (shards.length !== 1) {
      throw new Error(
        `the local event source mapping reads one shard; ${this.streamName} has ${shards.length}`,
      );
    }
    this.shardId = shards[0].ShardId ?? 'shardId-000000000000';
    this.streamArn = d.StreamDescription?.StreamARN ?? '';
    if (this.dataDir) {
      this.checkpointFile = join(
        this.dataDir,
        'checkpoints',
        `${localFunctionName(this.fn.id)}.${this.streamName}.${this.shardId}.json`,
      );
      if (this.forgetCheckpoint) rmSync(this.checkpointFile, { force: true });
      this.checkpointSeq = this.readCheckpoint(this.checkpointFile);
    }
    this.log('info', 'started', {
      stream: this.streamName,
      shardId: this.shardId,
      checkpoint: this.checkpointSeq,
      ...this.cfg,
    });
    this.loop = this.run();
  }

  stats(): MappingStats {
    return { ...this.counters, checkpoint: this.checkpointSeq, pending: this.buffer.length };
  }

  /**
   * Resolves once the mapping has read the shard up to where it ended when drain() was called and the
   * handler is idle: every record put before the call has been delivered (or sent to the failure queue).
   */
  drain(timeoutMs = 60_000): Promise<void> {
    if (this.stopped) return Promise.reject(new Error('event source mapping is stopped'));
    return new Promise((resolve, reject) => {
      const d: Drain = {
        epoch: this.fetchEpoch,
        resolve,
        reject,
        timer: setTimeout(() => {
          this.drains = this.drains.filter((x) => x !== d);
          reject(new Error(`drain did not finish within ${timeoutMs} ms (${JSON.stringify(this.stats())})`));
        }, timeoutMs),
      };
      this.drains.push(d);
      this.wake(true);
    });
  }

  /** Stops polling; waits for an invocation in flight to return. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    // A GetRecords call in flight is let finish (it answers at once): aborting it would leave the
    // emulator working on a request whose store may be closed next.
    this.wake(false);
    await this.loop;
    for (const d of this.drains) {
      clearTimeout(d.timer);
      d.reject(new Error('event source mapping stopped'));
    }
    this.drains = [];
    this.log('info', 'stopped', this.stats());
  }

  // ---- polling ----

  private async run(): Promise<void> {
    let errors = 0;
    while (!this.stopped) {
      try {
        const batch = await this.nextBatch();
        errors = 0;
        if (batch) {
          this.counters.batches++;
          await this.deliver(batch);
        }
      } catch (err) {
        if (this.stopped) break;
        errors++;
        this.log('warn', 'polling the shard failed; retrying', { error: err });
        await this.sleep(Math.min(this.retryMaxMs, this.retryBaseMs * 2 ** Math.min(errors, 16)), false);
      }
    }
  }

  private full(): boolean {
    return this.buffer.length >= this.cfg.batchSize || this.bufferBytes >= this.maxPayloadBytes;
  }

  /** Gathers the next batch (batch size, window, payload limit); null when there is nothing to do. */
  private async nextBatch(): Promise<ShardRecord[] | null> {
    const windowMs = this.cfg.maxBatchingWindowSeconds * 1000;
    // Records left over from a full batch were already waited for: they go out at once.
    let deadline: number | undefined = this.buffer.length > 0 ? 0 : undefined;
    while (!this.stopped) {
      if (this.buffer.length > 0 && (this.full() || (deadline !== undefined && Date.now() >= deadline))) {
        return this.take();
      }
      if (this.shardClosed) {
        this.settleDrains(this.fetchEpoch + 1);
        await this.sleep(this.pollIntervalMs, true);
        return null;
      }
      const { count, epoch, expired } = await this.fetch();
      if (expired) continue;
      if (count > 0) {
        deadline ??= Date.now() + windowMs;
        continue;
      }
      // At the tip of the shard.
      if (this.buffer.length === 0) {
        this.settleDrains(epoch);
        await this.sleep(this.pollIntervalMs, true);
        return null;
      }
      await this.sleep(Math.max(0, Math.min(this.pollIntervalMs, (deadline ?? 0) - Date.now())), false);
    }
    return null;
  }

  private take(): ShardRecord[] {
    const batch: ShardRecord[] = [];
    let bytes = 0;
    for (const r of this.buffer) {
      const size = base64Length(r.data.length) + RECORD_OVERHEAD_BYTES;
      if (batch.length >= this.cfg.batchSize) break;
      if (batch.length > 0 && bytes + size > this.maxPayloadBytes) break;
      batch.push(r);
      bytes += size;
    }
    this.buffer = this.buffer.slice(batch.length);
    this.bufferBytes -= bytes;
    return batch;
  }

  private async fetch(): Promise<{ count: number; epoch: number; expired: boolean }> {
    if (!this.iterator) this.iterator = await this.shardIterator();
    const epoch = ++this.fetchEpoch;
    let res: GetRecordsCommandOutput;
    try {
      res = await this.kinesis.send(
        new GetRecordsCommand({
          ShardIterator: this.iterator,
          Limit: Math.max(1, this.cfg.batchSize - this.buffer.length),
        }),
      );
    } catch (err) {
      if (err instanceof ExpiredIteratorException) {
        // Iterators live 5 minutes; get a new one after the last record fetched.
        this.iterator = undefined;
        return { count: 0, epoch, expired: true };
      }
      throw err;
    }
    const records = res.Records ?? [];
    for (const r of records) {
      const data = r.Data ?? new Uint8Array();
      this.buffer.push({
        seq: r.SequenceNumber ?? '',
        data,
        partitionKey: r.PartitionKey ?? '',
        arrivalMs: r.ApproximateArrivalTimestamp?.getTime() ?? Date.now(),
      });
      this.bufferBytes += base64Length(data.length) + RECORD_OVERHEAD_BYTES;
      this.lastFetched = r.SequenceNumber ?? this.lastFetched;
    }
    this.iterator = res.NextShardIterator;
    if (!this.iterator) {
      this.shardClosed = true;
      this.log('warn', 'the shard is closed; nothing more to read', { shardId: this.shardId });
    }
    return { count: records.length, epoch, expired: false };
  }

  private async shardIterator(): Promise<string> {
    const after = this.lastFetched ?? this.checkpointSeq;
    const base = { StreamName: this.streamName, ShardId: this.shardId };
    if (after) {
      try {
        const r = await this.kinesis.send(
          new GetShardIteratorCommand({
            ...base,
            ShardIteratorType: 'AFTER_SEQUENCE_NUMBER',
            StartingSequenceNumber: after,
          }),
        );
        return r.ShardIterator ?? '';
      } catch (err) {
        if (!(err instanceof InvalidArgumentException)) throw err;
        // The checkpoint belongs to another stream (e.g. the stream was recreated): start over.
        this.log('warn', 'checkpoint not valid for this stream; reading from the trim horizon', {
          checkpoint: after,
          error: err,
        });
        this.lastFetched = null;
        this.checkpointSeq = null;
      }
    }
    const r = await this.kinesis.send(
      new GetShardIteratorCommand({ ...base, ShardIteratorType: this.cfg.startingPosition }),
    );
    return r.ShardIterator ?? '';
  }

  // ---- delivery ----

  private async deliver(batch: ShardRecord[]): Promise<void> {
    const queue: Segment[] = [{ records: batch, retries: 0 }];
    while (queue.length > 0 && !this.stopped) {
      const seg = queue[0];
      const expired = this.expiredPrefix(seg.records);
      if (expired > 0) {
        this.discard(seg.records.slice(0, expired), 'RecordAgeExceeded', seg.retries, null);
        seg.records = seg.records.slice(expired);
        if (seg.records.length === 0) {
          queue.shift();
          continue;
        }
      }

      const t0 = performance.now();
      const outcome = await this.invoke(seg.records);
      const durationMs = Math.round(performance.now() - t0);
      const range = { first: seg.records[0].seq, last: seg.records.at(-1)?.seq, records: seg.records.length };
      if (outcome.kind === 'ok') {
        this.done(seg.records);
        this.log('debug', 'batch delivered', { ...range, retries: seg.retries, durationMs });
        queue.shift();
        continue;
      }

      if (outcome.kind === 'partial' && outcome.failedAt > 0) {
        this.done(seg.records.slice(0, outcome.failedAt));
        seg.records = seg.records.slice(outcome.failedAt);
      }
      seg.retries++;
      const why = outcome.kind === 'error' ? { error: outcome.error } : { reason: outcome.reason };
      if (this.cfg.maxRetryAttempts >= 0 && seg.retries > this.cfg.maxRetryAttempts) {
        this.discard(seg.records, 'RetryAttemptsExhausted', seg.retries, outcome);
        this.log('error', 'retries exhausted: records sent to the failure queue', { ...range, ...why });
        queue.shift();
        continue;
      }
      this.counters.retries++;
      const split = outcome.kind === 'error' && this.cfg.bisectBatchOnFunctionError && seg.records.length > 1;
      if (split) {
        const mid = Math.ceil(seg.records.length / 2);
        queue.splice(
          0,
          1,
          { records: seg.records.slice(0, mid), retries: seg.retries },
          { records: seg.records.slice(mid), retries: seg.retries },
        );
      }
      this.log(
        'warn',
        outcome.kind === 'error' ? 'function error; retrying' : 'partial batch failure; retrying',
        {
          ...range,
          retryFrom: seg.records[0].seq,
          retry: seg.retries,
          maxRetryAttempts: this.cfg.maxRetryAttempts,
          bisected: split,
          durationMs,
          ...why,
        },
      );
      await this.sleep(Math.min(this.retryMaxMs, this.retryBaseMs * 2 ** (seg.retries - 1)), false);
    }
  }

  /** Leading records older than MaximumRecordAgeInSeconds. */
  private expiredPrefix(records: ShardRecord[]): number {
    if (this.cfg.maxRecordAgeSeconds < 0) return 0;
    const oldest = this.now() - this.cfg.maxRecordAgeSeconds * 1000;
    let n = 0;
    while (n < records.length && records[n].arrivalMs < oldest) n++;
    return n;
  }

  /** Builds the event and context, invokes the handler and reads its answer. */
  private async invoke(records: ShardRecord[]): Promise<Outcome> {
    const event: KinesisStreamEvent = { Records: records.map((r) => this.toEventRecord(r)) };
    const context = makeLambdaContext(this.fn);
    const requestId = context.awsRequestId;
    this.counters.invocations++;
    let response: unknown;
    try {
      response = await this.invokeHandler(event, context);
    } catch (error) {
      return { kind: 'error', requestId, error };
    }
    if (!this.cfg.reportBatchItemFailures) return { kind: 'ok', requestId };
    return { requestId, ...this.readResponse(response, records) };
  }

  /** The one place the handler is called: a fault-injecting wrapper can be put here. */
  protected invokeHandler(event: KinesisStreamEvent, context: Context): Promise<unknown> {
    return this.handler(event, context);
  }

  /** A partial batch response, read as Lambda reads it. */
  private readResponse(
    response: unknown,
    records: ShardRecord[],
  ): { kind: 'ok' } | { kind: 'partial'; failedAt: number; reason: string } {
    if (response === null || response === undefined || typeof response !== 'object') return { kind: 'ok' };
    const failures = (response as { batchItemFailures?: unknown }).batchItemFailures;
    if (failures === null || failures === undefined) return { kind: 'ok' };
    if (!Array.isArray(failures))
      return { kind: 'partial', failedAt: 0, reason: 'batchItemFailures is not a list' };
    if (failures.length === 0) return { kind: 'ok' };
    let failedAt = records.length;
    for (const f of failures) {
      const id =
        typeof f === 'object' && f !== null ? (f as { itemIdentifier?: unknown }).itemIdentifier : undefined;
      const index = typeof id === 'string' && id !== '' ? records.findIndex((r) => r.seq === id) : -1;
      if (index < 0) {
        return {
          kind: 'partial',
          failedAt: 0,
          reason: `invalid itemIdentifier ${JSON.stringify(id) ?? 'undefined'}`,
        };
      }
      failedAt = Math.min(failedAt, index);
    }
    return { kind: 'partial', failedAt, reason: `itemIdentifier ${records[failedAt].seq} failed` };
  }

  private toEventRecord(r: ShardRecord): KinesisStreamRecord {
    r.base64 ??= Buffer.from(r.data.buffer, r.data.byteOffset, r.data.byteLength).toString('base64');
    return {
      kinesis: {
        kinesisSchemaVersion: '1.0',
        partitionKey: r.partitionKey,
        sequenceNumber: r.seq,
        data: r.base64,
        approximateArrivalTimestamp: r.arrivalMs / 1000,
      },
      eventSource: 'aws:kinesis',
      eventVersion: '1.0',
      eventID: `${this.shardId}:${r.seq}`,
      eventName: 'aws:kinesis:record',
      invokeIdentityArn: `arn:aws:iam::${LOCAL_ACCOUNT_ID}:role/${localFunctionName(this.fn.id)}-role`,
      awsRegion: LOCAL_REGION,
      eventSourceARN: this.streamArn,
    };
  }

  /** Records done with (delivered or discarded): the checkpoint moves after the last one. */
  private done(records: ShardRecord[], delivered = true): void {
    if (records.length === 0) return;
    if (delivered) this.counters.records += records.length;
    this.checkpointSeq = records[records.length - 1].seq;
    if (this.checkpointFile) this.writeCheckpoint(this.checkpointFile, this.checkpointSeq);
  }

  private discard(
    records: ShardRecord[],
    condition: OnFailureRecord['requestContext']['condition'],
    invokeCount: number,
    last: Outcome | null,
  ): void {
    const first = records[0];
    const lastRecord = records[records.length - 1];
    this.failures.send({
      requestContext: {
        requestId: last?.requestId ?? randomUUID(),
        functionArn: functionArn(this.fn.id),
        condition,
        approximateInvokeCount: invokeCount,
      },
      responseContext: {
        statusCode: 200,
        executedVersion: '$LATEST',
        ...(last?.kind === 'error' ? { functionError: 'Unhandled' } : {}),
      },
      version: '1.0',
      timestamp: new Date(this.now()).toISOString(),
      KinesisBatchInfo: {
        shardId: this.shardId,
        startSequenceNumber: first.seq,
        endSequenceNumber: lastRecord.seq,
        approximateArrivalOfFirstRecord: new Date(first.arrivalMs).toISOString(),
        approximateArrivalOfLastRecord: new Date(lastRecord.arrivalMs).toISOString(),
        batchSize: records.length,
        streamArn: this.streamArn,
      },
    });
    this.counters.failures++;
    this.counters.failedRecords += records.length;
    if (condition === 'RecordAgeExceeded') {
      this.log('error', 'records older than the maximum record age sent to the failure queue', {
        first: first.seq,
        last: lastRecord.seq,
        records: records.length,
      });
    }
    this.done(records, false);
  }

  // ---- checkpoint, drains, timers, logs ----

  private readCheckpoint(file: string): string | null {
    try {
      const saved = JSON.parse(readFileSync(file, 'utf8')) as { sequenceNumber?: unknown };
      return typeof saved.sequenceNumber === 'string' ? saved.sequenceNumber : null;
    } catch {
      return null;
    }
  }

  private writeCheckpoint(file: string, sequenceNumber: string): void {
    mkdirSync(dirname(file), { recursive: true });
    const tmp = `${file}.tmp`;
    const body = {
      sequenceNumber,
      streamArn: this.streamArn,
      shardId: this.shardId,
      at: new Date().toISOString(),
    };
    writeFileSync(tmp, `${JSON.stringify(body)}\n`);
    renameSync(tmp, file);
  }

  private settleDrains(epoch: number): void {
    if (this.drains.length === 0) return;
    const waiting: Drain[] = [];
    for (const d of this.drains) {
      if (epoch > d.epoch) {
        clearTimeout(d.timer);
        d.resolve();
      } else waiting.push(d);
    }
    this.drains = waiting;
  }

  /** An interruptible sleep: stop() wakes every sleep, drain() only an idle one (never a retry backoff). */
  private sleep(ms: number, idle: boolean): Promise<void> {
    if (this.stopped || ms <= 0) return Promise.resolve();
    return new Promise((resolve) => {
      const sleeper = {
        idle,
        wake: () => {
          clearTimeout(timer);
          this.sleepers.delete(sleeper);
          resolve();
        },
      };
      const timer = setTimeout(sleeper.wake, ms);
      this.sleepers.add(sleeper);
    });
  }

  private wake(idleOnly: boolean): void {
    for (const s of [...this.sleepers]) if (!idleOnly || s.idle) s.wake();
  }

  private log(level: 'debug' | 'info' | 'warn' | 'error', message: string, fields: object = {}): void {
    this.logger?.log(level, 'event-source-mapping', message, { function: this.fn.id, ...fields });
  }
}
