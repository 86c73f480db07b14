// fast-check arbitraries for the posts family: texts of every script and edge character the analysis
// cares about, valid `post` events in the three spellings of the kind, and near misses around every
// limit of the contract (domain/posts/events.ts).
import fc from 'fast-check';

/** Characters the analysis treats specially, and JavaScript's `\s` treats otherwise. */
export const EDGE_CHARS = [
  ' ',
  '\t',
  '\n',
  '\u000b',
  '\u0085',
  '\u00a0',
  '\u1680',
  '\u2003',
  '\u200a',
  '\u200b',
  '\u2028',
  '\u2029',
  '\u202f',
  '\u205f',
  '\u3000',
  '\ufeff',
  '\u180e',
  '\u0301',
  "'",
  '\u2019',
  '-',
  '\u2014',
  '!',
  '.',
  ',',
  '\u00bd',
  '\u0663',
  '\u{1f389}',
  '\u2764\ufe0f',
  '\u{20000}',
];

const WORDS = [
  'Hello',
  'world',
  "It's",
  'café',
  'cafe\u0301',
  'naïve',
  'über',
  'co-op',
  'well\u2014known',
  '你好',
  '世界',
  'テキスト',
  'Привет',
  'مرحبا',
  'שלום',
  '2026',
  '\u{1f389}',
  '\u{1f44d}\u{1f3fd}',
  '!!!',
  '\u2014',
  '...',
];

/** Post contents: words of many scripts, emoji and punctuation joined by assorted White_Space. */
export const contentArb: fc.Arbitrary<string> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc
      .array(
        fc.tuple(fc.constantFrom(...WORDS), fc.constantFrom(' ', ' ', ' ', '\n', '\u3000', '\u00a0', ', ')),
        {
          maxLength: 30,
        },
      )
      .map((ws) => ws.map(([w, s]) => w + s).join('')),
  },
  {
    weight: 2,
    arbitrary: fc
      .array(fc.constantFrom(...EDGE_CHARS, 'a', 'é', '字'), { maxLength: 40 })
      .map((a) => a.join('')),
  },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 60 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 60 }) },
);

const nameArb = fc.oneof(
  fc.integer({ min: 1, max: 12 }).map((i) => `user${String(i).padStart(5, '0')}`),
  fc.string({ unit: 'grapheme', minLength: 1, maxLength: 8 }),
);
const postIdArb = fc.oneof(
  fc.integer({ min: 1, max: 40 }).map((i) => `p-${i}`),
  fc.string({ unit: 'grapheme', minLength: 1, maxLength: 10 }),
);
const createdAtArb = fc.option(
  fc
    .integer({ min: Date.UTC(2025, 6, 18, 20, 0, 0), max: Date.UTC(2025, 6, 18, 21, 0, 0) })
    .map((ms) => new Date(ms).toISOString()),
  { nil: undefined },
);

/** A valid post, in one of the three spellings of its kind. */
export const validPostArb: fc.Arbitrary<Record<string, unknown>> = fc
  .record({
    spelling: fc.constantFrom('type', 'event_name', 'event'),
    post_id: postIdArb,
    user: nameArb,
    content: contentArb,
    created_at: createdAtArb,
  })
  .map(({ spelling, created_at, ...rest }) => ({
    [spelling]: 'post',
    ...rest,
    ...(created_at === undefined ? {} : { created_at }),
  }));

const badValueArb = fc.oneof(
  fc.constant(null),
  fc.constant(undefined),
  fc.constant(''),
  fc.constant(7),
  fc.constant('x'.repeat(65)),
  fc.constant('x'.repeat(129)),
  fc.constant('\ud800'),
  fc.constant('é'.repeat(10_001)),
  fc.constant('😀'.repeat(10_000)),
  fc.constant('😀'.repeat(64)),
  fc.constant('😀'.repeat(65)),
  fc.constant('20250718T205354Z'),
  fc.constant('2025-07-18 20:53'),
  fc.constant(['post']),
  fc.constant({}),
);

/** Valid posts with one field replaced by a value around its limits, or the kind spelt two ways. */
export const nearMissPostArb: fc.Arbitrary<unknown> = fc.oneof(
  fc
    .tuple(
      validPostArb,
      fc.constantFrom('post_id', 'user', 'content', 'created_at', 'type', 'event_name', 'event'),
      badValueArb,
    )
    .map(([e, k, v]) => ({ ...e, [k]: v })),
  validPostArb.map((e) => ({ ...e, type: 'productSold' })),
  validPostArb.map((e) => ({ ...e, event_name: 'post', type: null })),
);
