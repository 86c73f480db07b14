// The fold's set of current friendships: an open-addressing hash table of id pairs (lo < hi), linear
// probing, at most half full, each slot carrying one extra int for the graph (the index of the pair's
// making, see Graph). Pure TypeScript, typed arrays only: no object per pair.
//
// Two slot layouts, because a lookup costs about one cache miss and the table reaches megabytes:
// - compact (every id below 65,536, which covers most batch graphs and the fold benchmark): the pair
//   is one int, lo << 16 | hi, and a slot is 8 bytes: [pair, extra];
// - wide: [lo, hi, extra, unused], 16 bytes.
// The compact layout folds faster on the generator's workload (docs/performance.md has the figures).
// A graph switches to wide once, when it names its 65,536th user; the home slot of a pair is the same in
// both layouts, so widening copies slot by slot without rehashing.

/** First id the compact layout cannot hold. */
export const COMPACT_IDS = 0x10000;

/** Empty slot (the pair word of a compact slot, the lo of a wide one); no pair encodes to it, as lo < hi. */
const EMPTY = -1;

export class PairTable {
  private slots: Int32Array;
  /** Int32s per slot: 2 compact, 4 wide. */
  private stride = 2;
  private mask: number;
  /** 32 - log2(slots): the hash's top bits pick the home slot. */
  private shift: number;
  private count = 0;

  /** `capacity`: pairs the table holds before it first grows (slots: twice that, a power of two). */
  constructor(capacity = 2048) {
    let slots = 16;
    while (slots < capacity * 2) slots *= 2;
    this.slots = new Int32Array(slots * this.stride).fill(EMPTY);
    this.mask = slots - 1;
    this.shift = 32 - Math.log2(slots);
  }

  get size(): number {
    return this.count;
  }

  get wide(): boolean {
    return this.stride === 4;
  }

  /** Switches to the wide layout (before any id ≥ COMPACT_IDS is used). */
  widen(): void {
    if (this.stride === 4) return;
    const old = this.slots;
    const next = new Int32Array(old.length * 2).fill(EMPTY);
    for (let i = 0, o = 0; o < old.length; i++, o += 2) {
      const pair = old[o];
      if (pair === EMPTY) continue;
      next[i * 4] = pair >>> 16;
      next[i * 4 + 1] = pair & 0xffff;
      next[i * 4 + 2] = old[o + 1];
    }
    this.slots = next;
    this.stride = 4;
  }

  private home(lo: number, hi: number): number {
    return Math.imul(Math.imul(lo, 0x9e3779b1) + hi, 0x85ebca6b) >>> this.shift;
  }

  /** The slot of pair (lo, hi), or ~(the empty slot where it would go). */
  find(lo: number, hi: number): number {
    const slots = this.slots;
    const mask = this.mask;
    let i = this.home(lo, hi);
    if (this.stride === 2) {
      const pair = (lo << 16) | hi;
      for (;;) {
        const k = slots[i * 2];
        if (k === pair) return i;
        if (k === EMPTY) return ~i;
        i = (i + 1) & mask;
      }
    }
    for (;;) {
      const k = slots[i * 4];
      if (k === lo && slots[i * 4 + 1] === hi) return i;
      if (k === EMPTY) return ~i;
      i = (i + 1) & mask;
    }
  }

  /** Adds pair (lo, hi) at the empty slot `at` (from find), growing the table first if needed; returns its slot. */
  insert(at: number, lo: number, hi: number, extra: number): number {
    let s = at;
    if ((this.count + 1) * 2 > this.mask + 1) {
      this.grow();
      s = ~this.find(lo, hi);
    }
    const slots = this.slots;
    if (this.stride === 2) {
      slots[s * 2] = (lo << 16) | hi;
      slots[s * 2 + 1] = extra;
    } else {
      slots[s * 4] = lo;
      slots[s * 4 + 1] = hi;
      slots[s * 4 + 2] = extra;
    }
    this.count++;
    return s;
  }

  /** The extra int of slot s. */
  extra(s: number): number {
    return this.stride === 2 ? this.slots[s * 2 + 1] : this.slots[s * 4 + 2];
  }

  /** Sets every pair's extra int to `value`. */
  fillExtra(value: number): void {
    const slots = this.slots;
    const stride = this.stride;
    for (let o = stride >> 1; o < slots.length; o += stride) slots[o] = value;
  }

  /** Empties slot s, moving later entries of its probe run back so that every lookup still finds them. */
  remove(s: number): void {
    // One loop per layout: the layout's constant stride keeps the index arithmetic to shifts.
    if (this.stride === 2) this.removeCompact(s);
    else this.removeWide(s);
    this.count--;
  }

  private removeCompact(s: number): void {
    const slots = this.slots;
    const mask = this.mask;
    let hole = s;
    for (let j = (s + 1) & mask; ; j = (j + 1) & mask) {
      const pair = slots[j * 2];
      if (pair === EMPTY) break;
      const h = this.home(pair >>> 16, pair & 0xffff);
      // The entry at j may fill the hole unless its home lies cyclically in (hole, j].
      if (hole <= j ? hole < h && h <= j : hole < h || h <= j) continue;
      slots[hole * 2] = pair;
      slots[hole * 2 + 1] = slots[j * 2 + 1];
      hole = j;
    }
    slots[hole * 2] = EMPTY;
  }

  private removeWide(s: number): void {
    const slots = this.slots;
    const mask = this.mask;
    let hole = s;
    for (let j = (s + 1) & mask; ; j = (j + 1) & mask) {
      const lo = slots[j * 4];
      if (lo === EMPTY) break;
      const h = this.home(lo, slots[j * 4 + 1]);
      if (hole <= j ? hole < h && h <= j : hole < h || h <= j) continue;
      slots[hole * 4] = lo;
      slots[hole * 4 + 1] = slots[j * 4 + 1];
      slots[hole * 4 + 2] = slots[j * 4 + 2];
      hole = j;
    }
    slots[hole * 4] = EMPTY;
  }

  /** Doubles the table. */
  private grow(): void {
    const old = this.slots;
    const stride = this.stride;
    const n = (this.mask + 1) * 2;
    this.slots = new Int32Array(n * stride).fill(EMPTY);
    this.mask = n - 1;
    this.shift--;
    for (let o = 0; o < old.length; o += stride) {
      const k = old[o];
      if (k === EMPTY) continue;
      if (stride === 2) {
        const s = ~this.find(k >>> 16, k & 0xffff) * 2;
        this.slots[s] = k;
        this.slots[s + 1] = old[o + 1];
      } else {
        const s = ~this.find(k, old[o + 1]) * 4;
        this.slots[s] = k;
        this.slots[s + 1] = old[o + 1];
        this.slots[s + 2] = old[o + 2];
      }
    }
  }
}
