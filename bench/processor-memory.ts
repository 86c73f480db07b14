// memory.processorPeakMb: the processor's heap while it folds the largest batch Lambda can hand it
// (6 MB of records, each up to the producer's 16 MiB of JSON before compression). The processor runs
// in a worker thread capped at 256 MB of old space — a Lambda with 512 MB — against dynalite running
// on the main thread, so only the processor's own memory is measured.

import type { AddressInfo } from 'node:net';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import { generateEvents } from '../domain/generator';
import { packRecords } from '../domain/record-encoding';
import { nextMessage, startTsWorker } from '../local/ts-worker';
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
  const worker = startTsWorker(new URL('./processor-memory-worker.ts', import.meta.url), {
    workerData: { endpoint, records },
    resourceLimits: { maxOldGenerationSizeMb: 256 },
  });
  const result = await nextMessage<{ peakMb: number; events: number; ms: number }>(worker).catch(
    (err: Error) => {
      throw new Error(`processor worker failed (out of memory under a 256 MB cap?): ${err.message}`);
    },
  );
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
