// The bytes of one rollup block's entries (before the store gzips them), and of the name dictionary.
//
// A block holds, per user, the net change of network strength and referral points inside it. Users
// are not named in a block: the snapshot job gives every user a dense integer id, once, in the rollup
// name dictionary (storage/rollup-store.ts), and blocks carry ids. A reader then turns a block into
// three typed arrays without touching a single string, which is what makes a cold leaderboard over
// a dozen 100,000-user blocks cheap (docs/performance.md compares it with the former JSON of names).
//
// Layout: a version byte (1), then varints: the entry count n; n id gaps (ids strictly ascending,
// each written as the distance to the previous id minus one, the first as the id itself: a block
// holding most users is then a run of zero bytes); n zigzag strength deltas; n zigzag points deltas.
// Columns rather than rows, so each column compresses on its own terms.
//
// Names (a slice of the dictionary): a version byte (1), the count n, n lengths (UTF-16 code units),
// then every name's code units back to back as UTF-16LE. Any string survives (a name may hold any
// character, lone surrogates included, which UTF-8 would not keep), and reading 100,000 names is one
// string decode and n slices, cheaper than JSON.parse of the same.

/** One block's entries as typed arrays, ids strictly ascending. */
export interface BlockData {
  ids: Int32Array;
  strength: Int32Array;
  points: Int32Array;
}

const VERSION = 1;
const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;
/** Bytes of the longest varint written (a zigzag int32 or an id gap takes at most 5). */
const MAX_VARINT = 5;

const zigzag = (v: number): number => (v >= 0 ? 2 * v : -2 * v - 1);
const unzigzag = (u: number): number => (u % 2 === 0 ? u / 2 : -(u + 1) / 2);

function checkInt32(v: number, what: string): void {
  if (!Number.isInteger(v) || v < INT32_MIN || v > INT32_MAX) {
    throw new RangeError(`rollup block: ${what} ${v} is not a 32-bit integer`);
  }
}

/** Appends a non-negative integer below 2^35 in LEB128 at `at`; returns the new end. */
function putVarint(buf: Uint8Array, at: number, v: number): number {
  while (v >= 0x80) {
    buf[at++] = (v % 0x80) | 0x80;
    v = Math.floor(v / 0x80);
  }
  buf[at++] = v;
  return at;
}

/**
 * Encodes entries given as parallel arrays (any order; ids unique). Entries whose two values are
 * both zero are left out: a user whose changes cancel out inside a block has nothing to say about it.
 */
export function encodeBlock(
  ids: ArrayLike<number>,
  strength: ArrayLike<number>,
  points: ArrayLike<number>,
): Uint8Array {
  // The entries kept, in id order (already so when the caller gives ids ascending: no sort).
  const kept: number[] = [];
  let ascending = true;
  let last = -1;
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i];
    if (!Number.isInteger(id) || id < 0 || id > INT32_MAX) {
      throw new RangeError(`rollup block: id ${id} is not a non-negative 32-bit integer`);
    }
    checkInt32(strength[i], 'strength');
    checkInt32(points[i], 'points');
    if (strength[i] === 0 && points[i] === 0) continue;
    if (id <= last) ascending = false;
    last = id;
    kept.push(i);
  }
  if (!ascending) kept.sort((a, b) => ids[a] - ids[b]);
  const n = kept.length;
  const buf = new Uint8Array(2 * MAX_VARINT + 3 * MAX_VARINT * n);
  let at = putVarint(buf, 0, VERSION);
  at = putVarint(buf, at, n);
  let prev = -1;
  for (let k = 0; k < n; k++) {
    const id = ids[kept[k]];
    if (id === prev) throw new RangeError(`rollup block: id ${id} appears twice`);
    at = putVarint(buf, at, id - prev - 1);
    prev = id;
  }
  for (let k = 0; k < n; k++) at = putVarint(buf, at, zigzag(strength[kept[k]]));
  for (let k = 0; k < n; k++) at = putVarint(buf, at, zigzag(points[kept[k]]));
  return buf.slice(0, at);
}

