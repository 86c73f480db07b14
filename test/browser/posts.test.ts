// The dashboard's posts parts in a real browser (Debian's headless Chromium through playwright-core),
// against the local runtime fed a generated stream of the social and posts families. What the pages
// show is compared with what the API answers and with the stream itself: a writer's posts on the user
// page (newest first, every one reached through the cursor, each one's analysis as the reference
// model counts it), the user's posts figures for the page's range, and the writers page (the boards
// and every writer's figures for a range). Last, the overview's polls are revalidated with ETags: 304s
// on the wire while no batch changes anything.
//
// Needs /usr/bin/chromium, as test/browser/dashboard.test.ts: skipped without it, except under CI.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { MixedGenerator } from '../../domain/family-generator';
import type { LocalRuntime } from '../../local/runtime';
import type { PipelineMeta, PostsStats, UserPostsPage, UserProfile, WritersBoard } from '../../web/src/types';
import { POSTS_PAGE } from '../../web/src/views/user';
import { wordsOf } from '../reference/posts-model';
import {
  type Browser,
  browserSkip,
  getJson,
  launchChromium,
  askedFor as pageAskedFor,
  readUsersBoard,
  startFedRuntime,
} from '../support/browser';

/** users 200, seed 7, four batches of the social and posts families, a post per ten social events. */
function generatedStream(): Record<string, unknown>[] {
  const g = new MixedGenerator({ users: 200, seed: 7, families: ['social', 'posts'], posts: { ratio: 0.1 } });
  const out: Record<string, unknown>[] = [];
  for (let b = 0; b < 4; b++) out.push(...(g.nextBatch() as Record<string, unknown>[]));
  return out;
}

/** The stream's posts by id (a generated stream is clean: a repeated id repeats the same post). */
function postsOf(events: readonly Record<string, unknown>[]): Map<string, { user: string; content: string }> {
  const out = new Map<string, { user: string; content: string }>();
  for (const e of events) {
    if ((e.type ?? e.event_name ?? e.event) !== 'post') continue;
    out.set(String(e.post_id), { user: String(e.user), content: String(e.content) });
  }
  return out;
}

