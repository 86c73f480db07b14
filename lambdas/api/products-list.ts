// GET /products?prefix&limit&cursor: product ids in code-unit order from the registry the processor
// writes, each with its name and category from its item (read together, one coalesced call). A page
// changes only when a batch commits: it is computed once per checkpoint (Reader.atCheckpoint).
import { encodeNameCursor } from '../../queries/cursor';
import { productListItem } from '../../queries/marketplace';
import { QUERY } from '../../queries/params';
import { route } from '../shared/http';
import { reader } from './reader';

export const handler = route({ id: 'ProductList', query: QUERY.products }, ({ query }) => {
  const r = reader();
  const key = JSON.stringify([query.prefix ?? null, query.limit, query.cursor ?? null]);
  return r.atCheckpoint('products', key, () =>
    productPage(query.prefix ?? null, query.limit, query.cursor ?? null),
  );
});

async function productPage(prefix: string | null, limit: number, cursor: string | null) {
  const r = reader();
  const page = await r.productIds(prefix, limit, cursor);
  const products = await Promise.all(page.ids.map((id) => r.product(id)));
  const items = [];
  for (let i = 0; i < page.ids.length; i++) {
    const p = products[i];
    // An id is registered by the batch that first names the product, with its item.
    items.push(p === null ? { productId: page.ids[i], name: null, category: null } : productListItem(p));
  }
  return {
    total: page.total,
    items,
    nextCursor: page.next === null ? null : encodeNameCursor(page.next),
  };
}
