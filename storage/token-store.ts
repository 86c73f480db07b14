// Access tokens in the meta table, one item per token in a partition of their own (SPEC 13):
//
//   pk = access-token   sk = <SHA-256 of the token, hex>
//   { id, name, abilities: "read,ingest", createdAt, revokedAt? }
//
// The token itself is never stored: it is shown once by `npm run token -- create`, and a request's
// token is found by its hash. `id` (the hash's first 12 hex digits) names a token in `list` and
// `revoke` without being usable as one. A revoked token keeps its item (revokedAt), so `list` shows it.
import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { ABILITIES, type Ability, TOKEN_PARTITION } from '../lib/definitions';

export interface TokenRecord {
  id: string;
  name: string;
  abilities: Ability[];
  createdAt: string;
  revokedAt: string | null;
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9 ._@-]{0,63}$/;
const ID_DIGITS = 12;

/** A token's name: 1–64 letters, digits, spaces and `._@-`, starting with a letter or digit. */
export function checkTokenName(name: string): string {
  if (!NAME.test(name)) {
    throw new Error(
      `token name '${name}': 1–64 letters, digits, spaces or . _ @ -, starting with a letter or digit`,
    );
  }
  return name;
}

function toRecord(item: Record<string, unknown>): TokenRecord {
  const abilities = String(item.abilities ?? '')
    .split(',')
    .filter((a): a is Ability => (ABILITIES as readonly string[]).includes(a));
  return {
    id: String(item.id),
    name: String(item.name),
    abilities,
    createdAt: String(item.createdAt),
    revokedAt: typeof item.revokedAt === 'string' ? item.revokedAt : null,
  };
}

export class TokenStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  /** The token whose hash this is, revoked or not; null when there is none. One GetItem. */
  async find(hash: string): Promise<TokenRecord | null> {
    const res = await this.doc.send(
      new GetCommand({ TableName: this.table, Key: { pk: TOKEN_PARTITION, sk: hash } }),
    );
    return res.Item === undefined ? null : toRecord(res.Item);
  }

  /** Stores a new token by its hash. Names are unique among the tokens not revoked. */
  async create(hash: string, name: string, abilities: readonly Ability[], now: Date): Promise<TokenRecord> {
    checkTokenName(name);
    if (abilities.length === 0) throw new Error('a token needs at least one ability');
    const clash = (await this.list()).find((t) => t.name === name && t.revokedAt === null);
    if (clash)
      throw new Error(`a token named '${name}' exists (id ${clash.id}); revoke it or pick another name`);
    const record: TokenRecord = {
      id: hash.slice(0, ID_DIGITS),
      name,
      abilities: ABILITIES.filter((a) => abilities.includes(a)),
      createdAt: now.toISOString(),
      revokedAt: null,
    };
    await this.doc.send(
      new PutCommand({
        TableName: this.table,
        Item: {
          pk: TOKEN_PARTITION,
          sk: hash,
          id: record.id,
          name: record.name,
          abilities: record.abilities.join(','),
          createdAt: record.createdAt,
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
    return record;
  }

  /** Every token, revoked ones too, oldest first. */
  async list(): Promise<TokenRecord[]> {
    const out: TokenRecord[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const res = await this.doc.send(
        new QueryCommand({
          TableName: this.table,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': TOKEN_PARTITION },
          ConsistentRead: true,
          ExclusiveStartKey: start,
        }),
      );
      for (const item of res.Items ?? []) out.push(toRecord(item));
      start = res.LastEvaluatedKey;
    } while (start !== undefined);
    return out.sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
  }

  /**
   * Revokes the token with this id, or the one token not yet revoked with this name. Returns it as
   * revoked; throws when none or several match. Revoking a revoked token changes nothing.
   */
  async revoke(idOrName: string, now: Date): Promise<TokenRecord> {
    const all = await this.list();
    const byId = all.filter((t) => t.id === idOrName);
    const matches = byId.length > 0 ? byId : all.filter((t) => t.name === idOrName && t.revokedAt === null);
    if (matches.length === 0) throw new Error(`no token with id or name '${idOrName}' to revoke`);
    if (matches.length > 1) throw new Error(`several tokens match '${idOrName}'; give the id`);
    const t = matches[0];
    if (t.revokedAt !== null) return t;
    const revokedAt = now.toISOString();
    const res = await this.doc.send(
      new QueryCommand({
        TableName: this.table,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :id)',
        ExpressionAttributeValues: { ':pk': TOKEN_PARTITION, ':id': t.id },
        ConsistentRead: true,
      }),
    );
    const item = (res.Items ?? []).find((i) => i.id === t.id);
    if (item === undefined) throw new Error(`token ${t.id} vanished while being revoked`);
    await this.doc.send(
      new UpdateCommand({
        TableName: this.table,
        Key: { pk: TOKEN_PARTITION, sk: item.sk },
        UpdateExpression: 'SET revokedAt = :at',
        ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(revokedAt)',
        ExpressionAttributeValues: { ':at': revokedAt },
      }),
    );
    return { ...t, revokedAt };
  }
}
