// The marketplace family's items in the meta table: one per product (pk `product#<id>`: its catalogue
// entry and all-time figures) and one per profile (pk `profile#<user>`), each written once per batch
// that touches it, through the processor's redo log. A deleted profile is kept as a tombstone
// (`profile: null`), since the redo log only puts. Each batch that makes products exist (their first
// applied event) adds their ids to a registry (storage/name-index.ts), so listing them needs no scan. Keys are prefixed so that no product id or name can
// meet a fixed key of the table ('pipeline', 'redo', ...).
import { type DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import type { CatalogueEntry, ProductState, Profile } from '../../domain/marketplace/fold';
import { batchGet } from '../batch-io';

const ITEM_SK = 'item';

/** The registry of product ids (storage/name-index.ts), behind GET /products. */
export const PRODUCT_REGISTRY_PARTITION = 'product-ids';

export function productKey(productId: string): { pk: string; sk: string } {
  return { pk: `product#${productId}`, sk: ITEM_SK };
}

export function profileKey(user: string): { pk: string; sk: string } {
  return { pk: `profile#${user}`, sk: ITEM_SK };
}

/** A product item as stored. */
export interface ProductItem {
  pk: string;
  sk: string;
  id: string;
  /** firstSeenAt (ms) */
  fs: number | null;
  /** catalogue entry: name, category, cost in cents, description */
  e: CatalogueEntry | null;
  /** latest sold or rated name */
  sn: string | null;
  o: number;
  u: number;
  /** revenue in cents: ch × CENTS_BASE + c (items written before `ch` hold it all in `c`) */
  c: number;
  ch?: number;
  rc: number;
  rs: number;
  st: number[];
  i: number;
  ba: Record<string, number>;
  /** position of the batch that wrote it */
  v: string;
}

export function toProductItem(p: ProductState, version: string): ProductItem {
  return {
    ...productKey(p.productId),
    id: p.productId,
    fs: p.firstSeenAt,
    e: p.entry,
    sn: p.soldName,
    o: p.orders,
    u: p.units,
    c: p.cents,
    ch: p.centsHi,
    rc: p.ratings,
    rs: p.ratingSum,
    st: [...p.stars],
    i: p.interactions,
    ba: { ...p.byAction },
    v: version,
  };
}

export function toProductState(it: ProductItem): ProductState {
  const st = it.st;
  return {
    productId: it.id,
    firstSeenAt: it.fs ?? null,
    entry: it.e ?? null,
    soldName: it.sn ?? null,
    orders: it.o,
    units: it.u,
    cents: it.c,
    centsHi: it.ch ?? 0,
    ratings: it.rc,
    ratingSum: it.rs,
    stars: [st[0] ?? 0, st[1] ?? 0, st[2] ?? 0, st[3] ?? 0, st[4] ?? 0],
    interactions: it.i,
    byAction: { ...it.ba },
  };
}

export interface ProfileItem {
  pk: string;
  sk: string;
  user: string;
  profile: Profile | null;
  v: string;
}

export function toProfileItem(user: string, profile: Profile | null, version: string): ProfileItem {
  return { ...profileKey(user), user, profile, v: version };
}

/** The stored products among `ids` (absent ids have none). */
export async function readProducts(
  doc: DynamoDBDocumentClient,
  table: string,
  ids: Iterable<string>,
): Promise<Map<string, ProductState>> {
  const items = await batchGet(doc, table, [...ids].map(productKey));
  return new Map(items.map((it) => [it.id as string, toProductState(it as unknown as ProductItem)]));
}

/** The stored profiles among `users` (null: none, or deleted). */
export async function readProfiles(
  doc: DynamoDBDocumentClient,
  table: string,
  users: Iterable<string>,
): Promise<Map<string, Profile | null>> {
  const items = await batchGet(doc, table, [...users].map(profileKey));
  return new Map(items.map((it) => [it.user as string, (it.profile as Profile | null) ?? null]));
}

/** A product's catalogue entry as committed (null: none), read consistently. */
export async function readCatalogueEntry(
  doc: DynamoDBDocumentClient,
  table: string,
  productId: string,
): Promise<CatalogueEntry | null> {
  const res = await doc.send(
    new GetCommand({
      TableName: table,
      Key: productKey(productId),
      ConsistentRead: true,
      ProjectionExpression: 'e',
    }),
  );
  return (res.Item?.e as CatalogueEntry | null | undefined) ?? null;
}

/** A user's profile as committed (null: none, or deleted), read consistently. */
export async function readProfile(
  doc: DynamoDBDocumentClient,
  table: string,
  user: string,
): Promise<Profile | null> {
  const res = await doc.send(
    new GetCommand({
      TableName: table,
      Key: profileKey(user),
      ConsistentRead: true,
      ProjectionExpression: 'profile',
    }),
  );
  return (res.Item?.profile as Profile | null | undefined) ?? null;
}
