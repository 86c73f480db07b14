// Retention for the embedded Kinesis stream. kinesalite keeps every record it is given: it deletes
// an expired record only when a reader happens to read it again from the trim horizon, which the event
// source mapping never does (it reads after its checkpoint). Left running with its generator, the
// embedded default's stream grew by everything ever put into it.
//
// trimStream() deletes from a kinesalite store the records of one stream's shard that are both
// - older than `before` (epoch ms of their arrival), and
// - at or before `through`: the sequence number the pipeline is done with (the mapping's checkpoint),
// so the local stream never drops a record the pipeline has not processed, however old (a runtime
// stopped for a day resumes where it was, which Kinesis, with its fixed retention, would not do).
//
// The kinesalite store is not reachable from its server object, so captureKinesaliteStores() wraps
// the store factory of the kinesalite module this process loaded, and takeKinesaliteStore() hands out
// the store a kinesalite() call just made.
import { createRequire } from 'node:module';

interface LevelUpStream {
  on(event: 'data', f: (e: { key: string; value: { ApproximateArrivalTimestamp?: number } }) => void): this;
  on(event: 'end' | 'close', f: () => void): this;
  on(event: 'error', f: (err: Error) => void): this;
  destroy(): void;
}

interface SubLevel {
  createReadStream(o: { gte: string; lte: string }): LevelUpStream;
  batch(ops: { type: 'del'; key: string }[], cb: (err?: Error | null) => void): void;
}

export interface KinesaliteStore {
  getStreamDb(name: string): SubLevel;
}

interface KinesaliteDbModule {
  create(options: unknown): KinesaliteStore;
  shardIxToHex(shardIx: number): string;
  parseSequence(seq: string): { shardIx: number };
  __bacefookCapture?: { last: KinesaliteStore | null };
}

function dbModule(): KinesaliteDbModule {
  return createRequire(import.meta.url)('kinesalite/db') as KinesaliteDbModule;
}

/** Makes the next kinesalite store created available to takeKinesaliteStore(). Idempotent. */
export function captureKinesaliteStores(): void {
  const m = dbModule();
  if (m.__bacefookCapture) return;
  const made: { last: KinesaliteStore | null } = { last: null };
  const create = m.create;
  m.create = (options: unknown) => {
    const store = create(options);
    made.last = store;
    return store;
  };
  m.__bacefookCapture = made;
}

/** The store the last kinesalite() call made (call it right after). */
export function takeKinesaliteStore(): KinesaliteStore {
  const made = dbModule().__bacefookCapture;
  const store = made?.last;
  if (!made || !store) throw new Error('no kinesalite store was made since captureKinesaliteStores()');
  made.last = null;
  return store;
}

export interface TrimRequest {
  streamName: string;
  /** Only records that arrived before this (epoch ms) go. */
  before: number;
  /** Only records at or before this sequence number go (the consumer's checkpoint); null: none. */
  through: string | null;
}

/** Deletes what `r` allows from the start of the shard `through` belongs to; resolves with the count. */
export async function trimStream(store: KinesaliteStore, r: TrimRequest): Promise<number> {
  if (r.through === null) return 0;
  const m = dbModule();
  const through = BigInt(r.through);
  const shard = m.shardIxToHex(m.parseSequence(r.through).shardIx);
  const db = store.getStreamDb(r.streamName);
  const keys = await new Promise<string[]>((resolve, reject) => {
    const out: string[] = [];
    let done = false;
    const finish = () => {
      if (!done) {
        done = true;
        resolve(out);
      }
    };
    // Keys are `<shard hex>/<sequence number>` and sort in stream order within the shard.
    const s = db.createReadStream({ gte: `${shard}/`, lte: `${shard}/${r.through}` });
    s.on('data', ({ key, value }) => {
      if (done) return;
      const seq = BigInt(key.slice(shard.length + 1));
      const arrived = (value.ApproximateArrivalTimestamp ?? 0) * 1000;
      if (seq > through || arrived >= r.before) {
        // Everything after this record arrived later: stop here.
        finish();
        s.destroy();
        return;
      }
      out.push(key);
    });
    s.on('end', finish);
    s.on('close', finish);
    s.on('error', (err) => {
      done = true;
      reject(err);
    });
  });
  for (let i = 0; i < keys.length; i += 1_000) {
    const ops = keys.slice(i, i + 1_000).map((key) => ({ type: 'del' as const, key }));
    await new Promise<void>((resolve, reject) => db.batch(ops, (err) => (err ? reject(err) : resolve())));
  }
  return keys.length;
}
