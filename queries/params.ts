// Query-string schemas of every read route: the handlers validate with them and the OpenAPI
// document (queries/openapi.ts) describes them, so the two cannot disagree. Every value arrives as a
// string; the schemas turn them into numbers/instants with messages that say what is accepted (the
// HTTP edge prefixes them with the parameter's name).
import { z } from 'zod';
import { TOKEN_RE } from '../domain/marketplace/events';
import { parseInstant } from '../domain/time';
import { decodeNameCursor, decodePositionCursor } from './cursor';
import { PRODUCT_METRICS, type ProductMetric, WINDOW_NAMES, type Window } from './marketplace';
import { WRITER_METRICS, type WriterMetric } from './posts';
import { INTERVAL_NAMES, type Interval } from './series';

function intIn(min: number, max: number, dflt: number) {
  const message = `must be an integer from ${min} to ${max}`;
  return z
    .string()
    .transform((s, ctx) => {
      const n = /^\d{1,9}$/.test(s) ? Number(s) : Number.NaN;
      if (!(n >= min && n <= max)) {
        ctx.addIssue({ code: 'custom', message });
        return z.NEVER;
      }
      return n;
    })
    .optional()
    .describe(`${message} (default ${dflt})`)
    .transform((n) => n ?? dflt);
}

const instant = (what: string) =>
  z
    .string()
    .transform((s, ctx) => {
      const ms = parseInstant(s);
      if (ms === null) {
        ctx.addIssue({
          code: 'custom',
          message:
            'must be an ISO 8601 instant with a time zone, epoch milliseconds, or YYYYMMDDTHHMMSS[mmm]Z',
        });
        return z.NEVER;
      }
      return ms;
    })
    .optional()
    .describe(`${what}: ISO 8601 with a zone, epoch milliseconds, or compact YYYYMMDDTHHMMSS[mmm]Z`);

const nameCursor = z
  .string()
  .transform((s, ctx) => {
    const name = decodeNameCursor(s);
    if (name === null) {
      ctx.addIssue({ code: 'custom', message: 'is not a cursor this API issued' });
      return z.NEVER;
    }
    return name;
  })
  .optional()
  .describe('opaque: the nextCursor of the previous page');

const positionCursor = z
  .string()
  .transform((s, ctx) => {
    const c = decodePositionCursor(s);
    if (c === null) {
      ctx.addIssue({ code: 'custom', message: 'is not a cursor this API issued' });
      return z.NEVER;
    }
    return c;
  })
  .optional()
  .describe('opaque: the nextCursor of the previous page');

const interval = z
  .enum(INTERVAL_NAMES as [Interval, ...Interval[]], {
    error: () => `must be one of ${INTERVAL_NAMES.join(', ')}`,
  })
  .optional()
  .describe(
    'series step; default: the finest that gives at most 1,000 points (1d over the last 1,000 days of the range when even 1d gives more)',
  );

const window = z
  .enum(WINDOW_NAMES as [Window, ...Window[]], { error: () => `must be one of ${WINDOW_NAMES.join(', ')}` })
  .optional()
  .describe(
    "the last stretch of time: to = the end of the 5-second bucket holding now, from = to − window; not with 'from' or 'to'",
  );

/** A cursor over a writer's posts: the index key of the page's last post (storage/posts/items.ts). */
const postsCursor = z
  .string()
  .transform((s, ctx) => {
    const sk = decodeNameCursor(s);
    if (sk === null || !/^\d{15}#\d{64}\.\d{8}$/.test(sk)) {
      ctx.addIssue({ code: 'custom', message: 'is not a cursor this API issued' });
      return z.NEVER;
    }
    return sk;
  })
  .optional()
  .describe('opaque: the nextCursor of the previous page');

const from = instant('range start (inclusive), floored to its 5-second bucket; default: the beginning');
const to = instant('range end (exclusive), ceiled to its 5-second bucket; default: now');

export const QUERY = {
  none: z.strictObject({}),
  friends: z.strictObject({ limit: intIn(1, 1000, 50), cursor: nameCursor }),
  topFriends: z.strictObject({ limit: intIn(1, 100, 3) }),
  series: z.strictObject({
    from: instant(
      "series start, floored to its 5-second bucket; default: the beginning of time (the step holding the user's registration or earliest-dated event)",
    ),
    to: instant('series end, ceiled to its 5-second bucket; default: the end of the step holding now'),
    interval,
  }),
  leaderboard: z.strictObject({ from, to, limit: intIn(1, 1000, 10) }),
  metaUsers: z.strictObject({
    prefix: z
      .string()
      .min(1, 'must not be empty')
      .max(128, 'must be at most 128 characters')
      .optional()
      .describe('only names starting with it'),
    limit: intIn(1, 1000, 100),
    cursor: nameCursor,
  }),
  rejections: z.strictObject({ limit: intIn(1, 1000, 100), cursor: positionCursor }),
  marketSeries: z.strictObject({
    from: instant(
      "series start, floored to its 5-second bucket; default: the step holding the subject's earliest event",
    ),
    to: instant('series end, ceiled to its 5-second bucket; default: the end of the step holding now'),
    window,
    interval,
  }),
  productLeaderboard: z.strictObject({
    metric: z
      .enum([...PRODUCT_METRICS] as [ProductMetric, ...ProductMetric[]], {
        error: () => `must be one of ${PRODUCT_METRICS.join(', ')}`,
      })
      .optional()
      .describe(
        'revenue (default), units or orders (sales), interactions (optionally of one action), rating (the average, products with at least minRatings ratings)',
      )
      .transform((m) => m ?? 'revenue'),
    action: z
      .string()
      .regex(TOKEN_RE, 'must match [a-z][a-z0-9_]{0,31}')
      .optional()
      .describe('metric=interactions only: interactions of this action'),
    minRatings: z
      .string()
      .transform((s, ctx) => {
        const n = /^\d{1,7}$/.test(s) ? Number(s) : Number.NaN;
        if (!(n >= 1 && n <= 1_000_000)) {
          ctx.addIssue({ code: 'custom', message: 'must be an integer from 1 to 1000000' });
          return z.NEVER;
        }
        return n;
      })
      .optional()
      .describe('metric=rating only: the fewest ratings a product needs to be ranked (default 1)'),
    from,
    to,
    window,
    limit: intIn(1, 1000, 10),
  }),
  products: z.strictObject({
    prefix: z
      .string()
      .min(1, 'must not be empty')
      .max(64, 'must be at most 64 characters')
      .optional()
      .describe('only product ids starting with it'),
    limit: intIn(1, 1000, 100),
    cursor: nameCursor,
  }),
  userPosts: z.strictObject({ limit: intIn(1, 1000, 50), cursor: postsCursor }),
  postsStats: z.strictObject({
    from: instant(
      'series start, floored to its 5-second bucket; default: the step holding the earliest post (of the user, when one is given)',
    ),
    to: instant('series end, ceiled to its 5-second bucket; default: the end of the step holding now'),
    window,
    interval,
    user: z
      .string()
      .min(1, 'must not be empty')
      .max(128, 'must be at most 128 characters')
      .optional()
      .describe("one writer's posts only; default: every writer's"),
  }),
  writers: z.strictObject({
    metric: z
      .enum([...WRITER_METRICS] as [WriterMetric, ...WriterMetric[]], {
        error: () => `must be one of ${WRITER_METRICS.join(', ')}`,
      })
      .optional()
      .describe('posts (default): posts written; words: words written')
      .transform((m) => m ?? 'posts'),
    from,
    to,
    window,
    limit: intIn(1, 1000, 10),
  }),
} as const;
