// The baseline a first attempt would write: every event read, judged and written on its own — one
// GetItem per user it names, one PutItem per user it changes. Same fold rules, same item layout, so
// the difference with the real processor is only the batching.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { toGraphEvent } from '../domain/events';
import { Graph, type UserState } from '../domain/graph';
import { makeDynamoClient } from '../storage/clients';
import { provisionTables } from '../storage/provision';
import { toUserItem, toUserState, type UserItem } from '../storage/user-item';

/**
 * Folds `events` in order, one at a time, until `limit` of them are done or `maxMs` has passed (the
 * baseline is slow: its rate, not its total, is what the report needs).
 */
export async function runNaive(
  endpoint: string,
  events: unknown[],
  limit: number,
  maxMs = Number.POSITIVE_INFINITY,
): Promise<{ events: number; eventsPerSec: number; writesPer1000: number }> {
  const base = new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
  });
  await provisionTables(base, (d) => `naive-${d.localName}`);
  const doc = makeDynamoClient({ endpoint });
  const graphTable = 'naive-bacefook-graph';
  const load = async (name: string): Promise<UserState | undefined> => {
    const res = await doc.send(new GetCommand({ TableName: graphTable, Key: { pk: name } }));
    return res.Item ? toUserState(res.Item as UserItem) : undefined;
  };
  let writes = 0;
  const slice = events.slice(0, limit);
  const t0 = performance.now();
  let done = 0;
  for (let i = 0; i < slice.length && performance.now() - t0 < maxMs; i++) {
    done = i + 1;
    const e = toGraphEvent(slice[i]);
    if (e === null) continue;
    const users = new Map<string, UserState>();
    for (const name of e.b === '' ? [e.a] : [e.a, e.b]) {
      const u = await load(name);
      if (u) users.set(name, u);
    }
    if (e.type === 'referral') {
      // Walk the referrer's ancestors one GetItem at a time.
      for (let x = users.get(e.a)?.referredBy ?? null; x !== null && !users.has(x); ) {
        const u = await load(x);
        if (!u) break;
        users.set(x, u);
        x = u.referredBy;
      }
    }
    const g = new Graph(users);
    g.beginBatch();
    if (g.apply(e) !== 'applied') continue;
    for (const u of g.touched) {
      await doc.send(
        new PutCommand({
          TableName: graphTable,
          Item: toUserItem(u, String(i)) as unknown as Record<string, unknown>,
        }),
      );
      writes++;
    }
  }
  const ms = performance.now() - t0;
  doc.destroy();
  base.destroy();
  return {
    events: done,
    eventsPerSec: (done / ms) * 1000,
    writesPer1000: (writes / done) * 1000,
  };
}
