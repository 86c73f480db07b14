// PUT /products/{id}: creates or replaces the catalogue entry of product {id} as a productUpserted
// event through the stream, and answers the entry once the processor has committed it
// (lambdas/api/catalogue-writer.ts).
import { MAX_WRITE_BODY_BYTES } from '../../lib/definitions';
import {
  entryOfBody,
  ProductBodySchema,
  parseJsonBody,
  productEntryAnswer,
  productIdOfPath,
  productUpsertedEvent,
} from '../../queries/catalogue';
import { BadRequestError } from '../../queries/errors';
import { QUERY } from '../../queries/params';
import { readCatalogueEntry } from '../../storage/marketplace/items';
import { depsFromEnv } from '../shared/deps';
import { requestText, route } from '../shared/http';
import { CatalogueWriter } from './catalogue-writer';

const { kinesis, config, doc, tables } = depsFromEnv();
const writer = new CatalogueWriter('ProductPut', { kinesis, streamName: config.streamName, doc, tables });

export const handler = route(
  { id: 'ProductPut', query: QUERY.none, path: ['id'], body: ProductBodySchema },
  async ({ path, event }) => {
    const productId = productIdOfPath(path.id);
    const text = requestText(event, MAX_WRITE_BODY_BYTES);
    const key = writer.keyOf(event);
    const { raw, data } = parseJsonBody(ProductBodySchema, text);
    if (data.productId !== undefined && String(data.productId) !== productId) {
      throw new BadRequestError(
        `body field 'productId': ${JSON.stringify(data.productId)} is not the path's product id ${JSON.stringify(productId)}`,
      );
    }
    return writer.once(key, `/products/${productId}`, text, () =>
      writer.upsert({
        event: productUpsertedEvent(productId, raw),
        read: () => readCatalogueEntry(doc, tables.meta, productId),
        written: entryOfBody(data),
        answer: (e) => productEntryAnswer(productId, e),
      }),
    );
  },
);
