// npm run logs -- <function> [--target local|aws|localstack] [--since D] [--follow] [--filter TEXT] ...
//
// Prints a function's log entries as JSON lines, the same form wherever they come from:
// - local (default): the embedded runtime's log files (local/logs.ts): <log dir>/<FunctionId>.log, and
//   runtime.log for the runtime itself. The log dir follows npm start's flags (--data-dir, --port), the
//   way the runtime chose it (localLogDir), or --log-dir. Locally the generator is a loop of the runtime,
//   so `generator` reads runtime.log's generator entries.
// - aws / localstack: CloudWatch Logs, group /aws/lambda/<stack>-<FunctionId> (cloudLogGroupName), read
//   with FilterLogEvents. --follow polls it: LocalStack's free tier has no StartLiveTail, and polling
//   works against both.
//
// Lines that already are JSON objects (Powertools logs, EMF metric blobs) are printed as they are;
// anything else (Lambda's START/END/REPORT lines, a stray console.log) is wrapped as
// {timestamp, level, stream, message}, which is what the local runtime does with such output.
import { open, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  CloudWatchLogsClient,
  type CloudWatchLogsClientConfig,
  type FilteredLogEvent,
  FilterLogEventsCommand,
  type FilterLogEventsCommandOutput,
} from '@aws-sdk/client-cloudwatch-logs';
import { cloudLogGroupName, FUNCTIONS, type FunctionDef, GENERATOR } from '../lib/definitions';
import { localLogDir, RUNTIME_LOG, rotatedPath } from '../local/logs';
import { CliError, choiceOption, execute, type Io, intOption, isMain, processIo } from './cli-args';

export const LOGS_USAGE = `usage: npm run logs -- <function> [options]
  <function>      Processor, Snapshot, Generator, an API function (ApiUserProfile, user-profile, ...)
                  or runtime (the local runtime's own log); --list shows them all
  --target T      local (default: the log files of npm start), aws (CloudWatch Logs) or
                  localstack (CloudWatch Logs on LocalStack)
  --since D       from how long ago: 30s, 10m, 2h, 1d, an ISO 8601 time or epoch ms (default 10m)
  -f, --follow    keep printing new entries until Ctrl-C
  --filter TEXT   only entries containing TEXT
  --limit N       at most N entries (ignored with --follow)
  --data-dir DIR  local: the --data-dir given to npm start
  --port N        local: the --port given to npm start (default 3000)
  --log-dir DIR   local: read this folder instead
  --stack NAME    aws/localstack: the stack name (default Bacefook)
  --region R      aws/localstack: the region (default $AWS_REGION, else your profile's; us-east-1 on LocalStack)
  --endpoint URL  localstack: the edge URL (default ${'http://localhost.localstack.cloud:4566'})
  --list          list the function names and exit`;

export const LOCALSTACK_ENDPOINT = 'http://localhost.localstack.cloud:4566';
export const DEFAULT_STACK = 'Bacefook';
const DEFAULT_SINCE = '10m';
const LOCAL_POLL_MS = 500;
const CLOUD_POLL_MS = 2_000;

export type LogTarget = 'local' | 'aws' | 'localstack';
export type LogEntry = Record<string, unknown>;

/** Which function (or the runtime) a name means; null if none. */
export interface LogSource {
  id: string;
  def: FunctionDef | null;
}

const kebab = (id: string) => id.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();

/** Accepts a FunctionDef id in any case, its kebab form, and an API function without its `Api` prefix. */
export function resolveSource(name: string): LogSource | null {
  const want = name.trim().toLowerCase();
  if (want === RUNTIME_LOG) return { id: RUNTIME_LOG, def: null };
  for (const def of FUNCTIONS) {
    const k = kebab(def.id);
    const names = [def.id.toLowerCase(), k];
    if (k.startsWith('api-')) names.push(k.slice(4), def.id.slice(3).toLowerCase());
    if (names.includes(want)) return { id: def.id, def };
  }
  return null;
}

export function sourceNames(): string[] {
  return [...FUNCTIONS.map((d) => d.id), RUNTIME_LOG];
}

const UNITS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Epoch ms of --since: a duration back from `now`, an ISO 8601 time, or epoch ms. */
export function parseSince(text: string, now: number): number {
  const rel = /^(\d+)\s*([smhd])$/.exec(text.trim());
  if (rel) return now - Number(rel[1]) * UNITS[rel[2]];
  if (/^\d{10,}$/.test(text.trim())) return Number(text.trim());
  const t = Date.parse(text);
  if (Number.isNaN(t))
    throw new CliError(`--since must be like 30s, 10m, 2h, 1d, an ISO time or epoch ms, got "${text}"`);
  return t;
}

