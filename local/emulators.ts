// kinesalite and dynalite in this process, with the stream and the tables of lib/definitions.ts.
// In memory by default; with a data directory both keep their LevelDB stores under it, and starting
// again on the same directory finds the stream and the tables already there.
import { mkdirSync } from 'node:fs';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  CreateStreamCommand,
  DescribeStreamSummaryCommand,
  type KinesisClient,
  ResourceInUseException,
} from '@aws-sdk/client-kinesis';
import dynalite from 'dynalite';
import kinesalite from 'kinesalite';
import { GRAPH_TABLE, HISTORY_TABLE, META_TABLE, STREAM, type TableDef } from '../lib/definitions';
import { makeKinesisClient } from '../storage/clients';
import { provisionTables } from '../storage/provision';
import { LOCAL_REGION } from './lambda';

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
  stop(): Promise<void>;
}

function listen(server: Server, port: number, host: string, what: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) => {
      server.off('listening', onListening);
      reject(
        err.code === 'EADDRINUSE'
          ? new Error(`${what} cannot listen on ${host}:${port}: the port is in use`, { cause: err })
          : err,
      );
    };
    const onListening = () => {
      server.off('error', onError);
      resolve((server.address() as AddressInfo).port);
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(port, host);
  });
}

/** Counts the requests an emulator is answering, so stopping can wait for them. */
function trackRequests(server: Server): () => Promise<void> {
  let active = 0;
  const waiters: (() => void)[] = [];
  server.on('request', (_req: IncomingMessage, res: ServerResponse) => {
    active++;
    res.once('close', () => {
      active--;
      if (active === 0) for (const w of waiters.splice(0)) w();
    });
  });
  return () => (active === 0 ? Promise.resolve() : new Promise((r) => waiters.push(r)));
}

const idleOf = new WeakMap<Server, () => Promise<void>>();

async function close(server: Server): Promise<void> {
  // Both emulators close their LevelDB store first thing in close(): a request still being answered
  // would then throw from inside the emulator. So let the requests finish first (bounded).
  const idle = idleOf.get(server);
  if (idle) {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([idle(), new Promise<void>((r) => (timer = setTimeout(r, 5_000)))]);
    clearTimeout(timer);
  }
  await new Promise<void>((resolve) => {
    // Their close callbacks may report a store already closed, which does not matter when stopping.
    server.close(() => resolve());
    // Clients keep idle keep-alive sockets open; without this close() would wait for them.
    server.closeAllConnections();
  });
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

/** Local table names, keyed like the handlers' deps. */
export function localTableNames(): TableNames {
  return { graph: GRAPH_TABLE.localName, history: HISTORY_TABLE.localName, meta: META_TABLE.localName };
}

export async function startEmulators(opts: EmulatorOptions = {}): Promise<Emulators> {
  const host = opts.host ?? '127.0.0.1';
  const streamName = opts.streamName ?? STREAM.localName;
  const paths = opts.dataDir
    ? { kinesis: join(opts.dataDir, 'kinesis'), dynamodb: join(opts.dataDir, 'dynamodb') }
    : undefined;
  if (paths) {
    mkdirSync(paths.kinesis, { recursive: true });
    mkdirSync(paths.dynamodb, { recursive: true });
  }
  const zero = { createStreamMs: 0, deleteStreamMs: 0, updateStreamMs: 0 };
  const kServer = kinesalite({ ...zero, path: paths?.kinesis });
  const dServer = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0, path: paths?.dynamodb });
  idleOf.set(kServer, trackRequests(kServer));
  idleOf.set(dServer, trackRequests(dServer));
  const started: Server[] = [];
  try {
    const kPort = await listen(kServer, opts.kinesisPort ?? DEFAULT_KINESIS_PORT, host, 'kinesalite');
    started.push(kServer);
    const dPort = await listen(dServer, opts.dynamoPort ?? DEFAULT_DYNAMO_PORT, host, 'dynalite');
    started.push(dServer);
    const endpoints = { kinesis: `http://${host}:${kPort}`, dynamodb: `http://${host}:${dPort}` };

    const kinesis = makeKinesisClient({ endpoint: endpoints.kinesis, region: LOCAL_REGION });
    const dynamo = new DynamoDBClient({
      endpoint: endpoints.dynamodb,
      region: LOCAL_REGION,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    const tables = localTableNames();
    const byId: Record<string, string> = {
      [GRAPH_TABLE.id]: tables.graph,
      [HISTORY_TABLE.id]: tables.history,
      [META_TABLE.id]: tables.meta,
    };
    try {
      const [streamArn] = await Promise.all([
        ensureStream(kinesis, streamName),
        provisionTables(dynamo, (d: TableDef) => byId[d.id] ?? d.localName),
      ]);
      return {
        endpoints,
        streamName,
        streamArn,
        tables,
        stop: async () => {
          await Promise.all([close(kServer), close(dServer)]);
        },
      };
    } finally {
      kinesis.destroy();
      dynamo.destroy();
    }
  } catch (err) {
    await Promise.all(started.map(close));
    throw err;
  }
}
