// wire: what the producer puts on the stream — bytes per event and records per 1,000 events.
import { generateEvents } from '../domain/generator';
import { packRecords } from '../domain/record-encoding';
import type { Section } from './report';

export function benchWire(quick: boolean): Section {
  const users = quick ? 1_000 : 5_000;
  const batches = quick ? 10 : 20;
  const events = generateEvents({ users, batches, seed: 12 });
  const t = performance.now();
  const records = packRecords(events);
  const packMs = performance.now() - t;
  const bytes = records.reduce((a, r) => a + r.length, 0);
  const gzip = packRecords(events, { compression: 'gzip', level: 9 });
  const gzipBytes = gzip.reduce((a, r) => a + r.length, 0);
  const rawBytes = Buffer.byteLength(JSON.stringify(events));
  const n = events.length.toLocaleString('en-US');
  return {
    bytesPerEvent: {
      value: bytes / events.length,
      unit: 'B/event',
      target: '≤ 8',
      how: `${n} generated events packed by the producer (JSON arrays, brotli, records ≤ 1 MiB); JSON alone is ${(rawBytes / events.length).toFixed(1)} B/event, gzip -9 gives ${(gzipBytes / events.length).toFixed(2)}`,
    },
    recordsPer1000Events: {
      value: (records.length / events.length) * 1000,
      unit: 'records',
      how: `${records.length} Kinesis records for ${n} events`,
    },
    packEventsPerSec: {
      value: (events.length / packMs) * 1000,
      unit: 'events/s',
      how: 'producer-side packing and compression speed, one thread',
    },
  };
}
