// GET /users/{name}/posts?limit&cursor: a writer's posts, newest first (ties: later in the stream first),
// from the writer's head (one coalesced GetItem) and, past it, one Query of its index
// (storage/posts/items.ts); `total` is the writer's all-time post count from the figure rollups and the
// journal tail (the per-writer set). A name with no post answers total 0 and no items, not 404 (the user
// need not be registered).
import { POSTS_USER_FIGURES, W } from '../../domain/posts/family';
import { userOfPath } from '../../queries/catalogue';
import { encodeNameCursor } from '../../queries/cursor';
import { sumId } from '../../queries/figures';
import { QUERY } from '../../queries/params';
import { userPostsItem } from '../../queries/posts';
import { route } from '../shared/http';
import { reader } from './reader';

const ALL_TIME = { from: null, to: Number.MAX_SAFE_INTEGER };

export const handler = route(
  { id: 'UserPosts', query: QUERY.userPosts, path: ['name'] },
  async ({ path, query }) => {
    const name = userOfPath(path.name);
    const r = reader();
    // The count first: while the head holds all of the writer's posts, the page needs nothing more.
    const sums = await r.rangeBlocks(POSTS_USER_FIGURES.id, ALL_TIME);
    const width = POSTS_USER_FIGURES.columns.length;
    const total = sums === null ? 0 : sumId(sums.blocks, sums.idOf(name), width)[W.posts];
    const page = await r.userPosts(name, total, query.limit, query.cursor ?? null);
    return {
      total,
      items: page.items.map(userPostsItem),
      nextCursor: page.next === null ? null : encodeNameCursor(page.next),
    };
  },
);
