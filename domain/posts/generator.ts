// The posts family's part of the seeded generator (domain/family-generator.ts mixes it with the social
// batches). Per batch, after the social events and with the same created_at, round(ratio × social
// events of the batch) posts (default ratio 0.02):
//   - by the registered users (user00001…), the busiest writers more often (a skewed draw);
//   - of varied length (mostly a sentence or two, now and then a long one or an empty one) and
//     language: English with apostrophes and dashes, French and German with accents (in NFC, and now
//     and then in NFD), Japanese and Chinese with no spaces between words, Russian, emoji,
//     punctuation-only tokens, and assorted White_Space (no-break, ideographic, line breaks);
//   - ids `p-<seed>-<n>`, unique in the stream; 2% of posts repeat one of the batch's posts verbatim (a
//     noop, as a producer's resend would be). None is rejected: a generated stream is clean (the tests'
//     dirt, test/support/fault-streams.ts, reuses ids with other content);
//   - in the wild's spellings: 10% of posts name their kind with `event_name` or `event`, 15% carry no
//     created_at (placed at their record's arrival time).
// Everything flows from one mulberry32 PRNG of its own, so adding posts never changes the other
// families' events of a stream.
import type { BatchContext, FamilyGenerator } from '../family-generator';
import { Mulberry32 } from '../generator';

export interface PostsGeneratorOptions {
  /** Posts per social event of the same batch. Default 0.02. */
  ratio?: number;
}

export const DEFAULT_POSTS_RATIO = 0.02;

export interface PostsGeneratorSnapshot {
  version: 1;
  rngState: number;
  ratio: number;
  seed: number;
  /** posts written so far */
  written: number;
}

/** Phrases per language; a post strings some of them together. */
const PHRASES: readonly (readonly string[])[] = [
  [
    "Hello, world! It's a fine day.",
    'Just shipped the new release — feedback welcome.',
    "Can't believe it's already Friday...",
    'Well-known facts: coffee > tea. Discuss!',
    'Reading list: 3 books, 2 papers & 1 long-form essay.',
    'Who else is going to the meetup on 12/05?',
    "rock'n'roll never dies",
  ],
  [
    'Très bien, merci ! On se voit à Noël ?',
    'Le café était délicieux ce matin.',
    "L'été dernier, à Montréal…",
  ],
  ['Schöne Grüße aus München!', 'Übermorgen fahren wir nach Köln.', 'Größer ist nicht immer besser.'],
  ['今日はいい天気ですね。', '新しいプロジェクトを始めました！', '東京\u3000大阪\u3000京都'],
  ['你好，世界！', '我们明天见。', '这是一个很长的句子，没有空格。'],
  ['Привет, мир!', 'Как дела? Всё хорошо.'],
  ['🎉🎉🎉', 'Great news 🚀 launch day!', '❤️ this 👍🏽', '— !!! 🎉'],
];
const SPACES = [' ', ' ', ' ', ' ', '\n', '\u00a0', '\u3000', '\n\n', ' \t '];

function userName(index: number): string {
  return `user${String(index + 1).padStart(5, '0')}`;
}

export class PostsGenerator implements FamilyGenerator {
  readonly family = 'posts';
  private readonly rng: Mulberry32;
  private readonly ratio: number;
  private readonly seed: number;
  private written = 0;

  constructor(seed: number, o: PostsGeneratorOptions = {}) {
    const ratio = o.ratio ?? DEFAULT_POSTS_RATIO;
    if (!(ratio >= 0 && ratio <= 100)) throw new RangeError('posts ratio must be within 0..100');
    this.rng = new Mulberry32((seed ^ 0x706f7374) >>> 0);
    this.ratio = ratio;
    this.seed = seed >>> 0;
  }

  snapshot(): PostsGeneratorSnapshot {
    return {
      version: 1,
      rngState: this.rng.state,
      ratio: this.ratio,
      seed: this.seed,
      written: this.written,
    };
  }

  static restore(s: PostsGeneratorSnapshot): PostsGenerator {
    if (s?.version !== 1) throw new RangeError('unknown posts generator snapshot version');
    if (!Number.isInteger(s.rngState) || s.rngState < 0 || s.rngState > 0xffffffff) {
      throw new RangeError('posts generator snapshot has a bad rngState');
    }
    const g = new PostsGenerator(s.seed, { ratio: s.ratio });
    g.rng.state = s.rngState;
    g.written = Number.isInteger(s.written) && s.written >= 0 ? s.written : 0;
    return g;
  }

  private rand(): number {
    return this.rng.next();
  }

  private int(n: number): number {
    return Math.floor(this.rand() * n);
  }

  private pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)];
  }

  /** A post's text: 0 to many phrases of one or two languages, joined by assorted White_Space. */
  private content(): string {
    const r = this.rand();
    const phrases =
      r < 0.02
        ? 0
        : r < 0.6
          ? 1
          : r < 0.9
            ? 2 + this.int(3)
            : r < 0.99
              ? 5 + this.int(15)
              : 60 + this.int(100);
    const lang = this.pick(PHRASES);
    const parts: string[] = [];
    for (let i = 0; i < phrases; i++) {
      parts.push(this.pick(this.rand() < 0.8 ? lang : this.pick(PHRASES)));
      if (i + 1 < phrases) parts.push(this.pick(SPACES));
    }
    const text = parts.join('');
    return this.rand() < 0.1 ? text.normalize('NFD') : text;
  }

  private kinded(fields: Record<string, unknown>, ctx: BatchContext): Record<string, unknown> {
    const r = this.rand();
    const key = r < 0.9 ? 'type' : r < 0.95 ? 'event_name' : 'event';
    const e: Record<string, unknown> = { [key]: 'post', ...fields };
    if (this.rand() < 0.85) e.created_at = ctx.createdAt;
    return e;
  }

  batch(ctx: BatchContext, out: unknown[]): void {
    if (ctx.users < 1) return;
    const count = Math.round(this.ratio * ctx.socialEvents);
    // Repeats are of the batch's own posts: the generator keeps no texts between batches (its snapshot
    // stays small).
    const recent: { id: string; user: string; content: string }[] = [];
    for (let i = 0; i < count; i++) {
      const r = this.rand();
      const old = recent.length > 0 ? this.pick(recent) : null;
      if (old !== null && r < 0.02) {
        out.push(this.kinded({ post_id: old.id, user: old.user, content: old.content }, ctx));
        continue;
      }
      // The busiest writers more often: the square of a uniform draw skews to low indexes.
      const u = this.rand();
      const user = userName(Math.floor(u * u * ctx.users));
      const id = `p-${this.seed.toString(36)}-${(++this.written).toString(36)}`;
      const content = this.content();
      out.push(this.kinded({ post_id: id, user, content }, ctx));
      recent.push({ id, user, content });
    }
  }
}
