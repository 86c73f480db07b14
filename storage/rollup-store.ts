// Rollup items in the history table: per time block (5 s, 1 min, 1 h, 1 d) the net change of every
// user's network strength and referral points, written by the snapshot job, read by leaderboards.
//
// Layout. The head item (pk `rollup#<levelMs>#<startMs>`, sk `h`) carries the block's version
// `upTo` (the `first` position of the last journal folded into it) and its entries as gzipped JSON
// (binary attribute `z`), flat [name, strengthDelta, pointsDelta, ...]. gzip cuts a block ~5x (a
// 100,000-user block is ~2 MB of JSON, ~300 KB gzipped), which is what the snapshot job pays in
// write units on every re-roll and a cold leaderboard pays in read units. A block still too large for
// one item keeps its bytes in chunk items (sk `c#<upTo>#0000`, ...) named after the version that
// wrote them, and the head only points at them. A writer puts the new chunks first and
// then the head, so the head switches atomically from one complete version to the next: a crash
// between the writes leaves the old version readable (plus orphan chunks, overwritten by the re-run),
// never a mix of two. Old chunks are deleted after the switch; a reader that races that delete sees a
// missing chunk and re-reads the head.
import { gunzipSync, gzipSync } from 'node:zlib';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { batchGet, batchWrite, type Key, type WriteRequest } from './batch-io';

export const ROLLUP_HEAD_SK = 'h';

export function rollupPk(levelMs: number, start: number): string {
  return `rollup#${levelMs}#${start}`;
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
  /** gzipped JSON (or, when n > 1, nothing: the chunks hold it) */
  z?: Uint8Array;
}

/** Bytes per item: DynamoDB's limit is 400 KB including names and keys. */
export const CHUNK_BYTES = 350_000;

/** A block as read: its head and its entries, flat [name, strength, points, ...]. */
export interface RollupBlock {
  head: RollupHead;
  flat: (string | number)[];
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
        const json = bytes === undefined ? '[]' : gunzipSync(bytes).toString('utf8');
        out.set(h.pk, { head: h, flat: JSON.parse(json) as (string | number)[] });
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
    json: string,
    previous: RollupHead | null,
  ): Promise<void> {
    const bytes = gzipSync(json);
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
}
