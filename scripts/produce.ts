// npm run produce -- --file F [--target local|aws] [--stream NAME] [--endpoint URL]
//                    [--compression brotli|gzip|none] [--level N]
// Sends a generator file (a JSON array, as the public generator writes it, or NDJSON) into the stream
// through the ordered StreamProducer, with a progress bar on stderr.
//
// --target local (default): the embedded runtime's kinesalite (`npm start`), at --endpoint, else
//   $BACEFOOK_KINESIS_ENDPOINT, else http://127.0.0.1:4567; stream --stream, else $STREAM_NAME, else
//   the local stream name of lib/definitions.ts.
// --target aws: the default AWS credential chain and region; the stream (the stack's output) comes from
//   --stream or $STREAM_NAME. --endpoint points it elsewhere (e.g. LocalStack at http://localhost:4566).
//
// The producer does not judge events (the processor does): every item of the file is sent as it is.
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { DescribeStreamSummaryCommand, type KinesisClient } from '@aws-sdk/client-kinesis';
import { type Compression, DEFAULT_COMPRESSION, EventTooLargeError } from '../domain/record-encoding';
import { ENV, STREAM } from '../lib/definitions';
import { makeKinesisClient } from '../storage/clients';
import { type ProducerProgress, StreamProducer } from '../stream/producer';
import {
  CliError,
  checkReachable,
  choiceOption,
  type Io,
  intOption,
  isMain,
  parseCli,
  runCli,
} from './cli-args';

export const PRODUCE_USAGE = `usage: npm run produce -- --file FILE [--target local|aws] [--stream NAME] [--endpoint URL]
                           [--compression brotli|gzip|none] [--level N] [--skip N]
  --file         a JSON array of events or NDJSON (as written by npm run generate)
  --target       local (default: the embedded runtime of npm start) or aws
  --stream       stream name (default: $STREAM_NAME, or ${STREAM.localName} locally; required for aws)
  --endpoint     Kinesis endpoint (default local: $BACEFOOK_KINESIS_ENDPOINT or http://127.0.0.1:4567)
  --compression  record compression (default ${DEFAULT_COMPRESSION})
  --level        brotli quality 0-11 / gzip level 1-9
  --skip         leave out the file's first N events (resume a send that stopped part way: it
                 prints the N to resume from)`;

/** The embedded runtime's kinesalite (local/emulators.ts listens there by default). */
const LOCAL_KINESIS_ENDPOINT = 'http://127.0.0.1:4567';
/** Events handed to the producer at a time: bounds memory, and progress starts at once. */
const SLICE_EVENTS = 200_000;
/** A JSON array is parsed whole; beyond this size, ask for NDJSON (which is streamed). */
const MAX_ARRAY_FILE_BYTES = 400 * 1024 * 1024;

interface Target {
  endpoint?: string;
  streamName: string;
  label: string;
}

function resolveTarget(
  env: NodeJS.ProcessEnv,
  target: 'local' | 'aws',
  stream?: string,
  endpoint?: string,
): Target {
  if (target === 'local') {
    const url = endpoint ?? (env[ENV.kinesisEndpoint] || LOCAL_KINESIS_ENDPOINT);
    const streamName = stream ?? (env[ENV.streamName] || STREAM.localName);
    return { endpoint: url, streamName, label: `${streamName} at ${url}` };
  }
  const streamName = stream ?? env[ENV.streamName];
  if (!streamName) {
    throw new CliError(`--target aws needs --stream NAME or $${ENV.streamName} (the stack's stream output)`);
  }
  return { endpoint, streamName, label: endpoint ? `${streamName} at ${endpoint}` : `${streamName} on AWS` };
}

async function checkStream(kinesis: KinesisClient, t: Target): Promise<void> {
  try {
    const d = await kinesis.send(new DescribeStreamSummaryCommand({ StreamName: t.streamName }));
    const status = d.StreamDescriptionSummary?.StreamStatus;
    if (status !== 'ACTIVE' && status !== 'UPDATING') {
      throw new Error(`stream ${t.label} is ${status ?? 'in an unknown state'}, not ACTIVE`);
    }
  } catch (err) {
    if (err instanceof Error && err.name === 'ResourceNotFoundException') {
      throw new Error(`stream ${t.label} does not exist`);
    }
    throw err;
  }
}

// ---- reading the file ----

function firstNonSpace(head: Buffer): number {
  for (const c of head)
    if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09 && c !== 0xef && c !== 0xbb && c !== 0xbf)
      return c;
  return -1;
}

