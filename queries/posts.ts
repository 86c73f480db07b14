// The posts family's API contract (SPEC section 12): the body of POST /posts, the answers of its read
// routes and how they are shaped from the stored posts and the figure rows. Pure: the handlers load the
// items and rollup sums, these shape them.
import { z } from 'zod';
import { MAX_CONTENT_LENGTH, MAX_NAME_LENGTH, MAX_POST_ID_LENGTH, POST_FIELDS } from '../domain/posts/events';
import { W } from '../domain/posts/family';
import type { PostState } from '../domain/posts/fold';
import { toIso } from '../domain/time';
import type { UserPostEntry } from '../storage/posts/items';
import { AppError, BadRequestError } from './errors';
import type { SeriesRange } from './series';

/** The average word length: total length over words, unrounded; null for no words. */
export function averageWordLength(length: number, words: number): number | null {
  return words === 0 ? null : length / words;
}

// ---- POST /posts ---------------------------------------------------------------------------------------

/** The body: each field is the processor's own schema of the event field it becomes. */
export const PostBodySchema = z.strictObject({
  user: POST_FIELDS.user.describe(`the writer's name, 1–${MAX_NAME_LENGTH} characters`),
  content: POST_FIELDS.content.describe(
    `the text, at most ${MAX_CONTENT_LENGTH.toLocaleString('en-US')} characters`,
  ),
  postId: POST_FIELDS.post_id
    .optional()
    .describe(`1–${MAX_POST_ID_LENGTH} characters; a random UUID when absent`),
});

/** The `post` event of a validated body. It carries no created_at: its record's arrival time places it. */
export function postEvent(postId: string, user: string, content: string): Record<string, unknown> {
  return { type: 'post', post_id: postId, user, content };
}

/** POST /posts with the id of a post that has another user or content (the event is `duplicate_post`). */
export class DuplicatePostError extends AppError {
  readonly status = 409;
  readonly code = 'duplicate_post';
}

/** A post id from the path: a 400 naming `id` when it cannot be one. */
export function postIdOfPath(id: string): string {
  const parsed = POST_FIELDS.post_id.safeParse(id);
  if (!parsed.success) throw new BadRequestError(`path parameter 'id': ${parsed.error.issues[0].message}`);
  return parsed.data;
}

// ---- answers -------------------------------------------------------------------------------------------

const iso = z.string().describe('ISO 8601 instant (UTC)');
const int = z.number().int();
const avg = z.number().nullable().describe('total word length / word count, unrounded; null with no words');
const interval = z.enum(['5s', '1m', '5m', '1h', '1d']);

export const PostSchema = z.strictObject({
  postId: z.string(),
  user: z.string(),
  createdAt: iso,
  content: z.string(),
  wordCount: int,
  averageWordLength: avg,
});

export const PostAcceptedSchema = z.strictObject({
  postId: z.string(),
  sequenceNumber: z
    .string()
    .describe(
      "the Kinesis sequence number of the post's record; compare with /meta/pipeline lastSequenceNumber",
    ),
});

export const UserPostsSchema = z.strictObject({
  total: int.describe("the user's posts, all time"),
  items: z.array(
    z.strictObject({ postId: z.string(), createdAt: iso, wordCount: int, averageWordLength: avg }),
  ),
  nextCursor: z.string().nullable(),
});

export const PostsStatsSchema = z.strictObject({
  from: iso,
  to: iso,
  interval,
  user: z.string().nullable().describe('the writer asked about; null: every writer'),
  posts: int,
  words: int,
  averageWordLength: avg,
  series: z.array(z.strictObject({ start: iso, posts: int, words: int, averageWordLength: avg })),
});

export const WRITER_METRICS = ['posts', 'words'] as const;
export type WriterMetric = (typeof WRITER_METRICS)[number];

export const WritersSchema = z.strictObject({
  metric: z.enum(WRITER_METRICS),
  from: iso.nullable().describe('null when the request had no from (the beginning of time)'),
  to: iso,
  items: z.array(z.strictObject({ rank: int, name: z.string(), value: int })),
});

export function postView(p: PostState): z.output<typeof PostSchema> {
  return {
    postId: p.postId,
    user: p.user,
    createdAt: toIso(p.at),
    content: p.content,
    wordCount: p.wordCount,
    averageWordLength: averageWordLength(p.length, p.wordCount),
  };
}

export function userPostsItem(e: UserPostEntry): z.output<typeof UserPostsSchema>['items'][number] {
  return {
    postId: e.id,
    createdAt: toIso(e.at),
    wordCount: e.w,
    averageWordLength: averageWordLength(e.l, e.w),
  };
}

/** GET /posts/stats from the figure rows (posts, words, length) per step. */
export function statsView(
  user: string | null,
  r: SeriesRange,
  rows: readonly (readonly number[])[],
): z.output<typeof PostsStatsSchema> {
  let posts = 0;
  let words = 0;
  let length = 0;
  const series = rows.map((row, i) => {
    posts += row[W.posts];
    words += row[W.words];
    length += row[W.length];
    return {
      start: toIso(r.from + i * r.intervalMs),
      posts: row[W.posts],
      words: row[W.words],
      averageWordLength: averageWordLength(row[W.length], row[W.words]),
    };
  });
  return {
    from: toIso(r.from),
    to: toIso(r.to),
    interval: r.interval,
    user,
    posts,
    words,
    averageWordLength: averageWordLength(length, words),
    series,
  };
}

/** The column a writers' metric ranks by. */
export const WRITER_COLUMN: Record<WriterMetric, number> = { posts: W.posts, words: W.words };
