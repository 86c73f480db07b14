// Worker side of processor-memory.ts: fold the batch, report the heap's high-water mark.
import { getHeapStatistics } from 'node:v8';
import { parentPort, workerData } from 'node:worker_threads';
import { BatchProcessor } from '../lambdas/processor/batch-processor';
import { makeDynamoClient } from '../storage/clients';
import { sequenceNumbers } from '../test/support/pipeline-harness';

const { endpoint, records } = workerData as { endpoint: string; records: Uint8Array[] };
const doc = makeDynamoClient({ endpoint });
let peak = 0;
const sample = () => {
  peak = Math.max(peak, getHeapStatistics().used_heap_size);
};
const p = new BatchProcessor({
  doc,
  tables: { graph: 'bacefook-graph', history: 'bacefook-history', meta: 'bacefook-meta' },
  onPhase: sample,
});
const timer = setInterval(sample, 10);
const seqs = sequenceNumbers(records.length);
const t = performance.now();
const s = await p.process(records.map((data, i) => ({ sequenceNumber: seqs[i], data: Buffer.from(data) })));
const ms = performance.now() - t;
sample();
clearInterval(timer);
doc.destroy();
parentPort?.postMessage({
  peakMb: peak / 2 ** 20,
  events: s.tally.applied + s.tally.noop + s.tally.rejected,
  ms,
});
