// Log files of the embedded runtime, one JSON line per entry, so `npm run logs -- <function>` can
// read them the way it reads CloudWatch Logs:
//
//   <log dir>/<FunctionId>.log   what a function's code wrote (Powertools logs, EMF metrics, console.*),
//                                e.g. Processor.log, Snapshot.log, ApiUserProfile.log
//   <log dir>/runtime.log        the runtime itself: API access log, event source mapping batches,
//                                retries, failures, schedules, generator
//
// The log dir is `<dataDir>/logs`, or `<tmpdir>/bacefook/logs` for an in-memory `npm start` (see
// localLogDir).
//
// Each file is capped: once it would pass `maxBytes` (LOG_MAX_BYTES by default) it is renamed to
// `<name>.1.log` (replacing the one before) and a new file begins, so a log never holds more than
// twice the cap, however long the runtime runs. `npm run logs` reads the rotated file before the
// current one.
//
// Every function runs in this one process, so a function's output is told apart by the async context
// it runs in (AsyncLocalStorage): while a handler runs, whatever it writes to stdout/stderr goes to its
// own file instead of the terminal. Outside a handler, stdout/stderr are untouched.
import { AsyncLocalStorage } from 'node:async_hooks';
import {
  createWriteStream,
  mkdirSync,
  openSync,
  renameSync,
  rmSync,
  statSync,
  type WriteStream,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Context } from 'aws-lambda';
import type { LambdaHandler } from './lambda';

/**
 * Where the runtime writes its logs: `<dataDir>/logs`; in memory, `<tmpdir>/bacefook/logs` for the
 * default API port 3000 (what `npm start` uses), `<tmpdir>/bacefook/logs-<port>` for another fixed port,
 * so two runtimes on one machine never share files. (An ephemeral port gets a private temporary folder:
 * see startLocalRuntime.)
 */
export function localLogDir(dataDir?: string, apiPort = 3000): string {
  if (dataDir) return join(dataDir, 'logs');
  return join(tmpdir(), 'bacefook', apiPort === 3000 ? 'logs' : `logs-${apiPort}`);
}

export const RUNTIME_LOG = 'runtime';

type StreamName = 'stdout' | 'stderr';

/** Bytes a log file reaches before it is rotated (see the header). */
export const LOG_MAX_BYTES = 8 * 1024 * 1024;

/** The rotated file of a log: `<dir>/<id>.1.log` beside `<dir>/<id>.log`. */
export function rotatedPath(path: string): string {
  return path.replace(/\.log$/, '.1.log');
}

/**
 * An append-only JSON-lines file, rotated when it would pass `maxBytes`. Writes after close are
 * dropped.
 */
class LineFile {
  private out: WriteStream | null;
  private closed = false;
  private bytes = 0;
  private readonly ended: Promise<void>[] = [];

  constructor(
    private readonly path: string,
    truncate: boolean,
    private readonly maxBytes: number,
  ) {
    if (truncate) rmSync(rotatedPath(path), { force: true });
    else {
      try {
        this.bytes = statSync(path).size;
      } catch {
        // a new file
      }
    }
    this.out = this.open(truncate ? 'w' : 'a');
  }

  /** Opened at once (not when the stream gets to it), so a rotation can rename it right away. */
  private open(flags: 'w' | 'a'): WriteStream | null {
    let fd: number;
    try {
      fd = openSync(this.path, flags);
    } catch {
      // A log file must never take the runtime down (disk full, folder removed under us...).
      return null;
    }
    const out = createWriteStream(this.path, { fd });
    out.on('error', () => {
      if (this.out === out) this.out = null;
    });
    return out;
  }

  write(text: string): void {
    if (this.closed || this.out === null) return;
    const size = Buffer.byteLength(text);
    if (this.bytes > 0 && this.bytes + size > this.maxBytes) this.rotate();
    this.bytes += size;
    this.out?.write(text);
  }

  /**
   * Renames the file and starts a new one. Writes the old stream still has pending land in the
   * renamed file (they go to its descriptor), so no line is lost or misplaced.
   */
  private rotate(): void {
    try {
      renameSync(this.path, rotatedPath(this.path));
    } catch {
      // Renamed or removed under us: keep writing where we are.
      return;
    }
    const old = this.out;
    if (old) this.ended.push(new Promise((resolve) => old.end(() => resolve())));
    this.out = this.open('w');
    this.bytes = 0;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const out = this.out;
    this.out = null;
    if (out) this.ended.push(new Promise((resolve) => out.end(() => resolve())));
    await Promise.all(this.ended);
  }
}

/** Turns raw output into JSON lines: JSON lines pass as they are, anything else is wrapped. */
function toJsonLines(text: string, stream: StreamName): string {
  let out = '';
  for (const line of text.split('\n')) {
    const trimmed = line.trimEnd();
    if (trimmed.length === 0) continue;
    if (trimmed.startsWith('{') && trimmed.endsWith('}')) out += `${trimmed}\n`;
    else {
      out += `${JSON.stringify({
        timestamp: new Date().toISOString(),
        level: stream === 'stderr' ? 'ERROR' : 'INFO',
        stream,
        message: trimmed,
      })}\n`;
    }
  }
  return out;
}

