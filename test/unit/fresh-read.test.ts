// FreshRead (lambdas/api/figure-index.ts): every caller gets a read that began after it called, and
// callers that arrive together share one read.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FreshRead } from '../../lambdas/api/figure-index';

/** A load whose reads the test finishes by hand; each read returns the version current when it began. */
function manualLoad() {
  let version = 0;
  const pending: { resolve: (v: number) => void; reject: (e: Error) => void; began: number }[] = [];
  const load = () =>
    new Promise<number>((resolve, reject) => {
      pending.push({ resolve, reject, began: version });
    });
  return {
    load,
    pending,
    write: () => {
      version++;
    },
    /** finishes the oldest read under way, then lets its callbacks run */
    finish: async (err?: Error) => {
      const p = pending.shift();
      assert.ok(p, 'a read is under way');
      if (err) p.reject(err);
      else p.resolve(p.began);
      for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
    },
  };
}

test('a caller never joins a read that began before it; callers arriving meanwhile share the next', async () => {
  const m = manualLoad();
  const f = new FreshRead(m.load);
  const a = f.get();
  const b = f.get(); // arrives after the first read began: waits for a second one
  m.write();
  const c = f.get();
  assert.equal(m.pending.length, 1, 'the second read waits for the first to end');
  await m.finish();
  assert.equal(await a, 0);
  assert.equal(m.pending.length, 1, 'one queued read for both late callers');
  await m.finish();
  assert.equal(await b, 1);
  assert.equal(await c, 1, 'sees the write made before it called');
  const d = f.get();
  assert.equal(m.pending.length, 1, 'nothing under way: a new read at once');
  await m.finish();
  assert.equal(await d, 1);
});

test('a failed read fails its callers only; the queued read still runs', async () => {
  const m = manualLoad();
  const f = new FreshRead(m.load);
  const a = f.get();
  const b = f.get();
  const aFailed = assert.rejects(a, /boom/);
  await m.finish(new Error('boom'));
  await aFailed;
  await m.finish();
  assert.equal(await b, 0);
});
