// POST /products: creates (or replaces) a catalogue entry as a productUpserted event through the
// stream, and answers the entry once the processor has committed it (lambdas/api/catalogue-writer.ts).
// Without productId in the body the product gets a random UUID; with an Idempotency-Key a retry gets
// the first answer, the same UUID included.
import { randomUUID } from 'node:crypto';
import { MAX_WRITE_BODY_BYTES } from '../../lib/definitions';
import {
  entryOfBody,
  ProductBodySchema,
  parseJsonBody,
  productEntryAnswer,
  productUpsertedEvent,
} from '../../queries/catalogue';
import { QUERY } from '../../queries/params';
import { readCatalogueEntry } from '../../storage/marketplace/items';
import { depsFromEnv } from '../shared/deps';
import { requestText, route } from '../shared/http';
import { CatalogueWriter } from './catalogue-writer';

const { kinesis, config, doc, tables } = depsFromEnv();
const writer = new CatalogueWriter('ProductCreate', { kinesis, streamName: config.streamName, doc, tables });

export const handler = route(
  { id: 'ProductCreate', query: QUERY.none, body: ProductBodySchema },
  async ({ event }) => {
    const text = requestText(event, MAX_WRITE_BODY_BYTES);
    const key = writer.keyOf(event);
    const { raw, data } = parseJsonBody(ProductBodySchema, text);
    return writer.once(key, '/products', text, () => {
      const productId = data.productId === undefined ? randomUUID() : String(data.productId);
      return writer.upsert({
        event: productUpsertedEvent(productId, raw),
        read: () => readCatalogueEntry(doc, tables.meta, productId),
        written: entryOfBody(data),
        answer: (e) => productEntryAnswer(productId, e),
      });
    });
  },
);
