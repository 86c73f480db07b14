// GET /users/{name}/referrals?from&to&interval

import { BadRequestError } from '../../queries/errors';
import { QUERY } from '../../queries/params';
import { referralSeries, referralsView, seriesRange } from '../../queries/series';
import { route } from '../shared/http';
import { reader } from './reader';

export const handler = route(
  { id: 'UserReferrals', query: QUERY.series, path: ['name'] },
  async ({ path, query }) => {
    const r = reader();
    const user = await r.requireUser(path.name);
    const cells = await r.history(user);
    const range = seriesRange({ ...query, registeredAt: user.ra, firstActivity: cells[0]?.b, now: r.now() });
    if (!range.ok) throw new BadRequestError(range.message);
    return referralsView(user.pk, range.range, referralSeries(cells, range.range));
  },
);
