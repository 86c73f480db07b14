// The marketplace family's read answers (SPEC section 11), pure: the handlers load the product items,
// profiles and rollup sums, and these shape them. Money is summed in integer cents (in two parts,
// domain/marketplace/money.ts) and answered as a number with at most 2 decimals, exact from the cents.

import { type ProductState, productName } from '../domain/marketplace/fold';
import { centsToAmount, partsToAmount } from '../domain/marketplace/money';
import { toIso } from '../domain/time';

export interface ProductView {
  productId: string;
  name: string | null;
  category: string | null;
  cost: number | null;
  description: string | null;
  firstSeenAt: string;
  sales: { orders: number; units: number; revenue: number };
  ratings: { count: number; average: number | null };
  interactions: { total: number; byAction: Record<string, number> };
}

/** An average: the sum over the count, unrounded; null when the count is 0. */
export function average(sum: number, count: number): number | null {
  return count === 0 ? null : sum / count;
}

/** GET /products/{id}: the product's catalogue entry and all-time figures, from its item. */
export function productView(p: ProductState): ProductView {
  const e = p.entry;
  const byAction: Record<string, number> = {};
  for (const a of Object.keys(p.byAction).sort()) if (p.byAction[a] !== 0) byAction[a] = p.byAction[a];
  return {
    productId: p.productId,
    name: productName(p),
    category: e?.category ?? null,
    cost: e === null || e.costCents === null ? null : centsToAmount(e.costCents),
    description: e?.description ?? null,
    firstSeenAt: toIso(p.firstSeenAt as number),
    sales: { orders: p.orders, units: p.units, revenue: partsToAmount(p.cents, p.centsHi) },
    ratings: { count: p.ratings, average: average(p.ratingSum, p.ratings) },
    interactions: { total: p.interactions, byAction },
  };
}

/** One item of GET /products. */
export function productListItem(p: ProductState): {
  productId: string;
  name: string | null;
  category: string | null;
} {
  return { productId: p.productId, name: productName(p), category: p.entry?.category ?? null };
}
