// The dashboard in a real browser: Debian's headless Chromium driven by playwright-core, against the
// local runtime fed with a generated stream. Checks that every page loads without a failed request,
// and what a user sees against what the API answers. With BACEFOOK_SCREENSHOTS=1 (`npm run
// screenshots`) it also saves the README's screenshots (docs/screenshots/*.png); `npm test` does not.
//
// Needs /usr/bin/chromium (`apt-get install chromium`; .ci/run installs it). Without it the suite is
// skipped, except under CI (process.env.CI), where a missing browser is a failure.
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Page, Request, Response } from 'playwright-core';
import type { RawEvent } from '../../domain/events';
import { EventGenerator } from '../../domain/generator';
import type { LocalRuntime } from '../../local/runtime';
import { buildWeb } from '../../scripts/build-web';
import type { FriendsPage, Leaderboard, PipelineMeta, UserNetwork, UserProfile } from '../../web/src/types';
import { type Browser, browserSkip, launchChromium, readUsersBoard } from '../support/browser';
import { pipelineAfterCommit, startTestRuntime } from '../support/runtime';

const SHOTS = resolve(import.meta.dirname, '../../docs/screenshots');
const SCREENSHOTS = process.env.BACEFOOK_SCREENSHOTS === '1';
const FRIENDS_PAGE = 20;

/** The generated stream: users 200, seed 7, four batches (= generateEvents({ users: 200, batches: 4, seed: 7 })). */
function generatedBatches(): RawEvent[][] {
  const g = new EventGenerator({ users: 200, seed: 7 });
  return [g.nextBatch(), g.nextBatch(), g.nextBatch(), g.nextBatch()];
}

