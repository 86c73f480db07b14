// The two leaderboard routes differ only in their metric.
import { toIso } from '../../domain/time';
import { BadRequestError } from '../../queries/errors';
import type { Metric } from '../../queries/leaderboard';
import { QUERY } from '../../queries/params';
import { answeredRange } from '../../queries/range';
import { route } from '../shared/http';
import { reader } from './reader';

export function leaderboardHandler(id: string, metric: Metric) {
  return route({ id, query: QUERY.leaderboard }, async ({ query }) => {
    const r = reader();
    const range = answeredRange(query.from, query.to, r.now());
    if (range === null) {
      throw new BadRequestError(
        "query parameter 'from': must be before 'to' (after widening both to 5-second buckets)",
      );
    }
    const { items } = await r.leaderboard(metric, range, query.limit);
    return { metric, from: range.from === null ? null : toIso(range.from), to: toIso(range.to), items };
  });
}
