// Rollup items in the history table, written by the snapshot job, read by leaderboards and ranged
// figures: per figure set (domain/figures.ts) and time block (5 s, 1 min, 1 h, 1 d) the net change
// of every key's columns; per set one "all data so far" block (the sum of every journal folded, with
// the span of buckets it holds); and the name dictionary that gives every key the integer id blocks
// store. The dictionary interns key strings for every set (a user name and a product id are just
// strings to it); the blocks are what a set owns.
//
// Layout. A block's head item (pk `rollup3#<set>#<levelMs>#<startMs>`, or `rollup3#<set>#all`; sk `h`) carries
// the block's version `upTo` (the `first` position of the last journal folded into it) and its
// entries as gzipped bytes (binary attribute `z`, storage/rollup-codec.ts: ids and packed integers,
// a fraction of the former JSON of names once gzipped, docs/performance.md). A block still too large
// for one item keeps its bytes in chunk items (sk `c#<upTo>#0000`, ...) named after the version that
// wrote them, and the head only points at them. A writer puts the new chunks first and
// then the head, so the head switches atomically from one complete version to the next: a crash
// between the writes leaves the old version readable (plus orphan chunks, overwritten by the re-run),
// never a mix of two. Old chunks are deleted after the switch; a reader that races that delete sees a
// missing chunk and re-reads the head.
//
// The name dictionary (pk `rollup3#names`, sk `n#<base>`) is append-only: each item holds the names of
// ids [base, base + count) (gzipped, storage/rollup-codec.ts), and items tile the ids with no gap. The snapshot job puts
// a run's new names (one item at a time, in order, each conditional on its key being free) before any
// block that uses them, so every id a reader finds in a block is already in the dictionary, and a
// crashed run leaves a prefix that the re-run reads back and extends. An id never changes its name.
//
// The `rollup3#` keys are the third format (the first stored names in every block, under `rollup#`;
// the second had no figure sets and two 32-bit columns, under `rollup2#`). A store written by an
// older format is rebuilt from the journals it still holds under the new keys
// (storage/snapshot-store.ts keys its state by format too); old items stay unused.
import { gunzipSync, gzipSync } from 'node:zlib';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  type DynamoDBDocumentClient,
  PutCommand,
  QueryCommand,
  type QueryCommandOutput,
} from '@aws-sdk/lib-dynamodb';
import { FIGURE_SETS } from '../domain/families';
import { batchGet, batchWrite, type Key, type WriteRequest } from './batch-io';
import { type BlockData, decodeBlock, decodeNames, encodeNames, nameBytes } from './rollup-codec';

export const ROLLUP_HEAD_SK = 'h';

/** The block of figure set `set` for [start, start + levelMs). */
export function rollupPk(set: string, levelMs: number, start: number): string {
  return `rollup3#${set}#${levelMs}#${start}`;
}

/** The block of `set` holding every journal folded so far, whatever its buckets (head `lvl` 0). */
export function totalPk(set: string): string {
  return `rollup3#${set}#all`;
}
const NAMES_PK = 'rollup3#names';

function namesSk(base: number): string {
  return `n#${base.toString().padStart(12, '0')}`;
}

/**
 * A block with every column its set has now: columns appended to a set after the block was written
 * (domain/figures.ts WideColumn) read as zeros, so readers and the next run see one width per set.
 */
export function withSetColumns(pk: string, data: BlockData): BlockData {
  const width = FIGURE_SETS.get(pk.split('#')[1])?.columns.length ?? 0;
  if (data.cols.length >= width) return data;
  const cols = [...data.cols];
  while (cols.length < width) cols.push(new Float64Array(data.ids.length));
  return { ids: data.ids, cols };
}

function chunkSk(upTo: string, i: number): string {
  return `c#${upTo}#${i.toString().padStart(4, '0')}`;
}

