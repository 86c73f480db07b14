// The API's DynamoDB reads (no caching here: lambdas/api/reader.ts decides what to keep).
import {
  type DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
  type QueryCommandOutput,
} from '@aws-sdk/lib-dynamodb';
import type { HistoryCell } from '../domain/graph';
import type { Profile } from '../domain/marketplace/fold';
import { batchGet } from './batch-io';
import { readArchivedCells } from './history-archive';
import { PRODUCT_REGISTRY_PARTITION, type ProductItem, productKey, profileKey } from './marketplace/items';
import { NameIndex } from './name-index';
import {
  type Journal,
  type PipelineState,
  PipelineStore,
  REJECTIONS_PARTITION,
  type Rejection,
} from './pipeline-store';
import { type PostItem, postKey, readUserPosts, type UserPostEntry } from './posts/items';
import { RollupStore } from './rollup-store';
import { type SnapshotState, SnapshotStore } from './snapshot-store';
import type { UserItem } from './user-item';

/** A committed-or-not rejection group as stored: one batch's rejected events. */
export interface RejectionGroup {
  first: string;
  last: string;
  items: Rejection[];
}

export class ReadStore {
  readonly rollups: RollupStore;
  private readonly pipeline: PipelineStore;
  private readonly snapshots: SnapshotStore;
  /** The registered names, kept in memory for as long as this store lives (a Lambda container). */
  private readonly nameIndex: NameIndex;
  /** The product ids (GET /products), kept in memory like the names. */
  private readonly productIndex: NameIndex;

  constructor(
    private readonly doc: DynamoDBDocumentClient,
    readonly tables: { graph: string; history: string; meta: string },
  ) {
    this.pipeline = new PipelineStore(doc, tables);
    this.snapshots = new SnapshotStore(doc, tables.meta);
    this.rollups = new RollupStore(doc, tables.history);
    this.nameIndex = new NameIndex(doc, tables.meta);
    this.productIndex = new NameIndex(doc, tables.meta, PRODUCT_REGISTRY_PARTITION);
  }

  pipelineState(): Promise<PipelineState> {
    return this.pipeline.readState();
  }

  /** Deltas of the committed journals after the one starting at `after` ('' for all), in stream order. */
  committedJournals(after: string, checkpoint: string): AsyncGenerator<Journal> {
    return this.pipeline.committedJournals(after, checkpoint);
  }

  snapshotState(): Promise<SnapshotState> {
    return this.snapshots.read();
  }

  /** The cells of the user's first `chunks` archived history chunks (storage/history-archive.ts). */
  archivedCells(name: string, chunks: number): Promise<HistoryCell[][]> {
    return readArchivedCells(this.doc, this.tables.history, name, chunks);
  }

  /** The user's item as stored. */
  async user(name: string): Promise<UserItem | null> {
    const res = await this.doc.send(
      new GetCommand({ TableName: this.tables.graph, Key: { pk: name }, ConsistentRead: true }),
    );
    return (res.Item as UserItem | undefined) ?? null;
  }

  /** Items by name, with only the given attributes (and pk) when `attributes` is given. */
  async users(names: Iterable<string>, attributes?: readonly string[]): Promise<UserItem[]> {
    const keys = [...names].map((pk) => ({ pk }));
    if (attributes === undefined)
      return (await batchGet(this.doc, this.tables.graph, keys)) as unknown as UserItem[];
    const attrs = [...new Set(['pk', ...attributes])];
    const items = await batchGet(this.doc, this.tables.graph, keys, {
      projection: attrs.map((_, i) => `#a${i}`).join(', '),
      names: Object.fromEntries(attrs.map((a, i) => [`#a${i}`, a])),
    });
    return items as unknown as UserItem[];
  }

