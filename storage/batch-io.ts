// Batched DynamoDB reads and writes: BatchGetItem (100 keys) and BatchWriteItem (25 requests) with
// bounded concurrency, and UnprocessedKeys / UnprocessedItems retried with capped exponential backoff.
import {
  type AttributeValue,
  BatchWriteItemCommand,
  type BatchWriteItemCommandOutput,
  type WriteRequest as RawWriteRequest,
} from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  type BatchGetCommandOutput,
  BatchWriteCommand,
  type BatchWriteCommandOutput,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';

export type Key = Record<string, string>;
type Item = Record<string, unknown>;
export type WriteRequest = { PutRequest: { Item: Item } } | { DeleteRequest: { Key: Key } };

export interface BatchIoOptions {
  concurrency?: number;
  /** Attempts for leftovers (unprocessed keys/items) before giving up. */
  maxAttempts?: number;
  baseDelayMs?: number;
}

const DEFAULTS = { concurrency: 16, maxAttempts: 12, baseDelayMs: 25 };

export class BatchIoError extends Error {}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function backoff(attempt: number, base: number): number {
  const cap = Math.min(2_000, base * 2 ** attempt);
  return cap / 2 + Math.random() * (cap / 2);
}

/**
 * Like Promise.all, but throws the first error only once every promise has settled. A failed call
 * then has nothing of it still under way when its caller moves on: no write of a failed processor
 * attempt can land after the retry has started (where it could overwrite a newer item).
 */
export async function settleAll<T>(promises: Promise<T>[]): Promise<T[]> {
  const results = await Promise.allSettled(promises);
  for (const r of results) if (r.status === 'rejected') throw r.reason;
  return results.map((r) => (r as PromiseFulfilledResult<T>).value);
}

/** Runs the tasks `concurrency` at a time; after a failure starts no new task (nor retry), lets the others finish, then throws. */
async function pool<T>(
  tasks: T[],
  concurrency: number,
  run: (t: T, stopped: () => boolean) => Promise<void>,
): Promise<void> {
  let next = 0;
  let failed = false;
  const stopped = () => failed;
  const workers = Array.from({ length: Math.min(concurrency, tasks.length) }, async () => {
    while (!failed && next < tasks.length) {
      const t = tasks[next++];
      try {
        await run(t, stopped);
      } catch (err) {
        failed = true;
        throw err;
      }
    }
  });
  await settleAll(workers);
}

const STOPPED = 'given up: another request of the same call failed';

function chunk<T>(xs: T[], n: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < xs.length; i += n) out.push(xs.slice(i, i + n));
  return out;
}

/** Reads every key (duplicates allowed); returns the items found. Strongly consistent. */
export async function batchGet(
  doc: DynamoDBDocumentClient,
  table: string,
  keys: Key[],
  o: BatchIoOptions & { projection?: string; names?: Record<string, string> } = {},
): Promise<Item[]> {
  const { concurrency, maxAttempts, baseDelayMs } = { ...DEFAULTS, ...o };
  const seen = new Set<string>();
  const unique: Key[] = [];
  for (const k of keys) {
    const id = JSON.stringify(k);
    if (!seen.has(id)) {
      seen.add(id);
      unique.push(k);
    }
  }
  const found: Item[] = [];
  await pool(chunk(unique, 100), concurrency, async (group, stopped) => {
    let pending: Key[] = group;
    for (let attempt = 0; pending.length > 0; attempt++) {
      if (attempt >= maxAttempts) throw new BatchIoError(`BatchGetItem on ${table}: keys still unprocessed`);
      if (attempt > 0) {
        await sleep(backoff(attempt, baseDelayMs));
        if (stopped()) throw new BatchIoError(`BatchGetItem on ${table}: ${STOPPED}`);
      }
      const res: BatchGetCommandOutput = await doc.send(
        new BatchGetCommand({
          RequestItems: {
            [table]: {
              Keys: pending,
              ConsistentRead: true,
              ProjectionExpression: o.projection,
              ExpressionAttributeNames: o.names,
            },
          },
        }),
      );
      for (const it of res.Responses?.[table] ?? []) found.push(it);
      pending = (res.UnprocessedKeys?.[table]?.Keys as Key[] | undefined) ?? [];
    }
  });
  return found;
}

