// GET /leaderboards/writers?metric=posts|words&from&to&window&limit: writers ranked by the posts or the
// words they wrote over the range (value descending, then name), from the per-writer figure set's
// rollups and the journal tail, as the social leaderboards rank theirs.
import { POSTS_USER_FIGURES } from '../../domain/posts/family';
import { toIso } from '../../domain/time';
import { type RankedItem, rankBlocks } from '../../queries/leaderboard';
import { marketRange } from '../../queries/marketplace';
import { QUERY } from '../../queries/params';
import { WRITER_COLUMN } from '../../queries/posts';
import { route } from '../shared/http';
import { reader } from './reader';

/** Rankings are computed this deep once per block version, then cut to each request's limit. */
const RANK_DEPTH = 1_000;
const MAX_CACHED = 256;
const ranked = new Map<string, RankedItem[]>();

export const handler = route({ id: 'LeaderboardWriters', query: QUERY.writers }, async ({ query }) => {
  const r = reader();
  const range = marketRange(query, r.now());
  const sums = await r.rangeBlocks(POSTS_USER_FIGURES.id, range);
  let top: RankedItem[] = [];
  if (sums !== null) {
    const key = `${query.metric}|${sums.version}`;
    const cached = sums.version === '' ? undefined : ranked.get(key);
    if (cached === undefined) {
      top = rankBlocks(sums.names, sums.blocks, WRITER_COLUMN[query.metric], RANK_DEPTH);
      if (sums.version !== '') {
        if (ranked.size >= MAX_CACHED) ranked.delete(ranked.keys().next().value as string);
        ranked.set(key, top);
      }
    } else top = cached;
  }
  return {
    metric: query.metric,
    from: range.from === null ? null : toIso(range.from),
    to: toIso(range.to),
    items: top.slice(0, query.limit),
  };
});
