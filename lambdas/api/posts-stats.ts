// GET /posts/stats?from&to&window&interval&user: posts, words and the average word length over the range
// and per step, of every writer or of one, from the rollups and the committed journals after them
// (lambdas/api/market-reads.ts keySteps, as the marketplace's series).
import { ALL_POSTS_KEY, POSTS_ALL_FIGURES, POSTS_USER_FIGURES } from '../../domain/posts/family';
import { marketSeriesRange, seriesSteps } from '../../queries/marketplace';
import { QUERY } from '../../queries/params';
import { statsView } from '../../queries/posts';
import { route } from '../shared/http';
import { keySteps } from './market-reads';
import { reader } from './reader';

export const handler = route({ id: 'PostsStats', query: QUERY.postsStats }, async ({ query }) => {
  const r = reader();
  const user = query.user ?? null;
  const set = user === null ? POSTS_ALL_FIGURES.id : POSTS_USER_FIGURES.id;
  const key = user ?? ALL_POSTS_KEY;
  const earliest = query.from === undefined && query.window === undefined ? await r.earliest(set, key) : null;
  const range = marketSeriesRange(query, earliest, r.now());
  return statsView(user, range, await keySteps(r, set, seriesSteps(range), key));
});
