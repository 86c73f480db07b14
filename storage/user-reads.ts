// The API's reads of user items on the low-level DynamoDB client (storage/clients.ts,
// makeDynamoReadClient). These are the hottest reads of the API, so they skip the DocumentClient, whose
// commands cannot reuse a resolved middleware stack; the few attribute types a user item holds are
// converted here.
//
// Reads are coalesced: the names asked for while the event loop handles one round of events (the
// requests that arrived together) are read with one BatchGetItem after it (100 names per call, each
// name once), instead of one GetItem each. The SDK's fixed cost per call (its middleware stack) is most of a small read's CPU,
// so under concurrent requests this is most of that cost saved; a lone request still makes one
// GetItem, one event-loop turn later. Both reads are strongly consistent, so the answer is the same.
import {
  type AttributeValue,
  BatchGetItemCommand,
  type DynamoDBClient,
  GetItemCommand,
} from '@aws-sdk/client-dynamodb';
import type { UserItem } from './user-item';

/** A stored attribute as the DocumentClient would give it (numbers as JS numbers). */
function plain(v: AttributeValue): unknown {
  if (v.S !== undefined) return v.S;
  if (v.N !== undefined) return Number(v.N);
  if (v.BOOL !== undefined) return v.BOOL;
  if (v.NULL !== undefined) return null;
  if (v.L !== undefined) return v.L.map(plain);
  if (v.M !== undefined) return plainItem(v.M);
  throw new Error(`unexpected attribute type ${Object.keys(v).join(',')} in a user item`);
}

function plainItem(item: Record<string, AttributeValue>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(item)) out[k] = plain(item[k]);
  return out;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Waiter {
  resolve(item: UserItem | null): void;
  reject(err: unknown): void;
}

/**
 * Collects the names asked for during one turn of the event loop and reads them together after it;
 * every caller gets its own name's item (null when there is none), or the read's error.
 */
class Coalescer {
  private waiting = new Map<string, Waiter[]>();
  private scheduled = false;

  constructor(private readonly read: (names: string[]) => Promise<Map<string, UserItem>>) {}

  get(name: string): Promise<UserItem | null> {
    return new Promise((resolve, reject) => {
      const list = this.waiting.get(name);
      if (list === undefined) this.waiting.set(name, [{ resolve, reject }]);
      else list.push({ resolve, reject });
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
    this.read([...batch.keys()]).then(
      (found) => {
        for (const [name, list] of batch) for (const w of list) w.resolve(found.get(name) ?? null);
      },
      (err: unknown) => {
        for (const list of batch.values()) for (const w of list) w.reject(err);
      },
    );
  }
}

export class UserReads {
  private readonly items: Coalescer;
  /** Projected reads, one coalescer per attribute list. */
  private readonly projected = new Map<string, Coalescer>();

  constructor(
    private readonly dynamo: DynamoDBClient,
    private readonly table: string,
  ) {
    this.items = new Coalescer((names) =>
      names.length === 1 ? this.readOne(names[0]) : this.readMany(names, null),
    );
  }

  /** The user's item as stored (strongly consistent), or null. */
  user(name: string): Promise<UserItem | null> {
    return this.items.get(name);
  }

  /**
   * The items of these names that exist (each name once), with only `attributes` and pk, strongly
   * consistent. Concurrent callers' names are read together (top-friends of many users share friends).
   */
  async users(names: Iterable<string>, attributes: readonly string[]): Promise<UserItem[]> {
    const key = attributes.join(',');
    let c = this.projected.get(key);
    if (c === undefined) {
      c = new Coalescer((batch) => this.readMany(batch, attributes));
      this.projected.set(key, c);
    }
    const coalescer = c;
    const found = await Promise.all([...new Set(names)].map((n) => coalescer.get(n)));
    return found.filter((u): u is UserItem => u !== null);
  }

  private async readOne(name: string): Promise<Map<string, UserItem>> {
    const res = await this.dynamo.send(
      new GetItemCommand({ TableName: this.table, Key: { pk: { S: name } }, ConsistentRead: true }),
    );
    const found = new Map<string, UserItem>();
    if (res.Item !== undefined) found.set(name, plainItem(res.Item) as unknown as UserItem);
    return found;
  }

  private async readMany(
    names: string[],
    attributes: readonly string[] | null,
  ): Promise<Map<string, UserItem>> {
    const found = new Map<string, UserItem>();
    for (const item of await this.batchGet(names, attributes)) found.set(item.pk, item);
    return found;
  }

  /** BatchGetItem of distinct names, 100 per call, all attributes when `attributes` is null. */
  private async batchGet(unique: string[], attributes: readonly string[] | null): Promise<UserItem[]> {
    const attrs = attributes === null ? null : [...new Set(['pk', ...attributes])];
    const projection = attrs === null ? undefined : attrs.map((_, i) => `#a${i}`).join(', ');
    const attrNames = attrs === null ? undefined : Object.fromEntries(attrs.map((a, i) => [`#a${i}`, a]));
    const groups: string[][] = [];
    for (let i = 0; i < unique.length; i += 100) groups.push(unique.slice(i, i + 100));
    const found: UserItem[] = [];
    await Promise.all(
      groups.map(async (group) => {
        let keys: Record<string, AttributeValue>[] = group.map((pk) => ({ pk: { S: pk } }));
        let idle = 0;
        while (keys.length > 0) {
          // A call that returned nothing was throttled: pause, longer each time. One that returned
          // some items stopped at the response size limit: ask for the rest at once.
          if (idle >= 8) throw new Error(`BatchGetItem on ${this.table}: keys still unprocessed`);
          if (idle > 0) await sleep(Math.min(1_000, 25 * 2 ** idle) * Math.random());
          const res = await this.dynamo.send(
            new BatchGetItemCommand({
              RequestItems: {
                [this.table]: {
                  Keys: keys,
                  ConsistentRead: true,
                  ProjectionExpression: projection,
                  ExpressionAttributeNames: attrNames,
                },
              },
            }),
          );
          const items = res.Responses?.[this.table] ?? [];
          for (const it of items) found.push(plainItem(it) as unknown as UserItem);
          keys = res.UnprocessedKeys?.[this.table]?.Keys ?? [];
          idle = items.length > 0 ? 0 : idle + 1;
        }
      }),
    );
    return found;
  }
}
