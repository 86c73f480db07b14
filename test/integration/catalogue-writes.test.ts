// The catalogue writes (POST/PUT/DELETE /products, PUT/DELETE /users/{name}/profile) through the
// embedded runtime's gateway, the real handlers, kinesalite, the processor and dynalite: each write
// goes through the stream and answers the entry as stored once the processor has committed it; a
// write the processor cannot commit in time answers 202 with its record's sequence number and lands
// later; a retry with the same Idempotency-Key sends nothing again; a burst of concurrent writes leaves exactly the catalogue and profiles the reference model
// folds from the stream; and bad input is a 4xx naming what is wrong, sending nothing.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import fc from 'fast-check';
import { decodeRecord } from '../../domain/records';
import { MAX_WRITE_BODY_BYTES } from '../../lib/definitions';
import type { LocalRuntime } from '../../local/runtime';
import { ProductEntrySchema, UserProfileEntrySchema, WriteAcceptedSchema } from '../../queries/catalogue';
import { makeDynamoClient } from '../../storage/clients';
import { readCatalogueEntry, readProfile } from '../../storage/marketplace/items';
import { MarketplaceModel } from '../reference/marketplace-model';
import { withoutResends } from '../reference/model';
import { startTestRuntime } from '../support/runtime';
import { streamRecords } from '../support/runtime-check';

let rt: LocalRuntime;
let doc: DynamoDBDocumentClient;

before(async () => {
  rt = await startTestRuntime({ streamRetentionMinutes: false });
  doc = makeDynamoClient({ endpoint: rt.endpoints.dynamodb });
});
after(async () => {
  doc?.destroy();
  await rt?.stop();
});

interface Answer {
  status: number;
  body: unknown;
  text: string;
}

