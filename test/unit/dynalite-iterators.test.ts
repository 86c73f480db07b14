// local/dynalite-iterators.ts: the streams dynalite answers Query and Scan from, over a real
// memory-level store.
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { describe, it } from 'node:test';
import { iteratorStream, openDynaliteIterators } from '../../local/dynalite-iterators';

interface Store {
  open(): Promise<void>;
  put(k: string, v: string): Promise<void>;
  values(): { next(): Promise<unknown>; close(): Promise<void> };
  close(): Promise<void>;
}
const { MemoryLevel } = createRequire(import.meta.url)('memory-level') as {
  MemoryLevel: new () => Store;
};

async function filled(n: number): Promise<Store> {
  const db = new MemoryLevel();
  await db.open();
  for (let i = 0; i < n; i++) await db.put(`k${String(i).padStart(4, '0')}`, `v${i}`);
  return db;
}

describe('dynalite iterator streams', () => {
  it('read every value and close the iterator at the end', async () => {
    const db = await filled(50);
    const before = openDynaliteIterators();
    const got: unknown[] = [];
    for await (const v of iteratorStream(db.values())) got.push(v);
    assert.equal(got.length, 50);
    assert.equal(openDynaliteIterators(), before);
    await db.close();
  });

  it('end without an error when the store closes under them (the emulator stopping)', async () => {
    const db = await filled(2_000);
    const s = iteratorStream(db.values());
    const errors: Error[] = [];
    s.on('error', (e) => errors.push(e));
    let read = 0;
    const ended = new Promise<void>((resolve) => s.on('end', resolve).on('close', resolve));
    s.on('data', () => {
      read++;
      if (read === 10) void db.close();
    });
    await ended;
    assert.deepEqual(errors, [], 'no error reaches the stream');
    assert.ok(read >= 10 && read < 2_000, `${read} values read before the close`);
  });
});
