// The API's reads of user items on the low-level DynamoDB client (storage/clients.ts,
// makeDynamoReadClient). These are the hottest reads of the API, so they skip the DocumentClient, whose
// commands cannot reuse a resolved middleware stack; the few attribute types a user item holds are
// converted here.
//
// Reads are coalesced: the items asked for while the event loop handles one round of events (the
// requests that arrived together) are read with one BatchGetItem after it (100 items per call, each
// once), instead of one GetItem each. The SDK's fixed cost per call (its middleware stack) is most of
// a small read's CPU, so under concurrent requests this is most of that cost saved; a lone request
// still makes one GetItem, one event-loop turn later. Both reads are strongly consistent, so the
// answer is the same. The state items of the meta table a route needs beside a user (top-friends reads
// the pipeline's checkpoint) join the same call.
import {
  type AttributeValue,
  BatchGetItemCommand,
  type DynamoDBClient,
  GetItemCommand,
  type KeysAndAttributes,
  QueryCommand,
} from '@aws-sdk/client-dynamodb';
import type { UserItem } from './user-item';

/** A stored attribute as the DocumentClient would give it (numbers as JS numbers). */
function plain(v: AttributeValue): unknown {
  if (v.S !== undefined) return v.S;
  if (v.N !== undefined) return Number(v.N);
  if (v.BOOL !== undefined) return v.BOOL;
  if (v.NULL !== undefined) return null;
  if (v.B !== undefined) return v.B;
  if (v.L !== undefined) return v.L.map(plain);
  if (v.M !== undefined) return plainItem(v.M);
  throw new Error(`unexpected attribute type ${Object.keys(v).join(',')} in a read item`);
}

function plainItem(item: Record<string, AttributeValue>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(item)) out[k] = plain(item[k]);
  return out;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

type RawItem = Record<string, AttributeValue>;

/** One item to read: its table and key. */
interface ItemRef {
  table: string;
  key: RawItem;
}

interface Waiter {
  resolve(item: RawItem | null): void;
  reject(err: unknown): void;
}

const refId = (ref: ItemRef): string =>
  `${ref.table}\n${ref.key.pk?.S ?? ''}\n${ref.key.sk === undefined ? '' : (ref.key.sk.S ?? '')}`;

/**
 * Collects the items asked for during one turn of the event loop and reads them together after it
 * (one BatchGetItem for all of them, whatever their table); every caller gets its own item (null when
 * there is none), or the read's error. A read begins after every call it answers, so it sees every
 * write that completed before any of them.
 */
class Coalescer {
  private waiting = new Map<string, { ref: ItemRef; waiters: Waiter[] }>();
  private scheduled = false;

  constructor(private readonly read: (refs: ItemRef[]) => Promise<Map<string, RawItem>>) {}

