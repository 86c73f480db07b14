// The generator's state between runs, in the meta table under the generator's own partition (the only
// items its IAM policy reaches). A state can exceed DynamoDB's 400 KB item limit, so it is split into
// chunk items plus one head item that names them:
//
//   pk=generator sk=head                      {version, run, chunks, bytes, savedAt, ...summary}
//   pk=generator sk=chunk#<run>#<0000..>      {d: bytes}
//
// Saving writes the new chunks first (under a run id of their own, so a concurrent run never
// overwrites them), then swaps the head with a condition on the version it loaded. Readers only follow
// the head, so they see the old state or the new one, never a mix. Exactly one of two overlapping runs
// wins the swap; the loser deletes its chunks and sends nothing. The old chunks go after the swap.
import { randomUUID } from 'node:crypto';
import { DeleteCommand, type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { META_TABLE } from '../../lib/definitions';

/** Comfortably below the 400 KB item limit, keys and attribute names included. */
export const DEFAULT_CHUNK_BYTES = 350_000;

const PK = META_TABLE.partitionKey.name;
const SK = META_TABLE.sortKey?.name ?? 'sk';
const HEAD = 'head';

export interface StateHead {
  version: number;
  run: string;
  chunks: number;
  bytes: number;
  savedAt: string;
}

export interface LoadedState {
  head: StateHead;
  data: Buffer;
}

/** What the run needs from a store (tests may substitute their own). */
export interface StateStore {
  load(): Promise<LoadedState | null>;
  /** Saves `data` as the state following `previous` (null: the first state). False: another run saved first. */
  save(data: Buffer, previous: StateHead | null, summary?: Record<string, number>): Promise<boolean>;
}

const chunkKey = (run: string, i: number) => `chunk#${run}#${String(i).padStart(4, '0')}`;

export class DynamoStateStore implements StateStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
    private readonly partition: string,
    private readonly chunkBytes = DEFAULT_CHUNK_BYTES,
  ) {}

  private key(sk: string) {
    return { [PK]: this.partition, [SK]: sk };
  }

  async load(): Promise<LoadedState | null> {
    const res = await this.doc.send(
      new GetCommand({ TableName: this.table, Key: this.key(HEAD), ConsistentRead: true }),
    );
    if (!res.Item) return null;
    const head: StateHead = {
      version: Number(res.Item.version),
      run: String(res.Item.run),
      chunks: Number(res.Item.chunks),
      bytes: Number(res.Item.bytes),
      savedAt: String(res.Item.savedAt),
    };
    const parts = await Promise.all(
      Array.from({ length: head.chunks }, async (_, i) => {
        const c = await this.doc.send(
          new GetCommand({
            TableName: this.table,
            Key: this.key(chunkKey(head.run, i)),
            ConsistentRead: true,
          }),
        );
        const d: unknown = c.Item?.d;
        if (!(d instanceof Uint8Array))
          throw new Error(`generator state chunk ${i} of run ${head.run} is missing`);
        return d;
      }),
    );
    const data = Buffer.concat(parts);
    if (data.length !== head.bytes) {
      throw new Error(`generator state is ${data.length} bytes, its head says ${head.bytes}`);
    }
    return { head, data };
  }

  async save(
    data: Buffer,
    previous: StateHead | null,
    summary: Record<string, number> = {},
  ): Promise<boolean> {
    const run = randomUUID();
    const chunks = Math.max(1, Math.ceil(data.length / this.chunkBytes));
    await Promise.all(
      Array.from({ length: chunks }, (_, i) =>
        this.doc.send(
          new PutCommand({
            TableName: this.table,
            Item: {
              ...this.key(chunkKey(run, i)),
              d: data.subarray(i * this.chunkBytes, (i + 1) * this.chunkBytes),
            },
          }),
        ),
      ),
    );
    const head: StateHead = {
      version: (previous?.version ?? 0) + 1,
      run,
      chunks,
      bytes: data.length,
      savedAt: new Date().toISOString(),
    };
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.table,
          Item: { ...this.key(HEAD), ...summary, ...head },
          ...(previous
            ? {
                ConditionExpression: '#v = :v AND #r = :r',
                ExpressionAttributeNames: { '#v': 'version', '#r': 'run' },
                ExpressionAttributeValues: { ':v': previous.version, ':r': previous.run },
              }
            : { ConditionExpression: 'attribute_not_exists(#pk)', ExpressionAttributeNames: { '#pk': PK } }),
        }),
      );
    } catch (err) {
      if ((err as { name?: unknown }).name !== 'ConditionalCheckFailedException') throw err;
      await this.deleteChunks(run, chunks);
      return false;
    }
    // Only garbage from here: a failure leaves orphan chunks that no head names, nothing worse.
    if (previous) await this.deleteChunks(previous.run, previous.chunks).catch(() => undefined);
    return true;
  }

  private async deleteChunks(run: string, chunks: number): Promise<void> {
    await Promise.all(
      Array.from({ length: chunks }, (_, i) =>
        this.doc.send(new DeleteCommand({ TableName: this.table, Key: this.key(chunkKey(run, i)) })),
      ),
    );
  }
}