// ---- stdout/stderr capture, installed once per process while at least one FunctionLogs is open ----

interface Sink {
  write(text: string, stream: StreamName): void;
}

const current = new AsyncLocalStorage<Sink>();
type Write = typeof process.stdout.write;
let installs = 0;
let originalOut: Write | undefined;
let originalErr: Write | undefined;

function capture(original: Write, stream: StreamName): Write {
  const patched = function (this: NodeJS.WriteStream, chunk: string | Uint8Array, ...rest: unknown[]) {
    const sink = current.getStore();
    if (!sink) return (original as (...a: unknown[]) => boolean).call(this, chunk, ...rest);
    sink.write(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'), stream);
    const callback = rest.find((r) => typeof r === 'function') as (() => void) | undefined;
    if (callback) queueMicrotask(callback);
    return true;
  };
  return patched as unknown as Write;
}

function install(): void {
  if (installs++ > 0) return;
  originalOut = process.stdout.write;
  originalErr = process.stderr.write;
  process.stdout.write = capture(originalOut, 'stdout');
  process.stderr.write = capture(originalErr, 'stderr');
}

function uninstall(): void {
  if (--installs > 0) return;
  if (originalOut) process.stdout.write = originalOut;
  if (originalErr) process.stderr.write = originalErr;
  originalOut = originalErr = undefined;
}

/** Writes to the real terminal, even from inside a handler's async context. */
export function terminalWrite(text: string, stream: StreamName = 'stdout'): void {
  const target = stream === 'stdout' ? process.stdout : process.stderr;
  const write = (stream === 'stdout' ? originalOut : originalErr) ?? target.write;
  write.call(target, text);
}

export interface LogFilesOptions {
  dir: string;
  /** Start the files empty (an in-memory run) instead of appending (a data directory). */
  truncate?: boolean;
  /** Echo runtime warnings and errors to the terminal (false: files only). */
  echo?: boolean;
  /** Bytes a file reaches before it is rotated (default LOG_MAX_BYTES). */
  maxBytes?: number;
}

export type Level = 'debug' | 'info' | 'warn' | 'error';

/** The runtime's own structured logger: one JSON line per entry in runtime.log. */
export interface RuntimeLogger {
  log(level: Level, component: string, message: string, fields?: Record<string, unknown>): void;
}

function serializeError(err: unknown): unknown {
  if (err instanceof Error) return { name: err.name, message: err.message, stack: err.stack };
  return err;
}

/** The log files of one runtime: per-function files and runtime.log. */
export class LogFiles implements RuntimeLogger {
  readonly dir: string;
  private readonly files = new Map<string, LineFile>();
  private readonly truncate: boolean;
  private readonly echo: boolean;
  private readonly maxBytes: number;
  private closed = false;

  constructor(opts: LogFilesOptions) {
    this.dir = opts.dir;
    this.truncate = opts.truncate ?? false;
    this.echo = opts.echo ?? false;
    this.maxBytes = opts.maxBytes ?? LOG_MAX_BYTES;
    mkdirSync(this.dir, { recursive: true });
    install();
  }

  /** Path of a function's (or the runtime's) log file. */
  pathOf(id: string): string {
    return join(this.dir, `${id}.log`);
  }

  private file(id: string): LineFile {
    let f = this.files.get(id);
    if (!f) {
      f = new LineFile(this.pathOf(id), this.truncate, this.maxBytes);
      this.files.set(id, f);
    }
    return f;
  }

  log(level: Level, component: string, message: string, fields: Record<string, unknown> = {}): void {
    if (this.closed) return;
    const entry: Record<string, unknown> = {
      timestamp: new Date().toISOString(),
      level,
      component,
      message,
      ...fields,
    };
    if (Object.hasOwn(fields, 'error')) entry.error = serializeError(fields.error);
    this.file(RUNTIME_LOG).write(`${JSON.stringify(entry)}\n`);
    if (this.echo && (level === 'warn' || level === 'error')) {
      const why = fields.error instanceof Error ? `: ${fields.error.message}` : '';
      terminalWrite(`${level === 'error' ? '✖' : '!'} ${component}: ${message}${why}\n`, 'stderr');
    }
  }

  /** Runs `handler` so that what it writes goes to `<dir>/<id>.log`. */
  wrap<E, R>(id: string, handler: LambdaHandler<E, R>): LambdaHandler<E, R> {
    // Opened now, so every function has its file (possibly empty) from the start.
    this.file(id);
    const sink: Sink = {
      write: (text, stream) => {
        if (!this.closed) this.file(id).write(toJsonLines(text, stream));
      },
    };
    return (event: E, context: Context) => current.run(sink, () => handler(event, context));
  }

  /** Output of a function running where no async context reaches (a thread of its own), into its file. */
  output(id: string, text: string, stream: StreamName): void {
    if (!this.closed) this.file(id).write(toJsonLines(text, stream));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    uninstall();
    await Promise.all([...this.files.values()].map((f) => f.close()));
  }
}
