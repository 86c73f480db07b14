// The processor's bookkeeping in DynamoDB: the pipeline state item (counters, checkpoint, pending
// batch), the redo log of the batch being written, each batch's journal (per-bucket figure rows of
// every family, read by the snapshot job) and its rejected events (read by /meta/rejections).

import { brotliCompressSync, brotliDecompressSync, constants } from 'node:zlib';
import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  type QueryCommandOutput,
} from '@aws-sdk/lib-dynamodb';
import { FIGURE_SETS } from '../domain/families';
import type { FigureDeltas, FigureRows } from '../domain/figures';
import type { MarkState } from '../domain/marks';
import type { Tally } from '../domain/tally';
import { addTally, emptyTally } from '../domain/tally';
import { batchGet, batchWrite, settleAll, slices, type WriteRequest } from './batch-io';

export interface PendingBatch {
  /** position of the batch's first event: the key of its journal and rejection chunks */
  first: string;
  last: string;
  journalChunks: number;
  rejectionChunks: number;
  /** redo slots holding every item the batch writes to the graph and meta tables */
  redoChunks: number;
  /**
   * Id of the attempt that wrote the pending marker; its redo slots carry it. Two attempts can start
   * at the same position (a retry, the first half of a bisected batch) and both leave slots half
   * written: only slots of this attempt make its log. Absent in states written before it existed.
   */
  attempt?: string;
  /** the pipeline state once the batch commits */
  next: Omit<PipelineState, 'pending'>;
}

/** One put the batch makes, as kept in the redo log. */
export interface RedoPut {
  table: 'graph' | 'meta' | 'history';
  item: Record<string, unknown>;
}

export interface PipelineState {
  tally: Tally;
  /** position of the last committed event ('' before the first batch) */
  checkpoint: string;
  lastSequenceNumber: string | null;
  /** created_at (ms) of the last valid event in stream order */
  lastEventAt: number | null;
  /** a batch that began writing and has not committed */
  pending: PendingBatch | null;
  /** number of committed batches */
  batches: number;
  /**
   * Running counts the families keep beside the tallies (the social family's `users`: registered
   * users), added up batch by batch.
   */
  counters: Record<string, number>;
  /** DynamoDB item writes made by the processor so far (the benchmark's writes per 1,000 events) */
  itemWrites: number;
  /** marked records skipped as a producer's resend of a record already folded (domain/marks.ts) */
  resentRecords: number;
  /** per producer, the highest record number folded and when it was last seen (domain/marks.ts) */
  marks: MarkState;
}

export interface Rejection {
  reason: string;
  /** the event as received (a parsed JSON value, or the raw text of an unreadable payload) */
  event: unknown;
  sequenceNumber: string;
  /** index of the event inside its record */
  index: number;
}

/** One committed batch's figure rows for the snapshot job (domain/figures.ts), by figure set. */
export interface Journal {
  first: string;
  last: string;
  sets: FigureDeltas;
}

/** The social set's id in journals written before figure sets existed (their body was `{deltas}`). */
const LEGACY_SET = 'social';

/** A journal's JSON from its slices: brotli bytes (`z`), or the text itself (`d`, older builds). */
function journalText(parts: (string | Uint8Array)[]): string {
  if (typeof parts[0] === 'string') return parts.join('');
  return brotliDecompressSync(Buffer.concat(parts as Uint8Array[])).toString('utf8');
}

function journalSets(body: { s?: FigureDeltas; deltas?: FigureRows }): FigureDeltas {
  if (body.s === undefined) return body.deltas === undefined ? {} : { [LEGACY_SET]: body.deltas };
  for (const [id, rows] of Object.entries(body.s)) {
    const width = FIGURE_SETS.get(id)?.columns.length;
    if (width !== undefined) body.s[id] = withWidth(rows, width);
  }
  return body.s;
}

/**
 * Rows of a set with `width` columns: rows written before columns were appended to the set (a
 * journal committed by an older build) get zeros for them. A row's width is where its key, the one
 * string of a row, is followed by the next row's.
 */
export function withWidth(rows: FigureRows, width: number): FigureRows {
  let next = 2;
  while (next < rows.length && typeof rows[next] !== 'string') next++;
  const stride = next < rows.length ? next - 1 : rows.length;
  if (stride === 2 + width || rows.length === 0) return rows;
  if (stride > 2 + width) throw new Error(`journal rows of ${stride - 2} columns for a set of ${width}`);
  const out: FigureRows = [];
  for (let i = 0; i < rows.length; i += stride) {
    for (let c = 0; c < stride; c++) out.push(rows[i + c]);
    for (let c = stride - 2; c < width; c++) out.push(0);
  }
  return out;
}

