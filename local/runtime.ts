// The embedded default: the whole pipeline in this process. kinesalite + dynalite, the processor
// behind a reproduction of the Kinesis event source mapping, the snapshot job on its schedule, every
// route behind a local API Gateway, and (unless disabled) the generator feeding the stream. The
// handlers are the very modules that deploy to Lambda; they read their configuration from the
// environment variables the stack sets, so those are set here before the modules are imported.
//
// Handler modules build their AWS clients once, at import (as in a Lambda container), and Node keeps
// one copy of a module per process: so a process hosts one runtime at a time, against one pair of
// emulator endpoints. Stopping and starting again on the same ports is fine.
//
// Threads: kinesalite and dynalite each run on a worker thread (local/emulators.ts); the processor
// runs on one of its own when `processorThread` is 'worker' (npm start, the benchmarks), else on the
// main thread with the mapping, the gateway, the route handlers and the snapshot job.
import { existsSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { KinesisStreamEvent } from 'aws-lambda';
import type { FamilyName } from '../domain/family-generator';
import {
  API_BINARY_MEDIA_TYPES,
  AUTHORIZER,
  ENV,
  LIVE_AUTHORIZER,
  LIVE_PATH,
  METRICS_NAMESPACE,
  PROCESSOR,
  ROUTES,
  type RouteDef,
  SNAPSHOT,
  STREAM,
} from '../lib/definitions';
import { type PipelineView, pipelineView } from '../queries/pipeline';
import { makeDynamoClient, makeKinesisClient } from '../storage/clients';
import { PipelineStore } from '../storage/pipeline-store';
import { StreamProducer } from '../stream/producer';
import { CONFIG_SCRIPT_NAME, dashboardConfigScript } from '../web/src/config-script';
import {
  type ApiGatewayStats,
  type ApiHandler,
  type AuthorizerHandler,
  LocalApiGateway,
} from './api-gateway';
import { lockDataDir } from './data-dir-lock';
import { type Emulators, startEmulators, type TableNames } from './emulators';
import {
  type EventSourceMappingOptions,
  KinesisEventSourceMapping,
  type KinesisHandler,
  type MappingConfig,
  type MappingStats,
  type OnFailureRecord,
} from './event-source-mapping';
import { type FaultInjector, type FaultPlan, installFaults } from './faults';
import { FunctionThread } from './function-thread';
import { GeneratorLoop, type GeneratorStats, type GeneratorStep } from './generator-loop';
import { loadHandler, REPO_ROOT } from './handler-module';
import { LOCAL_REGION } from './lambda';
import { type LiveAuthorizerHandler, type LiveGatewayStats, LocalLiveGateway } from './live-gateway';
import { LogFiles, localLogDir } from './logs';
import { type ScheduledHandler, Scheduler, type SchedulerStats } from './scheduler';
import { landedPrefix } from './stream-landed';

export { REPO_ROOT };
export const DEFAULT_API_PORT = 3000;
export const DEFAULT_GENERATOR_USERS = 500;
export const DEFAULT_GENERATOR_EVERY_MS = 5_000;
/**
 * Where the generator stops adding users when not told: twice its first batch (1,000 by default).
 * Every event is kept at 5-second resolution for good, so the stored data grows with the event rate;
 * at this cap that is about 180 events/s and 0.4 MB a minute on a data directory (docs/performance.md,
 * "The long run", which also gives what the process's memory does in memory and on disk).
 */
export function defaultGeneratorMaxUsers(users: number): number {
  return users * 2;
}
/** How often the stream is trimmed to its retention. */
const TRIM_EVERY_MS = 30_000;

export interface LocalRuntimeOptions {
  /** API port (default 3000; 0 = ephemeral). */
  port?: number;
  host?: string;
  /** kinesalite port (default 4567; 0 = ephemeral). */
  kinesisPort?: number;
  /** dynalite port (default 4568; 0 = ephemeral). */
  dynamoPort?: number;
  /** Persist the emulators, the mapping's checkpoint, failures, generator state and logs here. Default: in memory. */
  dataDir?: string;
  /** Feed the stream with generated events (default true). */
  generator?: boolean;
  /** Users registered by the generator's first batch (default 500). */
  generatorUsers?: number;
  /** Later batches stop registering users past this many (default 2 × generatorUsers): bounded volume. */
  generatorMaxUsers?: number;
  /** Time between generated batches (default 5000 ms). */
  generatorEveryMs?: number;
  generatorSeed?: number;
  /** The event families the generator feeds (default: FEED_FAMILIES, every family the processor folds). */
  generatorFamilies?: readonly FamilyName[];
  /** The generator stops after this many batches in all (default: never). */
  generatorMaxBatches?: number;
  /** Called after each step of a generated batch (tests: a kill at an exact point; local/generator-loop.ts). */
  generatorOnStep?: (step: GeneratorStep, batch: number) => void;
  /** Nothing on the terminal (logs still go to the files). */
  quiet?: boolean;
  /** Snapshot job period (default SNAPSHOT.localEveryMs); false = never run it on a schedule. */
  snapshotEveryMs?: number | false;
  /** Event source mapping overrides (defaults: PROCESSOR_MAPPING), e.g. for tests and benchmarks. */
  mapping?: Partial<MappingConfig> &
    Pick<EventSourceMappingOptions, 'pollIntervalMs' | 'retryBaseMs' | 'retryMaxMs' | 'maxPayloadBytes'>;
  /**
   * Log folder. Default `<dataDir>/logs`; in memory `<tmpdir>/bacefook/logs` (port 3000) or
   * `<tmpdir>/bacefook/logs-<port>`; with an ephemeral port, a private temporary folder removed on stop.
   */
  logDir?: string;
  /** Static files served at `/` (default web/dist). */
  staticDir?: string;
  /**
   * Where the processor runs: 'main' (the default), this thread, where tests and the fault switch reach
   * its module; or 'worker', a worker thread of its own (local/function-thread.ts), as Lambda runs it
   * in its own environment, so that folding a large batch never holds up the API. `npm start` and the
   * benchmarks use 'worker'. The fault switch needs 'main'.
   */
  processorThread?: 'main' | 'worker';
  /** Faults injected into the processor (local/faults.ts), as a plan or `throttle=0.05,crash=0.1,...`. */
  faults?: FaultPlan | string;
  /**
   * How long the local stream keeps a record once the event source mapping is done with it (default
   * STREAM.localRetentionMinutes); a record the pipeline has not processed is never dropped. false:
   * keep every record (tests and soaks that read the whole stream back).
   */
  streamRetentionMinutes?: number | false;
  /**
   * Access tokens (SPEC 13; `npm start -- --auth`): every route but the open ones needs a bearer token,
   * checked by the stack's authorizer module. Default off: the embedded default is open on 127.0.0.1.
   * `cacheSeconds` overrides how long the gateway keeps an authorizer's answer (tests: 0).
   */
  auth?: boolean | { cacheSeconds?: number; now?: () => number };
}

export interface RuntimeStats {
  uptimeMs: number;
  eventSourceMapping: MappingStats;
  api: ApiGatewayStats;
  snapshot: SchedulerStats | null;
  generator: GeneratorStats | null;
  live: LiveGatewayStats;
}

export interface LocalRuntime {
  /** Base URL of the API (and of the dashboard at `/`). */
  apiUrl: string;
  /** The live updates' WebSocket URL (`ws://host:port/live`, SPEC 13). */
  liveUrl: string;
  endpoints: { api: string; kinesis: string; dynamodb: string };
  streamName: string;
  streamArn: string;
  tables: TableNames;
  dataDir: string | null;
  logDir: string;
  /** Whether web/dist (the built dashboard) is being served at `/`. */
  dashboard: boolean;
  /** Whether routes need an access token (LocalRuntimeOptions.auth, or setAuth since). */
  auth: boolean;
  /** Turns tokens on or off from the next request on (benchmarks: the same graph open and guarded). */
  setAuth(auth: boolean | { cacheSeconds?: number; now?: () => number }): Promise<void>;
  /** Resolves once everything put into the stream before the call has been processed (and its live updates sent). */
  drain(timeoutMs?: number): Promise<void>;
  /** Counters of every part (synchronous, cheap). */
  stats(): RuntimeStats;
  /** The processor's outcome counters, as GET /meta/pipeline answers them. */
  pipeline(): Promise<PipelineView>;
  /** Runs the snapshot job now (never concurrently with a scheduled run). */
  snapshotNow(): Promise<void>;
  /** The fault switch (local/faults.ts): `set()` another plan, read what it injected. */
  faults: FaultInjector;
  /** What the event source mapping sent to its on-failure destination, oldest first. */
  failures(): OnFailureRecord[];
  /**
   * Reads the whole stream again from TRIM_HORIZON with a new event source mapping (same settings, its
   * checkpoint in memory), into the same tables or, with `freshTables`, into empty ones.
   */
  replay(opts?: { freshTables?: boolean }): Promise<void>;
  /**
   * Empties the pipeline of an in-memory runtime without a generator: a fresh stream and fresh tables
   * (Emulators.reset) and a new event source mapping reading the new stream, while the functions keep
   * their warm code and module state, as a deployment whose stream and tables were recreated would.
   * For benchmark runs: caches the API keeps across batches (the name registry of /meta/users) are
   * not emptied.
   */
  reset(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * `<dataDir>/replay.json` is there while a replay into fresh tables has emptied (or is emptying) the
 * tables but the mapping's saved checkpoint still points at the old end of the stream.
 */
const REPLAY_MARKER = 'replay.json';

function writeReplayMarker(dataDir: string): void {
  const file = join(dataDir, REPLAY_MARKER);
  writeFileSync(
    `${file}.tmp`,
    `${JSON.stringify({ freshTables: true, startedAt: new Date().toISOString() })}\n`,
  );
  renameSync(`${file}.tmp`, file);
}

function readReplayMarker(dataDir: string): { startedAt: string } | null {
  try {
    const m = JSON.parse(readFileSync(join(dataDir, REPLAY_MARKER), 'utf8')) as { startedAt?: unknown };
    return { startedAt: String(m.startedAt) };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    // Unreadable (cut short while written): the replay had begun all the same.
    return { startedAt: 'unknown' };
  }
}

function clearReplayMarker(dataDir: string): void {
  rmSync(join(dataDir, REPLAY_MARKER), { force: true });
}

/** Endpoints the handler modules of this process were loaded against (see the header comment). */
let loadedAgainst: { kinesis: string; dynamodb: string } | null = null;

function setHandlerEnv(emu: Emulators): void {
  process.env[ENV.graphTable] = emu.tables.graph;
  process.env[ENV.historyTable] = emu.tables.history;
  process.env[ENV.metaTable] = emu.tables.meta;
  process.env[ENV.streamName] = emu.streamName;
  process.env[ENV.dynamodbEndpoint] = emu.endpoints.dynamodb;
  process.env[ENV.kinesisEndpoint] = emu.endpoints.kinesis;
  process.env[ENV.metricsNamespace] ??= METRICS_NAMESPACE;
  process.env.AWS_REGION ??= LOCAL_REGION;
}

/** The processor on a worker thread of its own; stopped after the mapping (cleanup runs in reverse). */
async function processorOnThread(
  emu: Emulators,
  logs: LogFiles,
  cleanup: (() => Promise<void>)[],
): Promise<KinesisHandler> {
  const thread = await FunctionThread.start<KinesisStreamEvent, unknown>({
    fn: PROCESSOR,
    emulatorEndpoints: [emu.endpoints.kinesis, emu.endpoints.dynamodb],
    output: (text, stream) => logs.output(PROCESSOR.id, text, stream),
    logger: logs,
  });
  cleanup.push(() => thread.stop());
  return thread.handler;
}

export async function startLocalRuntime(opts: LocalRuntimeOptions = {}): Promise<LocalRuntime> {
  if (opts.processorThread === 'worker' && opts.faults !== undefined && opts.faults !== null) {
    throw new Error(
      "the fault switch reaches a processor on the main thread only: use processorThread 'main'",
    );
  }
  const t0 = Date.now();
  const dataDir = opts.dataDir ? resolve(opts.dataDir) : undefined;
  // Before anything opens a file under it: a second runtime on the same directory stops here.
  const unlock = dataDir ? lockDataDir(dataDir) : null;
  const apiPort = opts.port ?? DEFAULT_API_PORT;
  // An in-memory runtime on an ephemeral port (tests, benchmarks) gets a private log folder, removed on stop.
  const privateLogs =
    !opts.logDir && !dataDir && apiPort === 0 ? mkdtempSync(join(tmpdir(), 'bacefook-')) : null;
  const logs = new LogFiles({
    dir: opts.logDir ?? (privateLogs ? join(privateLogs, 'logs') : localLogDir(dataDir, apiPort)),
    truncate: !dataDir,
    echo: !opts.quiet,
  });
  const cleanup: (() => Promise<void>)[] = [
    async () => {
      unlock?.();
    },
    async () => {
      await logs.close();
      if (privateLogs) rmSync(privateLogs, { recursive: true, force: true });
    },
  ];
  const stopAll = async () => {
    for (const step of cleanup.reverse().splice(0)) {
      try {
        await step();
      } catch (err) {
        logs.log('warn', 'runtime', 'stopping a part failed', { error: err });
      }
    }
  };

  try {
    const emu = await startEmulators({
      kinesisPort: opts.kinesisPort,
      dynamoPort: opts.dynamoPort,
      host: opts.host,
      dataDir,
    });
    cleanup.push(() => emu.stop());
    if (
      loadedAgainst &&
      (loadedAgainst.kinesis !== emu.endpoints.kinesis || loadedAgainst.dynamodb !== emu.endpoints.dynamodb)
    ) {
      throw new Error(
        `this process already loaded the handlers against ${loadedAgainst.kinesis} and ${loadedAgainst.dynamodb}; ` +
          'start the runtime again on the same ports, or in another process',
      );
    }
    setHandlerEnv(emu);
    loadedAgainst = { ...emu.endpoints };
    // Before the handlers build their clients: the switch's middleware must be on them.
    const faults = installFaults();
    faults.set(opts.faults ?? null);

    const onWorker = opts.processorThread === 'worker';
    const [processorHandler, snapshotHandler, ...routeHandlers] = await Promise.all([
      onWorker ? processorOnThread(emu, logs, cleanup) : loadHandler<KinesisHandler>(PROCESSOR.entry),
      loadHandler<ScheduledHandler>(SNAPSHOT.entry),
      ...ROUTES.map((r: RouteDef) => loadHandler<ApiHandler>(r.entry)),
    ]);

    // The runtime's own clients (the handlers build theirs from the environment).
    const kinesis: KinesisClient = makeKinesisClient({
      endpoint: emu.endpoints.kinesis,
      region: LOCAL_REGION,
    });
    const doc: DynamoDBDocumentClient = makeDynamoClient({
      endpoint: emu.endpoints.dynamodb,
      region: LOCAL_REGION,
    });
    cleanup.push(async () => {
      kinesis.destroy();
      doc.destroy();
    });

    // The live fan-out, fed after each processor invocation (dynalite has no streams): the processor
    // returns first, the push runs beside the next batch (local/live-gateway.ts).
    const live = new LocalLiveGateway(doc, emu.tables.meta, logs);
    const processorInvoke = faults.wrapKinesis(logs.wrap(PROCESSOR.id, processorHandler));
    const notifyingProcessor: KinesisHandler = async (event, context) => {
      try {
        return await processorInvoke(event, context);
      } finally {
        live.notify();
      }
    };
    // Digests a previous run left (a data dir) are deleted unsent: nobody is connected yet.
    live.notify();
    const mappingOptions: EventSourceMappingOptions = {
      ...opts.mapping,
      kinesis,
      streamName: emu.streamName,
      handler: notifyingProcessor,
      fn: PROCESSOR,
      dataDir,
      logger: logs,
    };
    // A replay into fresh tables that was cut short (the process killed): its tables may be half
    // emptied and half refilled while nothing on disk says where it got to. Start it over.
    const unfinished = dataDir ? readReplayMarker(dataDir) : null;
    if (unfinished) {
      logs.log('warn', 'runtime', 'finishing a replay into fresh tables that was interrupted', unfinished);
      await emu.reset({ stream: false });
    }
    let esm = new KinesisEventSourceMapping({ ...mappingOptions, forgetCheckpoint: unfinished !== null });
    await esm.start();
    if (dataDir && unfinished) clearReplayMarker(dataDir);
    cleanup.push(() => esm.stop());

    // The stream's retention: records the mapping is done with go once they are old enough.
    const retentionMinutes =
      opts.streamRetentionMinutes === undefined ? STREAM.localRetentionMinutes : opts.streamRetentionMinutes;
    if (retentionMinutes !== false) {
      const retentionMs = retentionMinutes * 60_000;
      let trimming = false;
      const trim = async () => {
        if (trimming) return;
        trimming = true;
        try {
          const trimmed = await emu.trimStream({
            before: Date.now() - retentionMs,
            through: esm.stats().checkpoint,
          });
          if (trimmed > 0) logs.log('debug', 'stream', 'trimmed records past retention', { trimmed });
        } catch (err) {
          logs.log('warn', 'stream', 'trimming the stream failed', { error: err });
        } finally {
          trimming = false;
        }
      };
      const timer = setInterval(() => void trim(), Math.min(TRIM_EVERY_MS, Math.max(1_000, retentionMs / 2)));
      timer.unref();
      cleanup.push(async () => clearInterval(timer));
    }

    const snapshot = new Scheduler({
      fn: SNAPSHOT,
      handler: logs.wrap(SNAPSHOT.id, snapshotHandler),
      everyMs: opts.snapshotEveryMs === false ? 1 : (opts.snapshotEveryMs ?? SNAPSHOT.localEveryMs),
      logger: logs,
    });
    if (opts.snapshotEveryMs !== false) snapshot.start();
    cleanup.push(() => snapshot.stop());

    const staticDir = opts.staticDir ?? join(REPO_ROOT, 'web', 'dist');
    const api = new LocalApiGateway({
      routes: ROUTES.map((def, i) => ({ def, handler: logs.wrap(def.fn.id, routeHandlers[i]) })),
      port: apiPort,
      host: opts.host,
      staticDir,
      // The dashboard asks for the config.js the deployed stack writes next to it; here the API is
      // the page's own origin, which an empty base URL means.
      generatedFiles: { [CONFIG_SCRIPT_NAME]: dashboardConfigScript('') },
      binaryMediaTypes: API_BINARY_MEDIA_TYPES,
      logger: logs,
    });
    // The stack's authorizer module, loaded the first time tokens are turned on.
    let authorizer: AuthorizerHandler | null = null;
    let liveAuthorizer: LiveAuthorizerHandler | null = null;
    let authOn = false;
    const setAuth = async (auth: boolean | { cacheSeconds?: number; now?: () => number }) => {
      if (auth === false) {
        api.setAuth(undefined);
        live.setAuthorizer(null);
        authOn = false;
        return;
      }
      authorizer ??= logs.wrap(AUTHORIZER.id, await loadHandler<AuthorizerHandler>(AUTHORIZER.entry));
      liveAuthorizer ??= logs.wrap(
        LIVE_AUTHORIZER.id,
        await loadHandler<LiveAuthorizerHandler>(LIVE_AUTHORIZER.entry),
      );
      api.setAuth({ handler: authorizer, ...(typeof auth === 'object' ? auth : {}) });
      live.setAuthorizer(liveAuthorizer);
      authOn = true;
    };
    if (opts.auth !== undefined) await setAuth(opts.auth);
    api.onUpgrade(live.handleUpgrade);
    const apiUrl = await api.start();
    cleanup.push(() => api.stop());
    // Before the API stops (cleanup runs in reverse): open sockets would keep its server up.
    cleanup.push(() => live.stop());
    const liveUrl = `${apiUrl.replace(/^http/, 'ws')}${LIVE_PATH}`;

    let generator: GeneratorLoop | null = null;
    if (opts.generator ?? true) {
      const producer = new StreamProducer(kinesis, emu.streamName);
      const users = opts.generatorUsers ?? DEFAULT_GENERATOR_USERS;
      generator = new GeneratorLoop({
        users,
        maxUsers: opts.generatorMaxUsers ?? defaultGeneratorMaxUsers(users),
        everyMs: opts.generatorEveryMs ?? DEFAULT_GENERATOR_EVERY_MS,
        seed: opts.generatorSeed,
        families: opts.generatorFamilies,
        maxBatches: opts.generatorMaxBatches,
        onStep: opts.generatorOnStep,
        send: (events: unknown[]) => producer.send(events),
        landed: (events: unknown[], after: string | undefined) =>
          landedPrefix(kinesis, emu.streamName, events, after),
        stateFile: dataDir ? join(dataDir, 'generator.json') : undefined,
        logger: logs,
      });
      const g = generator;
      cleanup.push(() => g.stop());
      // Not awaited: a restored generator replays its batches in the background (drain() waits for it).
      void g
        .start()
        .catch((err) => logs.log('error', 'generator', 'generator failed to start', { error: err }));
    }

    const store = new PipelineStore(doc, emu.tables);
    logs.log('info', 'runtime', 'started', {
      bootMs: Date.now() - t0,
      apiUrl,
      endpoints: emu.endpoints,
      dataDir: dataDir ?? null,
      generator: generator !== null,
    });

    let stopping: Promise<void> | null = null;
    return {
      apiUrl,
      liveUrl,
      endpoints: { api: apiUrl, ...emu.endpoints },
      streamName: emu.streamName,
      streamArn: emu.streamArn,
      tables: emu.tables,
      dataDir: dataDir ?? null,
      logDir: logs.dir,
      dashboard: existsSync(join(staticDir, 'index.html')),
      get auth() {
        return authOn;
      },
      setAuth,
      drain: async (timeoutMs?: number) => {
        await generator?.idle();
        await esm.drain(timeoutMs);
        // And pushed to the live subscribers (the push each invocation started).
        await live.idle();
      },
      stats: () => ({
        uptimeMs: Date.now() - t0,
        eventSourceMapping: esm.stats(),
        api: api.stats(),
        snapshot: opts.snapshotEveryMs === false ? null : snapshot.stats(),
        generator: generator?.stats() ?? null,
        live: live.stats(),
      }),
      pipeline: async () => pipelineView(await store.readState()),
      snapshotNow: () => snapshot.runNow(),
      faults,
      failures: () => [...esm.failures.records],
      replay: async ({ freshTables = false } = {}) => {
        await esm.stop();
        if (!freshTables) {
          // Into the same tables: the processor skips what they hold, so the saved checkpoint can stay
          // as it was (a kill part way leaves nothing to redo) and this mapping's lives in memory.
          esm = new KinesisEventSourceMapping({
            ...mappingOptions,
            dataDir: undefined,
            failureQueue: esm.failures,
            startingPosition: 'TRIM_HORIZON',
          });
          await esm.start();
          return;
        }
        // Into fresh tables, crash-safe with a data dir: the marker goes down before the tables are
        // emptied and comes off only once the saved checkpoint is gone, so a restart in between
        // empties the tables again and reads from the trim horizon (see readReplayMarker above). After
        // that the new mapping saves its progress as any mapping does, and a restart continues it.
        if (dataDir) writeReplayMarker(dataDir);
        await emu.reset({ stream: false });
        esm = new KinesisEventSourceMapping({
          ...mappingOptions,
          failureQueue: esm.failures,
          startingPosition: 'TRIM_HORIZON',
          forgetCheckpoint: true,
        });
        await esm.start();
        if (dataDir) clearReplayMarker(dataDir);
      },
      reset: async () => {
        if (dataDir || generator !== null) {
          throw new Error('reset() is for an in-memory runtime without a generator');
        }
        await esm.stop();
        await emu.reset();
        esm = new KinesisEventSourceMapping({
          ...mappingOptions,
          dataDir: undefined,
          startingPosition: 'TRIM_HORIZON',
        });
        await esm.start();
      },
      stop: () => {
        stopping ??= (async () => {
          logs.log('info', 'runtime', 'stopping', {});
          await stopAll();
        })();
        return stopping;
      },
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}
