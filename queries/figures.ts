// Sums of figure-set rows (domain/figures.ts) over rollup blocks: the ranged answers of every family
// are these sums, over the blocks that tile a range (lambdas/api/reader.ts rangeBlocks, stepBlocks).
import type { BlockData } from '../storage/rollup-codec';

/**
 * Per key accepted by `accept` (every key when omitted), the sum of each column over `blocks`;
 * `names[id]` is the key of id `id`. Keys whose sums are all zero are left out.
 */
export function sumBlocks(
  names: readonly string[],
  blocks: readonly BlockData[],
  accept?: (key: string) => boolean,
): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (const b of blocks) {
    const w = b.cols.length;
    for (let i = 0; i < b.ids.length; i++) {
      const key = names[b.ids[i]];
      if (accept !== undefined && !accept(key)) continue;
      let row = out.get(key);
      if (row === undefined) {
        row = new Array<number>(w).fill(0);
        out.set(key, row);
      }
      for (let c = 0; c < w; c++) row[c] += b.cols[c][i];
    }
  }
  for (const [k, row] of out) if (row.every((v) => v === 0)) out.delete(k);
  return out;
}

/** The sum of each of `width` columns over `blocks` for one key (zeros when absent). */
export function sumKey(
  names: readonly string[],
  blocks: readonly BlockData[],
  key: string,
  width: number,
): number[] {
  return sumBlocks(names, blocks, (k) => k === key).get(key) ?? new Array<number>(width).fill(0);
}
