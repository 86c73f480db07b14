// Measures the wire cost of each compression setting on a generated stream: bytes per event, records per
// 1,000 events and packing time. Informational (SPEC section 7 targets ≤ 8 bytes/event); not a test.
//   npx tsx scripts/wire-sizes.ts [--users 1000] [--batches 1] [--skip-batches K] [--seed 42]
//     [--max-events N] [--only gzip:6,brotli] [--check]

import type { RawEvent } from '../domain/events';
import { EventGenerator } from '../domain/generator';
import { type Compression, packRecords } from '../domain/record-encoding';
import { decodeRecord } from '../domain/records';
import { parseCli } from './cli-args';

const args = parseCli(process.argv.slice(2), {
  users: { type: 'string', default: '1000' },
  batches: { type: 'string', default: '1' },
  seed: { type: 'string', default: '42' },
  'max-events': { type: 'string' },
  'skip-batches': { type: 'string', default: '0' },
  only: { type: 'string' },
  check: { type: 'boolean', default: false },
});
const users = Number(args.users);
const batches = Number(args.batches);
const seed = Number(args.seed);
const maxEventsPerRecord = args['max-events'] === undefined ? undefined : Number(args['max-events']);
const skip = Number(args['skip-batches']);
const generator = new EventGenerator({ users, seed });
const events: RawEvent[] = [];
for (let b = 0; b < batches; b++) {
  const batch = generator.nextBatch();
  if (b >= skip) for (const e of batch) events.push(e);
}
const jsonBytes = Buffer.byteLength(JSON.stringify(events));
console.log(
  `${events.length} events (users ${users}, batches ${batches}${skip ? ` skipping the first ${skip}` : ''}, seed ${seed}), JSON array ${(jsonBytes / events.length).toFixed(1)} B/event` +
    (maxEventsPerRecord ? `, at most ${maxEventsPerRecord} events/record` : ''),
);

const all: Array<[Compression, number]> = [
  ['none', 0],
  ['gzip', 1],
  ['gzip', 6],
  ['gzip', 9],
  ['brotli', 4],
  ['brotli', 5],
  ['brotli', 6],
  ['brotli', 7],
  ['brotli', 9],
  ['brotli', 10],
  ['brotli', 11],
];
const only = args.only?.split(',');
const settings = only ? all.filter(([c, l]) => only.includes(`${c}:${l}`) || only.includes(c)) : all;
console.log('| compression | level | bytes/event | records/1000 events | pack ms | events/s packed |');
console.log('|---|---|---|---|---|---|');
for (const [compression, level] of settings) {
  const t0 = performance.now();
  const records = packRecords(events, { compression, level, maxEventsPerRecord });
  const ms = performance.now() - t0;
  const bytes = records.reduce((a, r) => a + r.length, 0);
  if (args.check) {
    const back = records.flatMap((r) => decodeRecord(r));
    if (JSON.stringify(back) !== JSON.stringify(events))
      throw new Error(`round trip failed for ${compression}`);
  }
  console.log(
    `| ${compression} | ${level} | ${(bytes / events.length).toFixed(2)} | ${((records.length * 1000) / events.length).toFixed(3)} | ${ms.toFixed(0)} | ${Math.round((events.length / ms) * 1000)} |`,
  );
}
