// For test/unit/collect.test.ts, in a process of its own started with node --expose-gc --import tsx:
// two threads started as the runtime starts its threads (local/ts-worker.ts) each drop an object when
// told; one collection of every heap is asked for, and one JSON line says how many threads answered
// and which of them collected their object.
import { Collector } from '../../local/collect';
import { nextMessage, startTsWorker } from '../../local/ts-worker';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const collector = new Collector();
const workers = [0, 1].map(() => startTsWorker(new URL('./collect-worker.ts', import.meta.url)));
// (every listener at once: a message that comes before its listener is lost)
await Promise.all(workers.map((w) => nextMessage(w)));
for (let waited = 0; collector.threadCount < workers.length && waited < 10_000; waited += 10) await sleep(10);
const collected = workers.map(
  (w) => new Promise<boolean>((resolve) => w.on('message', (m) => m === 'collected' && resolve(true))),
);
await Promise.all(
  workers.map((w) => {
    const dropped = nextMessage(w);
    w.postMessage('drop');
    return dropped;
  }),
);
const heaps = await collector.collect();
const answered = collector.threadCount;
const outcome = await Promise.all(collected.map((p) => Promise.race([p, sleep(3_000).then(() => false)])));
const heapsKept = heaps.map((h) => h.used > 0 && h.committed >= h.used);
process.stdout.write(`${JSON.stringify({ answered, collected: outcome, heapsKept })}\n`);
collector.close();
await Promise.all(workers.map((w) => w.terminate()));