export interface RollupHead {
  pk: string;
  sk: typeof ROLLUP_HEAD_SK;
  /** block size and start, epoch ms */
  lvl: number;
  start: number;
  /** `first` of the last journal folded into this block: journals at or before it are in it */
  upTo: string;
  /** `first` of the journal that created the block (lets the job count blocks exactly once) */
  born: string;
  /** byte chunks: 1 = inline in `z` */
  n: number;
  /** number of entries */
  c: number;
  /** gzipped entries (or, when n > 1, nothing: the chunks hold them) */
  z?: Uint8Array;
  /** the total block only: first and last bucket (start, epoch ms) of any delta folded into it */
  lo?: number;
  hi?: number;
}

/** Bytes per item: DynamoDB's limit is 400 KB including names and keys. */
export const CHUNK_BYTES = 350_000;

/** A block as read: its head and its entries. */
export interface RollupBlock {
  head: RollupHead;
  data: BlockData;
}

/** Another snapshot run changed a block this run read: this run must stop (the next one redoes it). */
export class RollupConflictError extends Error {}

export class RollupStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    readonly table: string,
    /** bytes per item (tests lower it to exercise multi-chunk blocks) */
    private readonly chunkBytes = CHUNK_BYTES,
  ) {}

  /** Heads by pk; with `versionOnly` just pk, upTo and n (to validate a cache without the data). */
  async readHeads(pks: Iterable<string>, versionOnly = false): Promise<Map<string, RollupHead>> {
    const keys: Key[] = [...pks].map((pk) => ({ pk, sk: ROLLUP_HEAD_SK }));
    const items = (await batchGet(
      this.doc,
      this.table,
      keys,
      versionOnly ? { projection: 'pk, upTo, n' } : {},
    )) as unknown as RollupHead[];
    return new Map(items.map((h) => [h.pk, h]));
  }

  /** Whole blocks by pk (absent pks have no data). */
  async readBlocks(pks: Iterable<string>): Promise<Map<string, RollupBlock>> {
    const out = new Map<string, RollupBlock>();
    let todo = [...pks];
    for (let attempt = 0; todo.length > 0; attempt++) {
      if (attempt >= 5) throw new Error('rollup chunks keep changing under the reader');
      const heads = await this.readHeads(todo);
      const chunkKeys: Key[] = [];
      for (const h of heads.values()) {
        if (h.n > 1) for (let i = 0; i < h.n; i++) chunkKeys.push({ pk: h.pk, sk: chunkSk(h.upTo, i) });
      }
      const chunks = new Map<string, Uint8Array>();
      if (chunkKeys.length > 0) {
        for (const c of await batchGet(this.doc, this.table, chunkKeys)) {
          chunks.set(`${c.pk as string}\n${c.sk as string}`, c.z as Uint8Array);
        }
      }
      const retry: string[] = [];
      for (const h of heads.values()) {
        let bytes: Uint8Array | undefined;
        if (h.n <= 1) bytes = h.z;
        else {
          const parts: Uint8Array[] = [];
          for (let i = 0; i < h.n; i++) {
            const part = chunks.get(`${h.pk}\n${chunkSk(h.upTo, i)}`);
            if (part === undefined) break;
            parts.push(part);
          }
          if (parts.length < h.n) {
            // The head moved on and its old chunks were deleted while we read: read it again.
            retry.push(h.pk);
            continue;
          }
          bytes = Buffer.concat(parts);
        }
        if (bytes === undefined) throw new Error(`rollup ${h.pk} has no data`);
        out.set(h.pk, { head: h, data: withSetColumns(h.pk, decodeBlock(gunzipSync(bytes))) });
      }
      todo = retry;
    }
    return out;
  }

  /**
   * Writes a block's new version. `previous` is the head this version was computed from (null for a
   * new block): the head put is conditional on it still being current, so two overlapping runs cannot
   * silently overwrite each other's folds.
   */
  async write(
    head: Omit<RollupHead, 'n' | 'z' | 'sk'>,
    encoded: Uint8Array,
    previous: RollupHead | null,
  ): Promise<void> {
    const bytes = gzipSync(encoded);
    const parts: Uint8Array[] = [];
    for (let i = 0; i < bytes.length; i += this.chunkBytes)
      parts.push(bytes.subarray(i, i + this.chunkBytes));
    const item: RollupHead = { ...head, sk: ROLLUP_HEAD_SK, n: parts.length };
    if (parts.length === 1) item.z = parts[0];
    else {
      const writes: WriteRequest[] = parts.map((z, i) => ({
        PutRequest: { Item: { pk: head.pk, sk: chunkSk(head.upTo, i), z } },
      }));
      await batchWrite(this.doc, this.table, writes);
    }
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.table,
          Item: item,
          ConditionExpression: previous === null ? 'attribute_not_exists(pk)' : 'upTo = :prev',
          ExpressionAttributeValues: previous === null ? undefined : { ':prev': previous.upTo },
        }),
      );
    } catch (err) {
      if (err instanceof ConditionalCheckFailedException) {
        throw new RollupConflictError(`rollup ${head.pk} was changed by another snapshot run`);
      }
      throw err;
    }
    if (previous !== null && previous.n > 1 && previous.upTo !== head.upTo) {
      const deletes: WriteRequest[] = [];
      for (let i = 0; i < previous.n; i++) {
        deletes.push({ DeleteRequest: { Key: { pk: head.pk, sk: chunkSk(previous.upTo, i) } } });
      }
      await batchWrite(this.doc, this.table, deletes);
    }
  }

  /**
   * The dictionary's names of ids `from` and up, in id order. `from` must be where an earlier read
   * ended (0 for all of it): the dictionary is read in whole items.
   */
  async readNames(from: number): Promise<string[]> {
    const out: string[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const res: QueryCommandOutput = await this.doc.send(
        new QueryCommand({
          TableName: this.table,
          KeyConditionExpression: 'pk = :pk AND sk >= :from',
          ExpressionAttributeValues: { ':pk': NAMES_PK, ':from': namesSk(from) },
          ConsistentRead: true,
          ExclusiveStartKey: start,
        }),
      );
      for (const it of res.Items ?? []) {
        if ((it.base as number) !== from + out.length) {
          throw new Error(
            `rollup name dictionary: item at ${it.base as number}, expected ${from + out.length}`,
          );
        }
        const names = decodeNames(gunzipSync(it.z as Uint8Array));
        if (names.length !== (it.c as number)) throw new Error('rollup name dictionary: count mismatch');
        for (const name of names) out.push(name);
      }
      start = res.LastEvaluatedKey;
    } while (start !== undefined);
    return out;
  }

  /**
   * Appends `names` as the ids `base`, `base + 1`, ... Items are put one after the other, each only if
   * its key is free: a crash leaves a prefix (read back by the next run), and two runs that race for
   * the same ids cannot both win (the loser gets a RollupConflictError).
   */
  async appendNames(base: number, names: readonly string[]): Promise<void> {
    let i = 0;
    while (i < names.length) {
      // At most chunkBytes (before gzip) per item, and always at least one name.
      let bytes = nameBytes(names[i]);
      let j = i + 1;
      while (j < names.length && bytes + nameBytes(names[j]) <= this.chunkBytes)
        bytes += nameBytes(names[j++]);
      const part = names.slice(i, j);
      try {
        await this.doc.send(
          new PutCommand({
            TableName: this.table,
            Item: {
              pk: NAMES_PK,
              sk: namesSk(base + i),
              base: base + i,
              c: part.length,
              z: gzipSync(encodeNames(part)),
            },
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        );
      } catch (err) {
        if (err instanceof ConditionalCheckFailedException) {
          throw new RollupConflictError(
            `rollup names from id ${base + i} were written by another snapshot run`,
          );
        }
        throw err;
      }
      i = j;
    }
  }
}
