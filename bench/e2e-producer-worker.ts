// Worker side of e2e.ts: the producer, on its own thread as a producer runs on its own machine, so its
// packing and compression do not queue behind the processor on the main thread. It generates the same
// seeded batches (of the families asked for), reports how many events they hold, and on 'go' sends them one batch
// per send(), in order, then reports how long sending took; again on each 'go' (one per run).
import { parentPort, workerData } from 'node:worker_threads';
import { type FamilyName, MixedGenerator } from '../domain/family-generator';
import { makeKinesisClient } from '../storage/clients';
import { StreamProducer } from '../stream/producer';

export interface ProducerWorkerData {
  endpoint: string;
  streamName: string;
  users: number;
  seed: number;
  batches: number;
  /** the families of the stream (default social alone) */
  families?: FamilyName[];
}

const d = workerData as ProducerWorkerData;
const port = parentPort;
if (port === null) throw new Error('e2e-producer-worker must run in a worker thread');
const gen = new MixedGenerator({ users: d.users, seed: d.seed, families: d.families });
const batches = Array.from({ length: d.batches }, () => gen.nextBatch());
const kinesis = makeKinesisClient({ endpoint: d.endpoint });
const producer = new StreamProducer(kinesis, d.streamName);
// One send of every batch per 'go' (one per run), into the stream as it is then (reset between runs).
port.on('message', async () => {
  const t = performance.now();
  for (const b of batches) await producer.send(b);
  port.postMessage({ sendMs: performance.now() - t });
});
port.postMessage({ total: batches.reduce((a, b) => a + b.length, 0) });
