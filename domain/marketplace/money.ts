// Amounts of money (SPEC section 11): given as a JSON number or a numeric string, kept as integer cents,
// answered as numbers with at most 2 decimals. No floating-point arithmetic touches an amount: a string
// is read digit by digit, a number through its shortest decimal form (`String(n)`, what JSON.stringify
// writes), so `19.9` and `"19.90"` are both 1990 cents and `0.1 + 0.2` (0.30000000000000004) is refused.

/** 1e12, the largest amount accepted, in cents. Well inside the safe integers (2^53 ≈ 9.007e15). */
export const MAX_AMOUNT_CENTS = 100_000_000_000_000;

/**
 * Cents of the decimal text `s`: ASCII digits, optionally a point and 1 or 2 more digits (`"2500"`,
 * `"19.9"`, `"19.90"`, `"007"`); nothing else (no sign, exponent, spaces, leading or trailing point).
 * Null when `s` is not such a text or its value exceeds 1e12.
 */
export function decimalCents(s: string): number | null {
  const n = s.length;
  let i = 0;
  let whole = 0;
  for (; i < n; i++) {
    const d = s.charCodeAt(i) - 48;
    if (d < 0 || d > 9) break;
    // Past 1e12 the value is refused whatever follows; stopping the sum keeps it exact meanwhile.
    if (whole <= 1e12) whole = whole * 10 + d;
  }
  if (i === 0) return null;
  let frac = 0;
  if (i < n) {
    if (s.charCodeAt(i) !== 46 /* . */) return null;
    const digits = n - i - 1;
    if (digits < 1 || digits > 2) return null;
    for (let k = i + 1; k < n; k++) {
      const d = s.charCodeAt(k) - 48;
      if (d < 0 || d > 9) return null;
      frac = frac * 10 + d;
    }
    if (digits === 1) frac *= 10;
  }
  if (whole > 1e12) return null;
  const cents = whole * 100 + frac;
  return cents <= MAX_AMOUNT_CENTS ? cents : null;
}

/**
 * Cents of an amount: a number or a numeric string with at most 2 decimals, 0 ≤ amount ≤ 1e12.
 * Null for anything else (`"1e3"`, `" 5"`, `"-1"`, `1.005`, `NaN`, `"12.345"`, a boolean, …).
 * `-0` is 0.
 */
export function amountCents(v: unknown): number | null {
  if (typeof v === 'string') return decimalCents(v);
  if (typeof v === 'number') {
    // A whole number needs no decimal text: v * 100 is exact for integers up to 1e12.
    if (Number.isInteger(v)) return v >= 0 && v <= 1e12 ? v * 100 + 0 : null;
    return v >= 0 ? decimalCents(String(v)) : null;
  }
  return null;
}

/**
 * Money columns and sums hold cents in two parts, `hi × CENTS_BASE + lo` (domain/figures.ts
 * WideColumn): one sale is at most 1e14 cents, so each part of a sum stays an exact double, and within
 * the rollup blocks' 2^52, for hundreds of millions of maximal sales of one key, where a single column
 * would lose exactness after 45 of them.
 */
export const CENTS_BASE = 10_000_000;

/** A sale's cents as [lo, hi] (lo < CENTS_BASE). */
export function splitCents(cents: number): [number, number] {
  const hi = Math.floor(cents / CENTS_BASE);
  return [cents - hi * CENTS_BASE, hi];
}

/** The cents that two parts hold (`hi × CENTS_BASE + lo`), exactly. */
export function joinCents(lo: number, hi: number): bigint {
  return BigInt(hi) * BigInt(CENTS_BASE) + BigInt(lo);
}

/** Money in two parts as the API answers it (see centsToAmount). */
export function partsToAmount(lo: number, hi: number): number {
  if (hi === 0) return centsToAmount(lo);
  const cents = hi * CENTS_BASE + lo;
  return Number.isSafeInteger(cents) ? centsToAmount(cents) : centsToAmount(joinCents(lo, hi));
}

/**
 * An amount in cents as the API answers it: a number with at most 2 decimals, the double nearest to
 * the decimal value (`1990` → 19.9, `250000` → 2500). Accepts a bigint for sums past 2^53 cents.
 */
export function centsToAmount(cents: number | bigint): number {
  // An exact integer over 100: IEEE division rounds the exact quotient, which is the decimal value.
  if (typeof cents === 'number' && Number.isSafeInteger(cents)) return cents / 100;
  const c = typeof cents === 'bigint' ? cents : BigInt(cents);
  const negative = c < 0n;
  const abs = negative ? -c : c;
  const frac = abs % 100n;
  const text = `${negative ? '-' : ''}${abs / 100n}.${frac < 10n ? '0' : ''}${frac}`;
  return Number(text);
}

/**
 * A running sum of two-part cents (`hi × CENTS_BASE + lo`) kept in doubles while they stay exact, so
 * that summing a series' rows makes no bigint per row.
 */
export class CentsSum {
  private lo = 0;
  private hi = 0;
  private big = 0n;

  add(lo: number, hi: number): void {
    this.lo += lo;
    this.hi += hi;
    if (this.lo > SAFE_PART || this.lo < -SAFE_PART || this.hi > SAFE_PART || this.hi < -SAFE_PART) {
      this.big += joinCents(this.lo, this.hi);
      this.lo = 0;
      this.hi = 0;
    }
  }

  /** The sum as an amount (centsToAmount). */
  amount(): number {
    return this.big === 0n
      ? partsToAmount(this.lo, this.hi)
      : centsToAmount(this.big + joinCents(this.lo, this.hi));
  }
}

/** Below it, adding one more part (each below 2^52, MAX_BLOCK_VALUE) keeps a double's sum exact. */
const SAFE_PART = 2 ** 52;
