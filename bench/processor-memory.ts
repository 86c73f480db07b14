// memory.processorPeakMb: the processor's heap while it folds the largest batch Lambda can hand it
// (6 MB of records, each up to the producer's 16 MiB of JSON before compression). The processor runs
// in a worker thread capped at 256 MB of old space — a Lambda with 512 MB — against dynalite running
// on the main thread, so only the processor's own memory is measured.

import type { AddressInfo } from 'node:net';
import { Worker } from 'node:worker_threads';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import { generateEvents } from '../domain/generator';
import { packRecords } from '../domain/record-encoding';
import { provisionTables } from '../storage/provision';
import type { Section } from './report';

const LAMBDA_PAYLOAD_BYTES = 6 * 1024 * 1024;

export async function benchProcessorMemory(quick: boolean): Promise<Section> {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const base = new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
  });
  await provisionTables(base);
  base.destroy();
  const events = generateEvents({ users: quick ? 3_000 : 5_000, batches: 3, seed: 41 });
  const records: Buffer[] = [];
  let bytes = 0;
  // base64 in the invocation payload: 4/3 of the record bytes.
  for (const r of packRecords(events)) {
    if ((bytes + r.length) * (4 / 3) > LAMBDA_PAYLOAD_BYTES) break;
    records.push(r);
    bytes += r.length;
  }
  // A worker's entry must be JavaScript: a small bootstrap registers tsx, then loads the TS worker.
  const entry = new URL('./processor-memory-worker.ts', import.meta.url).href;
  const bootstrap = `import('tsx/esm/api').then((m) => { m.register(); return import(${JSON.stringify(entry)}); });`;
  const worker = new Worker(bootstrap, {
    eval: true,
    workerData: { endpoint, records },
    resourceLimits: { maxOldGenerationSizeMb: 256 },
  });
  const result = await new Promise<{ peakMb: number; events: number; ms: number }>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
    worker.once('exit', (code) => {
      if (code !== 0)
        reject(new Error(`processor worker exited with ${code} (out of memory under a 256 MB cap?)`));
    });
  });
  await worker.terminate();
  await new Promise<void>((r) => server.close(() => r()));
  return {
    processorPeakMb: {
      value: result.peakMb,
      unit: 'MB',
      target: '≤ 256',
      how: `largest V8 heap (used) sampled every 10 ms and at the end while BatchProcessor folded one Lambda-sized batch: ${records.length} records, ${(bytes / 2 ** 20).toFixed(1)} MB on the wire, ${result.events.toLocaleString('en-US')} events, in a worker capped at 256 MB old space (${(result.ms / 1000).toFixed(1)} s)`,
    },
  };
}
