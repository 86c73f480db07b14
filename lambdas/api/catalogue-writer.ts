// The catalogue writes (POST/PUT/DELETE /products, PUT/DELETE /users/{name}/profile, SPEC 11): each
// sends one event through the stream, as any producer does, and waits for the processor to commit it.
// The processor stays the only writer of the tables.
//
// 1. The event goes alone into one record, through the ordered producer with a lane of record marks
//    (stream/marks.ts), so a PutRecords retry after a lost reply is a resend the processor skips.
//    The record's sequence number is the write's identity from then on.
// 2. Committed means the pipeline state's checkpoint (the position of the last committed event,
//    domain/position.ts) is at or past the record's only event. Positions are the sequence number
//    padded to a fixed width, so comparing them as strings compares the sequence numbers as numbers.
//    The checkpoint is read alone (a projection of the state item), consistently, first after
//    FIRST_POLL_MS and then with a growing pause up to MAX_POLL_MS: a write waits about one event
//    source mapping poll plus one batch, and costs a few small reads while it waits.
// 3. Committed in time: the route reads the entry as stored and answers it (201 when there was no
//    entry before the write, else 200; 204 for a delete). Not in time (CATALOGUE_WRITE_WAIT_MS): 202
//    with the record's sequence number; the event is in the stream and will be applied in order.
//
// With an Idempotency-Key header (lambdas/shared/idempotency.ts, as POST /events) the first answer is
// kept, 202 included: a retry with the key gets it and sends nothing again. The request the key
// stands for is the path and the body: the same key on another product or with another body is a 422.
//
// "Created" is judged by a read of the entry before the event is sent: two writes of a new product
// racing each other may both answer 201. The entry answered is the one stored when the write was
// seen committed: a later write committed in the same batch may already have replaced it.
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { position } from '../../domain/position';
import { CATALOGUE_WRITE_WAIT_MS } from '../../lib/definitions';
import { TooManyRequestsError } from '../../queries/errors';
import { IdempotencyStore } from '../../storage/idempotency-store';
import { PipelineStore } from '../../storage/pipeline-store';
import { MarkLanes } from '../../stream/marks';
import { ProducerError, StreamProducer } from '../../stream/producer';
import { Reply } from '../shared/http';
import { idempotencyKeyOf, idempotent } from '../shared/idempotency';

export const FIRST_POLL_MS = 20;
export const MAX_POLL_MS = 100;

export interface CatalogueWriterDeps {
  kinesis: KinesisClient;
  streamName: string;
  doc: DynamoDBDocumentClient;
  tables: { meta: string; history: string };
}

export interface CatalogueWriterOptions {
  waitMs?: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  /** Reads the checkpoint (default: the pipeline state's, PipelineStore.readCheckpoint). */
  readCheckpoint?: () => Promise<string>;
}

const defaultSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Whether `checkpoint` is at or past the first event of record `sequenceNumber`. */
export function covers(checkpoint: string, sequenceNumber: string): boolean {
  return checkpoint !== '' && checkpoint >= position(sequenceNumber, 0);
}

export class CatalogueWriter {
  private readonly lanes = new MarkLanes();
  private readonly waitMs: number;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly readCheckpoint: () => Promise<string>;
  private readonly keys: { store: IdempotencyStore; route: string };

  constructor(
    /** The route's id (its Idempotency-Key records are its own). */
    route: string,
    private readonly d: CatalogueWriterDeps,
    o: CatalogueWriterOptions = {},
  ) {
    this.keys = { store: new IdempotencyStore(d.doc, d.tables.meta), route };
    this.waitMs = o.waitMs ?? CATALOGUE_WRITE_WAIT_MS;
    this.now = o.now ?? Date.now;
    this.sleep = o.sleep ?? defaultSleep;
    const store = new PipelineStore(d.doc, d.tables);
    this.readCheckpoint = o.readCheckpoint ?? (() => store.readCheckpoint());
  }

  /**
   * The request's Idempotency-Key (a 400 when malformed): call before validating the body, so that a
   * bad key is reported first, as POST /events does.
   */
  keyOf(event: APIGatewayProxyEvent): string | null {
    return idempotencyKeyOf(event);
  }

  /** Runs `work` once per Idempotency-Key and request (`path` and `body`); without a key, simply runs it. */
  once(key: string | null, path: string, body: string, work: () => Promise<Reply>): Promise<Reply> {
    return idempotent(this.keys, key, `${path}\n${body}`, work);
  }

  /** Sends `event` alone in one record; its sequence number. Throttling that outlasts the retries is a 429. */
  async send(event: Record<string, unknown>): Promise<string> {
    try {
      const sent = await this.lanes.with((marks) =>
        new StreamProducer(this.d.kinesis, this.d.streamName, { maxRetries: 4, marks }).send([event]),
      );
      if (sent.lastSequenceNumber === undefined) throw new Error('the stream acknowledged no record');
      return sent.lastSequenceNumber;
    } catch (err) {
      // Nothing was stored (the record is the only one): the caller may simply retry.
      if (err instanceof ProducerError && err.reason === 'gave_up') {
        throw new TooManyRequestsError('the stream is throttling writes; nothing was written: retry later');
      }
      throw err;
    }
  }

  /** Whether the processor commits record `sequenceNumber` within the wait (polling its checkpoint). */
  async committed(sequenceNumber: string): Promise<boolean> {
    const deadline = this.now() + this.waitMs;
    let pause = FIRST_POLL_MS;
    for (;;) {
      const left = deadline - this.now();
      if (left <= 0) return false;
      await this.sleep(Math.min(pause, left));
      if (covers(await this.readCheckpoint(), sequenceNumber)) return true;
      pause = Math.min(pause * 2, MAX_POLL_MS);
    }
  }

  /**
   * An upsert: reads the entry before (to tell created from replaced), sends the event, waits, and
   * answers the entry as then stored (or `written` when a later write already removed it).
   */
  async upsert<T>(o: {
    event: Record<string, unknown>;
    read: () => Promise<T | null>;
    written: T;
    answer: (entry: T) => unknown;
  }): Promise<Reply> {
    const before = await o.read();
    const sequenceNumber = await this.send(o.event);
    if (!(await this.committed(sequenceNumber))) return new Reply(202, { sequenceNumber });
    const stored = await o.read();
    return new Reply(before === null ? 201 : 200, o.answer(stored ?? o.written));
  }

  /** A delete: sends the event, waits, answers 204 (a delete of nothing is a noop, and a 204 too). */
  async delete(event: Record<string, unknown>): Promise<Reply> {
    const sequenceNumber = await this.send(event);
    if (!(await this.committed(sequenceNumber))) return new Reply(202, { sequenceNumber });
    return new Reply(204, null);
  }
}
