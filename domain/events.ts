// The four relationship events, their zod contract, and the fast validator the processor uses.
// The zod schemas are the documented contract; `EventReader` is a hand-written equivalent that
// allocates nothing per event (the fold's hot path), and `toGraphEvent` wraps it for callers that
// want an event object. A property test keeps toGraphEvent and zod in agreement.
import { z } from 'zod';
import { parseCreatedAt } from './time';

export const MAX_NAME_LENGTH = 128;

export type EventType = 'register' | 'referral' | 'addfriend' | 'unfriend';

/** A validated event. `a`/`b` are the two names it relates (`b` is '' for register). */
export interface GraphEvent {
  type: EventType;
  /** register: the new user; referral: the referrer; addfriend/unfriend: user1_name. */
  a: string;
  /** referral: the referred user; addfriend/unfriend: user2_name; register: ''. */
  b: string;
  /** created_at as epoch milliseconds (UTC). */
  at: number;
}

const name = z.string().min(1).max(MAX_NAME_LENGTH);
const createdAt = z.string().refine((s) => parseCreatedAt(s) !== null, {
  message: 'created_at must be YYYYMMDDTHHMMSS[mmm]Z or ISO 8601 with a time zone',
});

export const RegisterEventSchema = z.object({ type: z.literal('register'), name, created_at: createdAt });
export const ReferralEventSchema = z.object({
  type: z.literal('referral'),
  referredBy: name,
  user: name,
  created_at: createdAt,
});
export const AddFriendEventSchema = z.object({
  type: z.literal('addfriend'),
  user1_name: name,
  user2_name: name,
  created_at: createdAt,
});
export const UnfriendEventSchema = z.object({
  type: z.literal('unfriend'),
  user1_name: name,
  user2_name: name,
  created_at: createdAt,
});
/**
 * An object whose kind is given as `event_name` or `event` (where `type` is absent or null), as
 * producers in the wild write it, read as if it were `type`.
 */
export function withTypeField(v: unknown): unknown {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return v;
  const o = v as Record<string, unknown>;
  if (o.type !== undefined && o.type !== null) return v;
  const kind = o.event_name ?? o.event;
  return kind === undefined ? v : { ...o, type: kind };
}

export const RawEventSchema = z.preprocess(
  withTypeField,
  z.discriminatedUnion('type', [
    RegisterEventSchema,
    ReferralEventSchema,
    AddFriendEventSchema,
    UnfriendEventSchema,
  ]),
);
export type RawEvent = z.infer<typeof RawEventSchema>;

/** Converts a zod-validated event to the fold's shape. */
export function fromRawEvent(e: RawEvent): GraphEvent {
  const at = parseCreatedAt(e.created_at) as number;
  switch (e.type) {
    case 'register':
      return { type: 'register', a: e.name, b: '', at };
    case 'referral':
      return { type: 'referral', a: e.referredBy, b: e.user, at };
    case 'addfriend':
      return { type: 'addfriend', a: e.user1_name, b: e.user2_name, at };
    case 'unfriend':
      return { type: 'unfriend', a: e.user1_name, b: e.user2_name, at };
  }
}

/** Length in characters (code points), as the SPEC and zod count it; UTF-16 units are only a bound. */
function isName(v: unknown): v is string {
  if (typeof v !== 'string' || v.length === 0) return false;
  if (v.length <= MAX_NAME_LENGTH) return true;
  if (v.length > 2 * MAX_NAME_LENGTH) return false;
  let chars = 0;
  for (const _ of v) chars++;
  return chars <= MAX_NAME_LENGTH;
}

/**
 * Reads parsed JSON values as events without allocating: `read` validates one value and leaves its
 * fields in `a`, `b` and `at`, which stay valid until the next call. The fold calls it once per
 * event, so the hot path makes no temporary object (see `toGraphEvent` for the allocating form).
 */
export class EventReader {
  /** register: the new user; referral: the referrer; addfriend/unfriend: user1_name. */
  a = '';
  /** referral: the referred user; addfriend/unfriend: user2_name; register: ''. */
  b = '';
  /** created_at as epoch milliseconds (UTC). */
  at = 0;
  // Producers give a whole batch one created_at: remembering the last one parsed skips the calendar
  // arithmetic for almost every event.
  private lastCreatedAt: string | null = null;
  private lastAt = 0;

  /**
   * The event's type, or null when the value is malformed: not an object, unknown type, missing or
   * wrong fields, or a bad created_at. Extra fields are ignored, as zod does. `knownKind`: the value's
   * eventKind, when the caller has read it already.
   */
  read(v: unknown, knownKind?: string): EventType | null {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return null;
    const o = v as Record<string, unknown>;
    const ca = o.created_at;
    if (typeof ca !== 'string') return null;
    let a: unknown;
    let b: unknown;
    // The kind is `type`, or where it is absent (or null) `event_name`, else `event`: the caller's
    // `knownKind` when it has read it already (domain/event-kind.ts).
    const type = knownKind ?? o.type ?? o.event_name ?? o.event;
    switch (type) {
      case 'register':
        a = o.name;
        if (!isName(a)) return null;
        b = '';
        break;
      case 'referral':
        a = o.referredBy;
        b = o.user;
        if (!isName(a) || !isName(b)) return null;
        break;
      case 'addfriend':
      case 'unfriend':
        a = o.user1_name;
        b = o.user2_name;
        if (!isName(a) || !isName(b)) return null;
        break;
      default:
        return null;
    }
    if (ca !== this.lastCreatedAt) {
      const at = parseCreatedAt(ca);
      if (at === null) return null;
      this.lastCreatedAt = ca;
      this.lastAt = at;
    }
    this.a = a as string;
    this.b = b as string;
    this.at = this.lastAt;
    return type;
  }
}

const reader = new EventReader();

/**
 * Validates one parsed JSON value as an event. Returns null when it is malformed: not an object,
 * unknown type, missing or wrong fields, or a bad created_at. Extra fields are ignored, as zod does.
 */
export function toGraphEvent(v: unknown): GraphEvent | null {
  const type = reader.read(v);
  return type === null ? null : { type, a: reader.a, b: reader.b, at: reader.at };
}

/** Back to the wire shape (used by the generator and by tests). */
export function toRawEvent(e: GraphEvent, createdAt: string): RawEvent {
  switch (e.type) {
    case 'register':
      return { type: 'register', name: e.a, created_at: createdAt };
    case 'referral':
      return { type: 'referral', referredBy: e.a, user: e.b, created_at: createdAt };
    case 'addfriend':
      return { type: 'addfriend', user1_name: e.a, user2_name: e.b, created_at: createdAt };
    case 'unfriend':
      return { type: 'unfriend', user1_name: e.a, user2_name: e.b, created_at: createdAt };
  }
}
