// domain/events.ts: the hand-written validator `toGraphEvent` accepts exactly what the zod contract
// `RawEventSchema` accepts, and gives the same event.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { fromRawEvent, MAX_NAME_LENGTH, RawEventSchema, toGraphEvent, toRawEvent } from '../../domain/events';
import { BAD_CREATED_AT, createdAtArb, malformedItemArb, validEventArb } from '../support/arbitraries';

/** The two validators agree on x: both accept (with the same event) or both refuse. */
function assertAgree(x: unknown): void {
  const parsed = RawEventSchema.safeParse(x);
  const fast = toGraphEvent(x);
  if (parsed.success) {
    assert.notEqual(fast, null, `zod accepts, toGraphEvent refuses: ${JSON.stringify(x)}`);
    assert.deepEqual(fast, fromRawEvent(parsed.data));
  } else {
    assert.equal(fast, null, `zod refuses, toGraphEvent accepts: ${JSON.stringify(x)}`);
  }
}

const FIELDS = ['type', 'name', 'referredBy', 'user', 'user1_name', 'user2_name', 'created_at'];

/** Names around the limits: empty, 1, 128, 129 UTF-16 units, astral characters, odd characters. */
const nameLikeArb: fc.Arbitrary<unknown> = fc.oneof(
  fc.string({ minLength: 0, maxLength: 3 }),
  fc.constantFrom(
    '',
    'a',
    'x'.repeat(MAX_NAME_LENGTH),
    'x'.repeat(MAX_NAME_LENGTH + 1),
    '😀'.repeat(64), // 128 UTF-16 code units
    '😀'.repeat(65), // 130
    ' ',
    'user00001',
    'a\u0000b',
  ),
  fc.string({ unit: 'grapheme', minLength: 120, maxLength: 132 }),
);

/** A created_at string near the valid ones: one character changed, dropped or added. */
const nearCreatedAtArb: fc.Arbitrary<string> = fc
  .tuple(
    createdAtArb,
    fc.nat(),
    fc.constantFrom('0', '9', 'T', 'Z', 'z', '-', '+', ':', '.', ' ', 'x', ''),
    fc.boolean(),
  )
  .map(([s, i, c, insert]) => {
    const k = i % (s.length + 1);
    return insert ? s.slice(0, k) + c + s.slice(k) : s.slice(0, k) + c + s.slice(k + 1);
  });

/** A valid event with one thing changed (or not): the places where two validators could disagree. */
const nearMissArb: fc.Arbitrary<unknown> = fc.oneof(
  validEventArb(),
  malformedItemArb,
  fc.tuple(validEventArb(), fc.constantFrom(...FIELDS), nameLikeArb).map(([e, k, v]) => ({ ...e, [k]: v })),
  fc
    .tuple(validEventArb(), fc.constantFrom(...FIELDS), fc.jsonValue())
    .map(([e, k, v]) => ({ ...e, [k]: v })),
  fc.tuple(validEventArb(), nearCreatedAtArb).map(([e, ca]) => ({ ...e, created_at: ca })),
  fc.tuple(validEventArb(), fc.constantFrom(...BAD_CREATED_AT)).map(([e, ca]) => ({ ...e, created_at: ca })),
  fc.tuple(validEventArb(), fc.constantFrom(...FIELDS)).map(([e, k]) => {
    const copy: Record<string, unknown> = { ...e };
    delete copy[k];
    return copy;
  }),
  // extra fields, including ones named like another type's fields
  fc
    .tuple(
      validEventArb(),
      fc.dictionary(fc.constantFrom(...FIELDS, 'extra', 'id'), fc.jsonValue(), { maxKeys: 3 }),
    )
    .map(([e, extra]) => ({ ...extra, ...e })),
  fc
    .tuple(
      validEventArb(),
      fc.constantFrom('register', 'referral', 'addfriend', 'unfriend', 'Register', ' register'),
    )
    .map(([e, type]) => ({ ...e, type })),
);

describe('toGraphEvent agrees with RawEventSchema', () => {
  test('on arbitrary JSON values (property)', () => {
    fc.assert(fc.property(fc.jsonValue(), assertAgree), { numRuns: 1000 });
    fc.assert(fc.property(fc.anything(), assertAgree), { numRuns: 500 });
  });

  test('on near-miss events (property)', () => {
    fc.assert(fc.property(nearMissArb, assertAgree), { numRuns: 3000 });
  });

  test('on hand-picked edge cases', () => {
    const ok = { type: 'register', name: 'ann', created_at: '20250718T205354320Z' };
    for (const x of [
      ok,
      { ...ok, name: 'x'.repeat(128) },
      { ...ok, name: 'x'.repeat(129) },
      { ...ok, name: '😀'.repeat(64) },
      { ...ok, name: '😀'.repeat(129) }, // 129 characters: refused by both
      { ...ok, name: '' },
      { ...ok, name: null },
      { ...ok, created_at: null },
      { ...ok, created_at: 1752872034320 },
      { ...ok, type: undefined },
      { ...ok, extra: { nested: [1] } },
      { type: 'referral', referredBy: 'ann', user: 'ann', created_at: '2025-07-18T20:53:54Z' },
      { type: 'addfriend', user1_name: 'a', user2_name: 'b', created_at: '2025-07-18T20:53:54+05:30' },
      { type: 'unfriend', user1_name: 'a', user2_name: 'b', created_at: '2025-07-18T20:53:54' },
      [ok],
      'register',
      null,
      Object.create(null),
      Object.assign(Object.create(null), ok),
    ]) {
      assertAgree(x);
    }
  });
});

// SPEC section 2: "Names are non-empty strings of at most 128 characters". The zod contract counts
// characters (code points, zod 4 does so for max lengths); the fast validator must count the same way.
test('a name of 65 emoji (65 characters, 130 UTF-16 units) is valid for both validators', () => {
  const x = { type: 'register', name: '😀'.repeat(65), created_at: '20250718T205354320Z' };
  assert.equal(RawEventSchema.safeParse(x).success, true);
  assert.notEqual(toGraphEvent(x), null);
});

describe('event shapes', () => {
  test('fields map to a and b; created_at to epoch ms', () => {
    const at = Date.UTC(2025, 6, 18, 20, 53, 54, 320);
    assert.deepEqual(toGraphEvent({ type: 'register', name: 'ann', created_at: '20250718T205354320Z' }), {
      type: 'register',
      a: 'ann',
      b: '',
      at,
    });
    assert.deepEqual(
      toGraphEvent({
        type: 'referral',
        referredBy: 'ann',
        user: 'bob',
        created_at: '2025-07-18T20:53:54.320Z',
      }),
      { type: 'referral', a: 'ann', b: 'bob', at },
    );
    assert.deepEqual(
      toGraphEvent({
        type: 'unfriend',
        user1_name: 'ann',
        user2_name: 'bob',
        created_at: '2025-07-18T22:53:54.320+02:00',
      }),
      { type: 'unfriend', a: 'ann', b: 'bob', at },
    );
  });

  test('toRawEvent is the inverse of fromRawEvent (property)', () => {
    fc.assert(
      fc.property(validEventArb(), (x) => {
        const parsed = RawEventSchema.parse(x);
        const e = fromRawEvent(parsed);
        assert.deepEqual(toRawEvent(e, parsed.created_at), parsed);
      }),
      { numRuns: 300 },
    );
  });
});