/** Decodes what encodeBlock wrote. */
export function decodeBlock(bytes: Uint8Array): BlockData {
  const end = bytes.length;
  let at = 0;
  // Varints are read inline (one byte is the common case); longer ones go through `more`.
  const more = (first: number): number => {
    let v = first & 0x7f;
    let scale = 0x80;
    for (;;) {
      if (at >= end) throw new RangeError('rollup block: truncated');
      const b = bytes[at++];
      v += (b & 0x7f) * scale;
      if (b < 0x80) return v;
      scale *= 0x80;
    }
  };
  if (end === 0) throw new RangeError('rollup block: empty');
  let b = bytes[at++];
  const version = b < 0x80 ? b : more(b);
  if (version !== VERSION) throw new RangeError(`rollup block: unknown version ${version}`);
  if (at >= end) throw new RangeError('rollup block: truncated');
  b = bytes[at++];
  const n = b < 0x80 ? b : more(b);
  if (n > end) throw new RangeError('rollup block: truncated');
  const ids = new Int32Array(n);
  const strength = new Int32Array(n);
  const points = new Int32Array(n);
  let id = -1;
  for (let i = 0; i < n; i++) {
    if (at >= end) throw new RangeError('rollup block: truncated');
    b = bytes[at++];
    id += (b < 0x80 ? b : more(b)) + 1;
    ids[i] = id;
  }
  for (let i = 0; i < n; i++) {
    if (at >= end) throw new RangeError('rollup block: truncated');
    b = bytes[at++];
    strength[i] = unzigzag(b < 0x80 ? b : more(b));
  }
  for (let i = 0; i < n; i++) {
    if (at >= end) throw new RangeError('rollup block: truncated');
    b = bytes[at++];
    points[i] = unzigzag(b < 0x80 ? b : more(b));
  }
  if (at !== end) throw new RangeError('rollup block: trailing bytes');
  return { ids, strength, points };
}

/** Bytes encodeNames writes for `name`, at most (its length varint and its code units). */
export function nameBytes(name: string): number {
  return MAX_VARINT + 2 * name.length;
}

/** Encodes a list of names (see the layout above). */
export function encodeNames(names: readonly string[]): Uint8Array {
  let chars = 0;
  for (const name of names) chars += name.length;
  const head = new Uint8Array(2 * MAX_VARINT + MAX_VARINT * names.length);
  let at = putVarint(head, 0, VERSION);
  at = putVarint(head, at, names.length);
  for (const name of names) at = putVarint(head, at, name.length);
  const text = Buffer.from(names.join(''), 'utf16le');
  if (text.length !== 2 * chars) throw new Error('rollup names: UTF-16 encoding lost code units');
  const out = new Uint8Array(at + text.length);
  out.set(head.subarray(0, at));
  out.set(text, at);
  return out;
}

/** Decodes what encodeNames wrote. */
export function decodeNames(bytes: Uint8Array): string[] {
  let at = 0;
  const varint = (): number => {
    let v = 0;
    let scale = 1;
    for (;;) {
      if (at >= bytes.length) throw new RangeError('rollup names: truncated');
      const b = bytes[at++];
      v += (b & 0x7f) * scale;
      if (b < 0x80) return v;
      scale *= 0x80;
    }
  };
  const version = varint();
  if (version !== VERSION) throw new RangeError(`rollup names: unknown version ${version}`);
  const n = varint();
  if (n > bytes.length) throw new RangeError('rollup names: truncated');
  const lengths = new Array<number>(n);
  let chars = 0;
  for (let i = 0; i < n; i++) {
    lengths[i] = varint();
    chars += lengths[i];
  }
  if (bytes.length - at !== 2 * chars) throw new RangeError('rollup names: text does not match the lengths');
  const text = Buffer.from(bytes.buffer, bytes.byteOffset + at, 2 * chars).toString('utf16le');
  const names = new Array<string>(n);
  let c = 0;
  for (let i = 0; i < n; i++) {
    names[i] = text.slice(c, c + lengths[i]);
    c += lengths[i];
  }
  return names;
}
