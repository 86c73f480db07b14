// domain/time.ts: the compact and ISO forms of created_at, query instants, and 5-second buckets.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import {
  BUCKET_MS,
  bucketCeil,
  bucketOf,
  MAX_TIME_MS,
  MIN_TIME_MS,
  parseCompact,
  parseCreatedAt,
  parseInstant,
  parseIsoWithZone,
  toCompact,
  toIso,
} from '../../domain/time';
import { compactOf, isoOf, type OffsetStyle, truncatedTo } from '../support/arbitraries';

const MS = Date.UTC(2025, 6, 18, 20, 53, 54, 320);
/** 0000-01-01T00:00:00.000Z */
const YEAR_0 = -62_167_219_200_000;

describe('parseCompact', () => {
  test('with and without milliseconds', () => {
    assert.equal(parseCompact('20250718T205354320Z'), MS);
    assert.equal(parseCompact('20250718T205354000Z'), MS - 320);
    assert.equal(parseCompact('20250718T205354Z'), MS - 320);
    assert.equal(parseCompact('19700101T000000Z'), 0);
    assert.equal(parseCompact('19700101T000000001Z'), 1);
    assert.equal(parseCompact('99991231T235959999Z'), MAX_TIME_MS);
    assert.equal(parseCompact('19691231T235959999Z'), -1);
  });

  test('leap years', () => {
    assert.equal(parseCompact('20240229T120000Z'), Date.UTC(2024, 1, 29, 12));
    assert.equal(parseCompact('20000229T000000Z'), Date.UTC(2000, 1, 29));
    assert.equal(parseCompact('20230229T000000Z'), null);
    assert.equal(parseCompact('19000229T000000Z'), null);
    assert.equal(parseCompact('21000229T000000Z'), null);
  });

  test('refuses invalid calendar values and wrong shapes', () => {
    for (const s of [
      '20250230T000000Z', // Feb 30
      '20250431T000000Z', // Apr 31
      '20251301T000000Z', // month 13
      '20250001T000000Z', // month 0
      '20250100T000000Z', // day 0
      '20250718T240000Z', // hour 24
      '20250718T236000Z', // minute 60
      '20250718T235960Z', // second 60
      '20250718T205354320z', // lower-case z
      '20250718t205354320Z', // lower-case t
      '20250718T205354320', // no Z
      '20250718 205354320Z', // no T
      '20250718T2053543Z', // 1 ms digit
      '20250718T20535432Z', // 2 ms digits
      '20250718T2053543200Z', // 4 ms digits
      '2025071T205354320Z',
      '2025O718T205354320Z', // letter O
      '+0250718T205354320Z',
      '-0250718T205354320Z',
      ' 0250718T205354320Z',
      '20250718T20535 320Z',
      '',
    ]) {
      assert.equal(parseCompact(s), null, s);
      assert.equal(parseCreatedAt(s), null, s);
    }
  });

  test('round-trips every instant of the supported years, 1000-9999 (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: Date.UTC(1000, 0, 1), max: MAX_TIME_MS }), (ms) => {
        assert.equal(parseCompact(compactOf(ms)), ms);
        assert.equal(parseCompact(compactOf(ms, false)), Math.floor(ms / 1000) * 1000);
        assert.equal(parseCreatedAt(toCompact(ms)), ms);
      }),
      { numRuns: 2000 },
    );
  });

  // SPEC section 2: created_at is `YYYYMMDDTHHMMSSmmmZ`, four year digits. Date.UTC maps years 0-99
  // to 1900-1999, so the years 0000-0099 must not go through it unguarded.
  test('years 0000-0099 are not shifted to 1900-1999', () => {
    assert.equal(parseCompact('00500101T000000Z'), Date.parse('0050-01-01T00:00:00Z'));
    assert.equal(parseCompact('00000101T000000000Z'), YEAR_0);
    assert.equal(parseIsoWithZone('0099-12-31T23:59:59Z'), Date.parse('0099-12-31T23:59:59Z'));
    fc.assert(
      fc.property(fc.integer({ min: YEAR_0, max: Date.UTC(1000, 0, 1) }), (ms) => {
        assert.equal(parseCompact(compactOf(ms)), ms, compactOf(ms));
      }),
      { numRuns: 300 },
    );
  });
});

