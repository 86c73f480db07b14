// Strict UTF-8. Records and request bodies are read as text only when their bytes are valid UTF-8
// (WHATWG: no overlong forms, no encoded surrogates, nothing past U+10FFFF); decoding invalid bytes to
// U+FFFD would make `Jos\xe9` and `Jos\xe8` one name. The check is one pass over the raw bytes
// (node:buffer's isUtf8, vectorized), once per record or body, never per event.
import { isUtf8 } from 'node:buffer';

export { isUtf8 };

/**
 * Offset of the first byte that does not begin or continue a valid UTF-8 character, or -1 when all
 * of `bytes` is valid. A plain scan: only for saying where a body went wrong.
 */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  const n = bytes.length;
  let i = 0;
  while (i < n) {
    const len = sequenceLength(bytes, i);
    if (len === 0) return i;
    i += len;
  }
  return -1;
}

/** Length of the valid UTF-8 sequence starting at `i`, or 0 when there is none. */
function sequenceLength(b: Uint8Array, i: number): number {
  const c = b[i];
  if (c < 0x80) return 1;
  const cont = (k: number) => i + k < b.length && (b[i + k] & 0xc0) === 0x80;
  if (c >= 0xc2 && c <= 0xdf) return cont(1) ? 2 : 0;
  if (c >= 0xe0 && c <= 0xef) {
    if (!cont(1) || !cont(2)) return 0;
    const c1 = b[i + 1];
    if (c === 0xe0 && c1 < 0xa0) return 0; // overlong
    if (c === 0xed && c1 >= 0xa0) return 0; // a surrogate
    return 3;
  }
  if (c >= 0xf0 && c <= 0xf4) {
    if (!cont(1) || !cont(2) || !cont(3)) return 0;
    const c1 = b[i + 1];
    if (c === 0xf0 && c1 < 0x90) return 0; // overlong
    if (c === 0xf4 && c1 >= 0x90) return 0; // past U+10FFFF
    return 4;
  }
  return 0;
}

/**
 * Text of bytes that are not valid UTF-8, with every byte that is not part of a valid character
 * turned into a lone surrogate U+DC80..U+DCFF (the byte's value + 0xDC00, as Python's
 * "surrogateescape" does). Nothing is lost or merged: `Jos\xe9` and `Jos\xe8` stay two strings, and
 * any value holding such a character is not well-formed text, which `wellFormed` detects.
 */
export function decodeEscapingInvalid(bytes: Uint8Array): string {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const parts: string[] = [];
  let start = 0;
  let i = 0;
  while (i < buf.length) {
    const len = sequenceLength(buf, i);
    if (len > 0) {
      i += len;
      continue;
    }
    if (i > start) parts.push(buf.toString('utf8', start, i));
    parts.push(String.fromCharCode(0xdc00 | buf[i]));
    i++;
    start = i;
  }
  if (start < buf.length) parts.push(buf.toString('utf8', start));
  return parts.join('');
}

/** A lone surrogate: in a `u` regex a pair is one code point, never one of these. */
const LONE_SURROGATE = /\p{Surrogate}/u;

/** Whether a string is well-formed UTF-16 (every surrogate is half of a pair). */
export function isWellFormedText(s: string): boolean {
  return !LONE_SURROGATE.test(s);
}

/** Whether every string in a parsed JSON value (object keys included) is well-formed UTF-16. */
export function wellFormed(v: unknown): boolean {
  if (typeof v === 'string') return isWellFormedText(v);
  if (typeof v !== 'object' || v === null) return true;
  if (Array.isArray(v)) {
    for (const x of v) if (!wellFormed(x)) return false;
    return true;
  }
  for (const [k, x] of Object.entries(v)) if (!isWellFormedText(k) || !wellFormed(x)) return false;
  return true;
}
