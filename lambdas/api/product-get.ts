// GET /products/{id}: the product's catalogue entry and all-time figures, from its item (as fresh as
// the last committed batch).
import { productIdOfPath } from '../../queries/catalogue';
import { productView } from '../../queries/marketplace';
import { QUERY } from '../../queries/params';
import { route } from '../shared/http';
import { reader } from './reader';

export const handler = route({ id: 'ProductGet', query: QUERY.none, path: ['id'] }, async ({ path }) =>
  productView(await reader().requireProduct(productIdOfPath(path.id))),
);
