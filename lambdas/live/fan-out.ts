// The live fan-out (SPEC 13), one module for both sides: given the digests of committed batches (in
// commit order), sends each subscribed connection one message per topic it holds, and forgets the
// connections that are gone. On AWS the digests come from the meta table's stream and the messages go
// through API Gateway's management API (lambdas/live/handler.ts); locally from the runtime, after each
// processor invocation, over `ws` (local/live-gateway.ts). Not the processor: the single writer never
// waits on a client.
import { type LiveDigest, liveMessages } from '../../queries/live';

export interface LiveConnection {
  connectionId: string;
  topics: readonly string[];
}

/** Where the connections and their topics are kept (a DynamoDB table on AWS, memory locally). */
export interface ConnectionStore {
  /** Every open connection that holds at least one topic. */
  subscribed(): Promise<LiveConnection[]>;
  /** Forgets a connection that is gone. */
  remove(connectionId: string): Promise<void>;
}

/** Sends one message to a connection: 'gone' when it no longer exists (API Gateway's 410). */
export interface ConnectionPoster {
  post(connectionId: string, message: string): Promise<'sent' | 'gone'>;
}

export interface FanOutResult {
  messages: number;
  gone: number;
  /** sends that failed otherwise (the message is lost for that connection; it stays subscribed) */
  failed: number;
}

/** Sends at most this many messages at once. */
const CONCURRENCY = 64;

async function pool<T>(items: T[], run: (t: T) => Promise<void>): Promise<void> {
  let next = 0;
  const workers = Array.from({ length: Math.min(CONCURRENCY, items.length) }, async () => {
    while (next < items.length) await run(items[next++]);
  });
  await Promise.all(workers);
}

/**
 * Pushes the digests, one after the other (a connection gets a batch's messages before the next
 * batch's). The connections are listed once per call.
 */
export async function fanOut(
  digests: readonly LiveDigest[],
  store: ConnectionStore,
  poster: ConnectionPoster,
  onError?: (connectionId: string, err: unknown) => void,
): Promise<FanOutResult> {
  const result: FanOutResult = { messages: 0, gone: 0, failed: 0 };
  if (digests.length === 0) return result;
  let connections = await store.subscribed();
  for (const d of digests) {
    if (connections.length === 0) break;
    const messages = liveMessages(d);
    const sends: [string, string][] = [];
    for (const c of connections) {
      for (const t of c.topics) {
        const m = messages.get(t);
        if (m !== undefined) sends.push([c.connectionId, m]);
      }
    }
    const gone = new Set<string>();
    await pool(sends, async ([id, m]) => {
      if (gone.has(id)) return;
      try {
        if ((await poster.post(id, m)) === 'gone') gone.add(id);
        else result.messages++;
      } catch (err) {
        result.failed++;
        onError?.(id, err);
      }
    });
    if (gone.size > 0) {
      await Promise.all([...gone].map((id) => store.remove(id)));
      result.gone += gone.size;
      connections = connections.filter((c) => !gone.has(c.connectionId));
    }
  }
  return result;
}
