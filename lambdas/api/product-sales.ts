// GET /products/{id}/sales?from&to&window&interval: orders, units and revenue over the range and per
// step, from the rollups and the committed journals after them (lambdas/api/market-reads.ts).
import { productIdOfPath } from '../../queries/catalogue';
import { salesView } from '../../queries/marketplace';
import { QUERY } from '../../queries/params';
import { route } from '../shared/http';
import { productSeries } from './market-reads';
import { reader } from './reader';

export const handler = route(
  { id: 'ProductSales', query: QUERY.marketSeries, path: ['id'] },
  async ({ path, query }) => {
    const productId = productIdOfPath(path.id);
    const { range, rows } = await productSeries(reader(), productId, query);
    return salesView(productId, range, rows);
  },
);
