// Worker side of function-thread.ts: one execution environment of one function. It loads the
// handler module (its clients, caches and warm state live here, as in a Lambda container), runs the
// invocations it is sent, and sends back what the handler writes to stdout/stderr for the function's
// log file.
import { parentPort, workerData } from 'node:worker_threads';
import type { Context } from 'aws-lambda';
import { markEmulatorEndpoints } from '../storage/clients';
import type { FromFunctionThread, FunctionThreadData, ToFunctionThread } from './function-thread';
import { loadHandler } from './handler-module';
import { InvocationContext, makeLambdaContext } from './lambda';

const port = parentPort;
if (port === null) throw new Error('function-thread-worker must run in a worker thread');
const data = workerData as FunctionThreadData;
const post = (m: FromFunctionThread) => port.postMessage(m);

// The same emulators as the main thread: this thread's clients skip request signing too.
markEmulatorEndpoints(...data.emulatorEndpoints);

// Everything this thread writes is the function's output (nothing else runs here).
for (const stream of ['stdout', 'stderr'] as const) {
  const target = process[stream];
  target.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    post({
      type: 'output',
      stream,
      text: typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'),
    });
    const callback = rest.find((r) => typeof r === 'function') as (() => void) | undefined;
    if (callback) queueMicrotask(callback);
    return true;
  }) as typeof target.write;
}

type Handler = (event: unknown, context: Context) => Promise<unknown>;
let handler: Handler;
try {
  handler = await loadHandler<Handler>(data.fn.entry);
} catch (err) {
  post({ type: 'failed', message: err instanceof Error ? err.message : String(err) });
  throw err;
}

port.on('message', (m: ToFunctionThread) => {
  const context = new InvocationContext(makeLambdaContext(data.fn), m.requestId, m.deadline);
  handler(m.event, context).then(
    (result) => post({ type: 'result', id: m.id, result }),
    (err: unknown) =>
      post({
        type: 'error',
        id: m.id,
        name: err instanceof Error ? err.name : 'Error',
        message: err instanceof Error ? err.message : String(err),
      }),
  );
});
post({ type: 'ready' });