async function call(method: string, path: string, body?: unknown, headers?: Record<string, string>) {
  const res = await fetch(`${rt.apiUrl}${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text === '' ? null : JSON.parse(text), text } as Answer;
}

const entry = (id: string) => readCatalogueEntry(doc, rt.tables.meta, id);
const profile = (user: string) => readProfile(doc, rt.tables.meta, user);
const pipeline = () => rt.pipeline();

describe('catalogue writes (embedded runtime, real handlers)', () => {
  it('each write goes through the stream and answers the entry as stored', async () => {
    const records0 = (await streamRecords(rt)).length;
    const created = await call('POST', '/products', {
      productId: 'lamp-1',
      name: 'Desk lamp',
      category: 'home',
      cost: '19.90',
    });
    assert.equal(created.status, 201, created.text);
    assert.deepEqual(ProductEntrySchema.parse(created.body), {
      productId: 'lamp-1',
      name: 'Desk lamp',
      category: 'home',
      cost: 19.9,
      description: null,
    });
    // The processor wrote it, from the stream: the item, the record and the counters say so.
    assert.deepEqual(await entry('lamp-1'), {
      name: 'Desk lamp',
      category: 'home',
      costCents: 1990,
      description: null,
    });
    const records = await streamRecords(rt);
    assert.equal(records.length, records0 + 1, 'one record per write');
    assert.deepEqual(decodeRecord(records[records.length - 1].data), [
      { type: 'productUpserted', product_id: 'lamp-1', name: 'Desk lamp', category: 'home', cost: '19.90' },
    ]);
    assert.equal((await pipeline()).byType.productUpserted, 1);

    // The same entry again: a noop for the processor, a 200 with the entry for the caller.
    const again = await call('POST', '/products', {
      productId: 'lamp-1',
      name: 'Desk lamp',
      category: 'home',
      cost: 19.9,
    });
    assert.equal(again.status, 200, again.text);
    assert.deepEqual(again.body, created.body);
    const p1 = await pipeline();
    assert.equal(p1.byType.productUpserted, 1);
    assert.equal(p1.byFamily.marketplace.noop, 1);

    // PUT replaces the whole entry; an integer id is the same product as its decimal string.
    const replaced = await call('PUT', '/products/lamp-1', { name: 'Desk lamp', description: 'LED' });
    assert.equal(replaced.status, 200, replaced.text);
    assert.deepEqual(replaced.body, {
      productId: 'lamp-1',
      name: 'Desk lamp',
      category: null,
      cost: null,
      description: 'LED',
    });
    const numeric = await call('PUT', '/products/233', { productId: 233, name: 'Chair', cost: 0 });
    assert.equal(numeric.status, 201, numeric.text);
    assert.deepEqual(numeric.body, {
      productId: '233',
      name: 'Chair',
      category: null,
      cost: 0,
      description: null,
    });
    assert.deepEqual(await entry('233'), { name: 'Chair', category: null, costCents: 0, description: null });

    // Without productId: a random UUID, stored under it.
    const fresh = await call('POST', '/products', { name: 'Mug' });
    assert.equal(fresh.status, 201, fresh.text);
    const id = (fresh.body as { productId: string }).productId;
    assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.equal((await entry(id))?.name, 'Mug');

    // DELETE: 204 once committed; deleting nothing is a noop and a 204 too.
    const deleted = await call('DELETE', '/products/lamp-1');
    assert.equal(deleted.status, 204);
    assert.equal(deleted.text, '');
    assert.equal(await entry('lamp-1'), null);
    const noop = await call('DELETE', '/products/lamp-1');
    assert.equal(noop.status, 204);

    // Profiles: the user need not be registered.
    const prof = await call('PUT', '/users/zed/profile', { displayName: 'Zed', email: 'zed@example.com' });
    assert.equal(prof.status, 201, prof.text);
    assert.deepEqual(UserProfileEntrySchema.parse(prof.body), {
      name: 'zed',
      profile: { displayName: 'Zed', email: 'zed@example.com' },
    });
    assert.deepEqual(await profile('zed'), { displayName: 'Zed', email: 'zed@example.com' });
    const prof2 = await call('PUT', '/users/zed/profile', { email: 'z@example.org', displayName: null });
    assert.equal(prof2.status, 200, prof2.text);
    assert.deepEqual(prof2.body, { name: 'zed', profile: { displayName: null, email: 'z@example.org' } });
    const gone = await call('DELETE', '/users/zed/profile');
    assert.equal(gone.status, 204);
    assert.equal(await profile('zed'), null);
    const back = await call('PUT', '/users/zed/profile', { displayName: 'Zed' });
    assert.equal(back.status, 201, 'a deleted profile written again is created again');

    const p = await pipeline();
    assert.equal(p.byFamily.marketplace.rejected, 0);
    assert.deepEqual(
      {
        productUpserted: p.byType.productUpserted,
        productDeleted: p.byType.productDeleted,
        profileUpserted: p.byType.profileUpserted,
        profileDeleted: p.byType.profileDeleted,
      },
      { productUpserted: 4, productDeleted: 1, profileUpserted: 3, profileDeleted: 1 },
    );
  });

  it('GET /products shows a write at once, though its pages are kept between batches', async () => {
    // A page is computed once per committed checkpoint (Reader.atCheckpoint): asked before a write,
    // it must not be answered again after the write's commit.
    const list = async () => (await call('GET', '/products?prefix=shelf-')).body;
    assert.deepEqual(await list(), { total: 0, items: [], nextCursor: null });
    assert.equal((await call('POST', '/products', { productId: 'shelf-1', name: 'Shelf' })).status, 201);
    const one = {
      total: 1,
      items: [{ productId: 'shelf-1', name: 'Shelf', category: null }],
      nextCursor: null,
    };
    assert.deepEqual(await list(), one);
    assert.deepEqual(await list(), one);
    const put = await call('PUT', '/products/shelf-1', { name: 'Tall shelf', category: 'home' });
    assert.equal(put.status, 200, put.text);
    assert.deepEqual(await list(), {
      total: 1,
      items: [{ productId: 'shelf-1', name: 'Tall shelf', category: 'home' }],
      nextCursor: null,
    });
  });

  it('a write the processor cannot commit in time answers 202 with its sequence number, and lands later', async () => {
    const resume = rt.faults.pause();
    let accepted: Answer;
    try {
      accepted = await call('PUT', '/products/slow-1', { name: 'Slow', cost: '1.05' });
      assert.equal(accepted.status, 202, accepted.text);
      assert.equal(await entry('slow-1'), null, 'not applied yet');
    } finally {
      resume();
    }
    const { sequenceNumber } = WriteAcceptedSchema.parse(accepted.body);
    // The sequence number is the write's record, holding its event.
    const record = (await streamRecords(rt)).find((r) => r.sequenceNumber === sequenceNumber);
    assert.ok(record, 'the answered sequence number is a record of the stream');
    assert.deepEqual(decodeRecord(record.data), [
      { type: 'productUpserted', product_id: 'slow-1', name: 'Slow', cost: '1.05' },
    ]);
    await rt.drain();
    assert.deepEqual(await entry('slow-1'), {
      name: 'Slow',
      category: null,
      costCents: 105,
      description: null,
    });
    const last = (await pipeline()).lastSequenceNumber;
    assert.ok(last !== null && BigInt(last) >= BigInt(sequenceNumber));

    // A delete waits the same way.
    const resume2 = rt.faults.pause();
    let del: Answer;
    try {
      del = await call('DELETE', '/products/slow-1');
    } finally {
      resume2();
    }
    assert.equal(del.status, 202, del.text);
    WriteAcceptedSchema.parse(del.body);
    await rt.drain();
    assert.equal(await entry('slow-1'), null);
  });

  it('a retried write with the same Idempotency-Key gets the first answer and sends nothing again', async () => {
    const records = async () => (await streamRecords(rt)).length;
    const key = { 'Idempotency-Key': 'put-idem-1' };
    const first = await call('PUT', '/products/idem-1', { name: 'Kettle', cost: '30' }, key);
    assert.equal(first.status, 201, first.text);
    const n = await records();
    const retry = await call('PUT', '/products/idem-1', { name: 'Kettle', cost: '30' }, key);
    assert.equal(retry.status, 201, 'the first answer, status included');
    assert.deepEqual(retry.body, first.body);
    assert.equal(await records(), n, 'nothing sent again');
    // Without the key the same request is a second event (a noop, answered 200).
    const plain = await call('PUT', '/products/idem-1', { name: 'Kettle', cost: '30' });
    assert.equal(plain.status, 200);
    assert.equal(await records(), n + 1);

    // POST without productId: the retry gets the same new product, not a second one.
    const made = await call('POST', '/products', { name: 'Teapot' }, { 'Idempotency-Key': 'post-idem-1' });
    assert.equal(made.status, 201, made.text);
    const again = await call('POST', '/products', { name: 'Teapot' }, { 'Idempotency-Key': 'post-idem-1' });
    assert.deepEqual(again.body, made.body);
    assert.equal(await records(), n + 2);

    // The key stands for its request: another product, or another body, is a 422 and sends nothing.
    const elsewhere = await call('PUT', '/products/idem-2', { name: 'Kettle', cost: '30' }, key);
    assert.equal(elsewhere.status, 422, elsewhere.text);
    const other = await call('PUT', '/products/idem-1', { name: 'Kettle', cost: '31' }, key);
    assert.equal(other.status, 422, other.text);
    const profileKey = { 'Idempotency-Key': 'profile-idem-1' };
    assert.equal((await call('PUT', '/users/idem/profile', { displayName: 'I' }, profileKey)).status, 201);
    assert.equal((await call('PUT', '/users/idem/profile', { displayName: 'I' }, profileKey)).status, 201);
    const delKey = { 'Idempotency-Key': 'delete-idem-1' };
    assert.equal((await call('DELETE', '/users/idem/profile', undefined, delKey)).status, 204);
    assert.equal((await call('DELETE', '/users/idem/profile', undefined, delKey)).status, 204);
    assert.equal(await records(), n + 4);

    // A 202 is the key's answer too: the retry gets the same sequence number at once.
    const resume = rt.faults.pause();
    try {
      const slowKey = { 'Idempotency-Key': 'slow-idem-1' };
      const accepted = await call('DELETE', '/products/idem-1', undefined, slowKey);
      assert.equal(accepted.status, 202, accepted.text);
      const retried = await call('DELETE', '/products/idem-1', undefined, slowKey);
      assert.equal(retried.status, 202);
      assert.deepEqual(retried.body, accepted.body);
      assert.equal(await records(), n + 5);
    } finally {
      resume();
    }
    await rt.drain();
    assert.equal(await entry('idem-1'), null);
    // A malformed key is a 400 naming the header, before anything is sent.
    const bad = await call('PUT', '/products/idem-3', { name: 'x' }, { 'Idempotency-Key': 'has space' });
    assert.equal(bad.status, 400);
    assert.match(bad.text, /Idempotency-Key/);
    assert.equal(await records(), n + 5);
  });

  it('after a burst of concurrent writes, the catalogue and profiles are what the reference model folds from the stream', async () => {
    const ids = ['b1', 'b2', 'b3', '7', 'b5'];
    const users = ['bu1', 'bu2', 'bu3'];
    const write = fc.oneof(
      fc.record({
        kind: fc.constant('put' as const),
        id: fc.constantFrom(...ids),
        name: fc.constantFrom('A', 'B', 'C'),
        cost: fc.option(fc.constantFrom('1.00', 2, '0.5', 1e3), { nil: undefined }),
      }),
      fc.record({
        kind: fc.constant('post' as const),
        id: fc.constantFrom(...ids),
        name: fc.constantFrom('A', 'B'),
        category: fc.option(fc.constantFrom('x', 'y'), { nil: null }),
      }),
      fc.record({ kind: fc.constant('delete' as const), id: fc.constantFrom(...ids) }),
      fc.record({
        kind: fc.constant('profile' as const),
        user: fc.constantFrom(...users),
        displayName: fc.constantFrom('One', 'Two'),
        email: fc.option(fc.constantFrom('a@b.co', 'c@d.io'), { nil: undefined }),
      }),
      fc.record({ kind: fc.constant('unprofile' as const), user: fc.constantFrom(...users) }),
    );
    const burst = fc.sample(fc.array(write, { minLength: 60, maxLength: 60 }), { numRuns: 1, seed: 42 })[0];
    const before = (await streamRecords(rt)).length;
    const answers = await Promise.all(
      burst.map((w) => {
        switch (w.kind) {
          case 'put':
            return call('PUT', `/products/${w.id}`, { name: w.name, cost: w.cost });
          case 'post':
            return call('POST', '/products', { productId: w.id, name: w.name, category: w.category });
          case 'delete':
            return call('DELETE', `/products/${w.id}`);
          case 'profile':
            return call('PUT', `/users/${w.user}/profile`, { displayName: w.displayName, email: w.email });
          default:
            return call('DELETE', `/users/${w.user}/profile`);
        }
      }),
    );
    for (const a of answers) assert.ok([200, 201, 202, 204].includes(a.status), a.text);
    await rt.drain();
    const records = await streamRecords(rt);
    assert.equal(records.length - before, burst.length, 'one record per write, none twice');

    const { folded } = withoutResends(records);
    const model = MarketplaceModel.fromRecords(
      folded.map((r) => ({ arrivalMs: r.arrivalMs ?? 0, events: decodeRecord(r.data) })),
    );
    for (const id of ids) {
      const want = model.catalogue.get(id) ?? null;
      assert.deepEqual(await entry(id), want, `product ${id}`);
    }
    for (const u of users) {
      const want = model.profiles.get(u) ?? null;
      assert.deepEqual(await profile(u), want, `profile of ${u}`);
    }
    // And every event of the stream ended as the model says (counted once).
    const p = await pipeline();
    const counts = model.pipeline();
    assert.equal(p.byFamily.marketplace.applied, counts.byFamily.marketplace.applied);
    assert.equal(p.byFamily.marketplace.noop, counts.byFamily.marketplace.noop);
  });
});

describe('catalogue writes under bad input (embedded runtime, real handlers)', () => {
  const STACK = /\n\s+at |\bat [\w.<>]+ \(|\.ts:\d+|node_modules|\bError: /;

  function wellFormed(a: Answer, what: string): void {
    assert.ok(a.status < 500, `${what} -> ${a.status} ${a.text.slice(0, 300)}`);
    assert.doesNotMatch(a.text, STACK, what);
    if (a.status >= 400) {
      const b = a.body as { error?: { code?: unknown; message?: unknown } };
      assert.deepEqual(Object.keys(b), ['error'], what);
      assert.equal(typeof b.error?.message, 'string', what);
    }
  }

  function names(a: Answer, field: string, what: string): void {
    wellFormed(a, what);
    assert.equal(a.status, 400, `${what} -> ${a.status} ${a.text.slice(0, 200)}`);
    const message = (a.body as { error: { message: string } }).error.message;
    assert.ok(message.includes(`'${field}'`), `${what}: the message does not name '${field}': ${message}`);
  }

  it('a bad field is a 400 naming it; an oversized body a 413; a bad id a 400 naming it; nothing is sent', async () => {
    const before = (await streamRecords(rt)).length;
    const ok = { name: 'Lamp' };
    const badProduct: [string, Record<string, unknown>][] = [
      ['name', {}],
      ['name', { name: '' }],
      ['name', { name: 'x'.repeat(129) }],
      ['name', { name: 12 }],
      ['name', { name: null }],
      ['name', { name: '\ud800' }],
      ['cost', { ...ok, cost: '1e3' }],
      ['cost', { ...ok, cost: -1 }],
      ['cost', { ...ok, cost: '19.999' }],
      ['cost', { ...ok, cost: ' 5' }],
      ['cost', { ...ok, cost: 1e13 }],
      ['cost', { ...ok, cost: true }],
      ['category', { ...ok, category: 'c'.repeat(65) }],
      ['category', { ...ok, category: 7 }],
      ['description', { ...ok, description: 'd'.repeat(2_001) }],
      ['productId', { ...ok, productId: 0 }],
      ['productId', { ...ok, productId: -3 }],
      ['productId', { ...ok, productId: 1.5 }],
      ['productId', { ...ok, productId: '' }],
      ['productId', { ...ok, productId: 'p'.repeat(65) }],
      ['productId', { ...ok, productId: [1] }],
      ['price', { ...ok, price: 3 }],
    ];
    for (const [field, body] of badProduct) {
      names(
        await call('POST', '/products', body),
        field,
        `POST /products ${JSON.stringify(body).slice(0, 80)}`,
      );
      if (field !== 'productId') {
        names(await call('PUT', '/products/p9', body), field, `PUT ${JSON.stringify(body).slice(0, 80)}`);
      }
    }
    names(await call('PUT', '/products/p9', { productId: 'p8', name: 'x' }), 'productId', 'another id');
    const badProfile: [string, Record<string, unknown>][] = [
      ['displayName', { displayName: '' }],
      ['displayName', { displayName: 'n'.repeat(129) }],
      ['email', { email: 'not-an-address' }],
      ['email', { email: 'a@b' }],
      ['email', { email: 'a b@c.de' }],
      ['email', { email: `${'a'.repeat(250)}@b.co` }],
      ['displayName', {}],
      ['displayName', { displayName: null, email: null }],
      ['nickname', { displayName: 'x', nickname: 'y' }],
    ];
    for (const [field, body] of badProfile) {
      names(await call('PUT', '/users/ann/profile', body), field, `PUT profile ${JSON.stringify(body)}`);
    }
    // Not a JSON object at all.
    for (const body of ['', 'hello', '[1]', '"x"', 'null', '{"name":']) {
      for (const [method, path] of [
        ['POST', '/products'],
        ['PUT', '/products/p9'],
        ['PUT', '/users/ann/profile'],
      ]) {
        const a = await call(method, path, body);
        wellFormed(a, `${method} ${path} ${body}`);
        assert.equal(a.status, 400, `${method} ${path} ${body}`);
        assert.match((a.body as { error: { message: string } }).error.message, /^body/);
      }
    }
    // Oversized: a 413 before any parsing.
    const big = JSON.stringify({ name: 'x', description: ' '.repeat(MAX_WRITE_BODY_BYTES) });
    for (const [method, path] of [
      ['POST', '/products'],
      ['PUT', '/products/p9'],
      ['PUT', '/users/ann/profile'],
    ]) {
      const a = await call(method, path, big);
      wellFormed(a, `${method} ${path} oversized`);
      assert.equal(a.status, 413, `${method} ${path} oversized`);
    }
    // Bad ids and names in the path.
    for (const method of ['PUT', 'DELETE']) {
      const body = method === 'PUT' ? ok : undefined;
      names(await call(method, `/products/${'p'.repeat(65)}`, body), 'id', `${method} 65-char id`);
      names(
        await call(method, `/products/${encodeURIComponent('😀'.repeat(65))}`, body),
        'id',
        `${method} emoji id`,
      );
      const surrogate = await call(method, '/products/%ED%A0%80', body);
      wellFormed(surrogate, `${method} lone surrogate id`);
      assert.equal(surrogate.status, 400);
      const pbody = method === 'PUT' ? { displayName: 'x' } : undefined;
      names(
        await call(method, `/users/${'n'.repeat(129)}/profile`, pbody),
        'name',
        `${method} 129-char name`,
      );
    }
    // Unknown query parameters.
    names(await call('DELETE', '/products/p9?force=1'), 'force', 'a query parameter');
    names(await call('POST', '/products?dry=1', ok), 'dry', 'a query parameter');

    // Nothing reached the stream.
    assert.equal((await streamRecords(rt)).length, before, 'a refused write sends nothing');
  });

  it('any JSON value as a body: a 400 naming a field, or a write; never a 5xx', async () => {
    const value = fc.oneof(
      fc.jsonValue({ maxDepth: 2 }),
      fc.record(
        {
          productId: fc.oneof(fc.integer(), fc.string({ maxLength: 70 }), fc.jsonValue({ maxDepth: 1 })),
          name: fc.oneof(fc.string({ maxLength: 140 }), fc.jsonValue({ maxDepth: 1 })),
          category: fc.oneof(fc.string({ maxLength: 70 }), fc.constant(null)),
          cost: fc.oneof(fc.double(), fc.string({ maxLength: 16 }), fc.integer()),
          displayName: fc.oneof(fc.string({ maxLength: 140 }), fc.constant(null)),
          email: fc.oneof(fc.emailAddress(), fc.string({ maxLength: 20 })),
        },
        { requiredKeys: [] },
      ),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(['POST', '/products'], ['PUT', '/products/fz'], ['PUT', '/users/fz/profile']),
        value,
        async ([method, path], body) => {
          const a = await call(method, path, JSON.stringify(body));
          wellFormed(a, `${method} ${path} ${JSON.stringify(body).slice(0, 120)}`);
          assert.ok([200, 201, 202, 400].includes(a.status), `${method} ${path} -> ${a.status} ${a.text}`);
          if (a.status === 400) {
            assert.match(
              (a.body as { error: { message: string } }).error.message,
              /^(body|unknown body field)/,
            );
          }
        },
      ),
      { numRuns: 60 },
    );
    await rt.drain();
    const p = await pipeline();
    assert.equal(
      p.byFamily.marketplace.rejected,
      0,
      'every write the routes accepted, the processor applied',
    );
  });
});