async function readHead(file: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of createReadStream(file, { start: 0, end: 4095 })) {
    chunks.push(chunk as Buffer);
    size += (chunk as Buffer).length;
  }
  return Buffer.concat(chunks, size);
}

/** Newline count: the number of NDJSON events, give or take blank lines (for the progress bar). */
async function countLines(file: string): Promise<number> {
  let lines = 0;
  let last = 0x0a;
  for await (const chunk of createReadStream(file)) {
    const b = chunk as Buffer;
    let i = b.indexOf(0x0a);
    while (i !== -1) {
      lines++;
      i = b.indexOf(0x0a, i + 1);
    }
    if (b.length > 0) last = b[b.length - 1];
  }
  return last === 0x0a ? lines : lines + 1;
}

/** The file's events, in order, in slices; `total` sizes the progress bar. */
interface EventSource {
  total: number;
  slices: AsyncIterable<unknown[]>;
}

async function openEvents(file: string, format: 'array' | 'ndjson', skip: number): Promise<EventSource> {
  if (format === 'array') {
    let value: unknown;
    try {
      value = JSON.parse(await readFile(file, 'utf8'));
    } catch (err) {
      throw new Error(`${file} starts like a JSON array but is not valid JSON: ${(err as Error).message}`);
    }
    if (!Array.isArray(value)) throw new Error(`${file} is not a JSON array`);
    const events = value;
    async function* slices(): AsyncGenerator<unknown[]> {
      for (let i = skip; i < events.length; i += SLICE_EVENTS) yield events.slice(i, i + SLICE_EVENTS);
    }
    return { total: Math.max(0, events.length - skip), slices: slices() };
  }
  return { total: Math.max(0, (await countLines(file)) - skip), slices: ndjsonSlices(file, skip) };
}

/**
 * NDJSON, streamed line by line: a line that is not JSON stops the run with its line number. The
 * first `skip` events (non-blank lines) are passed over unread.
 */
async function* ndjsonSlices(file: string, skip: number): AsyncGenerator<unknown[]> {
  const lines = createInterface({
    input: createReadStream(file, 'utf8'),
    crlfDelay: Number.POSITIVE_INFINITY,
  });
  let slice: unknown[] = [];
  let lineNo = 0;
  let skipped = 0;
  for await (const line of lines) {
    lineNo++;
    const text = lineNo === 1 && line.charCodeAt(0) === 0xfeff ? line.slice(1).trim() : line.trim();
    if (text === '') continue;
    if (skipped < skip) {
      skipped++;
      continue;
    }
    try {
      slice.push(JSON.parse(text));
    } catch {
      const shown = text.length > 80 ? `${text.slice(0, 80)}…` : text;
      throw new Error(`${file} line ${lineNo} is not JSON: ${shown}`);
    }
    if (slice.length >= SLICE_EVENTS) {
      yield slice;
      slice = [];
    }
  }
  if (slice.length > 0) yield slice;
}

// ---- progress bar ----

class ProgressBar {
  private readonly started = performance.now();
  private lastDraw = 0;
  private readonly tty: boolean;
  private lastPercentLogged = -1;

  constructor(
    private total: number,
    private readonly err: Io['stderr'],
  ) {
    this.tty = Boolean(err.isTTY);
  }

  update(p: ProducerProgress, force = false): void {
    const now = performance.now();
    if (!force && now - this.lastDraw < (this.tty ? 100 : 2_000)) return;
    this.lastDraw = now;
    const fraction = this.total > 0 ? Math.min(1, p.events / this.total) : 1;
    const percent = (fraction * 100).toFixed(1).padStart(5);
    const seconds = Math.max(1e-3, (now - this.started) / 1000);
    const rate = Math.round(p.events / seconds).toLocaleString('en-US');
    const mb = (p.bytes / 1e6).toFixed(2);
    const stats = `${percent}%  ${p.events.toLocaleString('en-US')}/${this.total.toLocaleString('en-US')} events  ${rate} ev/s  ${mb} MB sent  ${p.records} records`;
    if (this.tty) {
      const width = 28;
      const filled = Math.round(fraction * width);
      this.err.write(`\r[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${stats}\x1b[K`);
    } else {
      // Not a terminal (CI, a pipe): a plain line now and then instead of carriage returns.
      const decile = Math.floor(fraction * 10);
      if (decile !== this.lastPercentLogged || force) {
        this.lastPercentLogged = decile;
        this.err.write(`${stats}\n`);
      }
    }
  }

  done(p: ProducerProgress): void {
    // The NDJSON total was a line count (blank lines included): the end is 100% either way.
    this.total = p.events;
    this.update(p, true);
    if (this.tty) this.err.write('\n');
  }
}