/** When an entry happened: Powertools' and the runtime's `timestamp`, or an EMF blob's `_aws.Timestamp`. */
export function entryTime(e: LogEntry): number | null {
  const ts = e.timestamp;
  if (typeof ts === 'number') return ts;
  if (typeof ts === 'string') {
    const t = Date.parse(ts);
    if (!Number.isNaN(t)) return t;
  }
  const aws = e._aws as { Timestamp?: unknown } | undefined;
  return typeof aws?.Timestamp === 'number' ? aws.Timestamp : null;
}

function parseObject(text: string): LogEntry | null {
  if (!text.startsWith('{') || !text.endsWith('}')) return null;
  try {
    const v: unknown = JSON.parse(text);
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as LogEntry) : null;
  } catch {
    return null;
  }
}

// Lambda's text format for console.*: "<ISO time>\t<request id>\t<LEVEL>\t<message>".
const LAMBDA_TEXT = /^(\S+)\t([0-9a-f-]{36}|undefined)\t(TRACE|DEBUG|INFO|WARN|ERROR|FATAL)\t([\s\S]*)$/;

/** A CloudWatch event as a log entry: its JSON as it is, or a wrapped text line. */
export function fromCloudWatch(event: FilteredLogEvent): LogEntry {
  const text = (event.message ?? '').trim();
  const json = parseObject(text);
  if (json) return json;
  const timestamp = new Date(event.timestamp ?? Date.now()).toISOString();
  const m = LAMBDA_TEXT.exec(text);
  if (m) {
    const inner = parseObject(m[4].trim());
    if (inner) return inner;
    return { timestamp, level: m[3], stream: 'stdout', requestId: m[2], message: m[4].trim() };
  }
  // START / END / REPORT / INIT_START and other platform lines.
  const platform = /^(START|END|REPORT|INIT_START|INIT_REPORT|EXTENSION|TELEMETRY)\b/.test(text);
  return { timestamp, level: 'INFO', stream: platform ? 'platform' : 'stdout', message: text };
}

export interface LogsOptions {
  source: LogSource;
  target: LogTarget;
  since: number;
  follow: boolean;
  filter?: string;
  limit?: number;
  logDir: string;
  stack: string;
  region?: string;
  endpoint?: string;
}

/** The part of CloudWatchLogsClient this command uses (a test passes a fake). */
export interface LogsClient {
  send(command: FilterLogEventsCommand): Promise<FilterLogEventsCommandOutput>;
  destroy(): void;
}

export interface LogsDeps {
  now?: () => number;
  /** Stops --follow (Ctrl-C in the CLI). */
  signal?: AbortSignal;
  cloudWatch?: (config: CloudWatchLogsClientConfig) => LogsClient;
  pollMs?: number;
}

/** Parses the command line; throws CliError on a usage error. Null for --list. */
export function parseLogsArgs(argv: string[], env: NodeJS.ProcessEnv, now: number): LogsOptions | null {
  let parsed: ReturnType<typeof parse>;
  function parse() {
    return parseArgs({
      args: argv,
      strict: true,
      allowPositionals: true,
      options: {
        target: { type: 'string' },
        since: { type: 'string' },
        follow: { type: 'boolean', short: 'f' },
        filter: { type: 'string' },
        limit: { type: 'string' },
        'data-dir': { type: 'string' },
        port: { type: 'string' },
        'log-dir': { type: 'string' },
        stack: { type: 'string' },
        region: { type: 'string' },
        endpoint: { type: 'string' },
        list: { type: 'boolean' },
      },
    });
  }
  try {
    parsed = parse();
  } catch (err) {
    throw new CliError(err instanceof Error ? err.message : String(err));
  }
  const v = parsed.values;
  if (v.list) return null;
  if (parsed.positionals.length !== 1) throw new CliError('name exactly one function (--list shows them)');
  const source = resolveSource(parsed.positionals[0]);
  if (!source) {
    throw new CliError(`unknown function "${parsed.positionals[0]}"; one of: ${sourceNames().join(', ')}`);
  }
  const target = choiceOption('target', v.target, ['local', 'aws', 'localstack'] as const, 'local');
  if (target !== 'local' && source.def === null) {
    throw new CliError(`${RUNTIME_LOG} is the local runtime's own log; it exists only with --target local`);
  }
  const port = intOption('port', v.port, { min: 1, max: 65_535, fallback: 3000 });
  return {
    source,
    target,
    since: parseSince(v.since ?? DEFAULT_SINCE, now),
    follow: v.follow ?? false,
    filter: v.filter,
    limit: v.limit === undefined ? undefined : intOption('limit', v.limit, { min: 1 }),
    logDir: v['log-dir'] ?? localLogDir(v['data-dir'], port),
    stack: v.stack ?? DEFAULT_STACK,
    region:
      v.region ??
      (env.AWS_REGION || env.AWS_DEFAULT_REGION || (target === 'localstack' ? 'us-east-1' : undefined)),
    endpoint: target === 'localstack' ? (v.endpoint ?? LOCALSTACK_ENDPOINT) : v.endpoint,
  };
}