describe('dashboard posts in headless Chromium', { skip: browserSkip, timeout: 180_000 }, () => {
  let rt: LocalRuntime;
  let browser: Browser;
  let page: Page;
  const events = generatedStream();
  const posts = postsOf(events);

  const api = <T>(path: string) => getJson<T>(rt, path);
  const askedFor = (suffix: string, act: () => Promise<unknown>) => pageAskedFor(page, suffix, act);

  const cards = (sel: string) =>
    page.$$eval(`${sel} [data-field]`, (els) =>
      Object.fromEntries(els.map((e) => [e.getAttribute('data-field'), e.getAttribute('data-value')])),
    );
  const statsCards = (s: PostsStats) => ({
    posts: String(s.posts),
    words: String(s.words),
    'average-word-length': s.averageWordLength === null ? '' : String(s.averageWordLength),
  });

  before(async () => {
    rt = await startFedRuntime(events);
    browser = await launchChromium();
    page = browser.page;
  });

  after(async () => {
    await browser?.close();
    await rt?.stop();
  });

  const readBoard = (metric: string) => readUsersBoard(page, metric);

  it('writers page: the boards and the posts stats equal the API, for all time and a range', async () => {
    const asked = await askedFor('/posts/stats', () => page.goto(`${rt.apiUrl}/#/writers`));
    assert.equal(asked.toString(), '', 'all time: from the first post to now, the step the API picks');
    for (const m of ['posts', 'words']) {
      await page.waitForSelector(`[data-metric="${m}"][data-state=ready]`);
      const lb = await api<WritersBoard>(`/leaderboards/writers?metric=${m}&limit=10`);
      assert.equal(lb.items.length, 10, `${m}: a full board`);
      assert.deepEqual(await readBoard(m), lb.items, `${m}, all time`);
    }
    // All time: every post of the stream, and its words as the reference model counts them.
    await page.waitForSelector('#writers-stats[data-state=ready]');
    const all = await api<PostsStats>('/posts/stats');
    let words = 0;
    for (const p of posts.values()) words += wordsOf(p.content).wordCount;
    assert.deepEqual([all.posts, all.words], [posts.size, words]);
    assert.deepEqual(await cards('#writers-stats'), statsCards(all));
    await page.waitForSelector('#chart-writers[data-state=ready]');
    assert.equal(await page.getAttribute('#chart-writers', 'data-points'), String(all.series.length));

    // A range and one metric from the address: both are asked for that range.
    const start = Date.parse((await api<UserProfile>('/users/user00001')).registeredAt);
    const step = Math.floor(start / 5_000) * 5_000;
    const from = new Date(step + 5_000).toISOString();
    const to = new Date(step + 15_000).toISOString();
    const ranged = await askedFor('/posts/stats', () =>
      page.goto(`${rt.apiUrl}/#/writers?metric=words&from=${from}&to=${to}&limit=25`),
    );
    assert.deepEqual([ranged.get('from'), ranged.get('to')], [from, to]);
    await page.waitForSelector('[data-metric="words"][data-state=ready]');
    assert.equal(await page.locator('[data-metric="posts"]').count(), 0, 'one metric chosen');
    const q = `from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`;
    const lb = await api<WritersBoard>(`/leaderboards/writers?metric=words&${q}&limit=25`);
    assert.deepEqual(await readBoard('words'), lb.items, 'words, the range');
    await page.waitForSelector('#writers-stats[data-state=ready]');
    const inRange = await api<PostsStats>(`/posts/stats?${q}`);
    assert.ok(inRange.posts > 0 && inRange.posts < all.posts, 'a narrower range, with posts');
    assert.deepEqual(await cards('#writers-stats'), statsCards(inRange));

    // The nav links the page; a row links to the writer's page with the range.
    assert.equal(await page.getAttribute('[data-nav=writers]', 'aria-current'), 'page');
    const first = lb.items[0].name;
    await page.click(`[data-metric="words"] tr[data-name="${first}"] a`);
    await page.waitForSelector(`[data-page=user][data-user="${first}"] #posts-figures[data-state=ready]`);
    assert.ok(
      new URL(page.url()).hash.includes(`from=${encodeURIComponent(from)}`) || page.url().includes(from),
    );
  });

  it("user page: the writer's posts newest first, every page through the cursor", async () => {
    const top = await api<WritersBoard>('/leaderboards/writers?metric=posts&limit=1');
    const name = top.items[0]?.name;
    assert.ok(name, 'a writer');
    const mine = [...posts].filter(([, p]) => p.user === name);
    assert.ok(mine.length > 2 * POSTS_PAGE, `the busiest writer has more than two pages (${mine.length})`);

    await page.goto(`${rt.apiUrl}/#/users/${encodeURIComponent(name)}`);
    await page.waitForSelector('#posts[data-state=ready]');
    assert.equal(await page.getAttribute('#posts', 'data-total'), String(mine.length));
    const rows = () => page.$$eval('#posts tbody tr[data-post-id]', (rs) => rs.length);
    assert.equal(await rows(), POSTS_PAGE, 'one page at first');
    // "Show more" until the API has no next page: each click adds the next page's rows.
    const pages = Math.ceil(mine.length / POSTS_PAGE);
    let clicks = 0;
    while (clicks < pages && (await page.$('#posts [data-pager=more]'))) {
      const before = await rows();
      await page.click('#posts [data-pager=more]');
      await page.waitForFunction(
        (n) => document.querySelectorAll('#posts tbody tr[data-post-id]').length > n,
        before,
      );
      await page.waitForSelector('#posts[data-state=ready]');
      clicks++;
    }
    assert.equal(clicks, pages - 1, 'a click per further page, then no more button');

    const shown = await page.$$eval('#posts tbody tr[data-post-id]', (rs) =>
      rs.map((r) => ({
        postId: r.getAttribute('data-post-id') ?? '',
        createdAt: r.getAttribute('data-created-at') ?? '',
        words: r.getAttribute('data-words'),
        average: r.getAttribute('data-average'),
      })),
    );
    // Every post of the writer in the stream, once, each with the reference model's analysis.
    assert.deepEqual(shown.map((r) => r.postId).sort(), mine.map(([id]) => id).sort());
    for (const r of shown) {
      const w = wordsOf(posts.get(r.postId)?.content ?? '');
      assert.equal(r.words, String(w.wordCount), `${r.postId}: words`);
      assert.equal(
        r.average,
        w.wordCount === 0 ? '' : String(w.length / w.wordCount),
        `${r.postId}: average`,
      );
    }
    // Newest first, in the API's order (ties: later in the stream first).
    for (let i = 1; i < shown.length; i++) {
      assert.ok(shown[i - 1].createdAt >= shown[i].createdAt, `newest first at row ${i}`);
    }
    const all = await api<UserPostsPage>(`/users/${encodeURIComponent(name)}/posts?limit=1000`);
    assert.deepEqual(
      shown.map((r) => r.postId),
      all.items.map((i) => i.postId),
    );
    assert.equal(await page.getAttribute('#posts [data-shown]', 'data-shown'), String(mine.length));

    // A row opens to show its text.
    const first = shown[0].postId;
    await page.click(`#posts tr[data-post-id="${first}"] button`);
    const text = await page.waitForSelector(`[data-post-content="${first}"]`);
    assert.equal(await text.textContent(), posts.get(first)?.content);
  });

  it("user page: the user's posts figures equal GET /posts/stats?user= for the page's range", async () => {
    const top = await api<WritersBoard>('/leaderboards/writers?metric=words&limit=1');
    const name = top.items[0].name;
    const asked = await askedFor('/posts/stats', () =>
      page.goto(`${rt.apiUrl}/#/users/${encodeURIComponent(name)}`),
    );
    // All time is asked as all time: the API starts at the writer's first post and ends now.
    assert.deepEqual([...asked], [['user', name]], 'all time: the user only');
    await page.waitForSelector('#posts-figures[data-state=ready]');
    const all = await api<PostsStats>(`/posts/stats?user=${encodeURIComponent(name)}`);
    const mine = [...posts.values()].filter((p) => p.user === name);
    assert.equal(all.posts, mine.length, 'all time: every post of the writer');
    assert.deepEqual(await cards('#posts-figures'), statsCards(all));
    await page.waitForSelector('#chart-posts[data-state=ready]');
    assert.equal(await page.getAttribute('#chart-posts', 'data-points'), String(all.series.length));

    // A range from the address: the figures are asked for that range, at the page's interval.
    const start = Date.parse((await api<UserProfile>('/users/user00001')).registeredAt);
    const step = Math.floor(start / 5_000) * 5_000;
    const from = new Date(step + 5_000).toISOString();
    const to = new Date(step + 15_000).toISOString();
    const ranged = await askedFor('/posts/stats', () =>
      page.goto(`${rt.apiUrl}/#/users/${encodeURIComponent(name)}?from=${from}&to=${to}&interval=5s`),
    );
    assert.deepEqual(
      [ranged.get('from'), ranged.get('to'), ranged.get('interval'), ranged.get('user')],
      [from, to, '5s', name],
    );
    await page.waitForSelector('#posts-figures:is([data-state=ready],[data-state=empty])');
    const inRange = await api<PostsStats>(`/posts/stats?${ranged.toString()}`);
    assert.ok(inRange.posts > 0 && inRange.posts < all.posts, 'a narrower range, with posts');
    assert.deepEqual(await cards('#posts-figures'), statsCards(inRange));
    await page.waitForSelector('#chart-posts[data-state=ready]');
    assert.equal(await page.getAttribute('#chart-posts', 'data-points'), String(inRange.series.length));
    assert.deepEqual(browser.pageErrors, [], 'no uncaught error in the page');
  });

  it("the dashboard's polls revalidate with ETags: 304s while nothing changes", async () => {
    // Without the live socket (as on LocalStack) the overview polls every 2 s. The browser's cache
    // sends If-None-Match with each poll and the API, with no new batch, answers 304 (the page is
    // handed the cached 200, so the status on the wire is read from Chromium's network events).
    await page.routeWebSocket(/\/live/, (ws) => ws.close());
    const cdp = await browser.context.newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.clearBrowserCache');
    const urls = new Map<string, string>();
    const wire = new Map<string, number>();
    cdp.on('Network.requestWillBeSent', (e) => urls.set(e.requestId, e.request.url));
    cdp.on('Network.responseReceivedExtraInfo', (e) => wire.set(e.requestId, e.statusCode));
    const polls = () =>
      [...urls]
        .filter(([id, u]) => new URL(u).pathname === '/meta/pipeline' && wire.has(id))
        .map(([id]) => wire.get(id));
    try {
      await page.goto(`${rt.apiUrl}/#/`);
      await page.waitForSelector('#pipeline-cards [data-field]');
      while (polls().length < 4) {
        await page.waitForResponse((r) => new URL(r.url()).pathname === '/meta/pipeline');
      }
    } finally {
      await cdp.detach();
    }
    const seen = polls();
    assert.equal(seen[0], 200, 'the first ask is answered in full');
    assert.deepEqual(seen.slice(1, 4), [304, 304, 304], 'each poll after it is a 304');
    const meta = await api<PipelineMeta>('/meta/pipeline');
    assert.equal(
      await page.getAttribute('#pipeline-cards [data-field=applied]', 'data-value'),
      String(meta.applied),
      'the page shows the revalidated answer',
    );
    assert.deepEqual(browser.pageErrors, [], 'no uncaught error in the page');
  });
});
