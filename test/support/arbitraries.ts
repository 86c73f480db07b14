// fast-check generators of dirty event streams, shared by every test that compares the pipeline with
// the reference model. The name universe is small on purpose: duplicates, unknown users, self relations,
// repeated friendships, referral chains and cycle attempts then happen in almost every stream.
import fc from 'fast-check';
import { Unreadable } from '../../domain/records';

/** Names the streams register. */
export const NAMES = ['ann', 'bob', 'cat', 'dan', 'eve', 'fay'] as const;
/** A name that is never registered: events naming it are unknown_user (unless malformed first). */
export const GHOST = 'ghost';

/** 2025-07-18T20:53:50Z, a bucket edge. Generated instants fall around it. */
export const BASE_MS = Date.UTC(2025, 6, 18, 20, 53, 50);
export const BUCKET = 5_000;

export interface WireEvent {
  type: string;
  created_at: string;
  [field: string]: unknown;
}

const pad = (n: number, w: number) => String(Math.abs(n)).padStart(w, '0');

/** `YYYYMMDDTHHMMSSmmmZ`, or without the milliseconds (then the instant is truncated to the second). */
export function compactOf(ms: number, withMs = true): string {
  const d = new Date(ms);
  const s =
    pad(d.getUTCFullYear(), 4) +
    pad(d.getUTCMonth() + 1, 2) +
    pad(d.getUTCDate(), 2) +
    'T' +
    pad(d.getUTCHours(), 2) +
    pad(d.getUTCMinutes(), 2) +
    pad(d.getUTCSeconds(), 2);
  return withMs ? `${s}${pad(d.getUTCMilliseconds(), 3)}Z` : `${s}Z`;
}

export type OffsetStyle = 'colon' | 'compact' | 'hours';

/**
 * ISO 8601 of `ms` seen from a zone `offsetMin` minutes east of UTC, with `fracDigits` (0..9) fractional
 * digits of the second (fewer than 3 truncate the instant; more than 3 pad with zeros). offsetMin 0 with
 * style 'colon' is written 'Z'. Style 'hours' ('+05') needs a whole-hour offset.
 */
export function isoOf(ms: number, offsetMin = 0, fracDigits = 3, style: OffsetStyle = 'colon'): string {
  const local = new Date(ms + offsetMin * 60_000);
  const date = `${pad(local.getUTCFullYear(), 4)}-${pad(local.getUTCMonth() + 1, 2)}-${pad(local.getUTCDate(), 2)}`;
  const time = `${pad(local.getUTCHours(), 2)}:${pad(local.getUTCMinutes(), 2)}:${pad(local.getUTCSeconds(), 2)}`;
  const msDigits = pad(local.getUTCMilliseconds(), 3);
  const frac = fracDigits === 0 ? '' : `.${(msDigits + '000000').slice(0, fracDigits)}`;
  let zone: string;
  if (offsetMin === 0 && style === 'colon') zone = 'Z';
  else {
    const sign = offsetMin < 0 ? '-' : '+';
    const oh = pad(Math.trunc(Math.abs(offsetMin) / 60), 2);
    const om = pad(Math.abs(offsetMin) % 60, 2);
    zone =
      style === 'colon' ? `${sign}${oh}:${om}` : style === 'compact' ? `${sign}${oh}${om}` : `${sign}${oh}`;
  }
  return `${date}T${time}${frac}${zone}`;
}

/** The instant a string made by isoOf(ms, _, fracDigits) stands for (ms truncated to the digits kept). */
export function truncatedTo(ms: number, fracDigits: number): number {
  const unit = fracDigits >= 3 ? 1 : 10 ** (3 - fracDigits);
  return Math.floor(ms / unit) * unit;
}

/** Instants around BASE_MS: anywhere in a ~2 minute window, and bucket edges (exactly, 1 ms before/after). */
export const instantArb: fc.Arbitrary<number> = fc.oneof(
  fc.integer({ min: BASE_MS - 30_000, max: BASE_MS + 90_000 }),
  fc
    .tuple(fc.integer({ min: -6, max: 18 }), fc.constantFrom(-1, 0, 1))
    .map(([k, d]) => BASE_MS + k * BUCKET + d),
);

const OFFSETS = [0, 60, -60, 330, -480, 345, 600, -210, 840, -720];

/** A created_at string for `ms` in one of the accepted forms (compact with/without ms, ISO with Z or an offset). */
export function createdAtFor(msArb: fc.Arbitrary<number>): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 4, arbitrary: msArb.map((ms) => compactOf(ms)) },
    { weight: 1, arbitrary: msArb.map((ms) => compactOf(ms, false)) },
    { weight: 2, arbitrary: msArb.map((ms) => isoOf(ms)) },
    {
      weight: 2,
      arbitrary: fc
        .tuple(
          msArb,
          fc.constantFrom(...OFFSETS),
          fc.integer({ min: 0, max: 9 }),
          fc.constantFrom<OffsetStyle>('colon', 'compact', 'hours'),
        )
        .map(([ms, off, digits, style]) => isoOf(ms, off, digits, off % 60 === 0 ? style : 'colon')),
    },
  );
}

