// Idempotency-Key (SPEC 13). First the helper (lambdas/shared/idempotency.ts) against a real dynalite,
// with a clock of the test's own: leases, concurrent requests, released claims, expiry. Then POST
// /events through the local API Gateway, the real handler, kinesalite and the processor: a retry with
// the same key answers the same and puts nothing into the stream again.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { JsonText, Reply } from '../../lambdas/shared/http';
import { IDEMPOTENCY_TTL_MS, idempotencyKeyOf, idempotent } from '../../lambdas/shared/idempotency';
import type { LocalRuntime } from '../../local/runtime';
import { BadRequestError, ConflictError, UnprocessableEntityError } from '../../queries/errors';
import { makeDynamoClient } from '../../storage/clients';
import { IdempotencyStore, sha256 } from '../../storage/idempotency-store';
import { PipelineStore } from '../../storage/pipeline-store';
import { startDynamo, type TestDynamo } from '../support/dynamo';
import { scanAll } from '../support/pipeline-harness';
import { startTestRuntime } from '../support/runtime';
import { streamRecords } from '../support/runtime-check';

/** The answer as a client sees it. */
function seen(r: Reply): { status: number; body: unknown } {
  return { status: r.status, body: r.body instanceof JsonText ? JSON.parse(r.body.text) : r.body };
}

