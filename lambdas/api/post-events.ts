// POST /events: forwards a JSON array or NDJSON of events into the stream, in order. With an
// Idempotency-Key header, a retry gets the first answer and sends nothing again
// (lambdas/shared/idempotency.ts).

import { MAX_POST_BYTES } from '../../lib/definitions';
import { errorBody, PayloadTooLargeError, TooManyRequestsError } from '../../queries/errors';
import { bodyText, parseEventsBody } from '../../queries/ingest';
import { QUERY } from '../../queries/params';
import { IdempotencyStore } from '../../storage/idempotency-store';
import { MarkLanes } from '../../stream/marks';
import { ProducerError, StreamProducer } from '../../stream/producer';
import { depsFromEnv } from '../shared/deps';
import { Reply, route } from '../shared/http';
import { idempotencyKeyOf, idempotent } from '../shared/idempotency';
import { BatchedSendError, EventBatcher } from './event-batcher';

const { kinesis, config, doc, tables } = depsFromEnv();
const keys = { store: new IdempotencyStore(doc, tables.meta), route: 'PostEvents' };
// Each shared send gets a producer of its own: sends of different rounds of requests are independent,
// as separate Lambda invocations are, and none waits in another's queue. Fewer retries than the CLI
// producer: an API caller is waiting and can resend. Sends may run side by side (a big body goes
// alone), so each takes a lane of marks of its own for its duration (stream/marks.ts).
const lanes = new MarkLanes();
const batcher = new EventBatcher((events) =>
  lanes.with((marks) =>
    new StreamProducer(kinesis, config.streamName, { maxRetries: 4, marks }).send(events),
  ),
);

export const handler = route({ id: 'PostEvents', query: QUERY.none }, async ({ body, event }) => {
  // The stack hands every body over as base64 (API_BINARY_MEDIA_TYPES), so its bytes are checked here.
  const bytes = event.isBase64Encoded ? Buffer.from(body ?? '', 'base64') : null;
  const size = bytes === null ? Buffer.byteLength(body ?? '') : bytes.length;
  if (size > MAX_POST_BYTES) {
    throw new PayloadTooLargeError(`body exceeds ${MAX_POST_BYTES} bytes; split it into several requests`);
  }
  const text = bytes === null ? (body ?? '') : bodyText(bytes);
  const key = idempotencyKeyOf(event);
  const events = parseEventsBody(text);
  return idempotent(keys, key, text, async () => {
    try {
      return new Reply(202, { accepted: await batcher.submit(events) });
    } catch (err) {
      if (!(err instanceof BatchedSendError)) throw err;
      // Only throttling is the caller's to retry; a missing stream or a refused record is our fault (500).
      const failure = err.failure;
      if (!(failure instanceof ProducerError) || failure.reason !== 'gave_up') throw failure;
      // Some events may have landed: say exactly how many, so the caller resends only the rest.
      const refused = new TooManyRequestsError(
        `the stream refused the request after accepting the first ${err.accepted} of ${events.length} events; resend from event ${err.accepted}`,
      );
      // Thrown, nothing was sent and a retry with the same key runs again; answered, it is the key's
      // answer from now on (the events it accepted are not sent twice).
      if (err.accepted === 0) throw refused;
      return new Reply(refused.status, errorBody(refused.code, refused.message));
    }
  });
});
