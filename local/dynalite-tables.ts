// dynalite changes a table's status in two steps: CreateTable stores the table CREATING and a timer
// makes it ACTIVE; DeleteTable stores it DELETING, empties it, and a timer removes it; UpdateTable
// likewise goes through UPDATING. On a data directory a process killed between the two steps leaves
// the table in its passing state for good, since no later process has the timer: a CREATING table
// then refuses DeleteTable ("Table is being created"), and a DELETING one never goes away, so a
// runtime restarted after the kill (a replay into fresh tables finishing its work) could not go on.
//
// finishTableTransitions() does what the timers would have done, for every table of a store just
// opened: CREATING and UPDATING become ACTIVE (indexes too), and a DELETING table is emptied again and
// removed. trackDynaliteStores() wraps the store factory of the dynalite module this process loaded,
// so it must run before dynalite() creates a server (as installIteratorFix does). Idempotent.
import { createRequire } from 'node:module';
import type { Readable } from 'node:stream';

type Callback = (err?: Error | null) => void;

interface TableDescription {
  TableName: string;
  TableStatus?: string;
  GlobalSecondaryIndexes?: { IndexStatus?: string }[];
  LocalSecondaryIndexes?: { IndexStatus?: string }[];
}

/** The parts of a dynalite store (its db/index.js `create`) this module uses. */
export interface DynaliteStore {
  tableDb: {
    createValueStream(options?: unknown): Readable;
    get(key: string, cb: (err: Error | null, value?: unknown) => void): void;
    put(key: string, value: unknown, cb: Callback): void;
    del(key: string, cb: Callback): void;
  };
  deleteItemDb(name: string, cb: Callback): void;
  deleteTagDb(name: string, cb: Callback): void;
}

interface DynaliteDbModule {
  create(options: unknown): DynaliteStore;
  [TRACKED]?: DynaliteStore[];
}

const TRACKED = Symbol.for('bacefook.dynaliteStores');

/** Starts keeping every store dynalite makes from now on (taken with takeDynaliteStore). */
export function trackDynaliteStores(): void {
  const require = createRequire(import.meta.url);
  const dbModule = require('dynalite/db') as DynaliteDbModule;
  if (dbModule[TRACKED]) return;
  const made: DynaliteStore[] = [];
  const create = dbModule.create;
  dbModule.create = (options: unknown) => {
    const store = create(options);
    made.push(store);
    return store;
  };
  dbModule[TRACKED] = made;
}

/** The store the last dynalite() call made (trackDynaliteStores must have run before it). */
export function takeDynaliteStore(): DynaliteStore {
  const require = createRequire(import.meta.url);
  const made = (require('dynalite/db') as DynaliteDbModule)[TRACKED];
  const store = made?.pop();
  if (store === undefined) throw new Error('no dynalite store made since trackDynaliteStores()');
  made?.splice(0);
  return store;
}

const call = (f: (cb: Callback) => void): Promise<void> =>
  new Promise((resolve, reject) => f((err) => (err ? reject(err) : resolve())));

/** Finishes every table transition a killed process left half way; resolves with the tables mended. */
export async function finishTableTransitions(store: DynaliteStore): Promise<string[]> {
  const tables: TableDescription[] = [];
  for await (const t of store.tableDb.createValueStream()) tables.push(t as TableDescription);
  const mended: string[] = [];
  for (const t of tables) {
    const name = t.TableName;
    if (t.TableStatus === 'CREATING' || t.TableStatus === 'UPDATING') {
      t.TableStatus = 'ACTIVE';
      for (const i of [...(t.GlobalSecondaryIndexes ?? []), ...(t.LocalSecondaryIndexes ?? [])]) {
        if (i.IndexStatus !== undefined) i.IndexStatus = 'ACTIVE';
      }
      await call((cb) => store.tableDb.put(name, t, cb));
      mended.push(name);
    } else if (t.TableStatus === 'DELETING') {
      // DeleteTable had already dropped the indexes from the description; the items and tags may be
      // partly deleted: delete what is left, then the table.
      await call((cb) => store.deleteItemDb(name, cb));
      await call((cb) => store.deleteTagDb(name, cb));
      await call((cb) => store.tableDb.del(name, cb));
      mended.push(name);
    }
  }
  return mended;
}
