// The posts family's items in the meta table, each written once, by the batch that applied the post,
// through the processor's redo log (posts are immutable: no item is ever rewritten with other values):
//
// - the post: pk `post#<postId>`, sk `item`, with its user, content, time, analysis and stream
//   position: GET /posts/{id} is one GetItem, and the processor reads it to judge a repeat of the id;
// - the writer's head: pk `postshead#<user>`, sk `item`, the writer's first HEAD_ENTRIES entries in
//   page order (newest first, later in the stream first on a tie): what a page answers of each (id,
//   time, analysis, position), not the content. The processor rewrites it once per batch that brings
//   the writer posts. A first page is then one GetItem, which the API coalesces with the other item
//   reads of the same moment (a Query cannot be);
// - the rest of the writer's entries, one item each in the writer's index: pk `posts#<user>`, sk =
//   the post's time and stream position, both inverted (digits d → 9 − d) so that ascending order is
//   page order. An entry lands there when the head is full and the entry comes after the head's last,
//   or is pushed out of the head by newer ones; so every index entry comes after every head entry. A
//   page past the head is one Query of that partition from a cursor (the sort key of the page's last
//   entry), however many posts there are: no scan, no filter.
//
// Stores written before the head existed hold every entry in the index; the reads below fall back to
// the index whenever the writer's post count says the head does not hold them all. (There a writer's
// new post older than one of its old posts would be listed before it: the head is read first.)
//
// Keys are prefixed so that no post id or name can meet a fixed key of the table ('pipeline', ...).
import { type DynamoDBDocumentClient, GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { KnownPost, PostState } from '../../domain/posts/fold';
import { MIN_TIME_MS } from '../../domain/time';
import { batchGet } from '../batch-io';

const ITEM_SK = 'item';

export function postKey(postId: string): { pk: string; sk: string } {
  return { pk: `post#${postId}`, sk: ITEM_SK };
}

export function userPostsPk(user: string): string {
  return `posts#${user}`;
}

/** Entries a writer's head holds: a first page of the default limit (50) and some. */
export const HEAD_ENTRIES = 64;

export function userPostsHeadKey(user: string): { pk: string; sk: string } {
  return { pk: `postshead#${user}`, sk: ITEM_SK };
}

/** A writer's head as stored: entries [id, time, words, length, stream position] in page order. */
export interface UserPostsHeadItem {
  pk: string;
  sk: string;
  e: [string, number, number, number, string][];
}

/** A post item as stored. */
export interface PostItem {
  pk: string;
  sk: string;
  id: string;
  u: string;
  c: string;
  /** time (ms) */
  at: number;
  /** word count, total word length */
  w: number;
  l: number;
  /** stream position */
  p: string;
}

/** An entry of a writer's index as stored. */
export interface UserPostEntry {
  pk: string;
  sk: string;
  id: string;
  at: number;
  w: number;
  l: number;
}

/** 9 − d for every digit (other characters kept): ascending order of the result is descending of `s`. */
function invertDigits(s: string): string {
  // One flat string: built with `+=` a character at a time it was a rope of one node per character
  // (~1.3 KB per sort key), and the processor's cache of writers' heads keeps thousands of them.
  const codes = new Array<number>(s.length);
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    codes[i] = c >= 48 && c <= 57 ? 105 - c : c;
  }
  return String.fromCharCode(...codes);
}

/** The index sort key of a post: newest first, then later in the stream first. */
export function userPostSk(at: number, pos: string): string {
  // Times from MIN_TIME_MS (year 0) on are ≥ 0 after the shift, and < 10^15: fixed width 15.
  const t = String(at - MIN_TIME_MS).padStart(15, '0');
  return `${invertDigits(t)}#${invertDigits(pos)}`;
}

export function toPostItem(p: PostState): PostItem {
  return {
    ...postKey(p.postId),
    id: p.postId,
    u: p.user,
    c: p.content,
    at: p.at,
    w: p.wordCount,
    l: p.length,
    p: p.pos,
  };
}

export function toUserPostEntry(p: PostState): UserPostEntry {
  return entryOf(p.user, p.postId, p.at, p.wordCount, p.length, p.pos);
}

function entryOf(user: string, id: string, at: number, w: number, l: number, pos: string): UserPostEntry {
  return { pk: userPostsPk(user), sk: userPostSk(at, pos), id, at, w, l };
}

/** A writer's head entries in page order (none: no head item). */
export function headEntries(user: string, item: object | null | undefined): UserPostEntry[] {
  const e = (item as UserPostsHeadItem | null | undefined)?.e ?? [];
  return e.map(([id, at, w, l, pos]) => entryOf(user, id, at, w, l, pos));
}

