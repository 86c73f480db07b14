// npm run generate -- --users N --batches B --seed S --out F [--format json|ndjson]
//                     [--start ISO-or-epoch-ms] [--step-ms MS]
// Writes a seeded generator stream (domain/generator.ts) as a JSON array, the public generator's file
// format (one event per line inside the array), or as NDJSON. The file is written batch by batch, in
// slices, honouring back-pressure: no giant string is built. `--out -` writes to stdout.
import { createWriteStream } from 'node:fs';
import type { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { DEFAULT_START_MS, DEFAULT_STEP_MS, EventGenerator } from '../domain/generator';
import { parseInstant } from '../domain/time';
import { CliError, choiceOption, type Io, intOption, isMain, parseCli, runCli } from './cli-args';

export const GENERATE_USAGE = `usage: npm run generate -- --users N --batches B --seed S --out FILE [--format json|ndjson]
                            [--start TIME] [--step-ms MS]
  --users     users registered by the first batch
  --batches   number of batches (each shares one created_at)
  --seed      PRNG seed: the same options give the same file
  --out       output file, or - for stdout
  --format    json (default: a JSON array, as the public generator writes) or ndjson
  --start     created_at of the first batch (ISO 8601, epoch ms or compact; default 2025-07-18T20:53:54.320Z)
  --step-ms   time between batches (default 5000)`;

/** Events per write: big enough to be cheap, small enough to keep memory flat. */
const SLICE = 5_000;

async function write(out: Writable, text: string): Promise<void> {
  if (!out.write(text)) {
    await new Promise<void>((resolve, reject) => {
      const onError = (err: Error) => {
        out.off('drain', onDrain);
        reject(err);
      };
      const onDrain = () => {
        out.off('error', onError);
        resolve();
      };
      out.once('drain', onDrain);
      out.once('error', onError);
    });
  }
}

/** The generate command (argv without node and script). */
export async function generateMain(argv: string[], io: Io): Promise<void> {
  const args = parseCli(argv, {
    users: { type: 'string' },
    batches: { type: 'string' },
    seed: { type: 'string' },
    out: { type: 'string' },
    format: { type: 'string' },
    start: { type: 'string' },
    'step-ms': { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (args.help) {
    io.stdout.write(`${GENERATE_USAGE}\n`);
    return;
  }
  const users = intOption('users', args.users, { min: 1, max: 10_000_000 });
  const batches = intOption('batches', args.batches, { min: 1, max: 10_000_000 });
  const seed = intOption('seed', args.seed, { min: 0, max: 2 ** 32 - 1 });
  const format = choiceOption('format', args.format, ['json', 'ndjson'], 'json');
  const stepMs = intOption('step-ms', args['step-ms'], {
    min: 0,
    max: 86_400_000,
    fallback: DEFAULT_STEP_MS,
  });
  let startMs = DEFAULT_START_MS;
  if (args.start !== undefined) {
    const v = parseInstant(args.start);
    if (v === null) throw new CliError(`--start must be ISO 8601, epoch ms or compact, got "${args.start}"`);
    startMs = v;
  }
  if (!args.out) throw new CliError('--out is required (a file, or - for stdout)');
  const toStdout = args.out === '-';
  const out: Writable = toStdout ? process.stdout : createWriteStream(args.out);
  const opened = toStdout
    ? Promise.resolve()
    : new Promise<void>((resolve, reject) => {
        out.once('open', () => resolve());
        out.once('error', (err) => reject(new Error(`cannot write ${args.out}: ${err.message}`)));
      });
  await opened;

  const started = performance.now();
  const gen = new EventGenerator({ users, seed, startMs, stepMs });
  let events = 0;
  let bytes = 0;
  const json = format === 'json';
  if (json) {
    await write(out, '[');
    bytes += 1;
  }
  for (let b = 0; b < batches; b++) {
    const batch = gen.nextBatch();
    for (let i = 0; i < batch.length; i += SLICE) {
      let text = '';
      const end = Math.min(batch.length, i + SLICE);
      for (let k = i; k < end; k++) {
        // JSON: "[\n{…},\n{…}\n]"; NDJSON: one event per line.
        text += json ? (events + k - i === 0 ? '\n' : ',\n') : '';
        text += JSON.stringify(batch[k]);
        if (!json) text += '\n';
      }
      events += end - i;
      bytes += Buffer.byteLength(text);
      await write(out, text);
    }
  }
  if (json) {
    const tail = events === 0 ? ']\n' : '\n]\n';
    bytes += tail.length;
    await write(out, tail);
  }
  if (!toStdout) {
    out.end();
    await finished(out);
  }
  const seconds = (performance.now() - started) / 1000;
  const where = toStdout ? 'stdout' : args.out;
  // The summary goes to stdout, unless stdout carries the events.
  (toStdout ? io.stderr : io.stdout).write(
    `generated ${events.toLocaleString('en-US')} events (${gen.userCount.toLocaleString('en-US')} users, ` +
      `${batches} batches, seed ${seed}) → ${where} as ${format}, ${(bytes / 1e6).toFixed(1)} MB in ${seconds.toFixed(1)} s\n`,
  );
}

if (isMain(import.meta.url)) runCli('generate', GENERATE_USAGE, generateMain);
