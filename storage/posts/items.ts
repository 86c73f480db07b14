// The posts family's items in the meta table, each written once, by the batch that applied the post,
// through the processor's redo log (posts are immutable: no item is ever rewritten with other values):
//
// - the post: pk `post#<postId>`, sk `item`, with its user, content, time, analysis and stream
//   position: GET /posts/{id} is one GetItem, and the processor reads it to judge a repeat of the id;
// - its entry in the writer's index: pk `posts#<user>`, sk = the post's time and stream position, both
//   inverted (digits d → 9 − d) so that ascending order is newest first, later in the stream first on
//   a tie. GET /users/{name}/posts is one Query of that partition from a cursor (the sort key of the
//   page's last entry), however many posts there are: no scan, no filter. An entry holds what a page
//   answers (id, time, analysis), not the content.
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
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    out += c >= 48 && c <= 57 ? String.fromCharCode(105 - c) : s[i];
  }
  return out;
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
  return {
    pk: userPostsPk(p.user),
    sk: userPostSk(p.at, p.pos),
    id: p.postId,
    at: p.at,
    w: p.wordCount,
    l: p.length,
  };
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

/** A page of a writer's posts, newest first, after the entry with sort key `after` (null: from the first). */
export async function readUserPostsWith(
  read: IndexReader,
  user: string,
  limit: number,
  after: string | null,
): Promise<{ items: UserPostEntry[]; next: string | null }> {
  // One more than asked: whether a next page exists is then known, and the last page says so.
  const items = await read(userPostsPk(user), limit + 1, after);
  if (items.length <= limit) return { items, next: null };
  const page = items.slice(0, limit);
  return { items: page, next: page[limit - 1].sk };
}

/** readUserPostsWith on the DocumentClient. */
export function readUserPosts(
  doc: DynamoDBDocumentClient,
  table: string,
  user: string,
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
  return readUserPostsWith(read, user, limit, after);
}
