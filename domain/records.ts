// Kinesis record payloads: one JSON event, a JSON array of events, or NDJSON; each optionally
// gzip- or brotli-compressed. The compression is detected from the bytes, never from metadata.
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { decodeEscapingInvalid, isUtf8, isWellFormedText, wellFormed } from './utf8';

/** A record (or a line of one) that could not be read as JSON; kept verbatim for inspection. */
export class Unreadable {
  constructor(
    readonly raw: string,
    readonly why: string,
  ) {}
}

/** Largest decompressed payload we accept from one record: a guard against compression bombs. */
export const MAX_DECODED_BYTES = 64 * 1024 * 1024;
/** How much of an unreadable payload is kept for inspection. */
export const MAX_KEPT_RAW = 1024;

const GZIP_0 = 0x1f;
const GZIP_1 = 0x8b;

function keep(text: string): string {
  return text.length > MAX_KEPT_RAW ? `${text.slice(0, MAX_KEPT_RAW)}…` : text;
}

function looksLikeJsonText(bytes: Uint8Array): boolean {
  for (let i = 0; i < bytes.length; i++) {
    const c = bytes[i];
    if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) continue;
    // '{' or '[' opens every payload we accept; a UTF-8 BOM is tolerated.
    return c === 0x7b || c === 0x5b || c === 0xef;
  }
  return false;
}

function unreadable(bytes: Uint8Array, err: unknown): Unreadable {
  const why = err instanceof RangeError ? 'payload larger than the decode limit' : 'not JSON, gzip or brotli';
  return new Unreadable(keep(Buffer.from(bytes).toString('latin1')), why);
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** Text as a producer would write it: valid UTF-8 with no control bytes but tab, CR and LF. */
function plainText(bytes: Uint8Array): string | null {
  for (let i = 0; i < bytes.length; i++) {
    const c = bytes[i];
    if (c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) return null;
  }
  try {
    return strictUtf8.decode(bytes);
  } catch {
    return null;
  }
}

/** A record's text, and whether its items must be checked for text that is not well-formed. */
interface Payload {
  text: string;
  /**
   * The bytes were not valid UTF-8 (the bad bytes are in the text as lone surrogates), or they hold a
   * JSON escape of a surrogate (`\ud800`), which may be a lone one: each item is then checked.
   */
  suspect: boolean;
}

/** Text of decompressed bytes; invalid UTF-8 is kept as lone surrogates (domain/utf8.ts). */
function textOf(buf: Buffer): Payload {
  if (isUtf8(buf)) {
    // One scan each for the escapes of a surrogate, `\ud8..\udf` in either case: without one, valid
    // UTF-8 cannot hold a lone surrogate, and no item needs a look.
    const suspect = buf.includes('\\ud') || buf.includes('\\uD');
    return { text: buf.toString('utf8'), suspect };
  }
  return { text: decodeEscapingInvalid(buf), suspect: true };
}

/** Decompresses if needed. Returns the payload, or an Unreadable explaining why there is none. */
function payloadOf(bytes: Uint8Array): Payload | Unreadable {
  if (bytes.length >= 2 && bytes[0] === GZIP_0 && bytes[1] === GZIP_1) {
    try {
      return textOf(gunzipSync(bytes, { maxOutputLength: MAX_DECODED_BYTES }));
    } catch (err) {
      if (err instanceof RangeError) return unreadable(bytes, err);
      // Not gzip after all: a brotli stream may begin with the same two bytes. Fall through.
    }
  } else if (looksLikeJsonText(bytes)) {
    return textOf(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length));
  }
  // Brotli has no magic number: try it. Plain text that is not brotli (NDJSON whose first line is not
  // JSON, say) is read line by line; anything else is garbage, one Unreadable for the whole record.
  try {
    return textOf(brotliDecompressSync(bytes, { maxOutputLength: MAX_DECODED_BYTES }));
  } catch (err) {
    if (err instanceof RangeError) return unreadable(bytes, err);
    const text = plainText(bytes);
    return text === null ? unreadable(bytes, err) : { text, suspect: text.includes('\\u') };
  }
}

/**
 * Decompresses if needed. Returns the text (bytes that are not valid UTF-8 as lone surrogates), or
 * an Unreadable explaining why there is none.
 */
export function payloadText(bytes: Uint8Array): string | Unreadable {
  const p = payloadOf(bytes);
  return p instanceof Unreadable ? p : p.text;
}

/** Why an item whose text is not well-formed is malformed; it is kept as its JSON (escaped). */
export const NOT_UTF8 = 'not valid UTF-8 text (a byte that is not UTF-8, or a lone surrogate)';

/** An item holding text that is not well-formed: kept, readable, as one Unreadable. */
function notText(item: unknown): Unreadable {
  const json = item instanceof Unreadable ? item.raw : (JSON.stringify(item) ?? String(item));
  // JSON.stringify escapes lone surrogates; an Unreadable's raw line may still hold them.
  return new Unreadable(keep(escapeLone(json)), NOT_UTF8);
}

/** Lone surrogates written as `\udcXX` escapes, so the kept text is well-formed. */
function escapeLone(s: string): string {
  return isWellFormedText(s)
    ? s
    : s.replace(/\p{Surrogate}/gu, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function parseNdjson(text: string, out: unknown[]): void {
  let start = 0;
  while (start <= text.length) {
    let end = text.indexOf('\n', start);
    if (end === -1) end = text.length;
    const line = text.slice(start, end).trim();
    if (line.length > 0) {
      try {
        out.push(JSON.parse(line));
      } catch {
        out.push(new Unreadable(keep(line), 'line is not JSON'));
      }
    }
    start = end + 1;
  }
}

/**
 * Decodes one record payload into its items, in order. An item is a parsed JSON value (not yet
 * validated as an event) or an Unreadable. A JSON array yields its elements; NDJSON yields one item
 * per non-empty line; a payload that is neither yields a single Unreadable.
 */
export function decodeRecord(bytes: Uint8Array): unknown[] {
  const p = payloadOf(bytes);
  if (p instanceof Unreadable) return [p];
  const items = parseItems(p.text);
  if (!p.suspect) return items;
  // Rare: check each item, and replace one holding text that is not well-formed by an Unreadable.
  for (let i = 0; i < items.length; i++) {
    const item = items[i];
    const raw = item instanceof Unreadable ? item.raw : item;
    if (!wellFormed(raw)) items[i] = notText(item);
  }
  return items;
}

function parseItems(text: string): unknown[] {
  const out: unknown[] = [];
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  try {
    // One JSON.parse for the whole payload is the fast path (producers send arrays).
    const v: unknown = JSON.parse(body);
    if (Array.isArray(v)) return v;
    out.push(v);
    return out;
  } catch {
    // Not a single JSON document: NDJSON, or something broken (then each bad line is kept).
  }
  if (body.indexOf('\n') === -1) return [new Unreadable(keep(body), 'not JSON')];
  parseNdjson(body, out);
  return out;
}
