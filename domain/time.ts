// Time semantics shared by the processor, the API, the snapshot job and the tests.
// Every instant is carried as epoch milliseconds (UTC); analytics resolution is a 5-second bucket.

export const BUCKET_MS = 5_000;

/** Start of the 5-second bucket holding `ms` (aligned to the epoch). */
export function bucketOf(ms: number): number {
  return Math.floor(ms / BUCKET_MS) * BUCKET_MS;
}

/** Smallest bucket edge >= ms. */
export function bucketCeil(ms: number): number {
  return Math.ceil(ms / BUCKET_MS) * BUCKET_MS;
}

const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function validCalendar(y: number, mo: number, d: number, h: number, mi: number, s: number): boolean {
  if (mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || s > 59) return false;
  if (d > DAYS_IN_MONTH[mo - 1]) return false;
  if (mo === 2 && d === 29) return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
  return true;
}

/** 400 Gregorian years, in ms: the calendar repeats exactly with this period. */
const FOUR_CENTURIES_MS = 146_097 * 86_400_000;

/** Date.UTC without its quirk of reading years 0–99 as 1900–1999. */
function utc(y: number, mo: number, d: number, h: number, mi: number, s: number, ms: number): number {
  return y < 100
    ? Date.UTC(y + 400, mo, d, h, mi, s, ms) - FOUR_CENTURIES_MS
    : Date.UTC(y, mo, d, h, mi, s, ms);
}

const digit = (s: string, i: number): number => s.charCodeAt(i) - 48;
const num = (s: string, from: number, len: number): number => {
  let v = 0;
  for (let i = from; i < from + len; i++) {
    const c = digit(s, i);
    if (c < 0 || c > 9) return -1;
    v = v * 10 + c;
  }
  return v;
};

/**
 * The generator's compact UTC form `YYYYMMDDTHHMMSS[mmm]Z`. Hand-written rather than a regex
 * because it runs once per event on the processor's hot path.
 */
export function parseCompact(s: string): number | null {
  const len = s.length;
  if ((len !== 16 && len !== 19) || s.charCodeAt(8) !== 84 /* T */ || s.charCodeAt(len - 1) !== 90 /* Z */) {
    return null;
  }
  const y = num(s, 0, 4);
  const mo = num(s, 4, 2);
  const d = num(s, 6, 2);
  const h = num(s, 9, 2);
  const mi = num(s, 11, 2);
  const sec = num(s, 13, 2);
  const ms = len === 19 ? num(s, 15, 3) : 0;
  if (y < 0 || mo < 0 || d < 0 || h < 0 || mi < 0 || sec < 0 || ms < 0) return null;
  if (!validCalendar(y, mo, d, h, mi, sec)) return null;
  return utc(y, mo - 1, d, h, mi, sec, ms);
}

const ISO_RE =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?(Z|[+-]\d{2}(?::?\d{2})?)$/i;

/** ISO 8601 date-time that carries a time zone (`Z` or an offset). Local times are refused. */
export function parseIsoWithZone(s: string): number | null {
  const m = ISO_RE.exec(s);
  if (!m) return null;
  const y = Number(m[1]);
  const mo = Number(m[2]);
  const d = Number(m[3]);
  const h = Number(m[4]);
  const mi = Number(m[5]);
  const sec = m[6] === undefined ? 0 : Number(m[6]);
  if (!validCalendar(y, mo, d, h, mi, sec)) return null;
  const frac = m[7] === undefined ? 0 : Math.floor(Number(`0.${m[7]}`) * 1000);
  let offsetMin = 0;
  const zone = m[8];
  if (zone !== 'Z' && zone !== 'z') {
    const sign = zone[0] === '-' ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    const oh = Number(digits.slice(0, 2));
    const om = digits.length > 2 ? Number(digits.slice(2, 4)) : 0;
    if (oh > 23 || om > 59) return null;
    offsetMin = sign * (oh * 60 + om);
  }
  return utc(y, mo - 1, d, h, mi, sec, frac) - offsetMin * 60_000;
}

