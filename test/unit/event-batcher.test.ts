// lambdas/api/event-batcher.ts: requests that arrive together share one ordered send; a send that
// stops part way leaves every request as if it had been sent alone.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BatchedSendError, EventBatcher, type Sent } from '../../lambdas/api/event-batcher';

class Stopped extends Error {
  constructor(readonly sent: Sent) {
    super('stopped');
  }
}

/** A fake stream: stores what it is sent, and can stop after storing the first `n` events of a call. */
function fakeStream() {
  const stored: unknown[] = [];
  const calls: unknown[][] = [];
  const stopAfter: (number | null)[] = [];
  const send = async (events: unknown[]): Promise<Sent> => {
    calls.push(events);
    const stop = stopAfter.shift() ?? null;
    if (stop !== null && stop < events.length) {
      stored.push(...events.slice(0, stop));
      throw new Stopped({ events: stop });
    }
    stored.push(...events);
    return { events: events.length };
  };
  return { stored, calls, stopAfter, send };
}

const range = (tag: string, n: number) => Array.from({ length: n }, (_, i) => `${tag}${i}`);

describe('EventBatcher', () => {
  it('sends the bodies of one turn as one list, each body contiguous and in order', async () => {
    const s = fakeStream();
    const b = new EventBatcher(s.send);
    const got = await Promise.all([b.submit(range('a', 3)), b.submit(range('b', 2)), b.submit([])]);
    assert.deepEqual(got, [3, 2, 0]);
    assert.equal(s.calls.length, 1);
    assert.deepEqual(s.stored, [...range('a', 3), ...range('b', 2)]);
  });

  it('a body over the shared limit goes alone', async () => {
    const s = fakeStream();
    const b = new EventBatcher(s.send, { maxSharedEvents: 2 });
    assert.deepEqual(await Promise.all([b.submit(range('a', 3)), b.submit(range('b', 1))]), [3, 1]);
    assert.deepEqual(s.calls, [range('a', 3), range('b', 1)]);
  });

  it('after a shared send stops part way, the rest of each body is sent alone', async () => {
    const s = fakeStream();
    s.stopAfter.push(4); // the shared call stores a0..a2 and b0, then stops
    const b = new EventBatcher(s.send);
    const got = await Promise.all([
      b.submit(range('a', 3)),
      b.submit(range('b', 3)),
      b.submit(range('c', 2)),
    ]);
    assert.deepEqual(got, [3, 3, 2]);
    assert.deepEqual(s.calls.slice(1), [['b1', 'b2'], range('c', 2)]);
    // every event stored exactly once, each body's events in order
    assert.deepEqual([...s.stored].sort(), [...range('a', 3), ...range('b', 3), ...range('c', 2)].sort());
    for (const tag of ['a', 'b', 'c']) {
      const mine = s.stored.filter((e) => String(e).startsWith(tag));
      assert.deepEqual(mine, range(tag, mine.length));
    }
  });

  it('a body whose own send fails learns how many of its events were stored', async () => {
    const s = fakeStream();
    s.stopAfter.push(1, null, 1); // shared: a0 only; then b alone: all; then c alone: c0 only
    const b = new EventBatcher(s.send);
    const results = await Promise.allSettled([
      b.submit(range('a', 1)),
      b.submit(range('b', 2)),
      b.submit(range('c', 3)),
    ]);
    assert.deepEqual(results[0], { status: 'fulfilled', value: 1 });
    assert.deepEqual(results[1], { status: 'fulfilled', value: 2 });
    const c = results[2];
    assert.equal(c.status, 'rejected');
    assert.ok(c.status === 'rejected' && c.reason instanceof BatchedSendError);
    assert.equal(c.reason.accepted, 1);
    assert.ok(c.reason.failure instanceof Stopped);
  });

  it('while a shared send is under way, the bodies that arrive go together in the next one', async () => {
    const s = fakeStream();
    let release: () => void = () => {};
    const gate = new Promise<void>((r) => {
      release = r;
    });
    let first = true;
    const b = new EventBatcher(async (events) => {
      if (first) {
        first = false;
        await gate;
      }
      return s.send(events);
    });
    const a = b.submit(range('a', 2));
    // Later turns, while the first send waits on the gate.
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setImmediate(r));
    const rest = [b.submit(range('b', 1))];
    await new Promise((r) => setImmediate(r));
    rest.push(b.submit(range('c', 2)));
    await new Promise((r) => setImmediate(r));
    assert.equal(s.calls.length, 0, 'nothing else is sent while the first send is under way');
    release();
    assert.deepEqual(await Promise.all([a, ...rest]), [2, 1, 2]);
    assert.deepEqual(s.calls, [range('a', 2), [...range('b', 1), ...range('c', 2)]]);
    assert.deepEqual(s.stored, [...range('a', 2), ...range('b', 1), ...range('c', 2)]);
  });
});