/** Prints entries in order, applying the time window, the filter and the limit. */
class Printer {
  printed = 0;
  constructor(
    private readonly io: Io,
    private readonly o: LogsOptions,
    private readonly keep: (e: LogEntry) => boolean = () => true,
    /** False when the server applied --filter already (CloudWatch's filter pattern). */
    private readonly filterHere = true,
  ) {}

  get full(): boolean {
    return !this.o.follow && this.o.limit !== undefined && this.printed >= this.o.limit;
  }

  line(e: LogEntry, raw?: string): void {
    if (this.full || !this.keep(e)) return;
    const t = entryTime(e);
    if (t !== null && t < this.o.since) return;
    const text = raw ?? JSON.stringify(e);
    if (this.filterHere && this.o.filter && !text.includes(this.o.filter)) return;
    this.io.stdout.write(`${text}\n`);
    this.printed++;
  }
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    if (signal?.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });

/** Local log file of a source, as LogFiles.pathOf names it (`<dir>/<id>.log`). */
export function localLogFile(
  logDir: string,
  source: LogSource,
): { path: string; keep?: (e: LogEntry) => boolean } {
  if (source.def === GENERATOR) {
    // The embedded runtime's generator is a loop of the runtime, logging to runtime.log.
    return { path: join(logDir, `${RUNTIME_LOG}.log`), keep: (e) => e.component === 'generator' };
  }
  return { path: join(logDir, `${source.id}.log`) };
}

async function readLocal(o: LogsOptions, io: Io, deps: LogsDeps): Promise<void> {
  const { path, keep } = localLogFile(o.logDir, o.source);
  const rotated = rotatedPath(path);
  const printer = new Printer(io, o, keep);
  /** The file being followed (its inode), how far it has been read, and a line not yet ended. */
  let file: { ino: number; offset: number } | null = null;
  let partial = '';
  let missingSaid = false;

  /** Prints `file`'s lines from `from` to `to`; false once the printer is full. */
  const readRange = async (file: string, from: number, to: number): Promise<boolean> => {
    if (to <= from) return true;
    const fh = await open(file, 'r');
    try {
      const buf = Buffer.alloc(to - from);
      const { bytesRead } = await fh.read(buf, 0, buf.length, from);
      const lines = (partial + buf.toString('utf8', 0, bytesRead)).split('\n');
      partial = lines.pop() ?? '';
      for (const raw of lines) {
        const text = raw.trim();
        if (!text) continue;
        const e = parseObject(text) ?? { level: 'INFO', stream: 'stdout', message: text };
        printer.line(e, parseObject(text) ? text : undefined);
        if (printer.full) return false;
      }
      return true;
    } finally {
      await fh.close();
    }
  };
  const statOf = async (p: string) => {
    try {
      return await stat(p);
    } catch {
      return null;
    }
  };

  for (;;) {
    const now = await statOf(path);
    if (now === null) {
      if (!o.follow) {
        throw new Error(
          `no log file ${path}: is the local runtime running (npm start)? Pass --data-dir/--port as given to it, or --log-dir`,
        );
      }
      if (!missingSaid) io.stderr.write(`waiting for ${path}...\n`);
      missingSaid = true;
    } else {
      if (file === null) {
        // First look: the rotated part (older entries) first.
        const old = await statOf(rotated);
        if (old !== null && !(await readRange(rotated, 0, old.size))) return;
        partial = '';
        file = { ino: now.ino, offset: 0 };
      } else if (now.ino !== file.ino) {
        // Rotated since the last look: the rest of the file followed is now the rotated one.
        const old = await statOf(rotated);
        if (old !== null && old.ino === file.ino && !(await readRange(rotated, file.offset, old.size)))
          return;
        partial = '';
        file = { ino: now.ino, offset: 0 };
      } else if (now.size < file.offset) {
        // A runtime started again in memory truncates its files: start over.
        partial = '';
        file.offset = 0;
      }
      if (!(await readRange(path, file.offset, now.size))) return;
      file.offset = Math.max(file.offset, now.size);
    }
    if (!o.follow || deps.signal?.aborted) return;
    await sleep(deps.pollMs ?? LOCAL_POLL_MS, deps.signal);
    if (deps.signal?.aborted) return;
  }
}

