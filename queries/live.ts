// Live updates (SPEC 13), the parts every side shares: the topics a client may subscribe to, the
// subscribe request and its answer, and the messages pushed after each committed batch. Pure: the
// processor builds a batch's digest (storage/live-store.ts), the fan-out (lambdas/live/fan-out.ts)
// pushes it, locally over `ws` (local/live-gateway.ts) and on AWS through API Gateway's WebSocket API.
import { z } from 'zod';
import type { LiveDigest } from '../storage/live-store';
import { type ErrorBody, errorBody } from './errors';

export type { LiveDigest };

export const PIPELINE_TOPIC = 'pipeline';
export const POSTS_TOPIC = 'posts';
const USER_PREFIX = 'user:';
const PRODUCT_PREFIX = 'product:';

/** Most topics one connection may hold: a page subscribes to a handful. */
export const MAX_TOPICS = 100;
/** Longest topic accepted (a user name or product id is far shorter). */
const MAX_TOPIC_LENGTH = 200;
/** Most new posts a `posts` message lists (the newest); `total` counts them all. */
export const MAX_LIVE_POSTS = 500;

export function userTopic(name: string): string {
  return `${USER_PREFIX}${name}`;
}

export function productTopic(productId: string): string {
  return `${PRODUCT_PREFIX}${productId}`;
}

/** Whether a client may subscribe to `topic`: `pipeline`, `posts`, `user:{name}`, `product:{id}`. */
export function isTopic(topic: string): boolean {
  if (topic === PIPELINE_TOPIC || topic === POSTS_TOPIC) return true;
  if (topic.length > MAX_TOPIC_LENGTH) return false;
  return (
    (topic.startsWith(USER_PREFIX) && topic.length > USER_PREFIX.length) ||
    (topic.startsWith(PRODUCT_PREFIX) && topic.length > PRODUCT_PREFIX.length)
  );
}

const SubscribeSchema = z.strictObject({
  action: z.literal('subscribe'),
  topics: z.array(z.string()).min(1).max(MAX_TOPICS),
});

/** What a connection holds after a subscribe request, or the error answered to it. */
export type SubscribeOutcome = { ok: true; topics: string[] } | { ok: false; error: ErrorBody };

/**
 * A client's `{"action":"subscribe","topics":[...]}` against the topics it already holds: the union,
 * or a 400-style error naming what is wrong (nothing changes then).
 */
export function subscribe(text: string, current: readonly string[]): SubscribeOutcome {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return { ok: false, error: errorBody('bad_request', 'the message is not JSON') };
  }
  const parsed = SubscribeSchema.safeParse(body);
  if (!parsed.success) {
    return {
      ok: false,
      error: errorBody(
        'bad_request',
        `expected {"action":"subscribe","topics":[...]} with 1 to ${MAX_TOPICS} topics`,
      ),
    };
  }
  const bad = parsed.data.topics.find((t) => !isTopic(t));
  if (bad !== undefined) {
    return {
      ok: false,
      error: errorBody(
        'bad_request',
        `unknown topic '${bad.slice(0, 60)}' (expected pipeline, posts, user:{name} or product:{id})`,
      ),
    };
  }
  const topics = [...new Set([...current, ...parsed.data.topics])];
  if (topics.length > MAX_TOPICS) {
    return { ok: false, error: errorBody('bad_request', `at most ${MAX_TOPICS} topics per connection`) };
  }
  return { ok: true, topics };
}

/** The answer to a subscribe request (sent on the same connection). */
export function subscribeAnswer(outcome: SubscribeOutcome): string {
  return JSON.stringify(outcome.ok ? { subscribed: outcome.topics } : outcome.error);
}

/** One message: what `topic` became in the batch ending at `sequenceNumber`. */
export interface LiveMessage {
  topic: string;
  sequenceNumber: string;
  data: unknown;
}

/** The messages of a digest, by topic (serialized once, sent to every subscriber as they are). */
export function liveMessages(d: LiveDigest): Map<string, string> {
  const out = new Map<string, string>();
  for (const [topic, data] of d.topics) {
    const m: LiveMessage = { topic, sequenceNumber: d.sequenceNumber, data };
    out.set(topic, JSON.stringify(m));
  }
  return out;
}
