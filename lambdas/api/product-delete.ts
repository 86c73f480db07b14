// DELETE /products/{id}: removes the catalogue entry of product {id} as a productDeleted event
// through the stream, and answers 204 once the processor has committed it (a noop when there was no
// entry; the product's figures stay). See lambdas/api/catalogue-writer.ts.
import { productDeletedEvent, productIdOfPath } from '../../queries/catalogue';
import { QUERY } from '../../queries/params';
import { depsFromEnv } from '../shared/deps';
import { route } from '../shared/http';
import { CatalogueWriter } from './catalogue-writer';

const { kinesis, config, doc, tables } = depsFromEnv();
const writer = new CatalogueWriter('ProductDelete', { kinesis, streamName: config.streamName, doc, tables });

export const handler = route(
  { id: 'ProductDelete', query: QUERY.none, path: ['id'] },
  async ({ path, event }) => {
    const productId = productIdOfPath(path.id);
    const key = writer.keyOf(event);
    return writer.once(key, `/products/${productId}`, '', () =>
      writer.delete(productDeletedEvent(productId)),
    );
  },
);
