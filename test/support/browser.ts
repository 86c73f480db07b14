// What the browser tests share: Debian's headless Chromium driven by playwright-core (skipped without
// /usr/bin/chromium, except under CI, where a missing browser is a failure), a runtime fed a stream
// through POST /events, and GETs of the API's JSON.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import type { LocalRuntime } from '../../local/runtime';
import { buildWeb } from '../../scripts/build-web';
import { startTestRuntime } from './runtime';

export const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];
/** Any single wait for the page (a condition, never a timed assertion). */
export const WAIT_MS = 20_000;

export const haveChromium = existsSync(CHROMIUM);
/** The `skip` of a browser suite: a reason without Chromium (outside CI), else false. */
export const browserSkip: string | false =
  !haveChromium && !process.env.CI
    ? `${CHROMIUM} not found: install Debian's chromium (apt-get install chromium) to run the browser tests`
    : false;

export interface Browser {
  context: BrowserContext;
  page: Page;
  /** Uncaught errors of the page, in order. */
  pageErrors: string[];
  close(): Promise<void>;
}

/** A fresh profile in headless Chromium, in UTC and en-US, with one page. */
export async function launchChromium(viewport = { width: 1400, height: 1000 }): Promise<Browser> {
  if (!haveChromium) {
    throw new Error(`${CHROMIUM} is missing on CI: the CI entry (.ci/run) must apt-get install chromium`);
  }
  const profileDir = await mkdtemp(join(tmpdir(), 'bacefook-chromium-'));
  const context = await chromium.launchPersistentContext(profileDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_FLAGS,
    viewport,
    timezoneId: 'UTC',
    locale: 'en-US',
  });
  context.setDefaultTimeout(WAIT_MS);
  const page = context.pages()[0] ?? (await context.newPage());
  const pageErrors: string[] = [];
  page.on('pageerror', (err) => pageErrors.push(err.message));
  return {
    context,
    page,
    pageErrors,
    async close() {
      await context.close().catch(() => {});
      await rm(profileDir, { recursive: true, force: true });
    },
  };
}

/** The dashboard built, a runtime started and fed `events` (drained, one snapshot run). */
export async function startFedRuntime(events: readonly unknown[]): Promise<LocalRuntime> {
  await buildWeb();
  const rt = await startTestRuntime();
  const res = await fetch(`${rt.apiUrl}/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(events),
  });
  assert.equal(res.status, 202, await res.text());
  await rt.drain();
  await rt.snapshotNow();
  return rt;
}

/** GET of the API's JSON, asserting a 200. */
export async function getJson<T>(rt: LocalRuntime, path: string): Promise<T> {
  const res = await fetch(`${rt.apiUrl}${path}`);
  const body = await res.text();
  assert.equal(res.status, 200, `GET ${path} answered ${res.status}: ${body}`);
  return JSON.parse(body) as T;
}

/** The query string of the page's first request to a path ending with `suffix` after `act`. */
export async function askedFor(
  page: Page,
  suffix: string,
  act: () => Promise<unknown>,
): Promise<URLSearchParams> {
  const [res] = await Promise.all([
    page.waitForResponse((r) => new URL(r.url()).pathname.endsWith(suffix)),
    act(),
  ]);
  assert.ok(res.status() === 200 || res.status() === 304, `the page's ${res.url()} answered ${res.status()}`);
  return new URL(res.url()).searchParams;
}

/** The rows of a users board (leaderboards, writers) as the API answers them: rank, name, value. */
export function readUsersBoard(page: Page, metric: string) {
  return page.$$eval(`[data-metric="${metric}"] tbody tr`, (rows) =>
    rows.map((r) => ({
      rank: Number(r.getAttribute('data-rank')),
      name: r.getAttribute('data-name'),
      value: Number(r.getAttribute('data-value')),
    })),
  );
}
