// A writer's posts as the processor stores them (its head and its index, storage/posts/items.ts) and
// as the API pages them back: for any posts, brought in any batches and any order of time, every page
// walk with any limit gives the writer's posts newest first (later in the stream first on a tie), each
// once; and a store written before heads existed (every entry in the index) pages the same.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import type { PostState } from '../../domain/posts/fold';
import {
  addToHead,
  HEAD_ENTRIES,
  headEntries,
  type IndexReader,
  readUserPostsWith,
  toUserPostEntry,
  type UserPostEntry,
  userPostSk,
} from '../../storage/posts/items';

const USER = 'ann';

/** The writer's index partition: entries by sort key, read as a Query reads them. */
class IndexPartition {
  readonly entries = new Map<string, UserPostEntry>();
  reads = 0;
  readonly read: IndexReader = async (_pk, limit, after) => {
    this.reads++;
    return [...this.entries.values()]
      .sort((a, b) => (a.sk < b.sk ? -1 : 1))
      .filter((e) => after === null || e.sk > after)
      .slice(0, limit);
  };
}

function post(i: number, at: number): PostState {
  // Positions grow with i (the stream order); a fixed width, as domain/position.ts makes them.
  return {
    postId: `p${i}`,
    user: USER,
    content: '',
    at,
    wordCount: i % 7,
    length: i % 11,
    pos: String(i).padStart(12, '0'),
  };
}

async function walk(
  head: UserPostEntry[],
  total: number,
  index: IndexPartition,
  limit: number,
): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | null = null;
  for (let pages = 0; pages < 1_000; pages++) {
    const page = await readUserPostsWith(head, total, index.read, USER, limit, cursor);
    ids.push(...page.items.map((e) => e.id));
    if (page.next === null) return ids;
    cursor = page.next;
  }
  throw new Error('the walk does not end');
}

const expected = (posts: PostState[]) =>
  [...posts].sort((a, b) => b.at - a.at || (a.pos < b.pos ? 1 : -1)).map((p) => p.postId);

// Posts with times that go back and forth (late posts), cut into batches.
const postsArb = fc
  .array(fc.integer({ min: 0, max: 400 }), { maxLength: 3 * HEAD_ENTRIES })
  .map((times) => times.map((t, i) => post(i, 1_700_000_000_000 + t * 1_000)));
const cutsArb = fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 20 });

describe("a writer's head and index", () => {
  test('every page walk lists every post once, newest first, however they came in', async () => {
    await fc.assert(
      fc.asyncProperty(postsArb, cutsArb, fc.integer({ min: 1, max: 100 }), async (posts, cuts, limit) => {
        const index = new IndexPartition();
        let head: UserPostEntry[] = [];
        for (let i = 0, c = 0; i < posts.length; c++) {
          const batch = posts.slice(i, i + cuts[c % cuts.length]);
          i += batch.length;
          const next = addToHead(USER, head, batch);
          head = headEntries(USER, next.head);
          for (const e of next.index) {
            assert.ok(!index.entries.has(e.sk), 'an entry goes to the index once');
            index.entries.set(e.sk, e);
          }
        }
        assert.ok(head.length <= HEAD_ENTRIES);
        // Every index entry comes after every head entry.
        for (const e of index.entries.values()) assert.ok(head.every((h) => h.sk < e.sk));
        assert.deepEqual(await walk(head, posts.length, index, limit), expected(posts));
      }),
      { numRuns: 150 },
    );
  });

  test('a first page from a head that holds it reads no index', async () => {
    const posts = Array.from({ length: 30 }, (_, i) => post(i, 1_700_000_000_000 + i));
    const index = new IndexPartition();
    const head = headEntries(USER, addToHead(USER, [], posts).head);
    const page = await readUserPostsWith(head, posts.length, index.read, USER, 20, null);
    assert.deepEqual(
      page.items.map((e) => e.id),
      expected(posts).slice(0, 20),
    );
    assert.equal((await readUserPostsWith(head, posts.length, index.read, USER, 20, page.next)).next, null);
    assert.equal(index.reads, 0);
  });

  test('a store from before heads (every entry in the index) pages the same, new posts and all', async () => {
    await fc.assert(
      fc.asyncProperty(postsArb, fc.nat(20), fc.integer({ min: 1, max: 70 }), async (old, added, limit) => {
        const index = new IndexPartition();
        for (const p of old) index.entries.set(userPostSk(p.at, p.pos), toUserPostEntry(p));
        // Newer posts after the upgrade start a head; the writer's count says the index holds more.
        const fresh = Array.from({ length: added }, (_, i) => post(old.length + i, 1_800_000_000_000 + i));
        const next = addToHead(USER, [], fresh);
        for (const e of next.index) index.entries.set(e.sk, e);
        const head = headEntries(USER, next.head);
        const all = [...old, ...fresh];
        assert.deepEqual(await walk(head, all.length, index, limit), expected(all));
      }),
      { numRuns: 100 },
    );
  });
});
