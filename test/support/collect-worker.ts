// A thread for test/unit/collect.test.ts: told to, it drops one object and says when the object has
// been collected. Idle otherwise, the thread allocates nothing, so only a requested collection reaches
// the object.
import { parentPort } from 'node:worker_threads';

const registry = new FinalizationRegistry(() => parentPort?.postMessage('collected'));
// Made in a function of its own: a module's top level may keep its temporaries alive.
function drop(): void {
  registry.register({ payload: new Array(10_000).fill(1) }, 'dropped');
}
parentPort?.on('message', (m) => {
  if (m !== 'drop') return;
  drop();
  parentPort?.postMessage('dropped');
});
parentPort?.postMessage('ready');