export const createdAtArb: fc.Arbitrary<string> = createdAtFor(instantArb);

/** Mostly registered-universe names, sometimes the never-registered ghost. */
export const nameArb: fc.Arbitrary<string> = fc.oneof(
  { weight: 12, arbitrary: fc.constantFrom(...NAMES) },
  { weight: 1, arbitrary: fc.constant(GHOST) },
);

export function registerArb(ca: fc.Arbitrary<string> = createdAtArb): fc.Arbitrary<WireEvent> {
  return fc.record({
    type: fc.constant('register'),
    name: fc.constantFrom(...NAMES),
    created_at: ca,
  });
}

export function referralArb(ca: fc.Arbitrary<string> = createdAtArb): fc.Arbitrary<WireEvent> {
  return fc.record({ type: fc.constant('referral'), referredBy: nameArb, user: nameArb, created_at: ca });
}

export function friendshipArb(
  type: 'addfriend' | 'unfriend',
  ca: fc.Arbitrary<string> = createdAtArb,
): fc.Arbitrary<WireEvent> {
  return fc.record({ type: fc.constant(type), user1_name: nameArb, user2_name: nameArb, created_at: ca });
}

/** A schema-valid event (its outcome may still be any reject reason but malformed). */
export function validEventArb(ca: fc.Arbitrary<string> = createdAtArb): fc.Arbitrary<WireEvent> {
  return fc.oneof(
    { weight: 3, arbitrary: registerArb(ca) },
    { weight: 3, arbitrary: referralArb(ca) },
    { weight: 4, arbitrary: friendshipArb('addfriend', ca) },
    { weight: 2, arbitrary: friendshipArb('unfriend', ca) },
  );
}

/** created_at values that must be refused. */
export const BAD_CREATED_AT = [
  '',
  'yesterday',
  '1752872034000',
  '20250718T205354',
  '20250718T2053541Z',
  '20250718T20535432Z',
  '20250230T000000Z',
  '20250718T240000Z',
  '20250718T206000Z',
  '20250718T205360Z',
  '20251318T000000Z',
  '20250018T000000Z',
  '20250700T000000Z',
  '20230229T000000Z',
  '2025-07-18T20:53:54',
  '2025-07-18T20:53:54.123',
  '2025-02-30T00:00:00Z',
  '2025-07-18T24:00:00Z',
  '2025-07-18T20:53:54+24:00',
  '2025-07-18T20:53:54+05:60',
  '2025-07-18 20:53:54Z',
  '2025-07-18',
  '18/07/2025 20:53:54',
  '2025-07-18T20:53:54.Z',
  ' 20250718T205354320Z',
] as const;

const wrongValueArb: fc.Arbitrary<unknown> = fc.oneof(
  fc.constant(null),
  fc.integer(),
  fc.boolean(),
  fc.constant(''),
  fc.constant('x'.repeat(129)),
  fc.constant([]),
  fc.constant({}),
  fc.constant(['ann']),
);

const OTHER_SHAPES: Record<string, string[]> = {
  register: ['referral', 'addfriend', 'unfriend'],
  referral: ['register', 'addfriend', 'unfriend'],
  addfriend: ['register', 'referral'],
  unfriend: ['register', 'referral'],
};

/** Items the processor must reject as malformed. */
export const malformedItemArb: fc.Arbitrary<unknown> = fc.oneof(
  // not an object at all
  fc.constantFrom<unknown>(null, 0, 42, -1.5, true, false, 'register', '', []),
  fc.array(validEventArb(), { minLength: 1, maxLength: 2 }),
  // an unreadable record or NDJSON line, as domain/records decodes it
  fc.string({ maxLength: 20 }).map((raw) => new Unreadable(raw, 'line is not JSON')),
  // unknown or missing type
  fc
    .tuple(fc.constantFrom('poke', 'Register', 'REFERRAL', 'add_friend', 'unfriends', ''), validEventArb())
    .map(([type, e]) => ({ ...e, type })),
  validEventArb().map(({ type: _t, ...rest }) => rest),
  // a field missing
  validEventArb().chain((e) =>
    fc.constantFrom(...Object.keys(e).filter((k) => k !== 'type')).map((k) => {
      const copy: Record<string, unknown> = { ...e };
      delete copy[k];
      return copy;
    }),
  ),
  // a field with a wrong value (wrong JSON type, empty, too long)
  fc
    .tuple(validEventArb(), wrongValueArb)
    .chain(([e, bad]) =>
      fc.constantFrom(...Object.keys(e).filter((k) => k !== 'type')).map((k) => ({ ...e, [k]: bad })),
    ),
  // a bad created_at
  fc.tuple(validEventArb(), fc.constantFrom(...BAD_CREATED_AT)).map(([e, ca]) => ({ ...e, created_at: ca })),
  // the fields of another type (addfriend and unfriend share theirs, so they are not swapped)
  validEventArb().chain((e) =>
    fc.constantFrom(...OTHER_SHAPES[e.type]).map((type) => {
      const copy: Record<string, unknown> = { ...e, type };
      return copy;
    }),
  ),
);