  get(ref: ItemRef): Promise<RawItem | null> {
    return new Promise((resolve, reject) => {
      const id = refId(ref);
      const entry = this.waiting.get(id);
      if (entry === undefined) this.waiting.set(id, { ref, waiters: [{ resolve, reject }] });
      else entry.waiters.push({ resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  private flush(): void {
    const batch = this.waiting;
    this.waiting = new Map();
    this.scheduled = false;
    this.read([...batch.values()].map((e) => e.ref)).then(
      (found) => {
        for (const [id, e] of batch) for (const w of e.waiters) w.resolve(found.get(id) ?? null);
      },
      (err: unknown) => {
        for (const e of batch.values()) for (const w of e.waiters) w.reject(err);
      },
    );
  }
}

export class UserReads {
  private readonly items: Coalescer;
  /** Projected reads, one coalescer per attribute list. */
  private readonly projected = new Map<string, Coalescer>();

  /**
   * `metaTable`, when given, lets state items of the meta table (the pipeline's and the snapshot job's)
   * be read in the same calls as the users asked for in the same turn (see `metaItem`).
   */
  constructor(
    private readonly dynamo: DynamoDBClient,
    private readonly table: string,
    private readonly metaTable?: string,
  ) {
    this.items = new Coalescer((refs) =>
      refs.length === 1 ? this.readOne(refs[0]) : this.readMany(refs, null),
    );
  }

  /** The user's item as stored (strongly consistent), or null. */
  async user(name: string): Promise<UserItem | null> {
    const item = await this.items.get({ table: this.table, key: { pk: { S: name } } });
    return item === null ? null : (plainItem(item) as unknown as UserItem);
  }

  /**
   * An item of the meta table as stored (strongly consistent), or null: read together with the users
   * and other meta items asked for in the same turn, so a route that needs a user and a state costs
   * one call.
   */
  async metaItem(key: { pk: string; sk: string }): Promise<Record<string, unknown> | null> {
    if (this.metaTable === undefined) throw new Error('UserReads was built without the meta table');
    const item = await this.items.get({
      table: this.metaTable,
      key: { pk: { S: key.pk }, sk: { S: key.sk } },
    });
    return item === null ? null : plainItem(item);
  }

  /**
   * Up to `limit` items of one partition of the meta table in sort-key order, after sort key `afterSk`
   * (null: from the first), strongly consistent. A Query cannot be coalesced, but on this client it
   * skips the DocumentClient's conversions (a writer's posts page: storage/posts/items.ts).
   */
  async metaPartition(pk: string, limit: number, afterSk: string | null): Promise<Record<string, unknown>[]> {
    if (this.metaTable === undefined) throw new Error('UserReads was built without the meta table');
    const res = await this.dynamo.send(
      new QueryCommand({
        TableName: this.metaTable,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': { S: pk } },
        ExclusiveStartKey: afterSk === null ? undefined : { pk: { S: pk }, sk: { S: afterSk } },
        Limit: limit,
        ConsistentRead: true,
      }),
    );
    return (res.Items ?? []).map(plainItem);
  }

  /**
   * The items of these names that exist (each name once), with only `attributes` and pk, strongly
   * consistent. Concurrent callers' names are read together (top-friends of many users share friends).
   */
  async users(names: Iterable<string>, attributes: readonly string[]): Promise<UserItem[]> {
    const key = attributes.join(',');
    let c = this.projected.get(key);
    if (c === undefined) {
      c = new Coalescer((refs) => this.readMany(refs, attributes));
      this.projected.set(key, c);
    }
    const coalescer = c;
    const found = await Promise.all(
      [...new Set(names)].map((n) => coalescer.get({ table: this.table, key: { pk: { S: n } } })),
    );
    const out: UserItem[] = [];
    for (const f of found) if (f !== null) out.push(plainItem(f) as unknown as UserItem);
    return out;
  }

  private async readOne(ref: ItemRef): Promise<Map<string, RawItem>> {
    const res = await this.dynamo.send(
      new GetItemCommand({ TableName: ref.table, Key: ref.key, ConsistentRead: true }),
    );
    const found = new Map<string, RawItem>();
    if (res.Item !== undefined) found.set(refId(ref), res.Item);
    return found;
  }

  /**
   * BatchGetItem of distinct items, 100 per call, all attributes when `attributes` is null (a
   * projection applies to the users' table only).
   */
  private async readMany(
    refs: ItemRef[],
    attributes: readonly string[] | null,
  ): Promise<Map<string, RawItem>> {
    const attrs = attributes === null ? null : [...new Set(['pk', ...attributes])];
    const projection = attrs === null ? undefined : attrs.map((_, i) => `#a${i}`).join(', ');
    const attrNames = attrs === null ? undefined : Object.fromEntries(attrs.map((a, i) => [`#a${i}`, a]));
    const groups: ItemRef[][] = [];
    for (let i = 0; i < refs.length; i += 100) groups.push(refs.slice(i, i + 100));
    const found = new Map<string, RawItem>();
    await Promise.all(
      groups.map(async (group) => {
        let pending: Map<string, RawItem[]> = new Map();
        for (const r of group) {
          const keys = pending.get(r.table);
          if (keys === undefined) pending.set(r.table, [r.key]);
          else keys.push(r.key);
        }
        let idle = 0;
        while (pending.size > 0) {
          // A call that returned nothing was throttled: pause, longer each time. One that returned
          // some items stopped at the response size limit: ask for the rest at once.
          if (idle >= 8)
            throw new Error(`BatchGetItem on ${[...pending.keys()].join(', ')}: keys still unprocessed`);
          if (idle > 0) await sleep(Math.min(1_000, 25 * 2 ** idle) * Math.random());
          const request: Record<string, KeysAndAttributes> = {};
          for (const [table, keys] of pending) {
            request[table] =
              table === this.table
                ? {
                    Keys: keys,
                    ConsistentRead: true,
                    ProjectionExpression: projection,
                    ExpressionAttributeNames: attrNames,
                  }
                : { Keys: keys, ConsistentRead: true };
          }
          const res = await this.dynamo.send(new BatchGetItemCommand({ RequestItems: request }));
          let got = 0;
          for (const [table, items] of Object.entries(res.Responses ?? {})) {
            for (const it of items) {
              found.set(refId({ table, key: it }), it);
              got++;
            }
          }
          pending = new Map();
          for (const [table, left] of Object.entries(res.UnprocessedKeys ?? {}))
            if (left.Keys !== undefined && left.Keys.length > 0) pending.set(table, left.Keys);
          idle = got > 0 ? 0 : idle + 1;
        }
      }),
    );
    return found;
  }
}