/** The produce command (argv without node and script). */
export async function produceMain(argv: string[], io: Io): Promise<void> {
  const args = parseCli(argv, {
    file: { type: 'string', short: 'f' },
    target: { type: 'string' },
    stream: { type: 'string' },
    endpoint: { type: 'string' },
    compression: { type: 'string' },
    level: { type: 'string' },
    skip: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (args.help) {
    io.stdout.write(`${PRODUCE_USAGE}\n`);
    return;
  }
  if (!args.file) throw new CliError('--file is required');
  const file = args.file;
  const targetKind = choiceOption('target', args.target, ['local', 'aws'], 'local');
  const compression = choiceOption<Compression>(
    'compression',
    args.compression,
    ['brotli', 'gzip', 'none'],
    DEFAULT_COMPRESSION,
  );
  const level =
    args.level === undefined
      ? undefined
      : intOption('level', args.level, compression === 'gzip' ? { min: 1, max: 9 } : { min: 0, max: 11 });
  const target = resolveTarget(io.env, targetKind, args.stream, args.endpoint);
  const skip = intOption('skip', args.skip, { min: 0, fallback: 0 });

  // The file first: a missing or unreadable file is reported before any network call.
  let size: number;
  try {
    const st = await stat(file);
    if (!st.isFile()) throw new Error(`${file} is not a file`);
    size = st.size;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new Error(`no such file: ${file}`);
    if (code === 'EACCES') throw new Error(`cannot read ${file}: permission denied`);
    throw err;
  }
  const first = firstNonSpace(await readHead(file));
  if (first === -1) throw new Error(`${file} is empty: expected a JSON array or NDJSON events`);
  if (first !== 0x5b /* [ */ && first !== 0x7b /* { */) {
    throw new Error(
      `${file} is neither a JSON array nor NDJSON (it starts with "${String.fromCharCode(first)}")`,
    );
  }
  const format = first === 0x5b ? 'array' : 'ndjson';
  if (format === 'array' && size > MAX_ARRAY_FILE_BYTES) {
    throw new Error(
      `${file} is a JSON array over ${MAX_ARRAY_FILE_BYTES / 2 ** 20} MiB: write it as NDJSON (npm run generate -- --format ndjson)`,
    );
  }

  if (target.endpoint && targetKind === 'local') await checkReachable(target.endpoint, 'Kinesis');
  const kinesis = makeKinesisClient({ endpoint: target.endpoint });
  try {
    await checkStream(kinesis, target);
    const source = await openEvents(file, format, skip);
    const bar = new ProgressBar(source.total, io.stderr);
    const producer = new StreamProducer(kinesis, target.streamName, {
      compression,
      level,
      onProgress: (p) => bar.update(p),
    });
    io.stderr.write(
      `sending ${file}${skip > 0 ? ` from event ${skip.toLocaleString('en-US')}` : ''} to ${target.label} (${compression})\n`,
    );
    const started = performance.now();
    /** Index in the file of the first event of the slice being sent. */
    let offset = skip;
    try {
      // One slice at a time: the next is read only when the previous one is in the stream.
      for await (const slice of source.slices) {
        await producer.send(slice);
        offset += slice.length;
      }
    } catch (err) {
      // Say how far it got and where to resume: the stream keeps what was sent, in order.
      const resumeAt = skip + producer.sent.events;
      const message =
        err instanceof EventTooLargeError
          ? `event ${(offset + err.index).toLocaleString('en-US')} of ${file} (counting from 0) alone takes ${err.bytes.toLocaleString('en-US')} bytes, more than a record's ${err.max.toLocaleString('en-US')}; events from ${resumeAt.toLocaleString('en-US')} on were not sent`
          : err instanceof Error
            ? err.message
            : String(err);
      throw new Error(
        `${message}. ${producer.sent.events.toLocaleString('en-US')} events of this run are in the stream; resume with --skip ${resumeAt}`,
        { cause: err },
      );
    }
    const sent = producer.sent;
    bar.done(sent);
    const seconds = (performance.now() - started) / 1000;
    io.stdout.write(
      `sent ${sent.events.toLocaleString('en-US')} events in ${sent.records} records ` +
        `(${(sent.bytes / 1e6).toFixed(2)} MB, ${sent.events ? (sent.bytes / sent.events).toFixed(2) : '0'} B/event) ` +
        `to ${target.label} in ${seconds.toFixed(1)} s\n`,
    );
  } finally {
    kinesis.destroy();
  }
}

if (isMain(import.meta.url)) runCli('produce', PRODUCE_USAGE, produceMain);
