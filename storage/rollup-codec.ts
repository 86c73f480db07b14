// The bytes of one rollup block's entries (before the store gzips them), and of the name dictionary.
//
// A block holds, per user, the net change of network strength and referral points inside it. Users
// are not named in a block: the snapshot job gives every user a dense integer id, once, in the rollup
// name dictionary (storage/rollup-store.ts), and blocks carry ids. A reader then turns a block into
// three typed arrays without touching a single string, which is what makes a cold leaderboard over
// a dozen 100,000-user blocks cheap (the former JSON of names cost ~1 µs per entry to parse and
// intern; this costs a few ns).
//
// Layout: a version byte (1), then varints: the entry count n; n id gaps (ids strictly ascending,
// each written as the distance to the previous id minus one, the first as the id itself: a block
// holding most users is then a run of zero bytes); n zigzag strength deltas; n zigzag points deltas.
// Columns rather than rows, so each column compresses on its own terms.

/** One block's entries as typed arrays, ids strictly ascending. */
export interface BlockData {
  ids: Int32Array;
  strength: Int32Array;
  points: Int32Array;
}

const VERSION = 1;
const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;

class Writer {
  private buf = new Uint8Array(1_024);
  length = 0;

  /** Appends a non-negative integer (up to 2^53) in LEB128. */
  varint(v: number): void {
    if (this.length + 8 > this.buf.length) {
      const next = new Uint8Array(this.buf.length * 2);
      next.set(this.buf);
      this.buf = next;
    }
    while (v >= 0x80) {
      this.buf[this.length++] = (v % 0x80) | 0x80;
      v = Math.floor(v / 0x80);
    }
    this.buf[this.length++] = v;
  }

  bytes(): Uint8Array {
    return this.buf.subarray(0, this.length);
  }
}

const zigzag = (v: number): number => (v >= 0 ? 2 * v : -2 * v - 1);
const unzigzag = (u: number): number => (u % 2 === 0 ? u / 2 : -(u + 1) / 2);

function checkInt32(v: number, what: string): void {
  if (!Number.isInteger(v) || v < INT32_MIN || v > INT32_MAX) {
    throw new RangeError(`rollup block: ${what} ${v} is not a 32-bit integer`);
  }
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
  const order: number[] = [];
  for (let i = 0; i < ids.length; i++) {
    checkInt32(strength[i], 'strength');
    checkInt32(points[i], 'points');
    if (strength[i] !== 0 || points[i] !== 0) order.push(i);
  }
  order.sort((a, b) => ids[a] - ids[b]);
  const w = new Writer();
  w.varint(VERSION);
  w.varint(order.length);
  let prev = -1;
  for (const i of order) {
    const id = ids[i];
    if (!Number.isInteger(id) || id <= prev || id > INT32_MAX) {
      throw new RangeError(`rollup block: id ${id} is not a fresh non-negative 32-bit integer`);
    }
    w.varint(id - prev - 1);
    prev = id;
  }
  for (const i of order) w.varint(zigzag(strength[i]));
  for (const i of order) w.varint(zigzag(points[i]));
  return w.bytes();
}

/** Decodes what encodeBlock wrote. */
export function decodeBlock(bytes: Uint8Array): BlockData {
  let at = 0;
  const varint = (): number => {
    let b = bytes[at++];
    if (b < 0x80) return b;
    let v = b & 0x7f;
    let scale = 0x80;
    for (;;) {
      if (at >= bytes.length) throw new RangeError('rollup block: truncated');
      b = bytes[at++];
      v += (b & 0x7f) * scale;
      if (b < 0x80) return v;
      scale *= 0x80;
    }
  };
  if (bytes.length === 0) throw new RangeError('rollup block: empty');
  const version = varint();
  if (version !== VERSION) throw new RangeError(`rollup block: unknown version ${version}`);
  const n = varint();
  const ids = new Int32Array(n);
  const strength = new Int32Array(n);
  const points = new Int32Array(n);
  let id = -1;
  for (let i = 0; i < n; i++) {
    id += varint() + 1;
    ids[i] = id;
  }
  for (let i = 0; i < n; i++) strength[i] = unzigzag(varint());
  for (let i = 0; i < n; i++) points[i] = unzigzag(varint());
  if (at !== bytes.length) throw new RangeError('rollup block: trailing or missing bytes');
  return { ids, strength, points };
}
