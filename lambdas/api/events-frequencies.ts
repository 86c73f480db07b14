// GET /events/frequencies?from&to&window&interval: applied events per type, of every family, over the
// range and per step, and interactions per action.

import { EVENT_FIGURES } from '../../domain/figures';
import { byToken, frequenciesView, marketSeriesRange, seriesSteps } from '../../queries/marketplace';
import { QUERY } from '../../queries/params';
import { route } from '../shared/http';
import { actionCounts } from './market-reads';
import { reader } from './reader';

export const handler = route({ id: 'EventFrequencies', query: QUERY.marketSeries }, async ({ query }) => {
  const r = reader();
  const earliest =
    query.from === undefined && query.window === undefined ? await r.earliest(EVENT_FIGURES.id, null) : null;
  const range = marketSeriesRange(query, earliest, r.now());
  const [steps, actions] = await Promise.all([
    r.stepBlocks(EVENT_FIGURES.id, seriesSteps(range)),
    actionCounts(r, { from: range.from, to: range.to }),
  ]);
  return frequenciesView(range, steps.names, steps.perStep, byToken(actions));
});
