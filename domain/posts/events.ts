// The posts family's one event, `post` (SPEC sections 10 and 12): its zod contract, and the fast
// validator the processor uses (no zod on the hot path). A unit test (test/unit/posts-events.test.ts)
// keeps the two in agreement on arbitrary and near-miss inputs.
//
// Rules, all from the SPEC unless marked "our choice":
// - The kind is `type`, else `event_name`, else `event` (domain/event-kind.ts); null is absent.
// - `post_id`: a string of 1–64 code points (a number is refused: the SPEC gives posts no integer ids,
//   our choice). `user`: a name, 1–128 code points. `content`: a string of at most 10,000 code points;
//   the empty string is a post with no word (our choice: the SPEC gives no lower bound).
// - `created_at` is optional: absent (or null), the post is placed at its record's arrival time.
// - Every text must be well-formed UTF-16 (no lone surrogate), as in the marketplace (our choice).
// - Extra fields are ignored, as zod does.
import { z } from 'zod';
import { createdAtOrArrival, parseCreatedAt } from '../time';

export const POST_TYPE = 'post';
export const MAX_POST_ID_LENGTH = 64;
export const MAX_NAME_LENGTH = 128;
export const MAX_CONTENT_LENGTH = 10_000;

/** A `post` event, normalized. */
export interface PostEvent {
  type: 'post';
  /** created_at as epoch ms, or the record's arrival time when the event has none */
  at: number;
  postId: string;
  user: string;
  content: string;
}

// ---- the zod contract ------------------------------------------------------------------------------

const WELL_FORMED_RE = /^(?:[^\ud800-\udfff]|[\ud800-\udbff][\udc00-\udfff])*$/;
const text = (min: number, max: number) =>
  z
    .string()
    .min(min)
    .max(max)
    .refine((s) => WELL_FORMED_RE.test(s), { message: 'must not hold a lone surrogate' });
const opt = <T extends z.ZodType>(s: T) => s.nullable().optional();
const absent = z.null().optional();
const CreatedAtSchema = z.string().refine((s) => parseCreatedAt(s) !== null, {
  message: 'created_at must be YYYYMMDDTHHMMSS[mmm]Z or ISO 8601 with a time zone',
});

/** The fields of a post, under the event's names (the POST /posts body reuses them). */
export const POST_FIELDS = {
  post_id: text(1, MAX_POST_ID_LENGTH),
  user: text(1, MAX_NAME_LENGTH),
  content: text(0, MAX_CONTENT_LENGTH),
  created_at: opt(CreatedAtSchema),
};

export const PostEventSchema = z.union([
  z.object({ ...POST_FIELDS, type: z.literal(POST_TYPE) }),
  z.object({ ...POST_FIELDS, type: absent, event_name: z.literal(POST_TYPE) }),
  z.object({ ...POST_FIELDS, type: absent, event_name: absent, event: z.literal(POST_TYPE) }),
]);
export type PostWireEvent = z.input<typeof PostEventSchema>;

/** Validates with the zod contract (slow; for tests, the reference model and request bodies). */
export function parsePostEvent(v: unknown, arrivalMs: number): PostEvent | null {
  const p = PostEventSchema.safeParse(v);
  if (!p.success) return null;
  const e = p.data;
  const at = e.created_at == null ? arrivalMs : (parseCreatedAt(e.created_at) as number);
  return { type: 'post', at, postId: e.post_id, user: e.user, content: e.content };
}

// ---- the fast validator ----------------------------------------------------------------------------

/** Whether `s` is well-formed and holds min..max code points (one pass, stopping past the bound). */
function isText(s: unknown, min: number, max: number): s is string {
  if (typeof s !== 'string') return false;
  const n = s.length;
  if (n < min || n > 2 * max) return false;
  let points = 0;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdfff) {
      if (c >= 0xdc00 || i + 1 === n) return false;
      const d = s.charCodeAt(i + 1);
      if (d < 0xdc00 || d > 0xdfff) return false;
      i++;
    }
    if (++points > max) return false;
  }
  return points >= min;
}

/**
 * Validates one parsed JSON value as a `post` event without zod. Accepts exactly what PostEventSchema
 * accepts and gives what parsePostEvent gives; null when it is not a well-formed post.
 */
export function readPostEvent(v: unknown, arrivalMs: number): PostEvent | null {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return null;
  const o = v as Record<string, unknown>;
  let kind = o.type;
  if (kind === undefined || kind === null) {
    kind = o.event_name;
    if (kind === undefined || kind === null) kind = o.event;
  }
  if (kind !== POST_TYPE) return null;
  const postId = o.post_id;
  const user = o.user;
  const content = o.content;
  if (!isText(postId, 1, MAX_POST_ID_LENGTH) || !isText(user, 1, MAX_NAME_LENGTH)) return null;
  if (!isText(content, 0, MAX_CONTENT_LENGTH)) return null;
  const at = createdAtOrArrival(o.created_at, arrivalMs);
  if (Number.isNaN(at)) return null;
  return { type: 'post', at, postId, user, content };
}

/** A post in its wire shape (`type` spelling; created_at given as `createdAt` or left out). */
export function toPostWire(e: PostEvent, createdAt?: string): Record<string, unknown> {
  const out: Record<string, unknown> = {
    type: POST_TYPE,
    post_id: e.postId,
    user: e.user,
    content: e.content,
  };
  if (createdAt !== undefined) out.created_at = createdAt;
  return out;
}
