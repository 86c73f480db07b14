// The dashboard's marketplace parts in a real browser (Debian's headless Chromium through
// playwright-core), against the local runtime fed a generated mixed stream (the social and
// marketplace families, as `--families social,marketplace` generates it). What the pages show is
// compared with what the API answers: the products page (search and boards), a product page, the
// user page's activity and profile, and the overview's event frequencies.
//
// Needs /usr/bin/chromium, as test/browser/dashboard.test.ts: skipped without it, except under CI.
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Page, Request, Response } from 'playwright-core';
import { MixedGenerator } from '../../domain/family-generator';
import type { LocalRuntime } from '../../local/runtime';
import type {
  EventFrequencies,
  Product,
  ProductLeaderboard,
  ProductsPage,
  RatingsSeries,
  SalesSeries,
  UserActivity,
  UserProfile,
} from '../../web/src/types';
import {
  type Browser,
  browserSkip,
  getJson,
  launchChromium,
  askedFor as pageAskedFor,
  startFedRuntime,
} from '../support/browser';

const SHOTS = resolve(import.meta.dirname, '../../docs/screenshots');
const SCREENSHOTS = process.env.BACEFOOK_SCREENSHOTS === '1';
const BOARDS = ['revenue', 'units', 'interactions', 'rating'] as const;

/** users 200, seed 7, four batches, families social and marketplace. */
function generatedStream(): Record<string, unknown>[] {
  const g = new MixedGenerator({ users: 200, seed: 7, families: ['social', 'marketplace'] });
  const out: Record<string, unknown>[] = [];
  for (let b = 0; b < 4; b++) out.push(...(g.nextBatch() as Record<string, unknown>[]));
  return out;
}

