// npm run generate -- --users N --batches B --seed S --out F [--format json|ndjson]
//                     [--start ISO-or-epoch-ms] [--step-ms MS]
//                     [--families social,marketplace,posts] [--marketplace-ratio R] [--products N] [--dirt P]
//                     [--posts-ratio R]
// Writes a seeded generator stream (domain/generator.ts; with --families, domain/family-generator.ts) as
// a JSON array, the public generator's file format (one event per line inside the array), or as NDJSON. The file is written batch by batch, in
// slices, honouring back-pressure: no giant string is built. `--out -` writes to stdout.
import { createWriteStream } from 'node:fs';
import type { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { MixedGenerator, parseFamilies } from '../domain/family-generator';
import { DEFAULT_START_MS, DEFAULT_STEP_MS } from '../domain/generator';
import { DEFAULT_MARKETPLACE_RATIO } from '../domain/marketplace/generator';
import { DEFAULT_POSTS_RATIO } from '../domain/posts/generator';
import { parseInstant } from '../domain/time';
import { CliError, choiceOption, type Io, intOption, isMain, parseCli, runCli } from './cli-args';

export const GENERATE_USAGE = `usage: npm run generate -- --users N --batches B --seed S --out FILE [--format json|ndjson]
                            [--start TIME] [--step-ms MS] [--families LIST]
                            [--marketplace-ratio R] [--products N] [--dirt P] [--posts-ratio R]
  --users     users registered by the first batch
  --batches   number of batches (each shares one created_at)
  --seed      PRNG seed: the same options give the same file
  --out       output file, or - for stdout
  --format    json (default: a JSON array, as the public generator writes) or ndjson
  --start     created_at of the first batch (ISO 8601, epoch ms or compact; default 2025-07-18T20:53:54.320Z)
  --step-ms   time between batches (default 5000)
  --families  the event families in the stream, comma-separated: social (default), marketplace, posts
  --marketplace-ratio  marketplace events per social event of a batch (default ${DEFAULT_MARKETPLACE_RATIO})
  --products  products in the seeded catalogue (default users / 20, within 20..5000)
  --dirt      probability that a malformed marketplace event follows each one (default 0)
  --posts-ratio  posts per social event of a batch (default ${DEFAULT_POSTS_RATIO})`;

/** A number option within [min, max] (decimals allowed); undefined when absent. */
function numberOption(name: string, raw: string | undefined, min: number, max: number): number | undefined {
  if (raw === undefined) return undefined;
  const v = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(v) || v < min || v > max) {
    throw new CliError(`--${name} must be a number from ${min} to ${max}, got "${raw}"`);
  }
  return v;
}

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
    families: { type: 'string' },
    'marketplace-ratio': { type: 'string' },
    'posts-ratio': { type: 'string' },
    products: { type: 'string' },
    dirt: { type: 'string' },
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
  let families: ReturnType<typeof parseFamilies> = ['social'];
  if (args.families !== undefined) {
    try {
      families = parseFamilies(args.families);
    } catch (err) {
      throw new CliError(`--${(err as Error).message}`);
    }
  }
  const ratio = numberOption('marketplace-ratio', args['marketplace-ratio'], 0, 100);
  const dirt = numberOption('dirt', args.dirt, 0, 1);
  const products =
    args.products === undefined
      ? undefined
      : intOption('products', args.products, { min: 1, max: 1_000_000 });
  const marketplaceOnly = { 'marketplace-ratio': ratio, products, dirt };
  for (const [flag, v] of Object.entries(marketplaceOnly)) {
    if (v !== undefined && !families.includes('marketplace')) {
      throw new CliError(`--${flag} needs the marketplace family (--families social,marketplace)`);
    }
  }
  const postsRatio = numberOption('posts-ratio', args['posts-ratio'], 0, 100);
  if (postsRatio !== undefined && !families.includes('posts')) {
    throw new CliError('--posts-ratio needs the posts family (--families social,posts)');
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
  // `social` alone gives exactly EventGenerator's events (MixedGenerator hands them through unchanged).
  const gen = new MixedGenerator({
    users,
    seed,
    startMs,
    stepMs,
    families,
    marketplace: { ratio, products, dirt },
    posts: { ratio: postsRatio },
  });
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
      `${batches} batches, seed ${seed}${families.length === 1 && families[0] === 'social' ? '' : `, families ${families.join(',')}`}) → ${where} as ${format}, ${(bytes / 1e6).toFixed(1)} MB in ${seconds.toFixed(1)} s\n`,
  );
}

if (isMain(import.meta.url)) runCli('generate', GENERATE_USAGE, generateMain);
