// Opaque pagination cursors. A cursor is base64url of one kind/version byte followed by UTF-8 text,
// so clients treat it as a token while the server can still validate it strictly: a cursor that
// does not decode to exactly what we would have issued is refused (400 naming `cursor`).

const NAME_CURSOR = 1;
const POSITION_CURSOR = 2;
const MAX_NAME = 128;
const POSITION_RE = /^\d{64}\.\d{8}$/;

const utf8 = new TextDecoder('utf-8', { fatal: true });

function encode(kind: number, text: string): string {
  const body = Buffer.from(text, 'utf8');
  const out = Buffer.allocUnsafe(body.length + 1);
  out[0] = kind;
  body.copy(out, 1);
  return out.toString('base64url');
}

function decode(kind: number, cursor: string): string | null {
  if (cursor.length === 0 || cursor.length > 1_024 || !/^[A-Za-z0-9_-]+$/.test(cursor)) return null;
  const bytes = Buffer.from(cursor, 'base64url');
  // Canonical form only: Node's decoder tolerates trailing bits and junk that we never emit.
  if (bytes.length < 2 || bytes[0] !== kind || bytes.toString('base64url') !== cursor) return null;
  try {
    return utf8.decode(bytes.subarray(1));
  } catch {
    return null;
  }
}

/** Cursor of a name-ordered listing: the last name returned; the next page starts after it. */
export function encodeNameCursor(lastName: string): string {
  return encode(NAME_CURSOR, lastName);
}

export function decodeNameCursor(cursor: string): string | null {
  const name = decode(NAME_CURSOR, cursor);
  return name !== null && name.length >= 1 && name.length <= MAX_NAME ? name : null;
}

/** Cursor of the rejections listing: a batch's first stream position and an offset inside its rejections. */
export interface PositionCursor {
  first: string;
  offset: number;
}

export function encodePositionCursor(c: PositionCursor): string {
  return encode(POSITION_CURSOR, `${c.first}/${c.offset}`);
}

export function decodePositionCursor(cursor: string): PositionCursor | null {
  const text = decode(POSITION_CURSOR, cursor);
  if (text === null) return null;
  const slash = text.indexOf('/');
  const first = text.slice(0, slash);
  const offset = text.slice(slash + 1);
  if (slash < 0 || !POSITION_RE.test(first) || !/^(0|[1-9]\d{0,8})$/.test(offset)) return null;
  return { first, offset: Number(offset) };
}
