// dynalite answers Query and Scan from streams over its LevelDB store (memory-level in memory,
// classic-level on a data directory). Its streams never close the store's iterator: their destroy()
// calls an `iterator.return()` that abstract-level iterators do not have, and reaching the end does
// not close an abstract-level iterator either. An open iterator holds the store as it was when the
// iterator was made (a snapshot), and the store keeps every open iterator in its resource set, so
// each Query or Scan kept that whole version of the store alive for the life of the process:
// - in memory, every overwritten item's old value stayed reachable (Buffers, outside the JS heap),
//   so the stack's RSS grew by about what the processor wrote (MB per second at the generator's
//   user cap) while the live data stayed small;
// - on a data directory, LevelDB may not drop a version an open snapshot can still see, so
//   compaction kept nearly every overwritten version on disk (and each native iterator's memory).
//
// installIteratorFix() swaps dynalite's two stream makers for ones that close their iterator at the
// end of the data and when the stream is destroyed early (a Query that stops at its Limit). It wraps
// the store factory of the dynalite module this process loaded, so it must run before dynalite()
// creates a server. Idempotent.
import { createRequire } from 'node:module';
import { Readable } from 'node:stream';

interface LevelIterator {
  next(): Promise<unknown>;
  close(): Promise<void>;
}

interface LevelStore {
  keys(options?: unknown): LevelIterator;
  values(options?: unknown): LevelIterator;
  createKeyStream(options?: unknown): Readable;
  createValueStream(options?: unknown): Readable;
}

interface DynaliteDbModule {
  create(options: unknown): { db: LevelStore };
  [FIXED]?: true;
}

const FIXED = Symbol.for('bacefook.dynaliteIteratorFix');

/** Iterators opened through the fixed streams and not closed yet (for tests and diagnostics). */
let openIterators = 0;

export function openDynaliteIterators(): number {
  return openIterators;
}

/**
 * dynalite throws any error of an action that has no `statusCode` (index.js: `if (err) throw err`),
 * which ends the thread. A store error (the store closed under a read while stopping) must fail that
 * one request instead: a 500 the client may retry, never a partial answer.
 */
function asServerError(err: Error): Error {
  return Object.assign(new Error(err.message, { cause: err }), {
    statusCode: 500,
    body: { __type: 'com.amazonaws.dynamodb.v20120810#InternalServerError', message: err.message },
  });
}

/** A stream over a level iterator that closes it once, at the end or when destroyed. */
function iteratorStream(it: LevelIterator): Readable {
  openIterators++;
  let closing: Promise<void> | null = null;
  const close = (): Promise<void> => {
    closing ??= it.close().finally(() => {
      openIterators--;
    });
    return closing;
  };
  return new Readable({
    objectMode: true,
    read() {
      it.next().then(
        (value) => {
          if (value !== undefined) this.push(value);
          else
            close().then(
              () => this.push(null),
              (err: Error) => this.destroy(asServerError(err)),
            );
        },
        (err: Error) => this.destroy(asServerError(err)),
      );
    },
    destroy(err, callback) {
      // close() waits for a next() still under way, then releases the snapshot.
      close().then(
        () => callback(err),
        () => callback(err),
      );
    },
  });
}

export function installIteratorFix(): void {
  const require = createRequire(import.meta.url);
  const dbModule = require('dynalite/db') as DynaliteDbModule;
  if (dbModule[FIXED]) return;
  const create = dbModule.create;
  dbModule.create = (options: unknown) => {
    const store = create(options);
    const db = store.db;
    db.createKeyStream = (o?: unknown) => iteratorStream(db.keys(o));
    db.createValueStream = (o?: unknown) => iteratorStream(db.values(o));
    return store;
  };
  dbModule[FIXED] = true;
}
