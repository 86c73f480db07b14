// GET /leaderboards/writers?metric=posts|words&from&to&window&limit: writers ranked by the posts or the
// words they wrote over the range (value descending, then name), from the per-writer figure set's
// rollups and the journal tail, as the social leaderboards rank theirs.
import { POSTS_USER_FIGURES } from '../../domain/posts/family';
import { toIso } from '../../domain/time';
import { type RankedItem, RankingCache, rankBlocks } from '../../queries/leaderboard';
import { marketRange } from '../../queries/marketplace';
import { QUERY } from '../../queries/params';
import { WRITER_COLUMN } from '../../queries/posts';
import { route } from '../shared/http';
import { reader } from './reader';

const ranked = new RankingCache<RankedItem>();

export const handler = route({ id: 'LeaderboardWriters', query: QUERY.writers }, async ({ query }) => {
  const r = reader();
  const range = marketRange(query, r.now());
  const sums = await r.rangeBlocks(POSTS_USER_FIGURES.id, range);
  let top: RankedItem[] = [];
  if (sums !== null) {
    const rank = (depth: number) => rankBlocks(sums.names, sums.blocks, WRITER_COLUMN[query.metric], depth);
    // An empty version names no exact data: ranked afresh.
    top =
      sums.version === ''
        ? rank(query.limit)
        : ranked.top(`${query.metric}|${sums.version}`, query.limit, rank, sums.generation);
  }
  return {
    metric: query.metric,
    from: range.from === null ? null : toIso(range.from),
    to: toIso(range.to),
    items: top,
  };
});
