// POST /events body: a JSON array of events, or NDJSON. The API does not judge events (the processor
// alone decides outcomes); it only refuses a body that is neither form. An NDJSON line that is not
// JSON is forwarded as its raw text, so the processor counts it as `malformed` like any other.
import { firstInvalidUtf8, isUtf8 } from '../domain/utf8';
import { BadRequestError } from './errors';

export const BODY_SHAPE = 'the body must be a JSON array of events or NDJSON (one JSON event per line)';

export function parseEventsBody(body: string): unknown[] {
  const text = body.charCodeAt(0) === 0xfeff ? body.slice(1) : body;
  if (text.trim().length === 0) throw new BadRequestError(`body is empty: ${BODY_SHAPE}`);
  let whole: unknown;
  let parsed = false;
  try {
    whole = JSON.parse(text);
    parsed = true;
  } catch {
    // Not one JSON document: try NDJSON below.
  }
  if (parsed) {
    if (Array.isArray(whole)) return whole;
    if (typeof whole === 'object' && whole !== null) return [whole];
    throw new BadRequestError(`body is a JSON ${whole === null ? 'null' : typeof whole}: ${BODY_SHAPE}`);
  }
  const items: unknown[] = [];
  let readable = 0;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line.length === 0) continue;
    try {
      items.push(JSON.parse(line));
      readable++;
    } catch {
      items.push(line);
    }
  }
  if (readable === 0) throw new BadRequestError(`body has no JSON line: ${BODY_SHAPE}`);
  return items;
}

/**
 * The body's bytes as text. Bytes that are not UTF-8 are a 400 naming the body and where it goes
 * wrong: decoded with U+FFFD, `Jos\xe9` and `Jos\xe8` would reach the stream as one name.
 */
export function bodyText(bytes: Uint8Array): string {
  if (isUtf8(bytes)) return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
  const at = firstInvalidUtf8(bytes);
  const hex = bytes[at].toString(16).padStart(2, '0');
  throw new BadRequestError(
    `body is not valid UTF-8: the byte 0x${hex} at offset ${at} does not begin or continue a character`,
  );
}
