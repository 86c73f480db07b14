// POST /events: forwards a JSON array or NDJSON of events into the stream, in order.
import { MAX_POST_BYTES } from '../../lib/definitions';
import { parseEventsBody } from '../../queries/ingest';
import { ProducerError, StreamProducer } from '../../stream/producer';
import { depsFromEnv } from '../shared/deps';
import { PayloadTooLargeError, TooManyRequestsError } from '../shared/errors';
import { NoQuery, Reply, route } from '../shared/http';

const { kinesis, config } = depsFromEnv();

export const handler = route({ query: NoQuery }, async ({ body, event }) => {
  const text = event.isBase64Encoded ? Buffer.from(body ?? '', 'base64').toString('utf8') : (body ?? '');
  if (Buffer.byteLength(text) > MAX_POST_BYTES) {
    throw new PayloadTooLargeError(`body exceeds ${MAX_POST_BYTES} bytes; split it into several requests`);
  }
  const events = parseEventsBody(text);
  // A producer per request: it keeps this request's events in order, and concurrent requests (separate
  // Lambda invocations on AWS, which share nothing) do not wait in one queue for each other's puts.
  // Fewer retries than the CLI producer: an API caller is waiting and can resend.
  const producer = new StreamProducer(kinesis, config.streamName, { maxRetries: 4 });
  try {
    const sent = await producer.send(events);
    return new Reply(202, { accepted: sent.events });
  } catch (err) {
    // Only throttling is the caller's to retry; a missing stream or a refused record is our fault (500).
    if (!(err instanceof ProducerError) || err.reason !== 'gave_up') throw err;
    // Some records may have landed: say exactly how many events, so the caller resends only the rest.
    throw new TooManyRequestsError(
      `the stream refused the request after accepting the first ${err.sent.events} of ${events.length} events; resend from event ${err.sent.events}`,
    );
  }
});
