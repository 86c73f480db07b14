// kinesalite and dynalite in this process (each on a worker thread by default), with the stream and the
// tables of lib/definitions.ts.
// In memory by default; with a data directory both keep their LevelDB stores under it, and starting
// again on the same directory finds the stream and the tables already there.
import {
  DeleteTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  ResourceNotFoundException,
} from '@aws-sdk/client-dynamodb';
import {
  CreateStreamCommand,
  DeleteStreamCommand,
  DescribeStreamSummaryCommand,
  type KinesisClient,
  ResourceInUseException,
  ResourceNotFoundException as StreamNotFoundException,
} from '@aws-sdk/client-kinesis';
import { GRAPH_TABLE, HISTORY_TABLE, META_TABLE, STREAM, type TableDef } from '../lib/definitions';
import { makeKinesisClient, markEmulatorEndpoints } from '../storage/clients';
import { provisionTables } from '../storage/provision';
import { type RunningServers, type ServerOptions, startServers, type TrimMessage } from './emulator-servers';
import { LOCAL_REGION } from './lambda';
import type { TrimRequest } from './stream-retention';
import { nextMessage, startTsWorker } from './ts-worker';

export const DEFAULT_KINESIS_PORT = 4567;
export const DEFAULT_DYNAMO_PORT = 4568;

export interface EmulatorOptions {
  /** kinesalite port (default 4567; 0 = ephemeral). */
  kinesisPort?: number;
  /** dynalite port (default 4568; 0 = ephemeral). */
  dynamoPort?: number;
  host?: string;
  /** Persist both stores under this directory (kinesis/, dynamodb/). Default: in memory. */
  dataDir?: string;
  streamName?: string;
  /**
   * Where the emulators run: 'worker' (default) puts each on a worker thread of this process, so
   * their work uses the second core while the pipeline runs on the main thread; 'main' keeps them
   * on the main thread.
   */
  thread?: 'worker' | 'main';
}

export interface TableNames {
  graph: string;
  history: string;
  meta: string;
}