  /**
   * Up to `limit` registered names, ascending, after `after` (exclusive), optionally restricted to a
   * prefix, from the registration groups the processor writes; `more` says whether further names follow.
   */
  async names(
    prefix: string | null,
    limit: number,
    after: string | null,
  ): Promise<{ names: string[]; more: boolean }> {
    await this.nameIndex.refresh();
    return this.nameIndex.names.page(prefix ?? '', limit, after);
  }

  /** How many registered names start with this prefix. */
  async countNames(prefix: string): Promise<number> {
    await this.nameIndex.refresh();
    return this.nameIndex.names.count(prefix);
  }

  /**
   * Up to `limit` product ids, ascending (code units), after `after` (exclusive), optionally with a
   * prefix, from the registry the processor writes; `more` says whether further ids follow.
   */
  async productIds(
    prefix: string | null,
    limit: number,
    after: string | null,
  ): Promise<{ names: string[]; more: boolean }> {
    await this.productIndex.refresh();
    return this.productIndex.names.page(prefix ?? '', limit, after);
  }

  /** How many product ids start with this prefix ('' for all). */
  async countProducts(prefix: string): Promise<number> {
    await this.productIndex.refresh();
    return this.productIndex.names.count(prefix);
  }

  /** The product's item as stored (strongly consistent), or null. */
  async product(productId: string): Promise<ProductItem | null> {
    const res = await this.doc.send(
      new GetCommand({ TableName: this.tables.meta, Key: productKey(productId), ConsistentRead: true }),
    );
    return (res.Item as ProductItem | undefined) ?? null;
  }

  /** The post's item as stored (strongly consistent), or null. */
  async post(postId: string): Promise<PostItem | null> {
    const res = await this.doc.send(
      new GetCommand({ TableName: this.tables.meta, Key: postKey(postId), ConsistentRead: true }),
    );
    return (res.Item as PostItem | undefined) ?? null;
  }

  /** A page of a writer's posts, newest first, after index key `after` (storage/posts/items.ts). */
  userPosts(
    user: string,
    total: number,
    limit: number,
    after: string | null,
  ): Promise<{ items: UserPostEntry[]; next: string | null }> {
    return readUserPosts(this.doc, this.tables.meta, user, total, limit, after);
  }

  /** The user's marketplace profile (null: none, or deleted), strongly consistent. */
  async profile(user: string): Promise<Profile | null> {
    const res = await this.doc.send(
      new GetCommand({ TableName: this.tables.meta, Key: profileKey(user), ConsistentRead: true }),
    );
    return (res.Item?.profile as Profile | null | undefined) ?? null;
  }

  /** Rejection groups from the batch whose first position is `from` (inclusive) on, in stream order. */
  async *rejectionGroups(from: string | null): AsyncGenerator<RejectionGroup> {
    let start: Record<string, unknown> | undefined;
    let group: { first: string; last: string; n: number; parts: string[] } | null = null;
    do {
      const res: QueryCommandOutput = await this.doc.send(
        new QueryCommand({
          TableName: this.tables.meta,
          KeyConditionExpression: from === null ? 'pk = :pk' : 'pk = :pk AND sk >= :from',
          ExpressionAttributeValues:
            from === null
              ? { ':pk': REJECTIONS_PARTITION }
              : { ':pk': REJECTIONS_PARTITION, ':from': `${from}#` },
          ConsistentRead: true,
          ExclusiveStartKey: start,
          // Chunks can be 100,000 characters: a few per page keeps a small page small.
          Limit: 25,
        }),
      );
      for (const it of res.Items ?? []) {
        const first = it.first as string;
        if (group !== null && group.first !== first) group = null; // an incomplete (uncommitted) group
        group ??= { first, last: it.last as string, n: it.n as number, parts: [] };
        group.parts.push(it.d as string);
        if (group.parts.length === group.n) {
          yield { first, last: group.last, items: JSON.parse(group.parts.join('')) as Rejection[] };
          group = null;
        }
      }
      start = res.LastEvaluatedKey;
    } while (start !== undefined);
  }
}
