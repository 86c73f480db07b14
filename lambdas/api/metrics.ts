// GET /metrics: the catalogue of figures (queries/metrics.ts), the same for the life of the function.
import { metricsCatalogue } from '../../queries/metrics';
import { QUERY } from '../../queries/params';
import { JsonText, route } from '../shared/http';

let text: JsonText | undefined;

export const handler = route({ id: 'Metrics', query: QUERY.none }, async () => {
  text ??= new JsonText(JSON.stringify(metricsCatalogue()));
  return text;
});
