// Idempotency-Key for the ingest routes (SPEC 13): `POST /events` today, `POST /posts` with the same
// call. A retry with the same key within 24 hours gets the first answer (same status, same body) and
// sends nothing again; the same key with another body is a 422.
//
// How (storage/idempotency-store.ts holds the items):
// 1. A conditional put claims the key (a `pending` item with the body's SHA-256 and a lease).
// 2. The claimant does the work; its answer replaces the claim (`done`). If the work throws, nothing
//    is stored and the claim is released: a retry with the key runs afresh. So a route keeps an answer
//    by returning it (a 429 after part of a body was sent, say), and has it forgotten by throwing
//    (nothing was sent).
// 3. A request that finds the key taken: another body is a 422; a stored answer is returned as it is;
//    a claim still held is waited on for up to IDEMPOTENCY_WAIT_MS (a client that timed out and
//    retried at once usually finds the first request finishing), then a 409 says to retry later.
// 4. A claim whose request died (a crash, a timeout) holds until its lease runs out; the next retry
//    with the same body then takes the key over and does the work again.
import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { BadRequestError, ConflictError, UnprocessableEntityError } from '../../queries/errors';
import { IdempotencyStore, sha256 } from '../../storage/idempotency-store';
import { JsonText, logger, Reply } from './http';

export const IDEMPOTENCY_HEADER = 'Idempotency-Key';
/** A key and its answer are kept this long after the first request. */
export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;
/** How long a claim holds if its request dies: above the API functions' 29 s timeout. */
export const IDEMPOTENCY_LEASE_MS = 60_000;
/** How long a request waits for a claim held by another request before its 409. */
export const IDEMPOTENCY_WAIT_MS = 2_000;
export const IDEMPOTENCY_KEY_MAX = 255;

const KEY = /^[\x21-\x7e]+$/;

/**
 * The request's Idempotency-Key, or null without one. A key is 1–255 visible ASCII characters (no
 * spaces): a UUID, say. Given twice, or not of that form, it is a 400 naming the header.
 */
export function idempotencyKeyOf(event: APIGatewayProxyEvent): string | null {
  const name = IDEMPOTENCY_HEADER.toLowerCase();
  const values: string[] = [];
  for (const [k, v] of Object.entries(event.multiValueHeaders ?? {})) {
    if (k.toLowerCase() === name && v) values.push(...v);
  }
  if (values.length === 0) {
    for (const [k, v] of Object.entries(event.headers ?? {})) {
      if (k.toLowerCase() === name && v !== undefined && v !== null) values.push(v);
    }
  }
  if (values.length === 0) return null;
  if (values.length > 1) throw new BadRequestError(`header '${IDEMPOTENCY_HEADER}' is given more than once`);
  const key = values[0];
  if (key.length === 0 || key.length > IDEMPOTENCY_KEY_MAX || !KEY.test(key)) {
    throw new BadRequestError(
      `header '${IDEMPOTENCY_HEADER}': must be 1–${IDEMPOTENCY_KEY_MAX} visible ASCII characters (no spaces), e.g. a UUID`,
    );
  }
  return key;
}

export interface IdempotencyOptions {
  store: IdempotencyStore;
  /** The route's id: the same key on two routes is two keys. */
  route: string;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  leaseMs?: number;
  waitMs?: number;
}

const defaultSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Runs `work` once per key and body: the first request with `key` does it and its answer is kept;
 * later ones get that answer. Without a key, simply runs `work`.
 */
export async function idempotent(
  o: IdempotencyOptions,
  key: string | null,
  body: string,
  work: () => Promise<Reply>,
): Promise<Reply> {
  if (key === null) return work();
  const now = o.now ?? Date.now;
  const sleep = o.sleep ?? defaultSleep;
  const item = IdempotencyStore.keyOf(o.route, key);
  const bodyHash = sha256(body);
  const attempt = randomUUID();
  const deadline = now() + (o.waitMs ?? IDEMPOTENCY_WAIT_MS);
  const busy = () =>
    new ConflictError(
      `header '${IDEMPOTENCY_HEADER}': a request with this key is still in progress; retry later for its answer`,
    );
  let pause = 50;
  let claimedAt: number;
  // Claims again at once when the key came free meanwhile (released, expired, or a dead claim's lease
  // ran out), a few times at most: each such round means another request is racing for the key.
  for (let races = 0; ; ) {
    claimedAt = now();
    const claim = { bodyHash, attempt, nowMs: claimedAt, leaseMs: o.leaseMs ?? IDEMPOTENCY_LEASE_MS };
    if (await o.store.claim(item, { ...claim, ttlMs: IDEMPOTENCY_TTL_MS })) break;
    const found = await o.store.read(item, now());
    if (found !== null && found.bodyHash !== bodyHash) {
      throw new UnprocessableEntityError(
        `header '${IDEMPOTENCY_HEADER}': this key was used with a different body in the last 24 hours; use a new key for a new request`,
      );
    }
    if (found?.state === 'done') return new Reply(found.answer.status, new JsonText(found.answer.body));
    if (found === null || found.leaseUntil <= now()) {
      if (++races > 3) throw busy();
      continue;
    }
    if (now() >= deadline) throw busy();
    await sleep(Math.min(pause, Math.max(1, deadline - now())));
    pause = Math.min(pause * 2, 400);
  }

  let reply: Reply;
  try {
    reply = await work();
  } catch (err) {
    // Nothing to keep: a retry with this key does the work afresh.
    await o.store.release(item, attempt).catch((e: unknown) => {
      logger.warn('could not release an idempotency claim; it holds until its lease runs out', {
        error: e as Error,
      });
    });
    throw err;
  }
  const text = reply.body instanceof JsonText ? reply.body.text : JSON.stringify(reply.body);
  try {
    const kept = await o.store.complete(item, {
      bodyHash,
      attempt,
      answer: { status: reply.status, body: text },
      createdAtMs: claimedAt,
      ttlMs: IDEMPOTENCY_TTL_MS,
    });
    if (!kept) logger.warn('an idempotency claim was taken over before its answer was stored');
  } catch (err) {
    // The work is done; the caller gets its answer. A retry finds the claim until its lease runs out.
    logger.error('could not store an idempotent answer', { error: err as Error });
  }
  return reply;
}