type AttributeMap = Record<string, AttributeValue>;

/**
 * A flat item (strings, numbers, binary, booleans, null) as DynamoDB attribute values, by hand; null
 * when a value needs lib-dynamodb's general marshalling (lists, maps, numbers it would refuse). The
 * processor's items are all flat, and the general marshalling cost it as much CPU as serializing the
 * request. Undefined values are left out, as with removeUndefinedValues.
 */
function flatAttributes(item: Item): AttributeMap | null {
  const out: AttributeMap = {};
  for (const k of Object.keys(item)) {
    const v = item[k];
    switch (typeof v) {
      case 'string':
        out[k] = { S: v };
        break;
      case 'number':
        if (!Number.isFinite(v) || (Number.isInteger(v) && !Number.isSafeInteger(v))) return null;
        out[k] = { N: String(v) };
        break;
      case 'boolean':
        out[k] = { BOOL: v };
        break;
      case 'undefined':
        break;
      case 'object':
        if (v === null) out[k] = { NULL: true };
        else if (v instanceof Uint8Array) out[k] = { B: v };
        else return null;
        break;
      default:
        return null;
    }
  }
  return out;
}

function rawRequests(group: WriteRequest[]): RawWriteRequest[] | null {
  const out: RawWriteRequest[] = [];
  for (const r of group) {
    const item = 'PutRequest' in r ? flatAttributes(r.PutRequest.Item) : flatAttributes(r.DeleteRequest.Key);
    if (item === null) return null;
    out.push('PutRequest' in r ? { PutRequest: { Item: item } } : { DeleteRequest: { Key: item } });
  }
  return out;
}

/** Writes every request; each key must appear at most once. Order between requests is not kept. */
export async function batchWrite(
  doc: DynamoDBDocumentClient,
  table: string,
  requests: WriteRequest[],
  o: BatchIoOptions = {},
): Promise<void> {
  const { concurrency, maxAttempts, baseDelayMs } = { ...DEFAULTS, ...o };
  await pool(chunk(requests, 25), concurrency, async (group, stopped) => {
    // Flat items go as attribute values made here (leftovers come back in that form too); anything
    // else through the document client's marshalling.
    const raw = rawRequests(group);
    let pending: RawWriteRequest[] | WriteRequest[] = raw ?? group;
    for (let attempt = 0; pending.length > 0; attempt++) {
      if (attempt >= maxAttempts)
        throw new BatchIoError(`BatchWriteItem on ${table}: items still unprocessed`);
      if (attempt > 0) {
        await sleep(backoff(attempt, baseDelayMs));
        if (stopped()) throw new BatchIoError(`BatchWriteItem on ${table}: ${STOPPED}`);
      }
      if (raw !== null) {
        const res: BatchWriteItemCommandOutput = await doc.send(
          new BatchWriteItemCommand({ RequestItems: { [table]: pending as RawWriteRequest[] } }),
        );
        pending = res.UnprocessedItems?.[table] ?? [];
      } else {
        const res: BatchWriteCommandOutput = await doc.send(
          new BatchWriteCommand({ RequestItems: { [table]: pending as WriteRequest[] } }),
        );
        pending = (res.UnprocessedItems?.[table] as WriteRequest[] | undefined) ?? [];
      }
    }
  });
}

/**
 * Splits a string into slices of at most `size` UTF-16 units (for payloads larger than one item),
 * never between the two halves of a surrogate pair. With `size` = 100,000 a slice is at most
 * 300 KB of UTF-8, inside DynamoDB's 400 KB item limit.
 */
export function slices(s: string, size = SLICE_CHARS): string[] {
  if (s.length <= size) return [s];
  const out: string[] = [];
  let i = 0;
  while (i < s.length) {
    let end = Math.min(s.length, i + size);
    const c = s.charCodeAt(end - 1);
    if (end < s.length && c >= 0xd800 && c <= 0xdbff) end--;
    out.push(s.slice(i, end));
    i = end;
  }
  return out;
}

export const SLICE_CHARS = 100_000;
