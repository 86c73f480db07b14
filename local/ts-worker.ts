// Worker threads that run TypeScript modules. A worker's entry must be JavaScript, so a small
// bootstrap registers tsx in the new thread and then imports the TypeScript entry.
import { basename } from 'node:path';
import { Worker, type WorkerOptions } from 'node:worker_threads';

/**
 * Starts `entry` (a file URL of a .ts module) in a worker thread of its own.
 * @param name what the long run's samples call the thread (default: the entry's file name)
 */
export function startTsWorker(
  entry: URL,
  options: Omit<WorkerOptions, 'eval'> = {},
  name = basename(entry.pathname).replace(/\.[cm]?[jt]s$/, ''),
): Worker {
  // Every such thread answers the long run's collection requests (local/collect.ts; only with
  // node --expose-gc), from before its entry loads.
  const collect = new URL('./collect.ts', import.meta.url).href;
  const bootstrap = `import('tsx/esm/api').then(async (m) => { m.register(); (await import(${JSON.stringify(collect)})).answerCollections(${JSON.stringify(name)}); return import(${JSON.stringify(entry.href)}); });`;
  return new Worker(bootstrap, { ...options, eval: true });
}

/** Resolves with the worker's next message; rejects if it fails or exits first. */
export function nextMessage<T>(worker: Worker): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onMessage = (m: T) => {
      cleanup();
      resolve(m);
    };
    const onError = (e: Error) => {
      cleanup();
      reject(e);
    };
    const onExit = (code: number) => {
      cleanup();
      reject(new Error(`worker exited with code ${code} before answering`));
    };
    const cleanup = () => {
      worker.off('message', onMessage);
      worker.off('error', onError);
      worker.off('exit', onExit);
    };
    worker.on('message', onMessage);
    worker.on('error', onError);
    worker.on('exit', onExit);
  });
}