describe('parseIsoWithZone', () => {
  test('Z, offsets, fractional seconds, optional seconds', () => {
    assert.equal(parseIsoWithZone('2025-07-18T20:53:54.320Z'), MS);
    assert.equal(parseIsoWithZone('2025-07-18T20:53:54.320z'), MS);
    assert.equal(parseIsoWithZone('2025-07-18t20:53:54.320Z'), MS);
    assert.equal(parseIsoWithZone('2025-07-18T22:53:54.320+02:00'), MS);
    assert.equal(parseIsoWithZone('2025-07-18T22:53:54.320+0200'), MS);
    assert.equal(parseIsoWithZone('2025-07-18T22:53:54.320+02'), MS);
    assert.equal(parseIsoWithZone('2025-07-19T02:23:54.320+05:30'), MS);
    assert.equal(parseIsoWithZone('2025-07-18T12:53:54.320-08:00'), MS);
    assert.equal(parseIsoWithZone('2025-07-18T20:53:54.320-00:00'), MS);
    assert.equal(parseIsoWithZone('2025-07-18T20:53:54,320Z'), MS);
    assert.equal(parseIsoWithZone('2025-07-18T20:53:54.3Z'), MS - 20);
    assert.equal(parseIsoWithZone('2025-07-18T20:53:54.32Z'), MS);
    assert.equal(parseIsoWithZone('2025-07-18T20:53:54.320999999Z'), MS);
    assert.equal(parseIsoWithZone('2025-07-18T20:53:54.3209Z'), MS);
    assert.equal(parseIsoWithZone('2025-07-18T20:53:54Z'), MS - 320);
    assert.equal(parseIsoWithZone('2025-07-18T20:53Z'), MS - 54_320);
    // a date rolls over with the offset
    assert.equal(parseIsoWithZone('2025-07-19T00:30:00+01:00'), Date.UTC(2025, 6, 18, 23, 30));
    assert.equal(parseIsoWithZone('2025-12-31T23:30:00-01:00'), Date.UTC(2026, 0, 1, 0, 30));
  });

  test('refuses local times, bad calendars, bad offsets, other shapes', () => {
    for (const s of [
      '2025-07-18T20:53:54', // no zone: a local time
      '2025-07-18T20:53:54.320',
      '2025-07-18',
      '2025-07-18Z',
      '2025-02-30T00:00:00Z',
      '2023-02-29T00:00:00Z',
      '2025-04-31T00:00:00Z',
      '2025-07-18T24:00:00Z',
      '2025-07-18T23:60:00Z',
      '2025-07-18T23:59:60Z',
      '2025-13-01T00:00:00Z',
      '2025-07-18T20:53:54+24:00',
      '2025-07-18T20:53:54+05:60',
      '2025-07-18T20:53:54+5:00',
      '2025-07-18T20:53:54+05:0',
      '2025-07-18T20:53:54.Z',
      '2025-07-18T20:53:54.1234567890Z', // 10 fractional digits
      '2025-07-18 20:53:54Z',
      '20250718T20:53:54Z',
      '2025-7-18T20:53:54Z',
      '+2025-07-18T20:53:54Z',
      ' 2025-07-18T20:53:54Z',
      '2025-07-18T20:53:54Z ',
      'Fri, 18 Jul 2025 20:53:54 GMT',
    ]) {
      assert.equal(parseIsoWithZone(s), null, s);
      assert.equal(parseCreatedAt(s), null, s);
    }
  });

  test('agrees with a construction oracle over offsets, separators and 0-9 fractional digits (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: Date.UTC(1000, 0, 2), max: Date.UTC(9999, 11, 30) }),
        fc.integer({ min: -23 * 60 - 59, max: 23 * 60 + 59 }),
        fc.integer({ min: 0, max: 9 }),
        fc.constantFrom<OffsetStyle>('colon', 'compact', 'hours'),
        (ms, offsetMin, digits, style) => {
          const off = style === 'hours' ? Math.trunc(offsetMin / 60) * 60 : offsetMin;
          const s = isoOf(ms, off, digits, style);
          assert.equal(parseIsoWithZone(s), truncatedTo(ms, digits), s);
          assert.equal(parseCreatedAt(s), truncatedTo(ms, digits), s);
          // JavaScript's own parser reads the same strings when they have 3 digits and hh:mm offsets.
          if (digits === 3 && style === 'colon') assert.equal(parseIsoWithZone(s), Date.parse(s), s);
        },
      ),
      { numRuns: 2000 },
    );
  });
});

