// GET /users/{name}/posts?limit&cursor: a writer's posts, newest first (ties: later in the stream first),
// one Query of the writer's index (storage/posts/items.ts) per page; `total` is the writer's all-time
// post count from the figure rollups and the journal tail (the per-writer set). A name with no post
// answers total 0 and no items, not 404 (the user need not be registered).
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
    const [page, sums] = await Promise.all([
      r.userPosts(name, query.limit, query.cursor ?? null),
      r.rangeBlocks(POSTS_USER_FIGURES.id, ALL_TIME),
    ]);
    const width = POSTS_USER_FIGURES.columns.length;
    const total = sums === null ? 0 : sumId(sums.blocks, sums.idOf(name), width)[W.posts];
    return {
      total,
      items: page.items.map(userPostsItem),
      nextCursor: page.next === null ? null : encodeNameCursor(page.next),
    };
  },
);
