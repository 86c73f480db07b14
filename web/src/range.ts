// Time ranges and intervals of the dashboard: presets, custom ranges, their form in the address, and
// the series intervals the API accepts (SPEC section 4). Pure: no DOM, unit-tested under Node.
import { BUCKET_MS, bucketCeil, parseInstant } from '../../domain/time';

export type Preset = '1m' | '1h' | '1d' | 'all';

export const PRESETS: readonly { id: Preset; label: string; ms: number | null }[] = [
  { id: '1m', label: 'Last minute', ms: 60_000 },
  { id: '1h', label: 'Last hour', ms: 3_600_000 },
  { id: '1d', label: 'Last day', ms: 86_400_000 },
  { id: 'all', label: 'All time', ms: null },
];

/** A preset is relative to the moment it is looked at; a custom range is fixed (null = open end). */
export type RangeSpec =
  | { kind: 'preset'; preset: Preset }
  | { kind: 'custom'; from: number | null; to: number | null };

/** Concrete instants (epoch ms); null = open (beginning of time / now). */
export interface Resolved {
  from: number | null;
  to: number | null;
}

export const ALL_TIME: RangeSpec = { kind: 'preset', preset: 'all' };

function isPreset(s: string | null): s is Preset {
  return PRESETS.some((p) => p.id === s);
}

/**
 * Reads a range from address parameters: `range=1m|1h|1d|all`, or `from`/`to` (ISO 8601, epoch ms or
 * the compact form, as the API takes them). Anything unreadable falls back to `fallback`.
 */
export function parseRange(params: URLSearchParams, fallback: RangeSpec = ALL_TIME): RangeSpec {
  const preset = params.get('range');
  if (isPreset(preset)) return { kind: 'preset', preset };
  const rawFrom = params.get('from');
  const rawTo = params.get('to');
  if (!rawFrom && !rawTo) return fallback;
  const from = rawFrom ? parseInstant(rawFrom) : null;
  const to = rawTo ? parseInstant(rawTo) : null;
  if ((rawFrom && from === null) || (rawTo && to === null)) return fallback;
  if (from !== null && to !== null && from >= to) return fallback;
  return { kind: 'custom', from, to };
}

/** The address parameters of a range (the inverse of parseRange). All time is the default: no parameter. */
export function rangeParams(r: RangeSpec): Record<string, string> {
  if (r.kind === 'preset') return r.preset === 'all' ? {} : { range: r.preset };
  const out: Record<string, string> = {};
  if (r.from !== null) out.from = new Date(r.from).toISOString();
  if (r.to !== null) out.to = new Date(r.to).toISOString();
  return out;
}

export function resolveRange(r: RangeSpec, now: number): Resolved {
  if (r.kind === 'custom') return { from: r.from, to: r.to };
  const p = PRESETS.find((x) => x.id === r.preset);
  if (!p || p.ms === null) return { from: null, to: null };
  return { from: now - p.ms, to: now };
}

export function sameRange(a: RangeSpec, b: RangeSpec): boolean {
  if (a.kind === 'preset' || b.kind === 'preset') {
    return a.kind === 'preset' && b.kind === 'preset' && a.preset === b.preset;
  }
  return a.from === b.from && a.to === b.to;
}

export function describeRange(r: RangeSpec): string {
  if (r.kind === 'preset') return PRESETS.find((p) => p.id === r.preset)?.label ?? 'All time';
  const f = r.from === null ? 'the beginning' : formatUtc(r.from);
  const t = r.to === null ? 'now' : formatUtc(r.to);
  return `${f} → ${t}`;
}

// ---- intervals -------------------------------------------------------------------------------------

export type IntervalId = '5s' | '1m' | '5m' | '1h' | '1d';
export const INTERVALS: readonly { id: IntervalId; ms: number; label: string }[] = [
  { id: '5s', ms: 5_000, label: '5 seconds' },
  { id: '1m', ms: 60_000, label: '1 minute' },
  { id: '5m', ms: 300_000, label: '5 minutes' },
  { id: '1h', ms: 3_600_000, label: '1 hour' },
  { id: '1d', ms: 86_400_000, label: '1 day' },
];
/** The API answers at most this many points (else 400). */
export const MAX_POINTS = 1000;
/** The interval `auto` picks keeps a chart readable: at most this many points. */
export const AUTO_TARGET_POINTS = 240;