/** The CloudWatch Logs client for a target: LocalStack's edge with its test credentials, or AWS's chain. */
export function cloudWatchConfig(
  o: Pick<LogsOptions, 'target' | 'region' | 'endpoint'>,
): CloudWatchLogsClientConfig {
  if (o.target === 'localstack') {
    return {
      region: o.region ?? 'us-east-1',
      endpoint: o.endpoint ?? LOCALSTACK_ENDPOINT,
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    };
  }
  return { ...(o.region ? { region: o.region } : {}), ...(o.endpoint ? { endpoint: o.endpoint } : {}) };
}

async function readCloud(o: LogsOptions, io: Io, deps: LogsDeps): Promise<void> {
  const client = (deps.cloudWatch ?? ((c) => new CloudWatchLogsClient(c)))(cloudWatchConfig(o));
  const logGroupName = cloudLogGroupName(o.stack, o.source.id);
  const printer = new Printer(io, o, undefined, false);
  // A quoted term matches the text exactly, as --filter does locally.
  const filterPattern = o.filter ? JSON.stringify(o.filter) : undefined;
  let startTime = o.since;
  // Polls restart at the newest timestamp seen (inclusive): remember what was printed at it.
  const seen = new Map<string, number>();
  try {
    for (;;) {
      let nextToken: string | undefined;
      let newest = startTime;
      do {
        let res: FilterLogEventsCommandOutput;
        try {
          res = await client.send(
            new FilterLogEventsCommand({
              logGroupName,
              startTime,
              filterPattern,
              nextToken,
              limit: !o.follow && o.limit !== undefined ? Math.min(10_000, o.limit) : undefined,
            }),
          );
        } catch (err) {
          if ((err as { name?: unknown }).name === 'ResourceNotFoundException') {
            throw new Error(
              `no log group ${logGroupName} (${o.target}): is the stack deployed as "${o.stack}" (--stack), and has the function run yet?`,
            );
          }
          throw err;
        }
        for (const ev of res.events ?? []) {
          const id = ev.eventId ?? `${ev.timestamp}:${ev.logStreamName}:${ev.message}`;
          if (seen.has(id)) continue;
          seen.set(id, ev.timestamp ?? 0);
          newest = Math.max(newest, ev.timestamp ?? 0);
          printer.line(fromCloudWatch(ev));
          if (printer.full) return;
        }
        nextToken = res.nextToken;
      } while (nextToken && !deps.signal?.aborted);
      if (!o.follow || deps.signal?.aborted) return;
      startTime = newest;
      for (const [id, t] of seen) if (t < startTime) seen.delete(id);
      await sleep(deps.pollMs ?? CLOUD_POLL_MS, deps.signal);
      if (deps.signal?.aborted) return;
    }
  } finally {
    client.destroy();
  }
}

export async function logsMain(argv: string[], io: Io, deps: LogsDeps = {}): Promise<void> {
  const now = (deps.now ?? Date.now)();
  const o = parseLogsArgs(argv, io.env, now);
  if (!o) {
    io.stdout.write(`${sourceNames().join('\n')}\n`);
    return;
  }
  if (o.target === 'local') await readLocal(o, io, deps);
  else await readCloud(o, io, deps);
}

if (isMain(import.meta.url)) {
  const controller = new AbortController();
  // First Ctrl-C stops --follow cleanly; a second one exits at once.
  process.on('SIGINT', () => {
    if (controller.signal.aborted) process.exit(130);
    controller.abort();
  });
  process.on('SIGTERM', () => controller.abort());
  void execute(
    'logs',
    LOGS_USAGE,
    (argv, io) => logsMain(argv, io, { signal: controller.signal }),
    process.argv.slice(2),
    processIo(),
  ).then((code) => {
    process.exitCode = code;
  });
}
