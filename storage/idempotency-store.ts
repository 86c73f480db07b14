// Idempotency keys of the ingest routes (SPEC 13), in the meta table under partitions of their own:
//
//   pk = idem#<base64url SHA-256 of "<route>\n<key>">   sk = key
//   { bodyHash, state: 'pending' | 'done', attempt, leaseUntil, status?, answer?, createdAt, expiresAt }
//
// The key itself is not stored (only its hash, as for access tokens), nor the body (its SHA-256).
// `expiresAt` (epoch seconds) is the table's TTL attribute: DynamoDB deletes the item some time after
// it; until then it is taken as absent by every read and condition here. A `pending` item is a claim:
// one request is sending; `leaseUntil` (epoch ms) bounds how long the claim holds if that request dies.
import { createHash } from 'node:crypto';
import { DeleteCommand, type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { IDEMPOTENCY_PARTITION_PREFIX } from '../lib/definitions';

export const IDEMPOTENCY_PK_PREFIX = IDEMPOTENCY_PARTITION_PREFIX;
const SK = 'key';

export interface StoredAnswer {
  status: number;
  /** the answer's body as JSON text */
  body: string;
}

export type IdempotencyRecord =
  | { state: 'pending'; bodyHash: string; attempt: string; leaseUntil: number; expiresAt: number }
  | { state: 'done'; bodyHash: string; attempt: string; answer: StoredAnswer; expiresAt: number };

export function sha256(text: string | Uint8Array): string {
  return createHash('sha256').update(text).digest('base64url');
}

function isConditionFailure(err: unknown): boolean {
  return (err as { name?: unknown })?.name === 'ConditionalCheckFailedException';
}

export class IdempotencyStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  /** The item key of `key` on route `route`. */
  static keyOf(route: string, key: string): { pk: string; sk: string } {
    return { pk: `${IDEMPOTENCY_PK_PREFIX}${sha256(`${route}\n${key}`)}`, sk: SK };
  }

  /** The record, or null when there is none or it has expired. */
  async read(key: { pk: string; sk: string }, nowMs: number): Promise<IdempotencyRecord | null> {
    const res = await this.doc.send(
      new GetCommand({ TableName: this.table, Key: key, ConsistentRead: true }),
    );
    const it = res.Item;
    if (it === undefined || Number(it.expiresAt) * 1000 <= nowMs) return null;
    const base = {
      bodyHash: String(it.bodyHash),
      attempt: String(it.attempt),
      expiresAt: Number(it.expiresAt),
    };
    if (it.state === 'done') {
      return { ...base, state: 'done', answer: { status: Number(it.status), body: String(it.answer) } };
    }
    return { ...base, state: 'pending', leaseUntil: Number(it.leaseUntil) };
  }

  /**
   * Claims the key for `attempt`: succeeds when there is no live record, or when the record is a
   * claim for the same body whose lease has run out (its request died). False when the key is taken.
   */
  async claim(
    key: { pk: string; sk: string },
    c: { bodyHash: string; attempt: string; nowMs: number; leaseMs: number; ttlMs: number },
  ): Promise<boolean> {
    return this.conditionally(() =>
      this.doc.send(
        new PutCommand({
          TableName: this.table,
          Item: {
            ...key,
            state: 'pending',
            bodyHash: c.bodyHash,
            attempt: c.attempt,
            leaseUntil: c.nowMs + c.leaseMs,
            createdAt: new Date(c.nowMs).toISOString(),
            expiresAt: Math.ceil((c.nowMs + c.ttlMs) / 1000),
          },
          ConditionExpression:
            'attribute_not_exists(pk) OR expiresAt <= :nowS OR (#state = :pending AND leaseUntil <= :now AND bodyHash = :h)',
          ExpressionAttributeNames: { '#state': 'state' },
          ExpressionAttributeValues: {
            ':nowS': Math.floor(c.nowMs / 1000),
            ':now': c.nowMs,
            ':pending': 'pending',
            ':h': c.bodyHash,
          },
        }),
      ),
    );
  }

  /**
   * Stores the answer of `attempt`'s request (whose claim was made at `createdAtMs`). False when the claim is no longer its own (its lease ran
   * out and a retry took the key over): the answer is then not stored.
   */
  async complete(
    key: { pk: string; sk: string },
    c: { bodyHash: string; attempt: string; answer: StoredAnswer; createdAtMs: number; ttlMs: number },
  ): Promise<boolean> {
    return this.conditionally(() =>
      this.doc.send(
        new PutCommand({
          TableName: this.table,
          Item: {
            ...key,
            state: 'done',
            bodyHash: c.bodyHash,
            attempt: c.attempt,
            status: c.answer.status,
            answer: c.answer.body,
            // Kept as long as the claim was: 24 hours from the first request.
            createdAt: new Date(c.createdAtMs).toISOString(),
            expiresAt: Math.ceil((c.createdAtMs + c.ttlMs) / 1000),
          },
          ConditionExpression: 'attempt = :a AND #state = :pending',
          ExpressionAttributeNames: { '#state': 'state' },
          ExpressionAttributeValues: { ':a': c.attempt, ':pending': 'pending' },
        }),
      ),
    );
  }

  /** Gives up `attempt`'s claim (nothing was done: a retry with the key runs afresh). */
  async release(key: { pk: string; sk: string }, attempt: string): Promise<void> {
    await this.conditionally(() =>
      this.doc.send(
        new DeleteCommand({
          TableName: this.table,
          Key: key,
          ConditionExpression: 'attempt = :a AND #state = :pending',
          ExpressionAttributeNames: { '#state': 'state' },
          ExpressionAttributeValues: { ':a': attempt, ':pending': 'pending' },
        }),
      ),
    );
  }

  /** Runs a conditional write; false when its condition failed (any other error is thrown). */
  private async conditionally(write: () => Promise<unknown>): Promise<boolean> {
    try {
      await write();
      return true;
    } catch (err) {
      if (isConditionFailure(err)) return false;
      throw err;
    }
  }
}
