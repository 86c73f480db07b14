// The marketplace's ranged reads on the shared Reader: a key's figure rows per step of a series, the
// counts per token (action, source) of an entity over a range, and the earliest event of a subject.
// Every figure comes from Reader.stepBlocks / rangeBlocks: the rollup blocks that tile the range plus
// the committed journals after them (lambdas/api/journal-tail.ts), as the social leaderboards do.
import { figureSet } from '../../domain/families';
import {
  PRODUCT_FIGURES,
  pairKey,
  SOURCE_ACTION_FIGURES,
  splitPairKey,
} from '../../domain/marketplace/family';
import type { ProductState } from '../../domain/marketplace/fold';
import { NotFoundError } from '../../queries/errors';
import { indexOfId, sumBlocks, sumId } from '../../queries/figures';
import { type MarketRangeQuery, marketSeriesRange, seriesSteps } from '../../queries/marketplace';
import type { AnsweredRange } from '../../queries/range';
import type { SeriesRange } from '../../queries/series';
import type { BlockData } from '../../storage/rollup-codec';
import type { Reader } from './reader';

/**
 * The figure rows of `key` in set `set`, one per step (zeros where it has none). Rows are read only: a
 * step without the key shares one row of zeros, and a block that several steps hold (the journal
 * tail's, a block wider than a step) is searched once.
 */
export async function keySteps(
  r: Reader,
  set: string,
  steps: readonly { from: number; to: number }[],
  key: string,
): Promise<readonly (readonly number[])[]> {
  const width = figureSet(set).columns.length;
  const { perStep, idOf } = await r.stepBlocks(set, steps);
  const id = idOf(key);
  const zeros: readonly number[] = Object.freeze(new Array<number>(width).fill(0));
  if (id === undefined) return perStep.map(() => zeros);
  const at = new Map<BlockData, number>();
  return perStep.map((blocks) => {
    let row: number[] | null = null;
    for (const b of blocks) {
      let i = at.get(b);
      if (i === undefined) {
        i = indexOfId(b.ids, id);
        at.set(b, i);
      }
      if (i < 0) continue;
      row ??= new Array<number>(width).fill(0);
      for (let c = 0; c < width; c++) row[c] += b.cols[c][i];
    }
    return row ?? zeros;
  });
}

/** The actions and the sources with an interaction in the range (from the per (source, action) set). */
export async function rangeTokens(
  r: Reader,
  range: AnsweredRange,
): Promise<{ actions: string[]; sources: string[] }> {
  const sums = await r.rangeBlocks(SOURCE_ACTION_FIGURES.id, range);
  const actions = new Set<string>();
  const sources = new Set<string>();
  if (sums !== null) {
    for (const key of sumBlocks(sums.names, sums.blocks).keys()) {
      const [source, action] = splitPairKey(key);
      sources.add(source);
      actions.add(action);
    }
  }
  return { actions: [...actions], sources: [...sources] };
}

/** Counts of (entity, token) keys of set `set` over the range, per token of `tokens` (zeros left out). */
export async function tokenCounts(
  r: Reader,
  set: string,
  range: AnsweredRange,
  entity: string,
  tokens: readonly string[],
): Promise<[string, number][]> {
  if (tokens.length === 0) return [];
  const sums = await r.rangeBlocks(set, range);
  if (sums === null) return [];
  const out: [string, number][] = [];
  for (const t of tokens) {
    const n = sumId(sums.blocks, sums.idOf(pairKey(entity, t)), 1)[0];
    if (n !== 0) out.push([t, n]);
  }
  return out;
}

/** Interactions per action over the range, every source together. */
export async function actionCounts(r: Reader, range: AnsweredRange): Promise<[string, number][]> {
  const sums = await r.rangeBlocks(SOURCE_ACTION_FIGURES.id, range);
  if (sums === null) return [];
  const out = new Map<string, number>();
  for (const [key, row] of sumBlocks(sums.names, sums.blocks)) {
    const action = splitPairKey(key)[1];
    out.set(action, (out.get(action) ?? 0) + row[0]);
  }
  return [...out];
}

/**
 * A product's earliest event: the earlier of its first applied event in stream order (firstSeenAt,
 * which may be a catalogue write) and its earliest sale, rating or interaction.
 */
export async function productEarliest(r: Reader, set: string, p: ProductState): Promise<number | null> {
  const figures = await r.earliest(set, p.productId);
  if (p.firstSeenAt === null) return figures;
  return figures === null ? p.firstSeenAt : Math.min(figures, p.firstSeenAt);
}

/**
 * A product's figure rows per step of its series range (sales and ratings both read the product set);
 * without `from` or `window` the range starts at the product's earliest figure. 404 for an unknown
 * product, after the range is checked (a bad parameter is a 400 whatever the product).
 */
export async function productSeries(
  r: Reader,
  productId: string,
  query: MarketRangeQuery,
): Promise<{ range: SeriesRange; rows: readonly (readonly number[])[] }> {
  const product = await r.product(productId);
  const earliest =
    product !== null && query.from === undefined && query.window === undefined
      ? await productEarliest(r, PRODUCT_FIGURES.id, product)
      : null;
  const range = marketSeriesRange(query, earliest, r.now());
  if (product === null) throw new NotFoundError(`product '${productId}' is not known`);
  return { range, rows: await keySteps(r, PRODUCT_FIGURES.id, seriesSteps(range), productId) };
}
