// Bytes that are not UTF-8, and names holding a lone surrogate, through the local runtime's real
// gateway, producer, mapping and processor: a POST /events body is a 400 naming the body; in a record
// of the stream each such event is `malformed` (counted, kept in /meta/rejections, the rest of the
// record applied, the shard never blocked), and `Jos\xe9` and `Jos\xe8` never become one user.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { brotliCompressSync, gzipSync } from 'node:zlib';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { LocalRuntime } from '../../local/runtime';
import { makeDynamoClient, makeKinesisClient } from '../../storage/clients';
import { StreamProducer } from '../../stream/producer';
import { startTestRuntime } from '../support/runtime';
import { assertMatchesModel, expectedFrom, failedRecords, streamRecords } from '../support/runtime-check';

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

const AT = '20250718T205354320Z';
const utf8 = (s: string) => Buffer.from(s, 'utf8');
/** `{"type":"register","name":"Jos<byte>",...}` with one raw byte. */
const registerJos = (byte: number) =>
  Buffer.concat([
    utf8('{"type":"register","name":"Jos'),
    Buffer.from([byte]),
    utf8(`","created_at":"${AT}"}`),
  ]);

describe('strict input bytes', () => {
  it('POST /events with a body that is not UTF-8 is a 400 naming the body, whatever its content type', async () => {
    const body = Buffer.concat([utf8('['), registerJos(0xe9), utf8(']')]);
    for (const type of ['application/json', 'application/x-ndjson', 'text/plain', undefined]) {
      const res = await fetch(`${rt.apiUrl}/events`, {
        method: 'POST',
        headers: type ? { 'content-type': type } : {},
        body,
      });
      const answer = (await res.json()) as { error: { code: string; message: string } };
      assert.equal(res.status, 400, `${type}: ${JSON.stringify(answer)}`);
      assert.equal(answer.error.code, 'bad_request');
      assert.match(answer.error.message, /^body is not valid UTF-8: the byte 0xe9 at offset 31 /);
    }
    // The same event in UTF-8 is accepted.
    const ok = await fetch(`${rt.apiUrl}/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([{ type: 'register', name: 'José', created_at: AT }]),
    });
    assert.equal(ok.status, 202);
    await rt.drain();
  });

  it('in a record, each event holding bytes that are not UTF-8 or a lone surrogate is malformed; the rest apply', async () => {
    const before = await rt.pipeline();
    const record = Buffer.concat([
      utf8(`[{"type":"register","name":"ann","created_at":"${AT}"},`),
      registerJos(0xe9),
      utf8(','),
      registerJos(0xe8),
      utf8(`,{"type":"addfriend","user1_name":"Jos`),
      Buffer.from([0xe9]),
      utf8(`","user2_name":"ann","created_at":"${AT}"},`),
      utf8(`{"type":"register","name":"x\\ud800","created_at":"${AT}"},`),
      utf8(`{"type":"addfriend","user1_name":"ann","user2_name":"José","created_at":"${AT}"}]`),
    ]);
    const kinesis = makeKinesisClient({ endpoint: rt.endpoints.kinesis });
    try {
      // Plain, gzip and brotli: the check is on the decompressed bytes. Each after the first repeats
      // the same events, so those are duplicate_register / noop, and the bad ones malformed again.
      await new StreamProducer(kinesis, rt.streamName).sendRecords([
        record,
        gzipSync(record),
        brotliCompressSync(record),
      ]);
    } finally {
      kinesis.destroy();
    }
    await rt.drain();
    const p = await rt.pipeline();
    const delta = (k: 'applied' | 'noop' | 'rejected') => p[k] - before[k];
    // First copy: ann registered, the ann-José friendship applied; 4 malformed.
    // Each later copy: ann a duplicate_register, the friendship a noop; 4 malformed.
    assert.equal(delta('applied'), 2);
    assert.equal(delta('noop'), 2);
    assert.equal(p.rejectedByReason.malformed - before.rejectedByReason.malformed, 12);
    assert.equal(p.rejectedByReason.duplicate_register - before.rejectedByReason.duplicate_register, 2);
    assert.equal(p.rejectedByReason.unknown_user - before.rejectedByReason.unknown_user, 0);

    // No user from a mangled name, none under U+FFFD, and ann's only friend is José.
    for (const name of ['Jos\ufffd', 'Jos']) {
      const res = await fetch(`${rt.apiUrl}/users/${encodeURIComponent(name)}`);
      assert.equal(res.status, 404, name);
      await res.json();
    }
    const friends = (await (await fetch(`${rt.apiUrl}/users/ann/friends`)).json()) as {
      items: { name: string }[];
    };
    assert.deepEqual(
      friends.items.map((f) => f.name),
      ['José'],
    );

    // Kept in /meta/rejections with their reason, two bad bytes as two texts, all well-formed.
    const rej = (await (await fetch(`${rt.apiUrl}/meta/rejections?limit=1000`)).json()) as {
      items: { reason: string; event: unknown }[];
    };
    const malformed = rej.items.filter((r) => r.reason === 'malformed').map((r) => JSON.stringify(r.event));
    assert.equal(malformed.length, 12);
    assert.ok(malformed.some((t) => t.includes('Jos\\\\udce9')));
    assert.ok(malformed.some((t) => t.includes('Jos\\\\udce8')));
    assert.ok(malformed.some((t) => t.includes('x\\\\ud800')));

    // And the whole state equals the reference built from the stream.
    const records = await streamRecords(rt);
    await assertMatchesModel(rt, doc, expectedFrom(records, failedRecords(rt, records)), 'strict input');
  });
});
