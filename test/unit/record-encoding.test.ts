import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { generateEvents } from '../../domain/generator';
import {
  type Compression,
  compress,
  DEFAULT_MAX_RECORD_BYTES,
  KINESIS_MAX_RECORD_BYTES,
  pack,
  packRecords,
} from '../../domain/record-encoding';
import { decodeRecord, MAX_DECODED_BYTES } from '../../domain/records';

const COMPRESSIONS: Compression[] = ['brotli', 'gzip', 'none'];

function unpack(records: Buffer[]): unknown[] {
  const out: unknown[] = [];
  for (const r of records) for (const item of decodeRecord(r)) out.push(item);
  return out;
}

describe('record encoding', () => {
  test('the default limit leaves room for any partition key under 1 MiB', () => {
    assert.ok(DEFAULT_MAX_RECORD_BYTES + 256 <= KINESIS_MAX_RECORD_BYTES);
  });

  test('no events, no records', () => {
    for (const compression of COMPRESSIONS) assert.deepEqual(packRecords([], { compression }), []);
  });

  for (const compression of COMPRESSIONS) {
    test(`${compression}: round trip keeps every event in order, records within the limit`, () => {
      const events = generateEvents({ users: 120, seed: 8, batches: 6 });
      // A small limit forces many records, so the splitting is exercised.
      const maxRecordBytes = compression === 'none' ? 20_000 : 1_500;
      const packed = pack(events, { compression, maxRecordBytes });
      assert.ok(packed.length > 3, `${packed.length} records`);
      for (const r of packed) assert.ok(r.data.length <= maxRecordBytes, `${r.data.length} bytes`);
      // Records are well filled: all but the last reach 80% of the limit.
      for (const r of packed.slice(0, -1))
        assert.ok(r.data.length >= 0.8 * maxRecordBytes, `${r.data.length}`);
      assert.equal(
        packed.reduce((a, r) => a + r.events, 0),
        events.length,
      );
      assert.deepEqual(unpack(packed.map((r) => r.data)), events);
    });
  }

  test('the compression is what the decoder detects from the bytes', () => {
    const events = [{ type: 'register', name: 'user00001', created_at: '20250718T205354320Z' }];
    const [gz] = packRecords(events, { compression: 'gzip' });
    assert.deepEqual([gz[0], gz[1]], [0x1f, 0x8b]);
    const [plain] = packRecords(events, { compression: 'none' });
    assert.equal(plain.toString(), JSON.stringify(events));
    const [br] = packRecords(events, { compression: 'brotli' });
    assert.ok(br[0] !== 0x7b && br[0] !== 0x5b && !(br[0] === 0x1f && br[1] === 0x8b));
    assert.deepEqual(decodeRecord(br), events);
  });

  test('property: any JSON values, any compression, any limit: exact round trip within the limit', () => {
    const json = fc.jsonValue({ maxDepth: 2 });
    fc.assert(
      fc.property(
        fc.array(json, { maxLength: 60 }),
        fc.constantFrom(...COMPRESSIONS),
        fc.integer({ min: 400, max: 5_000 }),
        fc.option(fc.integer({ min: 1, max: 10 }), { nil: undefined }),
        (values, compression, maxRecordBytes, maxEventsPerRecord) => {
          // JSON.parse(JSON.stringify(v)) is the value the stream can carry (-0 becomes 0).
          const events = values.map((v) => JSON.parse(JSON.stringify(v)) as unknown);
          let records: Buffer[];
          try {
            records = packRecords(events, { compression, maxRecordBytes, maxEventsPerRecord });
          } catch (err) {
            // Only a single value too big for the limit may refuse; an incompressible 400-byte value can be.
            assert.ok(err instanceof RangeError && /alone takes/.test(err.message), String(err));
            return;
          }
          for (const r of records) {
            assert.ok(r.length <= maxRecordBytes);
            if (maxEventsPerRecord) assert.ok(decodeRecord(r).length <= maxEventsPerRecord);
          }
          assert.deepEqual(unpack(records), events);
        },
      ),
      { numRuns: 150 },
    );
  });

  test('incompressible payloads still fit: the limit is checked on the real compressed size', () => {
    // Random hex strings compress badly; the first ratio probe is then far off for later records.
    const events: unknown[] = [];
    for (let i = 0; i < 400; i++) {
      events.push({ i, junk: i < 200 ? 'x'.repeat(300) : randomBytes(150).toString('hex') });
    }
    for (const compression of ['brotli', 'gzip'] as const) {
      const records = packRecords(events, { compression, maxRecordBytes: 4_000 });
      for (const r of records) assert.ok(r.length <= 4_000, `${compression} ${r.length}`);
      assert.deepEqual(unpack(records), events);
    }
  });

  test('an event too large for one record is refused with a clear error', () => {
    const big = { type: 'register', name: 'x'.repeat(5_000), created_at: '20250718T205354320Z' };
    assert.throws(
      () => packRecords([big], { compression: 'none', maxRecordBytes: 1_000 }),
      /event 0 alone takes/,
    );
    const noise = { junk: randomBytes(4_000).toString('base64') };
    for (const compression of ['brotli', 'gzip'] as const) {
      assert.throws(
        () => packRecords([{ a: 1 }, noise], { compression, maxRecordBytes: 1_000 }),
        /event 1 alone/,
      );
    }
  });

  test('undefined elements travel as null, as inside any JSON array', () => {
    assert.deepEqual(unpack(packRecords([1, undefined, 'x'], { compression: 'none' })), [1, null, 'x']);
  });

  test('maxRawBytes bounds the decoded text of a record and cannot exceed the decoder limit', () => {
    const events = generateEvents({ users: 200, seed: 2, batches: 2 });
    const records = packRecords(events, { maxRawBytes: 50_000 });
    assert.ok(records.length >= Math.floor(Buffer.byteLength(JSON.stringify(events)) / 50_000));
    for (const r of records) assert.ok(JSON.stringify(decodeRecord(r)).length <= 50_000);
    assert.deepEqual(unpack(records), events);
    assert.throws(() => packRecords(events, { maxRawBytes: MAX_DECODED_BYTES + 1 }), RangeError);
  });

  test('default packing: a generated stream of ~100,000 events meets the wire target', (t) => {
    const events = generateEvents({ users: 1000, seed: 42, batches: 1 });
    const records = packRecords(events);
    const bytes = records.reduce((a, r) => a + r.length, 0);
    for (const r of records) assert.ok(r.length <= DEFAULT_MAX_RECORD_BYTES);
    assert.deepEqual(unpack(records), events);
    // Informational: the SPEC's wire target is ≤ 8 bytes per event.
    t.diagnostic(
      `${events.length} events: ${(bytes / events.length).toFixed(2)} B/event, ${records.length} records`,
    );
    assert.ok(bytes / events.length <= 8, `${bytes / events.length} B/event`);
  });

  test('compress() with gzip and brotli levels decodes back', () => {
    const raw = Buffer.from(JSON.stringify(generateEvents({ users: 50, seed: 1, batches: 2 })));
    for (const [c, level] of [
      ['gzip', 1],
      ['gzip', 9],
      ['brotli', 1],
      ['brotli', 11],
    ] as const) {
      assert.deepEqual(decodeRecord(compress(raw, c, level)), JSON.parse(raw.toString()));
    }
  });
});