export function isInterval(s: string | null): s is IntervalId {
  return INTERVALS.some((i) => i.id === s);
}

export function intervalMs(id: IntervalId): number {
  return INTERVALS.find((i) => i.id === id)?.ms ?? BUCKET_MS;
}

/** Points of a series over [from, to) at `ms`, as the API counts them (range widened to buckets). */
export function pointCount(from: number, to: number, ms: number): number {
  const start = Math.floor(from / BUCKET_MS) * BUCKET_MS;
  const end = bucketCeil(to);
  return Math.max(1, Math.ceil((end - start) / ms));
}

/** The finest interval whose point count stays under AUTO_TARGET_POINTS (the coarsest if none does). */
export function autoInterval(from: number, to: number): IntervalId {
  for (const i of INTERVALS) if (pointCount(from, to, i.ms) <= AUTO_TARGET_POINTS) return i.id;
  return '1d';
}

/** Whether the API can answer this interval over this range (at most MAX_POINTS points). */
export function intervalAllowed(from: number, to: number, id: IntervalId): boolean {
  return pointCount(from, to, intervalMs(id)) <= MAX_POINTS;
}

/**
 * The range a series is asked for: `from` floored to the interval so steps fall on round instants,
 * `to` as given. Both are concrete: a series needs a start.
 */
export function seriesWindow(from: number, to: number, id: IntervalId): { from: number; to: number } {
  const ms = intervalMs(id);
  const alignedFrom = Math.floor(from / ms) * ms;
  return { from: alignedFrom, to: Math.max(to, alignedFrom + BUCKET_MS) };
}

// ---- formatting ---------------------------------------------------------------------------------------

/** `2025-07-18 20:53:54 UTC`, with milliseconds only when they are not zero. */
export function formatUtc(ms: number): string {
  const iso = new Date(ms).toISOString();
  const base = `${iso.slice(0, 10)} ${iso.slice(11, 19)}`;
  const frac = iso.slice(20, 23);
  return `${base}${frac === '000' ? '' : `.${frac}`} UTC`;
}

export function formatIsoUtc(iso: string | null | undefined): string {
  if (!iso) return '—';
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? iso : formatUtc(ms);
}

/** "3 s ago", "5 min ago", "2 h ago", "4 d ago" (or "in the future" for clock skew). */
export function formatAgo(ms: number, now: number): string {
  const d = now - ms;
  if (d < -1000) return 'in the future';
  const s = Math.max(0, Math.round(d / 1000));
  if (s < 60) return `${s} s ago`;
  const m = Math.round(s / 60);
  if (m < 60) return `${m} min ago`;
  const h = Math.round(m / 60);
  if (h < 48) return `${h} h ago`;
  return `${Math.round(h / 24)} d ago`;
}

/** Value of an `<input type="datetime-local">`, read as UTC (the dashboard shows every time in UTC). */
export function toInputValue(ms: number | null): string {
  if (ms === null) return '';
  return new Date(ms).toISOString().slice(0, 19);
}

export function fromInputValue(v: string): number | null {
  if (!v) return null;
  const withSeconds = /T\d{2}:\d{2}$/.test(v) ? `${v}:00` : v;
  const ms = Date.parse(`${withSeconds}Z`);
  return Number.isNaN(ms) ? null : ms;
}

const NUMBER = new Intl.NumberFormat('en-US');
export function formatNumber(n: number): string {
  return NUMBER.format(n);
}

const MONEY = new Intl.NumberFormat('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
/** An amount of money (the API answers at most 2 decimals): `1,234.50`. */
export function formatMoney(n: number): string {
  return MONEY.format(n);
}

const AVERAGE = new Intl.NumberFormat('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
/** An average rating (unrounded in the API) to 2 decimals, or a dash when there is none. */
export function formatAverage(n: number | null): string {
  return n === null ? '—' : AVERAGE.format(n);
}