describe('dashboard marketplace in headless Chromium', { skip: browserSkip, timeout: 120_000 }, () => {
  let rt: LocalRuntime;
  let browser: Browser;
  let page: Page;
  const events = generatedStream();

  const api = <T>(path: string) => getJson<T>(rt, path);
  /** The query string of the page's latest request to a path ending with `suffix`. */
  const askedFor = (suffix: string, act: () => Promise<unknown>) => pageAskedFor(page, suffix, act);

  /** Saves the page as docs/screenshots/NAME.png, only when asked to (npm run screenshots). */
  const shot = async (name: string) => {
    if (!SCREENSHOTS) return;
    await mkdir(SHOTS, { recursive: true });
    await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
  };

  before(async () => {
    rt = await startFedRuntime(events);
    browser = await launchChromium();
    page = browser.page;
  });

  after(async () => {
    await browser?.close();
    await rt?.stop();
  });

  const readBoard = (metric: string) =>
    page.$$eval(`[data-board="${metric}"] tbody tr`, (rows) =>
      rows.map((r) => ({
        rank: Number(r.getAttribute('data-rank')),
        productId: r.getAttribute('data-product-id'),
        value: Number(r.getAttribute('data-value')),
      })),
    );
  const listed = () =>
    page.$$eval('#products-list tbody tr', (rows) => rows.map((r) => r.getAttribute('data-product-id')));

  it('the marketplace pages load with no failed request', async () => {
    const top = await api<ProductLeaderboard>('/leaderboards/products?metric=revenue&limit=1');
    const buyer = events.find((e) => e.type === 'productSold' && typeof e.user === 'string')?.user;
    assert.ok(top.items.length === 1 && typeof buyer === 'string');
    const failed: string[] = [];
    const onResponse = (r: Response) => {
      if (r.status() >= 400) failed.push(`${r.status()} ${r.request().method()} ${r.url()}`);
    };
    const onFailed = (r: Request) =>
      failed.push(`failed (${r.failure()?.errorText}) ${r.method()} ${r.url()}`);
    const pages: [string, string][] = [
      ['#/', '#event-frequencies[data-state=ready]'],
      ['#/products', '[data-board=rating][data-state=ready]'],
      [`#/products/${encodeURIComponent(top.items[0].productId)}`, '#rating-distribution[data-state=ready]'],
      [`#/users/${encodeURIComponent(buyer)}`, '#chart-activity[data-state=ready]'],
    ];
    for (const [hash, ready] of pages) {
      await page.goto('about:blank');
      page.on('response', onResponse);
      page.on('requestfailed', onFailed);
      try {
        await page.goto(`${rt.apiUrl}/${hash}`);
        await page.waitForSelector(ready);
        await page.waitForLoadState('networkidle');
      } finally {
        page.off('response', onResponse);
        page.off('requestfailed', onFailed);
      }
    }
    assert.deepEqual(failed, [], 'no request failed');
  });

  it('products page: search by prefix and the boards equal the API, for all time and a range', async () => {
    await page.goto(`${rt.apiUrl}/#/products`);
    await page.waitForSelector('#products-list[data-state=ready]');
    const all = await api<ProductsPage>('/products?limit=50');
    assert.ok(all.items.length > 5, 'the stream named products');
    assert.equal(await page.getAttribute('#products-list', 'data-total'), String(all.total));
    assert.deepEqual(
      await listed(),
      all.items.map((p) => p.productId),
    );

    // A prefix: the page lists what the API lists for it, and the address keeps it.
    const prefix = all.items[all.items.length - 1].productId.slice(0, 1);
    const some = await api<ProductsPage>(`/products?prefix=${encodeURIComponent(prefix)}&limit=50`);
    assert.ok(some.total < all.total, 'the prefix narrows the list');
    await page.fill('#product-search', prefix);
    await page.waitForURL((u) => u.hash.includes(`prefix=${encodeURIComponent(prefix)}`));
    await page.waitForFunction(
      (n) =>
        document.querySelector('#products-list[data-state=ready]')?.getAttribute('data-total') === String(n),
      some.total,
    );
    assert.deepEqual(
      await listed(),
      some.items.map((p) => p.productId),
    );

    for (const m of BOARDS) {
      await page.waitForSelector(`[data-board="${m}"][data-state=ready]`);
      const lb = await api<ProductLeaderboard>(`/leaderboards/products?metric=${m}&limit=10`);
      assert.ok(lb.items.length > 0, `${m} ranks some product`);
      assert.deepEqual(
        await readBoard(m),
        lb.items.map(({ rank, productId, value }) => ({ rank, productId, value })),
        `${m}, all time`,
      );
    }

    await shot('products');

    // A custom range from the address: batches 2 to 4.
    const start = Date.parse((await api<UserProfile>('/users/user00001')).registeredAt);
    const from = new Date(start + 5_000).toISOString();
    const to = new Date(start + 20_000).toISOString();
    await page.goto(`${rt.apiUrl}/#/products?from=${from}&to=${to}`);
    for (const m of BOARDS) {
      await page.waitForSelector(`[data-board="${m}"]:is([data-state=ready],[data-state=empty])`);
      const lb = await api<ProductLeaderboard>(
        `/leaderboards/products?metric=${m}&from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}&limit=10`,
      );
      assert.deepEqual(
        await readBoard(m),
        lb.items.map(({ rank, productId, value }) => ({ rank, productId, value })),
        `${m}, custom range`,
      );
    }

    // A row links to its product, carrying the range.
    const top = (await readBoard('revenue'))[0];
    await page.click(`[data-board="revenue"] tr[data-product-id="${top.productId}"] a`);
    await page.waitForSelector(`[data-page=product][data-product="${top.productId}"][data-state=ready]`);
    assert.ok(page.url().includes(`from=${encodeURIComponent(from)}`) || page.url().includes(`from=${from}`));
  });

  it('product page: the figures, the series and the rating distribution equal the API', async () => {
    const lb = await api<ProductLeaderboard>('/leaderboards/products?metric=rating&limit=50');
    // The product with the most ratings among the rated ones: a distribution with several stars.
    const withCounts = await Promise.all(
      lb.items.map(async (i) => api<Product>(`/products/${encodeURIComponent(i.productId)}`)),
    );
    const p = withCounts.sort((a, b) => b.ratings.count - a.ratings.count)[0];
    assert.ok(p.ratings.count > 1 && p.sales.orders > 0, 'a product with sales and ratings');

    const sales = await askedFor('/sales', () =>
      page.goto(`${rt.apiUrl}/#/products/${encodeURIComponent(p.productId)}`),
    );
    await page.waitForSelector(`[data-page=product][data-state=ready]`);
    const field = (f: string) => page.getAttribute(`#product-cards [data-field=${f}]`, 'data-value');
    assert.equal(await field('orders'), String(p.sales.orders));
    assert.equal(await field('units'), String(p.sales.units));
    assert.equal(await field('revenue'), String(p.sales.revenue));
    assert.equal(await field('ratings-count'), String(p.ratings.count));
    assert.equal(await field('ratings-average'), String(p.ratings.average));
    assert.equal(await field('interactions'), String(p.interactions.total));
    assert.equal(await field('first-seen-at'), p.firstSeenAt);
    assert.equal(await field('category'), p.category ?? '');
    if (p.name) assert.equal(await page.textContent('h1'), p.name);

    // All time: the series span every event of the product, so they sum to its all-time figures.
    await page.waitForSelector('#chart-sales[data-state=ready]');
    await page.waitForSelector('#chart-ratings[data-state=ready]');
    const summary = (attr: string) => page.getAttribute('#sales-summary', `data-${attr}`);
    assert.equal(await summary('orders'), String(p.sales.orders));
    assert.equal(await summary('units'), String(p.sales.units));
    assert.equal(await summary('revenue'), String(p.sales.revenue));
    assert.equal(await page.getAttribute('#ratings-summary', 'data-count'), String(p.ratings.count));

    const q = `from=${encodeURIComponent(sales.get('from') ?? '')}&to=${encodeURIComponent(sales.get('to') ?? '')}&interval=${sales.get('interval')}`;
    const s = await api<SalesSeries>(`/products/${encodeURIComponent(p.productId)}/sales?${q}`);
    const r = await api<RatingsSeries>(`/products/${encodeURIComponent(p.productId)}/ratings?${q}`);
    assert.equal(await page.getAttribute('#chart-sales', 'data-points'), String(s.series.length));
    assert.equal(await page.getAttribute('#chart-ratings', 'data-points'), String(r.series.length));
    const stars = await page.$$eval('#rating-distribution tbody tr', (rows) =>
      Object.fromEntries(
        rows.map((row) => [row.getAttribute('data-star'), Number(row.getAttribute('data-value'))]),
      ),
    );
    assert.deepEqual(stars, r.distribution);
    for (const id of ['chart-sales', 'chart-ratings']) {
      const inked = await page.$$eval(`#${id} canvas`, (canvases) =>
        canvases.some((el) => {
          const c = el as HTMLCanvasElement;
          const ctx = c.getContext('2d');
          if (!ctx || c.width === 0 || c.height === 0) return false;
          const px = ctx.getImageData(0, 0, c.width, c.height).data;
          for (let i = 3; i < px.length; i += 4) if (px[i] !== 0) return true;
          return false;
        }),
      );
      assert.ok(inked, `#${id} drew on its canvas`);
    }

    await page.waitForSelector('#rating-distribution[data-state=ready]');
    await shot('product');

    // The interval lands in the address and the series are asked again at that step (all time reaches
    // today, as events without created_at are placed at their arrival: days are the finest allowed).
    const again = await askedFor('/sales', () => page.selectOption('select[name=interval]', '1d'));
    assert.equal(again.get('interval'), '1d');
    await page.waitForURL(/interval=1d/);

    await page.goto(`${rt.apiUrl}/#/products/no-such-product`);
    await page.waitForSelector('[data-page=product][data-state=not-found]');
  });

  it('user page: marketplace activity for the page range, and the profile', async () => {
    // A registered buyer, and a registered user with a profile (the same one when there is one).
    const named = (type: string) => [
      ...new Set(events.flatMap((e) => (e.type === type && typeof e.user === 'string' ? [e.user] : []))),
    ];
    const registered = async (n: string): Promise<UserProfile | null> => {
      const res = await fetch(`${rt.apiUrl}/users/${encodeURIComponent(n)}`);
      return res.status === 200 ? ((await res.json()) as UserProfile) : null;
    };
    const buyers: UserProfile[] = [];
    for (const n of named('productSold')) {
      const u = await registered(n);
      if (u) buyers.push(u);
    }
    let profiled = buyers.find((u) => u.profile?.displayName) ?? null;
    for (const n of named('profileUpserted')) {
      if (profiled) break;
      const u = await registered(n);
      if (u?.profile?.displayName) profiled = u;
    }
    const name = (profiled && buyers.includes(profiled) ? profiled : buyers[0])?.name;
    assert.ok(name, 'a registered buyer');
    const asked = await askedFor('/activity', () =>
      page.goto(`${rt.apiUrl}/#/users/${encodeURIComponent(name)}`),
    );
    // All time is asked as all time: not cut at the pipeline's last dated event, since events
    // without created_at are placed at their arrival.
    assert.equal(asked.toString(), '', 'all time, with no from, to or interval');
    await page.waitForSelector('#activity:is([data-state=ready])');
    const a = await api<UserActivity>(`/users/${encodeURIComponent(name)}/activity`);
    assert.ok(a.purchases.orders > 0, 'the buyer bought');
    const field = (f: string) => page.getAttribute(`#activity-cards [data-field=${f}]`, 'data-value');
    assert.equal(await field('interactions'), String(a.interactions));
    assert.equal(await field('purchases-orders'), String(a.purchases.orders));
    assert.equal(await field('purchases-units'), String(a.purchases.units));
    assert.equal(await field('purchases-revenue'), String(a.purchases.revenue));
    assert.equal(await field('ratings-count'), String(a.ratings.count));
    const byAction = await page.$$eval('#activity-actions tbody tr', (rows) =>
      Object.fromEntries(
        rows.map((r) => [r.getAttribute('data-action'), Number(r.getAttribute('data-value'))]),
      ),
    );
    assert.deepEqual(byAction, a.byAction);
    await page.waitForSelector('#chart-activity[data-state=ready]');
    assert.ok(Number(await page.getAttribute('#chart-activity', 'data-points')) > 0);

    // A range from the address: the activity is asked for that range and shows the API's answer for it.
    const start = Date.parse((await api<UserProfile>('/users/user00001')).registeredAt);
    const step = Math.floor(start / 5_000) * 5_000;
    const from = new Date(step + 10_000).toISOString();
    const to = new Date(step + 20_000).toISOString();
    const ranged = await askedFor('/activity', () =>
      page.goto(`${rt.apiUrl}/#/users/${encodeURIComponent(name)}?from=${from}&to=${to}&interval=5s`),
    );
    assert.deepEqual([ranged.get('from'), ranged.get('to'), ranged.get('interval')], [from, to, '5s']);
    await page.waitForSelector('#activity:is([data-state=ready],[data-state=empty])');
    const inRange = await api<UserActivity>(
      `/users/${encodeURIComponent(name)}/activity?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}&interval=5s`,
    );
    assert.ok(
      inRange.interactions + inRange.purchases.orders < a.interactions + a.purchases.orders,
      'a narrower range',
    );
    assert.equal(await field('interactions'), String(inRange.interactions));
    assert.equal(await field('purchases-orders'), String(inRange.purchases.orders));
    await page.waitForSelector('#chart-activity[data-state=ready]');
    assert.equal(await page.getAttribute('#chart-activity', 'data-points'), String(inRange.series.length));
    assert.ok(profiled?.profile?.displayName, 'a registered user with a profile');
    if (profiled.name !== name) {
      await page.goto(`${rt.apiUrl}/#/users/${encodeURIComponent(profiled.name)}`);
    }
    await page.waitForSelector(`[data-page=user][data-user="${profiled.name}"][data-state=ready]`);
    assert.equal(
      await page.getAttribute('#profile [data-field=display-name]', 'data-value'),
      profiled.profile.displayName,
    );
  });

  it('overview: event frequencies equal the API', async () => {
    await page.goto(`${rt.apiUrl}/#/`);
    await page.waitForSelector('#event-frequencies[data-state=ready]');
    const f = await api<EventFrequencies>('/events/frequencies');
    assert.ok(f.byType.productSold > 0 && f.byType.register > 0, 'both families counted');
    assert.equal(await page.getAttribute('#event-frequencies', 'data-total'), String(f.total));
    const byType = await page.$$eval('#event-frequencies tbody tr', (rows) =>
      Object.fromEntries(
        rows.map((r) => [r.getAttribute('data-type'), Number(r.getAttribute('data-value'))]),
      ),
    );
    assert.deepEqual(byType, f.byType);
    const byAction = await page.$$eval('#interaction-actions tbody tr', (rows) =>
      Object.fromEntries(
        rows.map((r) => [r.getAttribute('data-action'), Number(r.getAttribute('data-value'))]),
      ),
    );
    assert.deepEqual(byAction, f.byAction);
    assert.deepEqual(browser.pageErrors, [], 'no uncaught error in the page');
  });
});