export const PIPELINE_KEY = { pk: 'pipeline', sk: 'state' };
const JOURNAL_PK = 'journal';
const REJECTIONS_PK = 'rejections';
/** The redo log lives in a fixed set of slots that every batch overwrites: it never grows. */
const REDO_PK = 'redo';
/** Binary slice of the compressed redo log per item: well inside DynamoDB's 400 KB item limit. */
const REDO_SLICE_BYTES = 300_000;

function redoKey(slot: number): { pk: string; sk: string } {
  return { pk: REDO_PK, sk: `slot#${slot.toString().padStart(4, '0')}` };
}

export function emptyPipelineState(): PipelineState {
  return {
    tally: emptyTally(),
    checkpoint: '',
    lastSequenceNumber: null,
    lastEventAt: null,
    pending: null,
    batches: 0,
    counters: {},
    itemWrites: 0,
    resentRecords: 0,
    marks: {},
  };
}

export function chunkKey(first: string, i: number): string {
  return `${first}#${i.toString().padStart(4, '0')}`;
}

export class PipelineStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tables: { meta: string; history: string },
  ) {}

  /**
   * The position of the last committed event ('' before the first batch): the state item's
   * checkpoint alone, read consistently. The catalogue writes poll it to learn when their record
   * is committed.
   */
  async readCheckpoint(): Promise<string> {
    const res = await this.doc.send(
      new GetCommand({
        TableName: this.tables.meta,
        Key: PIPELINE_KEY,
        ConsistentRead: true,
        ProjectionExpression: '#c',
        ExpressionAttributeNames: { '#c': 'checkpoint' },
      }),
    );
    const c = res.Item?.checkpoint;
    return typeof c === 'string' ? c : '';
  }

  async readState(): Promise<PipelineState> {
    const res = await this.doc.send(
      new GetCommand({ TableName: this.tables.meta, Key: PIPELINE_KEY, ConsistentRead: true }),
    );
    if (!res.Item) return emptyPipelineState();
    const { pk: _pk, sk: _sk, users, ...state } = res.Item;
    const read = { ...emptyPipelineState(), ...(state as Partial<PipelineState>) };
    // States written before family counters kept the registered users at the top level.
    if (typeof users === 'number' && read.counters.users === undefined)
      read.counters = { ...read.counters, users };
    return { ...read, tally: addTally(emptyTally(), read.tally) };
  }

  /** One PutItem: atomic, so a state is either fully old or fully new. */
  async writeState(state: PipelineState): Promise<void> {
    await this.doc.send(new PutCommand({ TableName: this.tables.meta, Item: { ...PIPELINE_KEY, ...state } }));
  }

  /**
   * A journal's items: its JSON brotli-compressed at a fast quality, as the redo log is, in binary
   * slices (`z`). A mixed stream's journal is mostly keys of pairs (a user and an action, ...), some
   * 400-800 KB of JSON per generator batch, which compress about eightfold (docs/performance.md).
   * Journals of older builds hold the JSON itself in string slices (`d`); both are read.
   */
  journalWrites(j: Journal): WriteRequest[] {
    const packed = brotliCompressSync(JSON.stringify({ s: j.sets }), {
      params: {
        [constants.BROTLI_PARAM_QUALITY]: 2,
        [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
      },
    });
    const parts: Uint8Array[] = [];
    for (let i = 0; i < packed.length || i === 0; i += REDO_SLICE_BYTES)
      parts.push(packed.subarray(i, i + REDO_SLICE_BYTES));
    return parts.map((z, i) => ({
      PutRequest: {
        Item: { pk: JOURNAL_PK, sk: chunkKey(j.first, i), first: j.first, last: j.last, n: parts.length, z },
      },
    }));
  }

  rejectionWrites(first: string, last: string, rejections: Rejection[]): WriteRequest[] {
    if (rejections.length === 0) return [];
    const parts = slices(JSON.stringify(rejections));
    return parts.map((d, i) => ({
      PutRequest: {
        Item: {
          pk: REJECTIONS_PK,
          sk: chunkKey(first, i),
          first,
          last,
          n: parts.length,
          count: rejections.length,
          d,
        },
      },
    }));
  }

  /**
   * The redo log is written once and read only after a crash, so it is stored brotli-compressed at
   * a fast quality (2; its cost and gain are in docs/performance.md) in binary slices.
   */
  redoWrites(first: string, puts: RedoPut[], attempt?: string): WriteRequest[] {
    const packed = brotliCompressSync(JSON.stringify(puts), {
      params: {
        [constants.BROTLI_PARAM_QUALITY]: 2,
        [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
      },
    });
    const parts: Uint8Array[] = [];
    for (let i = 0; i < packed.length; i += REDO_SLICE_BYTES)
      parts.push(packed.subarray(i, i + REDO_SLICE_BYTES));
    return parts.map((d, i) => ({
      PutRequest: { Item: { ...redoKey(i), first, n: parts.length, d, attempt } },
    }));
  }

  /** The redo log of the batch starting at `first`, or null if its slots are incomplete or stale. */
  async readRedo(first: string, chunks: number, attempt?: string): Promise<RedoPut[] | null> {
    const keys = Array.from({ length: chunks }, (_, i) => redoKey(i));
    const items = await batchGet(this.doc, this.tables.meta, keys);
    const mine = items.filter((i) => i.first === first && i.n === chunks && i.attempt === attempt);
    if (mine.length !== chunks) return null;
    mine.sort((a, b) => ((a.sk as string) < (b.sk as string) ? -1 : 1));
    const packed = Buffer.concat(mine.map((i) => i.d as Uint8Array));
    return JSON.parse(brotliDecompressSync(packed).toString('utf8')) as RedoPut[];
  }

  /**
   * The figure rows of the committed journals whose `first` is after `after` ('' for all), in stream order.
   * Stops at the first journal ending after `checkpoint`: batches commit in stream order, so that one
   * and every later one are pending or abandoned (an abandoned one may be rewritten by its retry).
   */
  async *committedJournals(after: string, checkpoint: string): AsyncGenerator<Journal> {
    // Chunk keys are `${first}#0000`...; '~' sorts after every digit, so this skips `after`'s chunks.
    const from = after === '' ? undefined : `${after}#~`;
    let start: Record<string, unknown> | undefined;
    let group: { first: string; last: string; n: number; parts: (string | Uint8Array)[] } | null = null;
    do {
      const res: QueryCommandOutput = await this.doc.send(
        new QueryCommand({
          TableName: this.tables.history,
          KeyConditionExpression: from === undefined ? 'pk = :pk' : 'pk = :pk AND sk > :from',
          ExpressionAttributeValues:
            from === undefined ? { ':pk': JOURNAL_PK } : { ':pk': JOURNAL_PK, ':from': from },
          ConsistentRead: true,
          ExclusiveStartKey: start,
        }),
      );
      for (const it of res.Items ?? []) {
        const first = it.first as string;
        const last = it.last as string;
        if (last > checkpoint) return;
        if (group !== null && group.first !== first) {
          throw new Error(
            `journal ${group.first} is committed but has ${group.parts.length} of ${group.n} chunks`,
          );
        }
        group ??= { first, last, n: it.n as number, parts: [] };
        group.parts.push(it.z === undefined ? (it.d as string) : (it.z as Uint8Array));
        if (group.parts.length === group.n) {
          yield { first, last, sets: journalSets(JSON.parse(journalText(group.parts))) };
          group = null;
        }
      }
      start = res.LastEvaluatedKey;
    } while (start !== undefined);
    if (group !== null) throw new Error(`journal ${group.first} is committed but incomplete`);
  }

  /**
   * Deletes the chunks of every journal whose batch starts at or before `through` (journals the
   * snapshot job has folded: every one of them is committed). Reads their keys back first, so chunks
   * a crashed earlier call left are deleted too. Resolves with the number of items deleted.
   */
  async deleteJournalsThrough(through: string): Promise<number> {
    const deletes: WriteRequest[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const res: QueryCommandOutput = await this.doc.send(
        new QueryCommand({
          TableName: this.tables.history,
          // Chunk keys are `${first}#0000`...; '~' sorts after every digit: `through`'s own chunks are in.
          KeyConditionExpression: 'pk = :pk AND sk < :to',
          ExpressionAttributeValues: { ':pk': JOURNAL_PK, ':to': `${through}#~` },
          ProjectionExpression: 'pk, sk',
          ConsistentRead: true,
          ExclusiveStartKey: start,
        }),
      );
      for (const it of res.Items ?? []) deletes.push({ DeleteRequest: { Key: { pk: it.pk, sk: it.sk } } });
      start = res.LastEvaluatedKey;
    } while (start !== undefined);
    await batchWrite(this.doc, this.tables.history, deletes);
    return deletes.length;
  }

  /** Removes the journal and rejection chunks of an abandoned (never committed) batch. */
  async deleteBatchRecords(p: PendingBatch): Promise<void> {
    const jr: WriteRequest[] = [];
    for (let i = 0; i < p.journalChunks; i++)
      jr.push({ DeleteRequest: { Key: { pk: JOURNAL_PK, sk: chunkKey(p.first, i) } } });
    const rr: WriteRequest[] = [];
    for (let i = 0; i < p.rejectionChunks; i++) {
      rr.push({ DeleteRequest: { Key: { pk: REJECTIONS_PK, sk: chunkKey(p.first, i) } } });
    }
    // Both settle before this returns: a stray delete landing later could remove the chunks of the
    // next attempt at the same position.
    await settleAll([
      batchWrite(this.doc, this.tables.history, jr),
      batchWrite(this.doc, this.tables.meta, rr),
    ]);
  }
}

export const REJECTIONS_PARTITION = REJECTIONS_PK;