export interface Emulators {
  endpoints: { kinesis: string; dynamodb: string };
  streamName: string;
  streamArn: string;
  tables: TableNames;
  /**
   * Deletes the tables and (unless `stream` is false) the stream, and creates them again, empty: a
   * fresh pipeline on emulators that keep running (and stay JIT-warm, as the services they stand in
   * for always are). Resolves with the stream's ARN. Nothing may be reading or writing them meanwhile.
   */
  reset(o?: { stream?: boolean }): Promise<string>;
  /**
   * Deletes this stream's records that arrived before `before` and are at or before `through` (the
   * consumer's checkpoint): local/stream-retention.ts. Resolves with how many went.
   */
  trimStream(r: Omit<TrimRequest, 'streamName'>): Promise<number>;
  stop(): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Creates a stream (one shard by default) unless it exists, and waits until it is ACTIVE. Returns its ARN. */
export async function ensureStream(
  kinesis: KinesisClient,
  streamName: string,
  shardCount: number = STREAM.shardCount,
): Promise<string> {
  try {
    await kinesis.send(new CreateStreamCommand({ StreamName: streamName, ShardCount: shardCount }));
  } catch (err) {
    if (!(err instanceof ResourceInUseException)) throw err;
  }
  for (let i = 0; ; i++) {
    const d = await kinesis.send(new DescribeStreamSummaryCommand({ StreamName: streamName }));
    const s = d.StreamDescriptionSummary;
    if (s?.StreamStatus === 'ACTIVE') return s.StreamARN ?? '';
    if (i > 200) throw new Error(`stream ${streamName} did not become ACTIVE`);
    await sleep(10);
  }
}

/** Deletes a stream if it exists and waits until it is gone. */
async function deleteStream(kinesis: KinesisClient, streamName: string): Promise<void> {
  try {
    await kinesis.send(new DeleteStreamCommand({ StreamName: streamName }));
  } catch (err) {
    if (err instanceof StreamNotFoundException) return;
    throw err;
  }
  for (let i = 0; ; i++) {
    try {
      await kinesis.send(new DescribeStreamSummaryCommand({ StreamName: streamName }));
    } catch (err) {
      if (err instanceof StreamNotFoundException) return;
      throw err;
    }
    if (i > 200) throw new Error(`stream ${streamName} was not deleted`);
    await sleep(10);
  }
}

/** Deletes a table if it exists and waits until it is gone. */
async function deleteTable(dynamo: DynamoDBClient, TableName: string): Promise<void> {
  for (let i = 0; ; i++) {
    try {
      if (i === 0) await dynamo.send(new DeleteTableCommand({ TableName }));
      else await dynamo.send(new DescribeTableCommand({ TableName }));
    } catch (err) {
      if (err instanceof ResourceNotFoundException) return;
      throw err;
    }
    if (i > 200) throw new Error(`table ${TableName} was not deleted`);
    await sleep(10);
  }
}

/** Local table names, keyed like the handlers' deps. */
export function localTableNames(): TableNames {
  return { graph: GRAPH_TABLE.localName, history: HISTORY_TABLE.localName, meta: META_TABLE.localName };
}

/** Starts the servers inside a worker thread; resolves with their ports once they listen. */
async function startInWorker(opts: ServerOptions): Promise<RunningServers> {
  const worker = startTsWorker(
    new URL('./emulator-worker.ts', import.meta.url),
    { workerData: opts },
    opts.only === 'kinesis' ? 'kinesalite' : opts.only === 'dynamodb' ? 'dynalite' : 'emulators',
  );
  const first = await nextMessage<{ ports?: RunningServers['ports']; error?: string }>(worker);
  if (!first.ports) {
    await worker.terminate();
    throw new Error(first.error ?? 'the emulator worker did not start');
  }
  // Answers to trim requests, by id; the stop answer is `{ stopped: true }`.
  const trims = new Map<number, { resolve(n: number): void; reject(err: Error): void }>();
  let nextId = 0;
  let stopped: (() => void) | null = null;
  worker.on('message', (m: { id?: number; trimmed?: number; error?: string; stopped?: boolean }) => {
    if (m.stopped) stopped?.();
    else if (m.id !== undefined) {
      const t = trims.get(m.id);
      trims.delete(m.id);
      if (m.error !== undefined) t?.reject(new Error(m.error));
      else t?.resolve(m.trimmed ?? 0);
    }
  });
  return {
    ports: first.ports,
    trimStream: (trim) =>
      new Promise<number>((resolve, reject) => {
        const id = nextId++;
        trims.set(id, { resolve, reject });
        const msg: TrimMessage = { type: 'trim', id, trim };
        worker.postMessage(msg);
      }),
    stop: async () => {
      const done = new Promise<void>((resolve) => {
        stopped = resolve;
      });
      worker.postMessage('stop');
      await Promise.race([done, sleep(10_000)]);
      await worker.terminate();
      for (const t of trims.values()) t.reject(new Error('the emulator worker stopped'));
      trims.clear();
    },
  };
}

/**
 * kinesalite and dynalite each on a worker thread of its own: puts into the stream (POST /events, the
 * producer) and the mapping's reads never queue behind the processor's item writes, which keep
 * dynalite's thread the busiest of the stack under load.
 */
async function startInWorkers(opts: ServerOptions): Promise<RunningServers> {
  const [k, d] = await Promise.allSettled([
    startInWorker({ ...opts, only: 'kinesis' }),
    startInWorker({ ...opts, only: 'dynamodb' }),
  ]);
  if (k.status === 'rejected' || d.status === 'rejected') {
    await Promise.all([k, d].map((r) => (r.status === 'fulfilled' ? r.value.stop() : undefined)));
    throw k.status === 'rejected' ? k.reason : (d as PromiseRejectedResult).reason;
  }
  return {
    ports: { kinesis: k.value.ports.kinesis, dynamodb: d.value.ports.dynamodb },
    trimStream: (r) => k.value.trimStream(r),
    stop: async () => {
      await Promise.all([k.value.stop(), d.value.stop()]);
    },
  };
}

export async function startEmulators(opts: EmulatorOptions = {}): Promise<Emulators> {
  const host = opts.host ?? '127.0.0.1';
  const streamName = opts.streamName ?? STREAM.localName;
  const serverOpts: ServerOptions = {
    kinesisPort: opts.kinesisPort ?? DEFAULT_KINESIS_PORT,
    dynamoPort: opts.dynamoPort ?? DEFAULT_DYNAMO_PORT,
    host,
    dataDir: opts.dataDir,
  };
  const servers = opts.thread === 'main' ? await startServers(serverOpts) : await startInWorkers(serverOpts);
  try {
    const endpoints = {
      kinesis: `http://${host}:${servers.ports.kinesis}`,
      dynamodb: `http://${host}:${servers.ports.dynamodb}`,
    };
    // Ours, so this process's clients for them need not sign their requests (storage/clients.ts).
    markEmulatorEndpoints(endpoints.kinesis, endpoints.dynamodb);

    const tables = localTableNames();
    const byId: Record<string, string> = {
      [GRAPH_TABLE.id]: tables.graph,
      [HISTORY_TABLE.id]: tables.history,
      [META_TABLE.id]: tables.meta,
    };
    const clients = () => ({
      kinesis: makeKinesisClient({ endpoint: endpoints.kinesis, region: LOCAL_REGION }),
      dynamo: new DynamoDBClient({
        endpoint: endpoints.dynamodb,
        region: LOCAL_REGION,
        credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      }),
    });
    const provision = async (fresh: { stream: boolean; tables: boolean }): Promise<string> => {
      const { kinesis, dynamo } = clients();
      try {
        await Promise.all([
          fresh.stream ? deleteStream(kinesis, streamName) : undefined,
          ...(fresh.tables ? Object.values(tables).map((TableName) => deleteTable(dynamo, TableName)) : []),
        ]);
        const [streamArn] = await Promise.all([
          ensureStream(kinesis, streamName),
          provisionTables(dynamo, (d: TableDef) => byId[d.id] ?? d.localName),
        ]);
        return streamArn;
      } finally {
        kinesis.destroy();
        dynamo.destroy();
      }
    };
    const emulators: Emulators = {
      endpoints,
      streamName,
      streamArn: await provision({ stream: false, tables: false }),
      tables,
      reset: async (o = {}) => {
        emulators.streamArn = await provision({ stream: o.stream ?? true, tables: true });
        return emulators.streamArn;
      },
      trimStream: (r) => servers.trimStream({ ...r, streamName }),
      stop: () => servers.stop(),
    };
    return emulators;
  } catch (err) {
    await servers.stop();
    throw err;
  }
}
