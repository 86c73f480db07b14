// domain/records.ts: decoding Kinesis record payloads (one event, an array, NDJSON; plain, gzip or
// brotli; a BOM tolerated) into items, with anything unreadable kept as an Unreadable.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { packRecords } from '../../domain/record-encoding';
import { decodeRecord, MAX_DECODED_BYTES, MAX_KEPT_RAW, payloadText, Unreadable } from '../../domain/records';
import { validEventArb } from '../support/arbitraries';

const E1 = { type: 'register', name: 'ann', created_at: '20250718T205354320Z' };
const E2 = {
  type: 'addfriend',
  user1_name: 'ann',
  user2_name: 'bob',
  created_at: '2025-07-18T20:53:54+02:00',
};
const E3 = { type: 'referral', referredBy: 'ann', user: 'bob', created_at: '20250718T205355Z' };

const utf8 = (s: string) => Buffer.from(s, 'utf8');
const gzip = (s: string | Buffer) => gzipSync(typeof s === 'string' ? utf8(s) : s);
const brotli = (s: string | Buffer, quality = 5) =>
  brotliCompressSync(typeof s === 'string' ? utf8(s) : s, {
    params: { [constants.BROTLI_PARAM_QUALITY]: quality },
  });
const ndjson = (...xs: unknown[]) => xs.map((x) => JSON.stringify(x)).join('\n');

function assertOneUnreadable(items: unknown[], why?: RegExp): Unreadable {
  assert.equal(items.length, 1, `one item, got ${items.length}`);
  assert.ok(items[0] instanceof Unreadable, 'an Unreadable');
  if (why) assert.match(items[0].why, why);
  return items[0];
}

describe('decodeRecord: plain payloads', () => {
  test('a single JSON event', () => {
    assert.deepEqual(decodeRecord(utf8(JSON.stringify(E1))), [E1]);
  });

  test('a JSON array of events, in order; an empty array gives nothing', () => {
    assert.deepEqual(decodeRecord(utf8(JSON.stringify([E1, E2, E3]))), [E1, E2, E3]);
    assert.deepEqual(decodeRecord(utf8('[]')), []);
    assert.deepEqual(decodeRecord(utf8('  \n [ ] \n')), []);
  });

  test('a pretty-printed (multi-line) JSON document is one document, not NDJSON', () => {
    assert.deepEqual(decodeRecord(utf8(JSON.stringify([E1, E2], null, 2))), [E1, E2]);
    assert.deepEqual(decodeRecord(utf8(JSON.stringify(E1, null, 2))), [E1]);
  });

  test('NDJSON: one item per non-empty line, CRLF and blank lines tolerated', () => {
    assert.deepEqual(decodeRecord(utf8(ndjson(E1, E2, E3))), [E1, E2, E3]);
    assert.deepEqual(decodeRecord(utf8(`${ndjson(E1, E2)}\n`)), [E1, E2]);
    assert.deepEqual(decodeRecord(utf8(`${JSON.stringify(E1)}\r\n\r\n${JSON.stringify(E2)}\r\n`)), [E1, E2]);
    assert.deepEqual(decodeRecord(utf8(`\n\n${JSON.stringify(E1)}\n  \n${JSON.stringify(E3)}`)), [E1, E3]);
  });

  test('NDJSON lines that are valid JSON but not events are kept as items (judged later)', () => {
    assert.deepEqual(decodeRecord(utf8(`${JSON.stringify(E1)}\n[1,2]\n{"type":"poke"}`)), [
      E1,
      [1, 2],
      { type: 'poke' },
    ]);
  });

  test('a UTF-8 BOM before a document or NDJSON', () => {
    assert.deepEqual(decodeRecord(utf8(`\uFEFF${JSON.stringify([E1, E2])}`)), [E1, E2]);
    assert.deepEqual(decodeRecord(utf8(`\uFEFF${JSON.stringify(E1)}`)), [E1]);
    assert.deepEqual(decodeRecord(utf8(`\uFEFF${ndjson(E1, E2)}`)), [E1, E2]);
  });

  test('non-ASCII names survive', () => {
    const e = { ...E1, name: 'zoë 😀 日本' };
    assert.deepEqual(decodeRecord(utf8(JSON.stringify([e]))), [e]);
  });
});