describe('the idempotency helper on dynalite', () => {
  let db: TestDynamo;
  let clock = Date.UTC(2025, 6, 18, 20, 0, 0);
  const sleeps: number[] = [];
  before(async () => {
    db = await startDynamo();
  });
  after(async () => {
    await db.stop();
  });

  async function options(extra: { waitMs?: number } = {}) {
    const tables = await db.freshTables();
    return {
      store: new IdempotencyStore(db.doc, tables.meta),
      route: 'PostEvents',
      now: () => clock,
      // A wait advances the test's clock instead of the real one.
      sleep: async (ms: number) => {
        sleeps.push(ms);
        clock += ms;
      },
      ...extra,
    };
  }

  it('does the work once per key; a retry gets the first answer; another body is a 422', async () => {
    const o = await options();
    let runs = 0;
    const work = async () => new Reply(202, { accepted: ++runs });
    assert.deepEqual(seen(await idempotent(o, 'k1', 'body', work)), { status: 202, body: { accepted: 1 } });
    assert.deepEqual(seen(await idempotent(o, 'k1', 'body', work)), { status: 202, body: { accepted: 1 } });
    assert.equal(runs, 1);
    await assert.rejects(idempotent(o, 'k1', 'another body', work), UnprocessableEntityError);
    // Another key, or no key, is another request.
    assert.deepEqual(seen(await idempotent(o, 'k2', 'body', work)).body, { accepted: 2 });
    assert.deepEqual(seen(await idempotent(o, null, 'body', work)).body, { accepted: 3 });
    // The same key on another route is another key.
    assert.deepEqual(seen(await idempotent({ ...o, route: 'PostPosts' }, 'k1', 'x', work)).body, {
      accepted: 4,
    });
    assert.equal(runs, 4);
  });

  it('keeps an answer the work returns (a 429 after part of a body was sent), forgets one it throws', async () => {
    const o = await options();
    let runs = 0;
    const partial = async () => {
      runs++;
      return new Reply(429, { error: { code: 'too_many_requests', message: 'resend from event 3' } });
    };
    await idempotent(o, 'partial', 'b', partial);
    assert.equal(seen(await idempotent(o, 'partial', 'b', partial)).status, 429);
    assert.equal(runs, 1, 'the events it accepted are not sent twice');

    const failing = async (): Promise<Reply> => {
      runs++;
      throw new Error('nothing was sent');
    };
    await assert.rejects(idempotent(o, 'thrown', 'b', failing), /nothing was sent/);
    assert.deepEqual(
      seen(await idempotent(o, 'thrown', 'b', async () => new Reply(202, { ok: true }))).body,
      {
        ok: true,
      },
    );
    assert.equal(runs, 2);
  });

  it('a second request while the first is in progress waits for its answer', async () => {
    const o = await options();
    let release: () => void = () => undefined;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    let claimed: () => void = () => undefined;
    const working = new Promise<void>((r) => {
      claimed = r;
    });
    let runs = 0;
    const first = idempotent(o, 'busy', 'b', async () => {
      runs++;
      claimed();
      await gate;
      return new Reply(202, { accepted: 7 });
    });
    await working;
    // The second polls (its waits advance the clock); the first finishes during its first wait.
    const before = sleeps.length;
    const second = idempotent(
      {
        ...o,
        sleep: async (ms) => {
          sleeps.push(ms);
          release();
          await first;
        },
      },
      'busy',
      'b',
      async () => {
        runs++;
        return new Reply(202, { accepted: 99 });
      },
    );
    assert.deepEqual(seen(await second), { status: 202, body: { accepted: 7 } });
    assert.deepEqual(seen(await first), { status: 202, body: { accepted: 7 } });
    assert.equal(runs, 1);
    assert.ok(sleeps.length > before, 'the second request waited');
  });

  it('a claim still held after the wait is a 409; once its lease has run out a retry takes over', async () => {
    const o = await options({ waitMs: 500 });
    const item = IdempotencyStore.keyOf('PostEvents', 'crashed');
    // A request that claimed the key and died before it stored an answer (a crash, a timeout).
    assert.ok(
      await o.store.claim(item, {
        bodyHash: sha256('b'),
        attempt: 'dead',
        nowMs: clock,
        leaseMs: 60_000,
        ttlMs: IDEMPOTENCY_TTL_MS,
      }),
    );
    let runs = 0;
    const work = async () => new Reply(202, { accepted: ++runs });
    await assert.rejects(idempotent(o, 'crashed', 'b', work), ConflictError);
    assert.equal(runs, 0);
    clock += 60_000;
    assert.deepEqual(seen(await idempotent(o, 'crashed', 'b', work)).body, { accepted: 1 });
    // Once done, the dead request cannot overwrite the answer, nor release the key.
    await o.store.release(item, 'dead');
    assert.deepEqual(seen(await idempotent(o, 'crashed', 'b', work)).body, { accepted: 1 });
    assert.equal(runs, 1);
  });

  it('after 24 hours the key is free again (expired items count as absent until TTL deletes them)', async () => {
    const o = await options();
    let runs = 0;
    const work = async () => new Reply(202, { accepted: ++runs });
    await idempotent(o, 'old', 'b', work);
    clock += IDEMPOTENCY_TTL_MS - 1_000;
    assert.deepEqual(seen(await idempotent(o, 'old', 'b', work)).body, { accepted: 1 });
    clock += 2_000;
    assert.deepEqual(seen(await idempotent(o, 'old', 'another body', work)).body, { accepted: 2 });
    // Stored: the key's hash (never the key), the body's hash, and the TTL attribute.
    const tables = await db.freshTables();
    const store = new IdempotencyStore(db.doc, tables.meta);
    await idempotent({ ...o, store }, 'secret-key', 'b', work);
    const items = await scanAll(db.doc, tables.meta);
    assert.equal(items.length, 1);
    assert.match(String(items[0].pk), /^idem#[A-Za-z0-9_-]{43}$/);
    assert.ok(!JSON.stringify(items[0]).includes('secret-key'));
    assert.equal(items[0].expiresAt, Math.ceil((clock + IDEMPOTENCY_TTL_MS) / 1000));
  });

  it('the header: 1–255 visible ASCII characters, once', () => {
    const ev = (headers: Record<string, string>, multi?: Record<string, string[]>) =>
      ({ headers, multiValueHeaders: multi ?? {} }) as unknown as Parameters<typeof idempotencyKeyOf>[0];
    assert.equal(idempotencyKeyOf(ev({})), null);
    assert.equal(idempotencyKeyOf(ev({ 'idempotency-key': 'a-1' })), 'a-1');
    assert.equal(idempotencyKeyOf(ev({ 'IDEMPOTENCY-KEY': 'x'.repeat(255) })), 'x'.repeat(255));
    for (const bad of ['', ' ', 'a b', 'x'.repeat(256), 'é', 'tab\there']) {
      assert.throws(
        () => idempotencyKeyOf(ev({ 'Idempotency-Key': bad })),
        (err: unknown) => {
          assert.ok(err instanceof BadRequestError);
          assert.match(err.message, /header 'Idempotency-Key'/);
          return true;
        },
      );
    }
    assert.throws(
      () => idempotencyKeyOf(ev({ 'Idempotency-Key': 'b' }, { 'Idempotency-Key': ['a', 'b'] })),
      /given more than once/,
    );
  });
});

describe('POST /events with Idempotency-Key on the embedded default', () => {
  let rt: LocalRuntime;
  let doc: DynamoDBDocumentClient;
  before(async () => {
    rt = await startTestRuntime();
    doc = makeDynamoClient({ endpoint: rt.endpoints.dynamodb });
  });
  after(async () => {
    doc?.destroy();
    await rt?.stop();
  });

  const at = '20250718T205354320Z';
  const body = (names: string[]) =>
    JSON.stringify(names.map((name) => ({ type: 'register', name, created_at: at })));
  const post = async (text: string, key?: string) => {
    const res = await fetch(`${rt.apiUrl}/events`, {
      method: 'POST',
      body: text,
      headers: key === undefined ? {} : { 'Idempotency-Key': key },
    });
    return { status: res.status, body: (await res.json()) as unknown };
  };

  it('a retry with the same key answers the same and sends nothing again; another body is a 422', async () => {
    const first = await post(body(['ann', 'bob', 'cy']), 'order-1');
    assert.deepEqual(first, { status: 202, body: { accepted: 3 } });
    await rt.drain();
    const records = (await streamRecords(rt)).length;
    assert.equal(records, 1);

    assert.deepEqual(await post(body(['ann', 'bob', 'cy']), 'order-1'), first);
    const other = await post(body(['dee']), 'order-1');
    assert.equal(other.status, 422);
    assert.deepEqual(other.body, {
      error: {
        code: 'unprocessable_entity',
        message:
          "header 'Idempotency-Key': this key was used with a different body in the last 24 hours; use a new key for a new request",
      },
    });
    await rt.drain();
    assert.equal((await streamRecords(rt)).length, records, 'nothing more reached the stream');
    const state = await new PipelineStore(doc, rt.tables).readState();
    assert.deepEqual(
      { applied: state.tally.applied, rejected: state.tally.rejected },
      { applied: 3, rejected: 0 },
    );

    // Without the key, the same body is a new request (its registers are duplicates now).
    assert.deepEqual(await post(body(['ann', 'bob', 'cy'])), first);
    await rt.drain();
    assert.equal((await streamRecords(rt)).length, records + 1);
  });

  it('two requests with the same key at once send the events once', async () => {
    const events = async () => {
      const t = (await new PipelineStore(doc, rt.tables).readState()).tally;
      return t.applied + t.noop + t.rejected;
    };
    const before = await events();
    const text = body(['eve', 'fay']);
    const answers = await Promise.all([post(text, 'together'), post(text, 'together')]);
    for (const a of answers) assert.ok(a.status === 202 || a.status === 409, JSON.stringify(a));
    assert.ok(answers.some((a) => a.status === 202));
    for (const a of answers.filter((x) => x.status === 202)) assert.deepEqual(a.body, { accepted: 2 });
    await rt.drain();
    // (Requests that arrive together share one record: count the events, not the records.)
    assert.equal(await events(), before + 2, 'the two events reached the processor once');
  });

  it('a bad key is a 400 naming the header, and sends nothing', async () => {
    const before = (await streamRecords(rt)).length;
    const res = await post(body(['gus']), 'has space');
    assert.equal(res.status, 400);
    assert.match(JSON.stringify(res.body), /header 'Idempotency-Key'/);
    assert.equal((await streamRecords(rt)).length, before);
  });
});