describe('dashboard in headless Chromium', { skip: browserSkip, timeout: 120_000 }, () => {
  let rt: LocalRuntime;
  let browser: Browser;
  let page: Page;
  const batches = generatedBatches();

  const api = async <T>(path: string): Promise<T> => {
    const res = await fetch(`${rt.apiUrl}${path}`);
    const body = await res.text();
    assert.equal(res.status, 200, `GET ${path} answered ${res.status}: ${body}`);
    return JSON.parse(body) as T;
  };

  /** Into the stream, in order, through the API (POST /events). */
  const send = async (events: RawEvent[]) => {
    const res = await fetch(`${rt.apiUrl}/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(events),
    });
    const body = await res.text();
    assert.equal(res.status, 202, `POST /events answered ${res.status}: ${body}`);
    assert.deepEqual(JSON.parse(body), { accepted: events.length });
  };

  const dataValue = async (selector: string) => page.getAttribute(selector, 'data-value');

  /** Saves the page as docs/screenshots/NAME.png, only when asked to (npm run screenshots). */
  const shot = async (name: string) => {
    if (!SCREENSHOTS) return;
    await mkdir(SHOTS, { recursive: true });
    await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
  };

  before(async () => {
    await buildWeb();
    rt = await startTestRuntime();
    assert.ok(rt.dashboard, 'the runtime serves web/dist');
    // Three batches now; the fourth arrives while the overview is open (it must update by itself).
    await send(batches.slice(0, 3).flat());
    await rt.drain();
    await rt.snapshotNow();

    browser = await launchChromium();
    page = browser.page;
  });

  after(async () => {
    await browser?.close();
    await rt?.stop();
  });

  it('every page loads with no failed request, config.js included', async () => {
    const failed: string[] = [];
    const seen: string[] = [];
    let watching = false;
    const onResponse = (r: Response) => {
      if (!watching) return;
      seen.push(`${r.status()} ${new URL(r.url()).pathname}`);
      if (r.status() >= 400) failed.push(`${r.status()} ${r.request().method()} ${r.url()}`);
    };
    const onFailed = (r: Request) => {
      if (watching) failed.push(`failed (${r.failure()?.errorText}) ${r.method()} ${r.url()}`);
    };
    page.on('response', onResponse);
    page.on('requestfailed', onFailed);
    try {
      const pages: [string, string][] = [
        ['#/', '[data-page=overview][data-state=ready]'],
        ['#/leaderboards', '[data-metric="network-strength"][data-state=ready]'],
        ['#/users', '[data-page=user-search]'],
        ['#/users/user00001', '[data-page=user][data-state=ready] #chart-friends-count[data-state=ready]'],
        // No post in this stream: the writers page's empty states.
        ['#/writers', '#writers-stats[data-state=empty] ~ #chart-writers[data-state=ready]'],
        ['#/no-such-page', '[data-page=not-found]'],
      ];
      for (const [hash, ready] of pages) {
        // A fresh load for each page (a hash change alone would load nothing).
        await page.goto('about:blank');
        watching = true;
        await page.goto(`${rt.apiUrl}/${hash}`);
        await page.waitForSelector(ready);
        // Let the page's first round of requests finish (the overview polls again every 2 s).
        await page.waitForLoadState('networkidle');
        watching = false;
      }
    } finally {
      watching = false;
      page.off('response', onResponse);
      page.off('requestfailed', onFailed);
    }
    assert.deepEqual(failed, [], 'no request failed');
    assert.ok(seen.includes('200 /config.js'), `config.js is served: ${seen.join(', ')}`);
  });

  it('overview shows the pipeline counters and follows them live', async () => {
    await page.goto(`${rt.apiUrl}/#/`);
    await page.waitForSelector('[data-page=overview][data-state=ready]');
    const first = await api<PipelineMeta>('/meta/pipeline');
    assert.equal(await dataValue('[data-field=applied]'), String(first.applied));
    assert.equal(await dataValue('[data-field=noop]'), String(first.noop));
    assert.equal(await dataValue('[data-field=rejected]'), String(first.rejected));
    assert.equal(await dataValue('[data-field=last-event-at]'), first.lastEventAt);

    await send(batches[3]);
    await rt.drain();
    await rt.snapshotNow();
    const last = await pipelineAfterCommit<PipelineMeta>(rt);
    assert.ok(last.applied > first.applied);
    // The page polls on its own: wait until it shows the new counters.
    await page.waitForSelector(`[data-field=applied][data-value="${last.applied}"]`);
    assert.equal(await dataValue('[data-field=noop]'), String(last.noop));
    assert.equal(await dataValue('[data-field=rejected]'), String(last.rejected));
    assert.equal(await dataValue('[data-field=last-event-at]'), last.lastEventAt);
    assert.ok(Number(await dataValue('[data-field=events-per-second]')) > 0, 'events per second measured');
    // The throughput chart: points of the last minutes, the batch's burst among them, drawn in its color.
    await page.waitForFunction(() => {
      const el = document.querySelector<HTMLElement>('#throughput-chart[data-state=ready]');
      return el !== null && Number(el.dataset.points) >= 2 && Number(el.dataset.max) > 0;
    });
    const lineDrawn = await page.$eval('#throughput-chart canvas', (el) => {
      const c = el as HTMLCanvasElement;
      const px = c.getContext('2d')?.getImageData(0, 0, c.width, c.height).data;
      if (!px) return false;
      // The line's own colour (#2f7fd1), opaque: not the axes, the grid or the light fill.
      for (let i = 0; i < px.length; i += 4) {
        if (
          Math.abs(px[i] - 0x2f) < 12 &&
          Math.abs(px[i + 1] - 0x7f) < 12 &&
          Math.abs(px[i + 2] - 0xd1) < 12 &&
          px[i + 3] > 200
        )
          return true;
      }
      return false;
    });
    assert.ok(lineDrawn, 'the throughput line is drawn');
    await page.waitForSelector('#snapshots dl');
    await shot('overview');
  });

  const readBoard = (metric: string) => readUsersBoard(page, metric);

  it('leaderboards show the API answer for the same range, with presets and a shareable address', async () => {
    await page.goto(`${rt.apiUrl}/#/leaderboards?limit=25`);
    for (const metric of ['network-strength', 'referral-points']) {
      await page.waitForSelector(`[data-metric="${metric}"][data-state=ready]`);
      const lb = await api<Leaderboard>(`/leaderboards/${metric}?limit=25`);
      assert.ok(lb.items.length > 0);
      assert.deepEqual(await readBoard(metric), lb.items, `${metric}, all time`);
    }
    await shot('leaderboards');

    // A custom range, from the address: batches 2 to 4 (net change of strength, points awarded there).
    const start = Date.parse((await api<UserProfile>('/users/user00001')).registeredAt);
    const from = new Date(start + 5_000).toISOString();
    const to = new Date(start + 20_000).toISOString();
    await page.goto(`${rt.apiUrl}/#/leaderboards?metric=network-strength&from=${from}&to=${to}`);
    await page.waitForSelector('[data-metric="network-strength"]:is([data-state=ready],[data-state=empty])');
    assert.equal(await page.locator('[data-metric="referral-points"]').count(), 0, 'one metric chosen');
    const ranged = await api<Leaderboard>(
      `/leaderboards/network-strength?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}&limit=10`,
    );
    assert.deepEqual(await readBoard('network-strength'), ranged.items, 'network-strength, custom range');

    // A preset: the last hour (of the clock) holds none of the 2025 events: the empty state offers the
    // hour before the last event, and that range's rows are the API's.
    await page.click('[data-preset="1h"]');
    await page.waitForURL(/range=1h/);
    await page.waitForSelector('[data-metric="network-strength"][data-state=empty]');
    await page.click('[data-metric="network-strength"] [data-state=empty] a');
    await page.waitForSelector('[data-metric="network-strength"][data-state=ready]');
    const params = new URLSearchParams(new URL(page.url()).hash.split('?')[1]);
    const hour = await api<Leaderboard>(
      `/leaderboards/network-strength?from=${encodeURIComponent(params.get('from') ?? '')}&to=${encodeURIComponent(params.get('to') ?? '')}&limit=10`,
    );
    assert.deepEqual(
      await readBoard('network-strength'),
      hour.items,
      'network-strength, the hour before the last event',
    );
  });

  it('user page: search, network graph, charts, top friends, paginated friends, click a node', async () => {
    const top = await api<Leaderboard>('/leaderboards/network-strength?limit=1');
    const name = top.items[0].name;
    await page.goto(`${rt.apiUrl}/#/`);
    // Search: suggestions by prefix, then the full name and Enter.
    await page.fill('#global-search', name.slice(0, -1));
    await page.waitForSelector('#global-search-list li');
    await page.fill('#global-search', name);
    await page.press('#global-search', 'Enter');
    await page.waitForURL((u) => u.hash === `#/users/${name}`);
    await page.waitForSelector(`[data-page=user][data-user="${name}"][data-state=ready]`);

    const net = await api<UserNetwork>(`/users/${name}/network`);
    await page.waitForSelector('#network-graph[data-state=ready]');
    assert.equal(await page.getAttribute('#network-graph', 'data-node-count'), String(net.nodes.length));
    assert.ok(net.nodes.length > 20, 'a user with a real network');

    await page.waitForSelector('#chart-referrals[data-state=ready]');
    await page.waitForSelector('#chart-friends-count[data-state=ready]');
    for (const id of ['chart-referrals', 'chart-friends-count', 'network-graph']) {
      assert.ok(
        Number(
          await page.getAttribute(`#${id}`, id === 'network-graph' ? 'data-node-count' : 'data-points'),
        ) > 0,
      );
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
    await page.waitForSelector('#top-friends[data-state=ready]');
    await page.waitForSelector('#friends[data-state=ready]');
    await shot('user');

    // Top influential friends: the API's top 3, in its order.
    const topApi = await api<{ items: { name: string }[] }>(`/users/${name}/top-friends?limit=3`);
    const shownTop = await page.$$eval('#top-friends tbody tr td:first-child', (tds) =>
      tds.map((td) => td.textContent?.trim()),
    );
    assert.deepEqual(
      shownTop,
      topApi.items.map((i) => i.name),
    );

    // Friends list: the API's pages, forward and back.
    const p1 = await api<FriendsPage>(`/users/${name}/friends?limit=${FRIENDS_PAGE}`);
    const names = () =>
      page.$$eval('#friends tbody tr', (rows) => rows.map((r) => r.getAttribute('data-name')));
    assert.equal(await page.getAttribute('#friends', 'data-total'), String(p1.total));
    assert.deepEqual(
      await names(),
      p1.items.map((f) => f.name),
    );
    assert.ok(p1.nextCursor, 'more than one page of friends');
    const p2 = await api<FriendsPage>(
      `/users/${name}/friends?limit=${FRIENDS_PAGE}&cursor=${encodeURIComponent(p1.nextCursor)}`,
    );
    await page.click('#friends [data-pager=next]');
    await page.waitForURL(/cursor=/);
    await page.waitForFunction(
      (first) =>
        document.querySelector('#friends[data-state=ready] tbody tr')?.getAttribute('data-name') === first,
      p2.items[0].name,
    );
    assert.deepEqual(
      await names(),
      p2.items.map((f) => f.name),
    );
    await page.click('#friends [data-pager=prev]');
    await page.waitForFunction(
      (first) =>
        document.querySelector('#friends[data-state=ready] tbody tr')?.getAttribute('data-name') === first,
      p1.items[0].name,
    );
    assert.ok(!page.url().includes('cursor='));

    // Range and interval controls: the choice lands in the address and the charts are asked again.
    await page.selectOption('select[name=interval]', '1m');
    await page.waitForURL(/interval=1m/);
    await page.waitForSelector('#chart-referrals[data-state=ready]');

    // Click a node of the graph: that user's page opens.
    const target = net.nodes.filter((n) => n.relation !== 'self').at(-1)!.name;
    const at = await page.evaluate((n) => window.__bacefook?.nodePosition(n) ?? null, target);
    assert.ok(at, `node ${target} is drawn`);
    // Playwright scrolls the graph into view and clicks at that point of it (a canvas of Cytoscape's).
    await page.locator('#network-graph').click({ position: at });
    await page.waitForSelector(`[data-page=user][data-user="${target}"][data-state=ready]`);
    assert.ok(page.url().includes(`#/users/${target}`), page.url());
    assert.ok(page.url().includes('interval=1m'), 'the interval follows to the next user');
    await page.waitForSelector('#network-graph[data-state=ready]');
  });

  it('unknown users and failing routes show their states', async () => {
    await page.goto(`${rt.apiUrl}/#/users/nobody-by-this-name`);
    await page.waitForSelector('[data-page=user][data-state=not-found]');
    assert.match((await page.textContent('[data-page=user]')) ?? '', /no user named/);

    const topFriends = (u: URL) => u.pathname.endsWith('/top-friends');
    await page.route(topFriends, (route) =>
      route.fulfill({
        status: 501,
        contentType: 'application/json',
        body: JSON.stringify({ error: { code: 'not_implemented', message: 'This route is not built yet.' } }),
      }),
    );
    await page.goto(`${rt.apiUrl}/#/users/user00001`);
    await page.waitForSelector('#top-friends[data-state=error]');
    assert.match((await page.textContent('#top-friends')) ?? '', /not available yet/);
    await page.unroute(topFriends);
    await page.click('#top-friends button');
    await page.waitForSelector('#top-friends[data-state=ready]');
    assert.deepEqual(browser.pageErrors, [], 'no uncaught error in the page');
  });
});
