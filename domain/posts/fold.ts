// The posts fold: decides every `post` event's outcome in stream order over the posts a chunk loaded,
// and reports what it changed: the new posts (each written once, with its analysis and stream
// position) and the figure rows per 5-second bucket of the post's time.
//
// Outcomes: a post whose id is new is applied; a post whose id is known (stored, or applied earlier in
// the chunk) is a noop when its user and content are the same (its created_at is not compared: a
// resend may carry another), else rejected `duplicate_post`. Nothing of the other families is
// consulted: the user need not be registered.
import { type FigureDeltas, IdFigureAccumulator, KeyIds } from '../figures';
import { position } from '../position';
import { bucketOf } from '../time';
import { analyse } from './analysis';
import { type PostEvent, readPostEvent } from './events';
import { ALL_POSTS_KEY, POSTS_ALL_FIGURES, POSTS_USER_FIGURES, W } from './family';

/** A post as stored and answered. */
export interface PostState {
  postId: string;
  user: string;
  content: string;
  /** the post's time (epoch ms) */
  at: number;
  wordCount: number;
  /** total length of its words */
  length: number;
  /** its stream position (domain/position.ts): later in the stream sorts after */
  pos: string;
}

/** What decides a repeat of a known post id. */
export interface KnownPost {
  user: string;
  content: string;
}

const WIDTH = POSTS_ALL_FIGURES.columns.length;

export class PostsFold {
  /** time of the last well-formed event read */
  eventAt = 0;
  /** the posts applied, in stream order */
  readonly created: PostState[] = [];
  private readonly all = new IdFigureAccumulator(WIDTH);
  private readonly byUser = new IdFigureAccumulator(WIDTH);
  private readonly users = new KeyIds();

  /** `known` holds, as committed, every stored post the chunk names (absent: none); updated in place. */
  constructor(readonly known: Map<string, KnownPost> = new Map()) {}

  /** Validates one parsed value (of the `post` kind) at stream position (seq, index), and applies it. */
  apply(
    value: unknown,
    arrivalMs: number,
    seq: string,
    index: number,
  ): 'applied' | 'noop' | 'malformed' | 'duplicate_post' {
    const e = readPostEvent(value, arrivalMs);
    if (e === null) return 'malformed';
    this.eventAt = e.at;
    return this.applyEvent(e, position(seq, index));
  }

  /** Applies a normalized event at stream position `pos`. */
  applyEvent(e: PostEvent, pos: string): 'applied' | 'noop' | 'duplicate_post' {
    const old = this.known.get(e.postId);
    if (old !== undefined)
      return old.user === e.user && old.content === e.content ? 'noop' : 'duplicate_post';
    this.known.set(e.postId, { user: e.user, content: e.content });
    const { wordCount, length } = analyse(e.content);
    this.created.push({
      postId: e.postId,
      user: e.user,
      content: e.content,
      at: e.at,
      wordCount,
      length,
      pos,
    });
    const b = bucketOf(e.at);
    const a = this.all.at(b, 0);
    const av = this.all.values;
    av[a + W.posts] += 1;
    av[a + W.words] += wordCount;
    av[a + W.length] += length;
    const u = this.byUser.at(b, this.users.id(e.user));
    const uv = this.byUser.values;
    uv[u + W.posts] += 1;
    uv[u + W.words] += wordCount;
    uv[u + W.length] += length;
    return 'applied';
  }

  /** The figure rows of everything applied, by set. */
  figures(): FigureDeltas {
    const out: FigureDeltas = {};
    if (this.all.size > 0) out[POSTS_ALL_FIGURES.id] = this.all.flat(() => ALL_POSTS_KEY);
    const users = this.users.keys;
    if (this.byUser.size > 0) out[POSTS_USER_FIGURES.id] = this.byUser.flat((id) => users[id]);
    return out;
  }
}
