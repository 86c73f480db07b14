// The two emulator servers themselves: kinesalite and dynalite listening on ports, in memory or on a
// data directory. Used in this thread, or inside a worker thread (emulator-worker.ts) so that the
// emulators' CPU work runs on another core than the pipeline it serves.
import { mkdirSync } from 'node:fs';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
// Before dynalite loads its store module (see there).
import './dynalite-string-store';
import dynalite from 'dynalite';
import kinesalite from 'kinesalite';
import { installIteratorFix } from './dynalite-iterators';
import { finishTableTransitions, takeDynaliteStore, trackDynaliteStores } from './dynalite-tables';
import {
  captureKinesaliteStores,
  type TrimRequest,
  takeKinesaliteStore,
  trimStream,
} from './stream-retention';

export interface ServerOptions {
  kinesisPort: number;
  dynamoPort: number;
  host: string;
  dataDir?: string;
  /** Start only this one (each then gets a worker thread of its own); default both. */
  only?: 'kinesis' | 'dynamodb';
}

/** The parent's trim request to an emulator worker; it answers `{ id, trimmed }` or `{ id, error }`. */
export interface TrimMessage {
  type: 'trim';
  id: number;
  trim: TrimRequest;
}

export interface RunningServers {
  ports: { kinesis: number; dynamodb: number };
  /**
   * Deletes the records of a stream that arrived before `before` and are at or before `through`
   * (local/stream-retention.ts); resolves with how many went. 0 when kinesalite is not started here.
   */
  trimStream(r: TrimRequest): Promise<number>;
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

/**
 * Counts the requests an emulator is answering, so stopping can wait for them. A request counts until
 * the emulator ends its response, not until the socket closes: a client that gives up (a function
 * thread stopped, a timeout) closes the socket while the emulator is still reading the store.
 */
function trackRequests(server: Server): () => Promise<void> {
  let active = 0;
  const waiters: (() => void)[] = [];
  // First among the listeners: the emulator may answer before a later listener would run.
  server.prependListener('request', (_req: IncomingMessage, res: ServerResponse) => {
    active++;
    const end = res.end;
    res.end = function (this: ServerResponse, ...args: Parameters<typeof end>) {
      res.end = end;
      active--;
      if (active === 0) for (const w of waiters.splice(0)) w();
      return end.apply(this, args);
    } as typeof end;
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

export async function startServers(opts: ServerOptions): Promise<RunningServers> {
  const want = { kinesis: opts.only !== 'dynamodb', dynamodb: opts.only !== 'kinesis' };
  const paths = opts.dataDir
    ? { kinesis: join(opts.dataDir, 'kinesis'), dynamodb: join(opts.dataDir, 'dynamodb') }
    : undefined;
  if (paths) {
    if (want.kinesis) mkdirSync(paths.kinesis, { recursive: true });
    if (want.dynamodb) mkdirSync(paths.dynamodb, { recursive: true });
  }
  const started: Server[] = [];
  try {
    let kinesis = 0;
    let dynamodb = 0;
    let trim: RunningServers['trimStream'] = async () => 0;
    if (want.kinesis) {
      const zero = { createStreamMs: 0, deleteStreamMs: 0, updateStreamMs: 0 };
      captureKinesaliteStores();
      const kServer = kinesalite({ ...zero, path: paths?.kinesis });
      const kStore = takeKinesaliteStore();
      trim = (r) => trimStream(kStore, r);
      idleOf.set(kServer, trackRequests(kServer));
      kinesis = await listen(kServer, opts.kinesisPort, opts.host, 'kinesalite');
      started.push(kServer);
    }
    if (want.dynamodb) {
      // Before the store is made: its Query and Scan streams must close their iterators.
      installIteratorFix();
      trackDynaliteStores();
      const dServer = dynalite({
        createTableMs: 0,
        deleteTableMs: 0,
        updateTableMs: 0,
        path: paths?.dynamodb,
      });
      // A data directory may hold tables a killed process left CREATING or DELETING.
      await finishTableTransitions(takeDynaliteStore());
      idleOf.set(dServer, trackRequests(dServer));
      dynamodb = await listen(dServer, opts.dynamoPort, opts.host, 'dynalite');
      started.push(dServer);
    }
    return {
      ports: { kinesis, dynamodb },
      trimStream: trim,
      stop: async () => {
        await Promise.all(started.map(close));
      },
    };
  } catch (err) {
    await Promise.all(started.map(close));
    throw err;
  }
}
