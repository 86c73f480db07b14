// The bytes of one rollup block's entries (before the store gzips them), and of the name dictionary.
//
// A block belongs to one figure set (domain/figures.ts): per key (a user, a product, a product and an
// action, ...) it holds the net change of each of the set's columns inside the block's time span.
// Keys are not named in a block: the snapshot job gives every key a dense integer id, once, in the
// rollup name dictionary (storage/rollup-store.ts), and blocks carry ids. A reader then turns a block
// into typed arrays without touching a single string, which is what makes a cold leaderboard over a
// dozen 100,000-user blocks cheap (docs/performance.md compares it with the former JSON of names).
//
// Layout: a version byte (2), then varints: the entry count n; the column count w; n id gaps (ids
// strictly ascending, each written as the distance to the previous id minus one, the first as the id
// itself: a block holding most keys is then a run of zero bytes); then w columns of n zigzag values.
// Columns rather than rows, so each column compresses on its own terms. Values are integers of at
// most 2^52 in magnitude, written with arithmetic rather than 32-bit operators. Money is two columns
// (domain/figures.ts WideColumn: cents as hi × 10^7 + lo), so no sum of it comes near that bound.
//
// Names (a slice of the dictionary): a version byte (1), the count n, n lengths (UTF-16 code units),
// then every name's code units back to back as UTF-16LE. Any string survives (a name may hold any
// character, lone surrogates included, which UTF-8 would not keep), and reading 100,000 names is one
// string decode and n slices, cheaper than JSON.parse of the same.

/** One block's entries as typed arrays, ids strictly ascending; `cols[c][i]` is entry i's column c. */
export interface BlockData {
  ids: Int32Array;
  cols: Float64Array[];
}

const BLOCK_VERSION = 2;
const NAMES_VERSION = 1;
const INT32_MAX = 2 ** 31 - 1;
/** Largest magnitude a column value may have (zigzag doubles it, which must stay exact). */
export const MAX_BLOCK_VALUE = 2 ** 52;
/** Bytes of the longest varint written (a zigzag value below 2^53 takes at most 8). */
const MAX_VARINT = 8;
/** Bytes of the longest varint in a names slice (lengths and counts stay below 2^35). */
const NAME_VARINT = 5;

const zigzag = (v: number): number => (v >= 0 ? 2 * v : -2 * v - 1);
const unzigzag = (u: number): number => (u % 2 === 0 ? u / 2 : -(u + 1) / 2);

function checkValue(v: number, column: number): void {
  if (!Number.isInteger(v) || v < -MAX_BLOCK_VALUE || v > MAX_BLOCK_VALUE) {
    throw new RangeError(`rollup block: column ${column} value ${v} is not an integer within 2^52`);
  }
}

/** Appends a non-negative integer below 2^53 in LEB128 at `at`; returns the new end. */
function putVarint(buf: Uint8Array, at: number, v: number): number {
  while (v >= 0x80) {
    buf[at++] = (v % 0x80) | 0x80;
    v = Math.floor(v / 0x80);
  }
  buf[at++] = v;
  return at;
}

/**
 * Encodes entries given as an id array and one array per column (parallel; any order; ids unique).
 * Entries whose values are all zero are left out: a key whose changes cancel out inside a block has
 * nothing to say about it.
 */
export function encodeBlock(ids: ArrayLike<number>, cols: readonly ArrayLike<number>[]): Uint8Array {
  const w = cols.length;
  if (w === 0) throw new RangeError('rollup block: no column');
  // The entries kept, in id order (already so when the caller gives ids ascending: no sort).
  const kept: number[] = [];
  let ascending = true;
  let last = -1;
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i];
    if (!Number.isInteger(id) || id < 0 || id > INT32_MAX) {
      throw new RangeError(`rollup block: id ${id} is not a non-negative 32-bit integer`);
    }
    let zero = true;
    for (let c = 0; c < w; c++) {
      const v = cols[c][i];
      checkValue(v, c);
      if (v !== 0) zero = false;
    }
    if (zero) continue;
    if (id <= last) ascending = false;
    last = id;
    kept.push(i);
  }
  if (!ascending) kept.sort((a, b) => ids[a] - ids[b]);
  const n = kept.length;
  const buf = new Uint8Array(3 * MAX_VARINT + (1 + w) * MAX_VARINT * n);
  let at = putVarint(buf, 0, BLOCK_VERSION);
  at = putVarint(buf, at, n);
  at = putVarint(buf, at, w);
  let prev = -1;
  for (let k = 0; k < n; k++) {
    const id = ids[kept[k]];
    if (id === prev) throw new RangeError(`rollup block: id ${id} appears twice`);
    at = putVarint(buf, at, id - prev - 1);
    prev = id;
  }
  for (let c = 0; c < w; c++) {
    const col = cols[c];
    for (let k = 0; k < n; k++) at = putVarint(buf, at, zigzag(col[kept[k]]));
  }
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
  const next = (): number => {
    if (at >= end) throw new RangeError('rollup block: truncated');
    const b = bytes[at++];
    return b < 0x80 ? b : more(b);
  };
  if (end === 0) throw new RangeError('rollup block: empty');
  const version = next();
  if (version !== BLOCK_VERSION) throw new RangeError(`rollup block: unknown version ${version}`);
  const n = next();
  if (n > end) throw new RangeError('rollup block: truncated');
  const w = next();
  if (w === 0 || w * n > end) throw new RangeError('rollup block: bad column count');
  const ids = new Int32Array(n);
  let id = -1;
  for (let i = 0; i < n; i++) {
    id += next() + 1;
    ids[i] = id;
  }
  const cols: Float64Array[] = [];
  for (let c = 0; c < w; c++) {
    const col = new Float64Array(n);
    for (let i = 0; i < n; i++) col[i] = unzigzag(next());
    cols.push(col);
  }
  if (at !== end) throw new RangeError('rollup block: trailing bytes');
  return { ids, cols };
}

/** Bytes encodeNames writes for `name`, at most (its length varint and its code units). */
export function nameBytes(name: string): number {
  return NAME_VARINT + 2 * name.length;
}

/** Encodes a list of names (see the layout above). */
export function encodeNames(names: readonly string[]): Uint8Array {
  let chars = 0;
  for (const name of names) chars += name.length;
  const head = new Uint8Array(2 * NAME_VARINT + NAME_VARINT * names.length);
  let at = putVarint(head, 0, NAMES_VERSION);
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
  if (version !== NAMES_VERSION) throw new RangeError(`rollup names: unknown version ${version}`);
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
