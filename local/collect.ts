// Full garbage collections on every thread of this process, on request. The long run
// (scripts/long-run.ts --collect) samples the RSS a second after them: between two collections each
// thread's heap grows and drops back, a saw of tens of MB that hides a growth of 1 MB a minute over a
// few minutes, while what stays after a collection of every heap is what the process keeps.
//
// Needs `node --expose-gc`; without it no thread answers and collectEverywhere() says so. Threads
// started by startTsWorker (local/ts-worker.ts) answer from their start; they talk over one
// BroadcastChannel, so no thread's own message protocol changes.
import { getHeapStatistics } from 'node:v8';
import { BroadcastChannel, threadId } from 'node:worker_threads';

const CHANNEL = 'bacefook:collect';
/** A thread that has not answered in this long is taken as gone (it exited, or it is stuck). */
const ANSWER_TIMEOUT_MS = 5_000;

/** A thread's heap right after its collection, in bytes. */
export interface HeapAfterCollection {
  /** the thread: 'main', or the file name of a worker's entry (e.g. 'processor-thread') */
  thread: string;
  /** what the collection kept */
  used: number;
  /** what the heap holds from the system, kept room included */
  committed: number;
  /** memory V8 allocated with malloc for this heap */
  malloced: number;
}

function heapNow(thread: string): HeapAfterCollection {
  const h = getHeapStatistics();
  return { thread, used: h.used_heap_size, committed: h.total_heap_size, malloced: h.malloced_memory };
}

type Message =
  | { type: 'hello'; thread: number }
  | { type: 'collect'; id: number }
  | { type: 'collected'; id: number; thread: number; heap: HeapAfterCollection };

function exposedGc(): (() => void) | null {
  const gc = (globalThis as { gc?: unknown }).gc;
  return typeof gc === 'function' ? (gc as () => void) : null;
}

/**
 * In a worker thread: answers every collection request with a full collection of this thread's heap.
 * @param name what the samples call this thread
 */
export function answerCollections(name: string): void {
  const gc = exposedGc();
  if (gc === null) return;
  const channel = new BroadcastChannel(CHANNEL);
  channel.onmessage = (e) => {
    const m = e.data as Message;
    if (m.type !== 'collect') return;
    gc();
    channel.postMessage({
      type: 'collected',
      id: m.id,
      thread: threadId,
      heap: heapNow(name),
    } satisfies Message);
  };
  // Never what keeps a thread alive.
  channel.unref();
  channel.postMessage({ type: 'hello', thread: threadId } satisfies Message);
}

/**
 * On the main thread: collects every heap of the process, this thread's and those of every thread
 * that answers collections. Create it before the threads start: it learns of them as they say hello.
 */
export class Collector {
  private readonly channel = new BroadcastChannel(CHANNEL);
  private readonly threads = new Set<number>();
  private readonly waiting = new Map<
    number,
    { left: Set<number>; heaps: HeapAfterCollection[]; done: () => void }
  >();
  private nextId = 0;

  constructor() {
    if (exposedGc() === null) throw new Error('collecting every heap needs node --expose-gc');
    this.channel.onmessage = (e) => {
      const m = e.data as Message;
      if (m.type === 'hello') this.threads.add(m.thread);
      else if (m.type === 'collected') {
        this.threads.add(m.thread);
        const w = this.waiting.get(m.id);
        if (w === undefined) return;
        if (w.left.delete(m.thread)) w.heaps.push(m.heap);
        if (w.left.size === 0) w.done();
      }
    };
    this.channel.unref();
  }

  /** The worker threads known to answer. */
  get threadCount(): number {
    return this.threads.size;
  }

  /**
   * Collects this thread's heap and every answering thread's; resolves once all have answered, with
   * every heap as the collections left it (this thread's first).
   */
  async collect(): Promise<HeapAfterCollection[]> {
    const left = new Set(this.threads);
    const heaps: HeapAfterCollection[] = [];
    const id = this.nextId++;
    const answered =
      left.size === 0
        ? null
        : new Promise<void>((resolve) => {
            const timer = setTimeout(() => {
              // Whoever has not answered by now is gone: stop waiting for it, now and from now on.
              for (const t of left) this.threads.delete(t);
              resolve();
            }, ANSWER_TIMEOUT_MS);
            this.waiting.set(id, {
              left,
              heaps,
              done: () => {
                clearTimeout(timer);
                resolve();
              },
            });
          });
    this.channel.postMessage({ type: 'collect', id } satisfies Message);
    (exposedGc() as () => void)();
    const own = heapNow('main');
    await answered;
    this.waiting.delete(id);
    return [own, ...heaps];
  }

  close(): void {
    this.channel.close();
  }
}
