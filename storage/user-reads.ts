// The API's reads of user items on the low-level DynamoDB client (storage/clients.ts,
// makeDynamoReadClient): one GetItem per user answer, one BatchGetItem per 100 friends for top-friends.
// These are the hottest reads of the API, so they skip the DocumentClient, whose commands cannot reuse
// a resolved middleware stack; the few attribute types a user item holds are converted here.
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

export class UserReads {
  constructor(
    private readonly dynamo: DynamoDBClient,
    private readonly table: string,
  ) {}

  /** The user's item as stored (strongly consistent), or null. */
  async user(name: string): Promise<UserItem | null> {
    const res = await this.dynamo.send(
      new GetItemCommand({ TableName: this.table, Key: { pk: { S: name } }, ConsistentRead: true }),
    );
    return res.Item === undefined ? null : (plainItem(res.Item) as unknown as UserItem);
  }

  /**
   * The items of these names that exist (each name once), with only `attributes` and pk. Keys the
   * table leaves unprocessed are asked again with a growing pause, as BatchGetItem wants.
   */
  async users(names: Iterable<string>, attributes: readonly string[]): Promise<UserItem[]> {
    const unique = [...new Set(names)];
    const attrs = [...new Set(['pk', ...attributes])];
    const projection = attrs.map((_, i) => `#a${i}`).join(', ');
    const attrNames = Object.fromEntries(attrs.map((a, i) => [`#a${i}`, a]));
    const groups: string[][] = [];
    for (let i = 0; i < unique.length; i += 100) groups.push(unique.slice(i, i + 100));
    const found: UserItem[] = [];
    await Promise.all(
      groups.map(async (group) => {
        let keys: Record<string, AttributeValue>[] = group.map((pk) => ({ pk: { S: pk } }));
        for (let attempt = 0; keys.length > 0; attempt++) {
          if (attempt >= 8) throw new Error(`BatchGetItem on ${this.table}: keys still unprocessed`);
          if (attempt > 0) await sleep(Math.min(1_000, 25 * 2 ** attempt) * Math.random());
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
          for (const it of res.Responses?.[this.table] ?? [])
            found.push(plainItem(it) as unknown as UserItem);
          keys = res.UnprocessedKeys?.[this.table]?.Keys ?? [];
        }
      }),
    );
    return found;
  }
}