/** A name of exactly 128 characters (valid) and its registered twin are useful edge cases. */
export const LONG_NAME = 'n'.repeat(128);

export interface StreamOptions {
  maxLength?: number;
  /** created_at generator for the stream's events */
  createdAt?: fc.Arbitrary<string>;
}

/** Inserts exact copies of earlier items (replays, producer resends) at random later places. */
export function withReplays<T>(arb: fc.Arbitrary<T[]>): fc.Arbitrary<T[]> {
  return arb.chain((items) =>
    items.length === 0
      ? fc.constant(items)
      : fc.array(fc.tuple(fc.nat(items.length - 1), fc.nat(items.length)), { maxLength: 5 }).map((copies) => {
          const out = [...items];
          for (const [src, at] of copies) out.splice(Math.max(at, src + 1), 0, items[src]);
          return out;
        }),
  );
}

/**
 * A dirty stream: valid events (with every possible outcome), malformed items, replays, both time
 * formats, created_at in any order (late events). It opens with registers of a random part of the
 * universe (so that relations between registered users are common), then anything goes.
 */
export function dirtyStreamArb(opts: StreamOptions = {}): fc.Arbitrary<unknown[]> {
  const ca = opts.createdAt ?? createdAtArb;
  const item: fc.Arbitrary<unknown> = fc.oneof(
    { weight: 10, arbitrary: validEventArb(ca) as fc.Arbitrary<unknown> },
    { weight: 1, arbitrary: malformedItemArb },
  );
  const prelude = fc
    .tuple(fc.subarray([...NAMES]), ca)
    .chain(([names, at]) =>
      fc
        .shuffledSubarray(names, { minLength: names.length })
        .map((order) => order.map((name) => ({ type: 'register', name, created_at: at }))),
    );
  const body = fc.array(item, { maxLength: opts.maxLength ?? 60, size: 'medium' });
  return withReplays(fc.tuple(prelude, body).map(([p, b]): unknown[] => [...p, ...b]));
}

/** Registers the whole universe first, then a storm of referrals among it (chains, cycle attempts). */
export function referralStormArb(opts: StreamOptions = {}): fc.Arbitrary<unknown[]> {
  const ca = opts.createdAt ?? createdAtArb;
  return fc
    .tuple(
      fc.shuffledSubarray([...NAMES], { minLength: NAMES.length }),
      ca,
      fc.array(
        fc.oneof(
          { weight: 6, arbitrary: referralArb(ca) },
          { weight: 1, arbitrary: friendshipArb('addfriend', ca) },
        ),
        { maxLength: 30, size: 'medium' },
      ),
    )
    .map(([order, at, rest]) => [
      ...order.map((name) => ({ type: 'register', name, created_at: at })),
      ...rest,
    ]);
}

/**
 * Batches like the public generator writes them: every event of a batch has the same created_at, and a
 * batch is ordered register, unfriend, addfriend, referral. Batch times mostly increase, sometimes not.
 */
export function batchedStreamArb(opts: { maxBatches?: number } = {}): fc.Arbitrary<unknown[]> {
  const batch = fc
    .tuple(
      createdAtArb,
      fc.array(fc.constantFrom(...NAMES), { maxLength: 3 }),
      fc.array(fc.tuple(nameArb, nameArb), { maxLength: 3 }),
      fc.array(fc.tuple(nameArb, nameArb), { maxLength: 4 }),
      fc.array(fc.tuple(nameArb, nameArb), { maxLength: 3 }),
    )
    .map(([created_at, regs, unf, add, refs]) => [
      ...regs.map((name) => ({ type: 'register', name, created_at })),
      ...unf.map(([a, b]) => ({ type: 'unfriend', user1_name: a, user2_name: b, created_at })),
      ...add.map(([a, b]) => ({ type: 'addfriend', user1_name: a, user2_name: b, created_at })),
      ...refs.map(([a, b]) => ({ type: 'referral', referredBy: a, user: b, created_at })),
    ]);
  return fc.array(batch, { maxLength: opts.maxBatches ?? 12, size: 'medium' }).map((bs) => bs.flat());
}

/** Any JSON-ish value (for validator properties). */
export const jsonishArb: fc.Arbitrary<unknown> = fc.jsonValue();