describe('decodeRecord: compressed payloads', () => {
  test('gzip: a single event, an array, NDJSON, with a BOM', () => {
    assert.deepEqual(decodeRecord(gzip(JSON.stringify(E1))), [E1]);
    assert.deepEqual(decodeRecord(gzip(JSON.stringify([E1, E2, E3]))), [E1, E2, E3]);
    assert.deepEqual(decodeRecord(gzip(ndjson(E1, E2, E3))), [E1, E2, E3]);
    assert.deepEqual(decodeRecord(gzip(`\uFEFF${JSON.stringify([E1])}`)), [E1]);
  });

  test('brotli: a single event, an array, NDJSON, with a BOM, any quality', () => {
    assert.deepEqual(decodeRecord(brotli(JSON.stringify(E1))), [E1]);
    assert.deepEqual(decodeRecord(brotli(JSON.stringify([E1, E2, E3]))), [E1, E2, E3]);
    assert.deepEqual(decodeRecord(brotli(ndjson(E1, E2, E3))), [E1, E2, E3]);
    assert.deepEqual(decodeRecord(brotli(`\uFEFF${JSON.stringify([E1])}`)), [E1]);
    for (const q of [0, 1, 11]) assert.deepEqual(decodeRecord(brotli(JSON.stringify([E1, E2]), q)), [E1, E2]);
  });

  test('any list of events round-trips through every encoding (property)', () => {
    fc.assert(
      fc.property(
        fc.array(validEventArb(), { minLength: 1, maxLength: 20 }),
        fc.constantFrom('array', 'ndjson'),
        (events, form) => {
          const text = form === 'array' ? JSON.stringify(events) : ndjson(...events);
          const expected = JSON.parse(JSON.stringify(events)); // plain objects, as JSON.parse makes them
          assert.deepEqual(decodeRecord(utf8(text)), expected);
          assert.deepEqual(decodeRecord(gzip(text)), expected);
          assert.deepEqual(decodeRecord(brotli(text, 1)), expected);
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('decodeRecord: unreadable payloads', () => {
  test('garbage bytes give exactly one Unreadable, kept for inspection', () => {
    const u = assertOneUnreadable(decodeRecord(Buffer.from([0xff, 0x00, 0x13, 0x37, 0x42, 0x99])));
    assert.equal(u.raw.length, 6);
    assertOneUnreadable(decodeRecord(Buffer.alloc(0)));
    assertOneUnreadable(decodeRecord(utf8('hello world')));
    assertOneUnreadable(decodeRecord(utf8('{"type":"register",')));
    assertOneUnreadable(decodeRecord(utf8('[1, 2')));
  });

  test('random bytes never throw (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        assert.ok(Array.isArray(decodeRecord(bytes)));
      }),
      { numRuns: 500 },
    );
  });

  test('a long unreadable payload is truncated for keeping', () => {
    const junk = Buffer.alloc(10_000, 0x01);
    const u = assertOneUnreadable(decodeRecord(junk));
    assert.ok(u.raw.length <= MAX_KEPT_RAW + 1);
  });

  test('a bad NDJSON line is an Unreadable for that line only', () => {
    const items = decodeRecord(
      utf8(`${JSON.stringify(E1)}\noops {\n${JSON.stringify(E2)}\n{"type":\n${JSON.stringify(E3)}`),
    );
    assert.equal(items.length, 5);
    assert.deepEqual(items[0], E1);
    assert.ok(items[1] instanceof Unreadable);
    assert.equal(items[1].raw, 'oops {');
    assert.deepEqual(items[2], E2);
    assert.ok(items[3] instanceof Unreadable);
    assert.equal(items[3].raw, '{"type":');
    assert.deepEqual(items[4], E3);
  });

  test('a bad NDJSON line inside a compressed payload is an Unreadable for that line only', () => {
    const text = `${JSON.stringify(E1)}\nnot json\n${JSON.stringify(E2)}`;
    for (const bytes of [gzip(text), brotli(text)]) {
      const items = decodeRecord(bytes);
      assert.equal(items.length, 3);
      assert.deepEqual(items[0], E1);
      assert.ok(items[1] instanceof Unreadable);
      assert.deepEqual(items[2], E2);
    }
  });

  // SPEC section 2: a record may hold NDJSON; every event ends in exactly one outcome, and an NDJSON
  // line that is not JSON ends as malformed. A bad FIRST line must not swallow the valid lines after it.
  test('a bad first NDJSON line is an Unreadable for that line only (plain payload)', () => {
    for (const first of ['oops', '"a string"', '42', 'null']) {
      const items = decodeRecord(utf8(`${first}\n${JSON.stringify(E1)}\n${JSON.stringify(E2)}`));
      assert.equal(items.length, 3, `first line ${first}: 3 items, got ${JSON.stringify(items)}`);
      assert.deepEqual(items.slice(1), [E1, E2]);
    }
  });

  test('a truncated gzip is one Unreadable', () => {
    const full = gzip(JSON.stringify([E1, E2, E3]));
    assertOneUnreadable(decodeRecord(full.subarray(0, full.length - 8)), /not JSON, gzip or brotli/);
    assertOneUnreadable(decodeRecord(full.subarray(0, 12)));
    assertOneUnreadable(decodeRecord(full.subarray(0, 2)));
  });

  test('a truncated brotli stream is one Unreadable', () => {
    const full = brotli(JSON.stringify([E1, E2, E3]).repeat(20));
    assertOneUnreadable(decodeRecord(full.subarray(0, Math.floor(full.length / 2))));
  });

  test('a gzip compression bomb over MAX_DECODED_BYTES is one Unreadable', () => {
    const bomb = gzipSync(Buffer.alloc(MAX_DECODED_BYTES + 1, 0x20), { level: 1 });
    assert.ok(bomb.length < 1_000_000, 'small on the wire');
    assertOneUnreadable(decodeRecord(bomb), /larger than the decode limit/);
  });

  test('a brotli compression bomb over MAX_DECODED_BYTES is one Unreadable', () => {
    const bomb = brotli(Buffer.alloc(MAX_DECODED_BYTES + 1, 0x20), 1);
    assertOneUnreadable(decodeRecord(bomb), /larger than the decode limit/);
  });

  test('payloadText accepts exactly MAX_DECODED_BYTES', () => {
    const text = payloadText(gzipSync(Buffer.alloc(MAX_DECODED_BYTES, 0x20), { level: 1 }));
    assert.equal(typeof text, 'string');
    assert.equal((text as string).length, MAX_DECODED_BYTES);
  });
});

// Found by the record-encoding property test: brotli output can begin with gzip's magic bytes.
test('a brotli payload that happens to begin with 1f 8b still decodes', () => {
  const x = [
    ' ',
    [
      '   ',
      '     ',
      -1.0000019704863411e-249,
      true,
      -1.94014916200288e-244,
      null,
      2.502832876709615e-79,
      '      ',
      '   ',
      -2.190963034579971e-131,
    ],
  ];
  const [record] = packRecords(x, { compression: 'brotli', maxRecordBytes: 400 });
  assert.equal(record.subarray(0, 2).toString('hex'), '1f8b', 'the payload starts like gzip');
  assert.deepEqual(decodeRecord(record), JSON.parse(JSON.stringify(x)));
});

describe('decodeRecord: strict UTF-8', () => {
  // `Jos\xe9` and `Jos\xe8`: Latin-1 bytes, not UTF-8. Decoded with U+FFFD they were one name.
  const bad = (name: Buffer) =>
    Buffer.concat([utf8('{"type":"register","name":"'), name, utf8('","created_at":"20250718T205354320Z"}')]);
  const jose9 = bad(Buffer.from([0x4a, 0x6f, 0x73, 0xe9]));
  const jose8 = bad(Buffer.from([0x4a, 0x6f, 0x73, 0xe8]));
  const friend = Buffer.concat([
    utf8('{"type":"addfriend","user1_name":"Jos'),
    Buffer.from([0xe9]),
    utf8('","user2_name":"ann","created_at":"20250718T205354320Z"}'),
  ]);
  const array = Buffer.concat([
    utf8(`[${JSON.stringify(E1)},`),
    jose9,
    utf8(','),
    jose8,
    utf8(','),
    friend,
    utf8(`,${JSON.stringify(E3)}]`),
  ]);

  test('an event holding bytes that are not UTF-8 is one Unreadable; the others are decoded as they are', () => {
    for (const payload of [array, gzip(array), brotli(array)]) {
      const items = decodeRecord(payload);
      assert.equal(items.length, 5);
      assert.deepEqual(items[0], E1);
      assert.deepEqual(items[4], E3);
      const kept = items.slice(1, 4) as Unreadable[];
      for (const u of kept) {
        assert.ok(u instanceof Unreadable);
        assert.match(u.why, /not valid UTF-8/);
        assert.ok(!/\p{Surrogate}/u.test(u.raw), 'the kept text is well-formed');
      }
      // Two different bytes stay two different names: nothing is merged.
      assert.notEqual(kept[0].raw, kept[1].raw);
      assert.match(kept[0].raw, /Jos\\udce9/);
      assert.match(kept[1].raw, /Jos\\udce8/);
    }
  });

  test('in NDJSON, a line with bytes that are not UTF-8 is an Unreadable for that line only', () => {
    const text = Buffer.concat([
      utf8(`${JSON.stringify(E1)}\n`),
      jose9,
      utf8(`\nnot json \xff\n${JSON.stringify(E2)}`),
    ]);
    for (const payload of [text, gzip(text), brotli(text)]) {
      const items = decodeRecord(payload);
      assert.equal(items.length, 4);
      assert.deepEqual(items[0], E1);
      assert.ok(items[1] instanceof Unreadable);
      assert.ok(items[2] instanceof Unreadable);
      assert.deepEqual(items[3], E2);
    }
  });

  test('a name holding a lone surrogate (a JSON \\ud800 escape) is an Unreadable; a pair of escapes is a name', () => {
    const lone = '{"type":"register","name":"x\\ud800y","created_at":"20250718T205354320Z"}';
    const upper = '{"type":"register","name":"x\\uDC00","created_at":"20250718T205354320Z"}';
    const pair = '{"type":"register","name":"\\ud83d\\ude00","created_at":"20250718T205354320Z"}';
    const text = `[${JSON.stringify(E1)},${lone},${upper},${pair}]`;
    for (const payload of [utf8(text), gzip(text), brotli(text)]) {
      const items = decodeRecord(payload);
      assert.deepEqual(items[0], E1);
      assert.ok(items[1] instanceof Unreadable);
      assert.ok(items[2] instanceof Unreadable);
      assert.match((items[1] as Unreadable).raw, /x\\ud800y/);
      assert.deepEqual(items[3], { type: 'register', name: '😀', created_at: '20250718T205354320Z' });
    }
  });

  test('encoded surrogates and overlong forms are not UTF-8 either', () => {
    for (const bytes of [
      [0xed, 0xa0, 0x80], // U+D800 encoded
      [0xc0, 0xaf], // overlong '/'
      [0xf4, 0x90, 0x80, 0x80], // past U+10FFFF
    ]) {
      const items = decodeRecord(bad(Buffer.from(bytes)));
      assert.equal(items.length, 1);
      assert.ok(items[0] instanceof Unreadable, JSON.stringify(bytes));
    }
  });

  test('generator records decode as before: valid UTF-8 is never looked at per item (property)', () => {
    fc.assert(
      fc.property(fc.array(validEventArb(), { maxLength: 30 }), (events) => {
        for (const r of packRecords(events))
          assert.deepEqual(decodeRecord(r), JSON.parse(JSON.stringify(events)));
      }),
      { numRuns: 200 },
    );
  });
});
