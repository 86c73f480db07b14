// A function run on a worker thread of its own, as Lambda runs each function in its own execution
// environment: its module state, its CPU and its garbage collection are its own. The runtime uses it
// for the processor (LocalRuntimeOptions.processorThread), so folding and encoding a large batch never
// holds up the API gateway and the route handlers on the main thread.
//
// The handler's answer, or its error's name and message, come back to the caller; what it writes to
// stdout/stderr goes to `output` (the function's log file). A thread that dies fails the invocation it
// was running; the next invocation starts a new one (a new, cold environment).
import type { Worker } from 'node:worker_threads';
import type { Context } from 'aws-lambda';
import type { FunctionIdentity, LambdaHandler } from './lambda';
import type { RuntimeLogger } from './logs';
import { nextMessage, startTsWorker } from './ts-worker';

export interface FunctionThreadData {
  fn: FunctionIdentity & { entry: string };
  /** Endpoints of the embedded emulators (their clients skip signing: storage/clients.ts). */
  emulatorEndpoints: string[];
}

export interface ToFunctionThread {
  id: number;
  event: unknown;
  requestId: string;
  /** epoch ms after which the invocation has timed out */
  deadline: number;
}

export type FromFunctionThread =
  | { type: 'ready' }
  | { type: 'failed'; message: string }
  | { type: 'output'; stream: 'stdout' | 'stderr'; text: string }
  | { type: 'result'; id: number; result: unknown }
  | { type: 'error'; id: number; name: string; message: string };

export interface FunctionThreadOptions extends FunctionThreadData {
  output(text: string, stream: 'stdout' | 'stderr'): void;
  logger?: RuntimeLogger;
}

interface Pending {
  resolve(result: unknown): void;
  reject(err: Error): void;
}

export class FunctionThread<E, R> {
  private worker: Worker | null = null;
  private starting: Promise<Worker> | null = null;
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;
  private stopped = false;

  private constructor(private readonly o: FunctionThreadOptions) {}

  /** Starts the thread and waits until the handler module is loaded. */
  static async start<E, R>(o: FunctionThreadOptions): Promise<FunctionThread<E, R>> {
    const t = new FunctionThread<E, R>(o);
    await t.ready();
    return t;
  }

  /** The handler to invoke: runs on the thread. */
  readonly handler: LambdaHandler<E, R> = async (event: E, context: Context) => {
    const worker = await this.ready();
    const id = this.nextId++;
    return new Promise<R>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (r: unknown) => void, reject });
      const m: ToFunctionThread = {
        id,
        event,
        requestId: context.awsRequestId,
        deadline: Date.now() + context.getRemainingTimeInMillis(),
      };
      worker.postMessage(m);
    });
  };

  private ready(): Promise<Worker> {
    if (this.stopped) return Promise.reject(new Error(`${this.o.fn.id} has been stopped`));
    if (this.worker !== null) return Promise.resolve(this.worker);
    this.starting ??= this.spawn().finally(() => {
      this.starting = null;
    });
    return this.starting;
  }

  private async spawn(): Promise<Worker> {
    const data: FunctionThreadData = { fn: this.o.fn, emulatorEndpoints: this.o.emulatorEndpoints };
    const worker = startTsWorker(
      new URL('./function-thread-worker.ts', import.meta.url),
      { workerData: data },
      `function ${this.o.fn.id}`,
    );
    const first = await nextMessage<FromFunctionThread>(worker);
    if (first.type !== 'ready') {
      await worker.terminate();
      throw new Error(
        `${this.o.fn.id} failed to load: ${first.type === 'failed' ? first.message : first.type}`,
      );
    }
    worker.on('message', (m: FromFunctionThread) => {
      if (m.type === 'output') this.o.output(m.text, m.stream);
      else if (m.type === 'result' || m.type === 'error') {
        const p = this.pending.get(m.id);
        if (p === undefined) return;
        this.pending.delete(m.id);
        if (m.type === 'result') p.resolve(m.result);
        else {
          const err = new Error(m.message);
          err.name = m.name;
          p.reject(err);
        }
      }
    });
    worker.on('error', (err) =>
      this.o.logger?.log('error', 'function-thread', `${this.o.fn.id} failed`, { error: err }),
    );
    worker.once('exit', (code) => {
      if (this.worker === worker) this.worker = null;
      for (const p of this.pending.values())
        p.reject(new Error(`${this.o.fn.id} exited (code ${code}) during the invocation`));
      this.pending.clear();
    });
    this.worker = worker;
    return worker;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    const w = this.worker ?? (this.starting ? await this.starting.catch(() => null) : null);
    this.worker = null;
    await w?.terminate();
  }
}
