// The user's series routes built from the user's history cells (referrals, friends count) differ only
// in the series they fold from the cells and the view they answer.
import type { HistoryCell } from '../../domain/graph';
import { BadRequestError } from '../../queries/errors';
import { QUERY } from '../../queries/params';
import { type SeriesRange, seriesRange } from '../../queries/series';
import { route } from '../shared/http';
import { reader } from './reader';

export function userHistoryHandler<S>(
  id: string,
  series: (cells: readonly HistoryCell[], range: SeriesRange) => S,
  view: (name: string, range: SeriesRange, s: S) => unknown,
) {
  return route({ id, query: QUERY.series, path: ['name'] }, async ({ path, query }) => {
    const r = reader();
    const user = await r.requireUser(path.name);
    const cells = await r.history(user);
    const range = seriesRange({ ...query, registeredAt: user.ra, firstActivity: cells[0]?.b, now: r.now() });
    if (!range.ok) throw new BadRequestError(range.message);
    return view(user.pk, range.range, series(cells, range.range));
  });
}