describe('parseInstant (query parameters)', () => {
  test('epoch milliseconds, ISO 8601, compact', () => {
    assert.equal(parseInstant('0'), 0);
    assert.equal(parseInstant('1752872034320'), MS);
    assert.equal(parseInstant(String(MAX_TIME_MS)), MAX_TIME_MS);
    assert.equal(parseInstant('2025-07-18T20:53:54.320Z'), MS);
    assert.equal(parseInstant('2025-07-18T22:53:54.320+02:00'), MS);
    assert.equal(parseInstant('20250718T205354320Z'), MS);
    assert.equal(parseInstant('20250718T205354Z'), MS - 320);
    // an all-digit string is epoch ms, never a compact date
    assert.equal(parseInstant('20250718'), 20_250_718);
  });

  test('accepts the instants before 1970 that events accept, down to year 0000', () => {
    assert.equal(parseInstant('-1'), -1);
    assert.equal(parseInstant('-1752872034320'), -1_752_872_034_320);
    assert.equal(parseInstant('1969-12-31T23:59:59.999Z'), -1);
    assert.equal(parseInstant('19691231T235959999Z'), -1);
    assert.equal(parseInstant(String(MIN_TIME_MS)), MIN_TIME_MS);
    assert.equal(parseInstant('0000-01-01T00:00:00.000Z'), MIN_TIME_MS);
    assert.equal(parseInstant('00000101T000000Z'), MIN_TIME_MS);
    assert.equal(parseCreatedAt('00000101T000000Z'), MIN_TIME_MS);
  });

  test('refuses out-of-range values and non-instants', () => {
    for (const s of [
      String(MIN_TIME_MS - 1),
      '0000-01-01T00:30:00+01:00', // before year 0000
      '9999-12-31T23:30:00-01:00', // after year 9999
      String(MAX_TIME_MS + 1),
      '12345678901234567', // 17 digits
      '1e3',
      '1.5',
      '0x10',
      ' 5',
      '5 ',
      '',
      'now',
      '2025-07-18T20:53:54',
      '20250230T000000Z',
    ]) {
      assert.equal(parseInstant(s), null, s);
    }
  });

  test('every epoch-ms string in range parses to itself (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: MIN_TIME_MS, max: MAX_TIME_MS }), (ms) => {
        assert.equal(parseInstant(String(ms)), ms);
        assert.equal(parseInstant(toIso(ms)), ms);
        assert.equal(parseInstant(toCompact(ms)), ms);
      }),
      { numRuns: 1000 },
    );
  });
});

describe('buckets', () => {
  test('bucketOf floors to the epoch-aligned 5-second edge, negatives included', () => {
    assert.equal(BUCKET_MS, 5_000);
    assert.equal(bucketOf(0), 0);
    assert.equal(bucketOf(1), 0);
    assert.equal(bucketOf(4_999), 0);
    assert.equal(bucketOf(5_000), 5_000);
    assert.equal(bucketOf(5_001), 5_000);
    assert.equal(bucketOf(MS), Date.UTC(2025, 6, 18, 20, 53, 50));
    assert.equal(bucketOf(-1), -5_000);
    assert.equal(bucketOf(-4_999), -5_000);
    assert.equal(bucketOf(-5_000), -5_000);
    assert.equal(bucketOf(-5_001), -10_000);
    assert.equal(bucketOf(MAX_TIME_MS), MAX_TIME_MS - 4_999);
  });

  test('bucketCeil ceils to the next edge (an edge stays put)', () => {
    assert.ok(bucketCeil(0) === 0);
    assert.equal(bucketCeil(1), 5_000);
    assert.equal(bucketCeil(5_000), 5_000);
    assert.equal(bucketCeil(5_001), 10_000);
    assert.ok(bucketCeil(-1) === 0);
    assert.equal(bucketCeil(-5_001), -5_000);
  });

  test('bucket invariants (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: YEAR_0, max: MAX_TIME_MS }), (ms) => {
        const b = bucketOf(ms);
        assert.ok(b <= ms && ms < b + BUCKET_MS);
        assert.ok(b % BUCKET_MS === 0);
        const c = bucketCeil(ms);
        assert.ok(c >= ms && c - BUCKET_MS < ms);
        assert.ok(c % BUCKET_MS === 0);
        assert.ok(c === b || c === b + BUCKET_MS);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('formatting', () => {
  test('toIso and toCompact', () => {
    assert.equal(toIso(MS), '2025-07-18T20:53:54.320Z');
    assert.equal(toCompact(MS), '20250718T205354320Z');
    assert.equal(toCompact(0), '19700101T000000000Z');
  });

  test('toIso writes what Date#toISOString writes, and refuses what it refuses', () => {
    const edges = [0, -1, 1, 999, 86_399_999, 86_400_000, -86_400_000, 951_782_400_000, -62_198_755_200_001];
    // the last instant of year 9999, the first of 10000, the ends of a Date's range
    edges.push(253_402_300_799_999, 253_402_300_800_000, 8.64e15, -8.64e15);
    const check = (ms: number) => assert.equal(toIso(ms), new Date(ms).toISOString(), String(ms));
    edges.forEach(check);
    // days kept from earlier calls must not leak into others: the same instants again, interleaved
    fc.assert(fc.property(fc.integer({ min: -8.64e15, max: 8.64e15 }), check), { numRuns: 2_000 });
    fc.assert(fc.property(fc.integer({ min: -4e12, max: 4e12 }), check), { numRuns: 2_000 });
    for (const bad of [Number.NaN, 8.64e15 + 1, -8.64e15 - 1, Number.POSITIVE_INFINITY]) {
      assert.throws(() => toIso(bad), RangeError);
    }
    assert.equal(toIso(1.5), new Date(1.5).toISOString());
  });
});