/**
 * A writer's new posts (`created`, in any order) added to its head (`head`, in page order): the new
 * head item and the entries that go to the index, those that come after the head's HEAD_ENTRIES.
 */
export function addToHead(
  user: string,
  head: readonly UserPostEntry[],
  created: readonly PostState[],
): { head: UserPostsHeadItem; index: UserPostEntry[] } {
  const all = [...head, ...created.map(toUserPostEntry)].sort((a, b) =>
    a.sk < b.sk ? -1 : a.sk > b.sk ? 1 : 0,
  );
  const kept = all.slice(0, HEAD_ENTRIES);
  return {
    head: {
      ...userPostsHeadKey(user),
      e: kept.map((x) => [x.id, x.at, x.w, x.l, positionOfSk(x.sk)]),
    },
    index: all.slice(HEAD_ENTRIES),
  };
}

/** The stream position an index sort key was made from (userPostSk). */
function positionOfSk(sk: string): string {
  return invertDigits(sk.slice(sk.indexOf('#') + 1));
}

export function toPostState(it: PostItem): PostState {
  return { postId: it.id, user: it.u, content: it.c, at: it.at, wordCount: it.w, length: it.l, pos: it.p };
}

/** The stored posts among `ids` (absent ids have none), as the fold judges a repeat: user and content. */
export async function readKnownPosts(
  doc: DynamoDBDocumentClient,
  table: string,
  ids: Iterable<string>,
): Promise<Map<string, KnownPost>> {
  const items = await batchGet(doc, table, [...ids].map(postKey), {
    projection: '#i, #u, #c',
    names: { '#i': 'id', '#u': 'u', '#c': 'c' },
  });
  return new Map(items.map((it) => [it.id as string, { user: it.u as string, content: it.c as string }]));
}

/** A post as committed (null: none), read consistently. */
export async function readPost(
  doc: DynamoDBDocumentClient,
  table: string,
  postId: string,
): Promise<PostState | null> {
  const res = await doc.send(
    new GetCommand({ TableName: table, Key: postKey(postId), ConsistentRead: true }),
  );
  return res.Item === undefined ? null : toPostState(res.Item as PostItem);
}

/**
 * Reads up to `limit` entries of one index partition after sort key `after` (null: from the first), in
 * index order: the DocumentClient's Query (readUserPosts) or the API's low-level one
 * (UserReads.metaPartition).
 */
export type IndexReader = (pk: string, limit: number, after: string | null) => Promise<UserPostEntry[]>;

/**
 * A page of a writer's posts, newest first, after the entry with sort key `after` (null: from the
 * first), from its head (`head`, in page order) and, past the head, its index. `total` is the writer's
 * post count as far as the caller knows it: while the head is not full and holds that many, the index
 * is empty and is not read.
 */
export async function readUserPostsWith(
  head: readonly UserPostEntry[],
  total: number,
  readIndex: IndexReader,
  user: string,
  limit: number,
  after: string | null,
): Promise<{ items: UserPostEntry[]; next: string | null }> {
  const fromHead = after === null ? [...head] : head.filter((e) => e.sk > after);
  // More than a page in the head: the next page is known to exist.
  if (fromHead.length > limit) return { items: fromHead.slice(0, limit), next: fromHead[limit - 1].sk };
  const indexEmpty = head.length < HEAD_ENTRIES && total <= head.length;
  // Every index entry comes after every head entry: past the head, the index is read from its start.
  const rest = indexEmpty
    ? []
    : await readIndex(userPostsPk(user), limit - fromHead.length + 1, fromHead.length > 0 ? null : after);
  const items = fromHead.concat(rest);
  if (items.length <= limit) return { items, next: null };
  const page = items.slice(0, limit);
  return { items: page, next: page[limit - 1].sk };
}

/** readUserPostsWith on the DocumentClient, the head read consistently. */
export async function readUserPosts(
  doc: DynamoDBDocumentClient,
  table: string,
  user: string,
  total: number,
  limit: number,
  after: string | null,
): Promise<{ items: UserPostEntry[]; next: string | null }> {
  const read: IndexReader = async (pk, n, from) => {
    const res = await doc.send(
      new QueryCommand({
        TableName: table,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': pk },
        ExclusiveStartKey: from === null ? undefined : { pk, sk: from },
        Limit: n,
        ConsistentRead: true,
      }),
    );
    return (res.Items ?? []) as UserPostEntry[];
  };
  const item = await doc.send(
    new GetCommand({ TableName: table, Key: userPostsHeadKey(user), ConsistentRead: true }),
  );
  return readUserPostsWith(headEntries(user, item.Item), total, read, user, limit, after);
}