/**
 * The instants we accept anywhere, in events and in query parameters alike: the years the compact
 * form can write, 0000-01-01T00:00:00.000Z to 9999-12-31T23:59:59.999Z (epoch milliseconds
 * -62,167,219,200,000 to 253,402,300,799,999). Arithmetic on them never leaves safe integers.
 */
export const MIN_TIME_MS = -62_167_219_200_000;
export const MAX_TIME_MS = 253_402_300_799_999;

/** `created_at` of an event: compact form or ISO 8601 with a zone, inside [MIN_TIME_MS, MAX_TIME_MS]. */
export function parseCreatedAt(s: string): number | null {
  if (s.length === 16 || s.length === 19) {
    const compact = parseCompact(s);
    if (compact !== null) return compact;
  }
  const v = parseIsoWithZone(s);
  // An offset can carry the first or last day of the years 0000-9999 past either end.
  return v !== null && v >= MIN_TIME_MS && v <= MAX_TIME_MS ? v : null;
}

/**
 * An instant given as a query parameter: ISO 8601 (with a zone), epoch milliseconds (negative before
 * 1970), or the compact form; the same instants an event's created_at may hold. Returns null when it
 * is none of those.
 */
export function parseInstant(s: string): number | null {
  if (/^-?\d{1,16}$/.test(s)) {
    const v = Number(s);
    return v >= MIN_TIME_MS && v <= MAX_TIME_MS ? v : null;
  }
  return parseCreatedAt(s);
}

export function toIso(ms: number): string {
  // Series answers format up to a thousand instants each, mostly of a few days: the date part comes
  // from Date once per day (kept), the time of day from integer arithmetic. Same text as toISOString,
  // which still formats (and refuses) whatever it alone handles: years past 9999, NaN.
  if (!(ms >= -MAX_DATE_MS && ms <= MAX_DATE_MS) || !Number.isInteger(ms)) return new Date(ms).toISOString();
  const day = Math.floor(ms / DAY_MS);
  let prefix = isoDays.get(day);
  if (prefix === undefined) {
    prefix = new Date(day * DAY_MS).toISOString().slice(0, -13);
    if (isoDays.size >= 4_096) isoDays.clear();
    isoDays.set(day, prefix);
  }
  let rest = ms - day * DAY_MS;
  const h = Math.floor(rest / 3_600_000);
  rest -= h * 3_600_000;
  const m = Math.floor(rest / 60_000);
  rest -= m * 60_000;
  const sec = Math.floor(rest / 1000);
  const milli = rest - sec * 1000;
  return `${prefix}${TWO[h]}:${TWO[m]}:${TWO[sec]}.${milli < 10 ? '00' : milli < 100 ? '0' : ''}${milli}Z`;
}

const DAY_MS = 86_400_000;
/** The largest distance from the epoch a Date holds (ECMA-262 21.4.1.1). */
const MAX_DATE_MS = 8.64e15;
const isoDays = new Map<number, string>();
const TWO = Array.from({ length: 60 }, (_, i) => String(i).padStart(2, '0'));

/** Compact generator form, e.g. 20250718T205354320Z. */
export function toCompact(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:]/g, '').replace('.', '');
}

// Producers give a whole batch one created_at: remembering the last one parsed skips the calendar
// arithmetic for almost every event (the families' fast validators call this per event).
let lastCreatedAt: string | null = null;
let lastAt = 0;

/** An event's created_at in ms: `arrivalMs` when absent, NaN when malformed. */
export function createdAtOrArrival(v: unknown, arrivalMs: number): number {
  if (v === undefined || v === null) return arrivalMs;
  if (typeof v !== 'string') return Number.NaN;
  if (v !== lastCreatedAt) {
    const at = parseCreatedAt(v);
    if (at === null) return Number.NaN;
    lastCreatedAt = v;
    lastAt = at;
  }
  return lastAt;
}
