// GET /users/{name}/activity?from&to&window&interval: a user's interactions (by action and source),
// purchases and ratings over the range, and interactions per step. A name with no marketplace event
// answers zeros, not 404 (SPEC 11: the user need not be registered).
import { USER_ACTION_FIGURES, USER_FIGURES, USER_SOURCE_FIGURES } from '../../domain/marketplace/family';
import { userOfPath } from '../../queries/catalogue';
import { activityView, byToken, marketSeriesRange, seriesSteps } from '../../queries/marketplace';
import { QUERY } from '../../queries/params';
import { route } from '../shared/http';
import { keySteps, rangeTokens, tokenCounts } from './market-reads';
import { reader } from './reader';

export const handler = route(
  { id: 'UserActivity', query: QUERY.marketSeries, path: ['name'] },
  async ({ path, query }) => {
    const name = userOfPath(path.name);
    const r = reader();
    const earliest =
      query.from === undefined && query.window === undefined ? await r.earliest(USER_FIGURES.id, name) : null;
    const range = marketSeriesRange(query, earliest, r.now());
    const whole = { from: range.from, to: range.to };
    const [rows, tokens] = await Promise.all([
      keySteps(r, USER_FIGURES.id, seriesSteps(range), name),
      rangeTokens(r, whole),
    ]);
    const [byAction, bySource] = await Promise.all([
      tokenCounts(r, USER_ACTION_FIGURES.id, whole, name, tokens.actions),
      tokenCounts(r, USER_SOURCE_FIGURES.id, whole, name, tokens.sources),
    ]);
    return activityView(name, range, rows, byToken(byAction), byToken(bySource));
  },
);
