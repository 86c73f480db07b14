// The dashboard against a runtime with tokens on, in headless Chromium: the first 401 opens the token
// dialog; a token given there is kept in local storage and sent as `Authorization: Bearer` on every
// request after it (after a reload too); a token the API refuses asks again, saying so; "Forget token"
// removes it; a cancelled dialog is not asked again by the polling overview, "Enter token" asks.
//
// Needs /usr/bin/chromium, as test/browser/dashboard.test.ts: skipped without it, except under CI.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import type { LocalRuntime } from '../../local/runtime';
import { newToken, tokenHash } from '../../queries/access';
import { buildWeb } from '../../scripts/build-web';
import { makeDynamoClient } from '../../storage/clients';
import { TokenStore } from '../../storage/token-store';
import { TOKEN_STORAGE_KEY } from '../../web/src/token';
import { type Browser, browserSkip, launchChromium } from '../support/browser';
import { startTestRuntime } from '../support/runtime';

describe('dashboard with access tokens in headless Chromium', { skip: browserSkip, timeout: 120_000 }, () => {
  let rt: LocalRuntime;
  let browser: Browser;
  let page: Page;
  const token = newToken();

  before(async () => {
    await buildWeb();
    rt = await startTestRuntime({ auth: true });
    const doc = makeDynamoClient({ endpoint: rt.endpoints.dynamodb });
    await new TokenStore(doc, rt.tables.meta).create(tokenHash(token), 'browser', ['read'], new Date());
    doc.destroy();
    browser = await launchChromium({ width: 1200, height: 900 });
    page = browser.page;
  });

  after(async () => {
    await browser?.close();
    await rt?.stop();
  });

  const stored = () => page.evaluate((k) => localStorage.getItem(k), TOKEN_STORAGE_KEY);
  const dialog = '[data-testid=token-dialog]';

  /**
   * Waits for the page's next answer from /meta/pipeline (with `bearer`, the next one asked with an
   * Authorization header); returns its status and Authorization.
   */
  const nextPipeline = async (o: { bearer?: boolean } = {}) => {
    // The overview polls every 2 s; under a loaded machine a poll has been seen to take longer than the
    // default 20 s wait to show.
    const res = await page.waitForResponse(
      async (r) =>
        new URL(r.url()).pathname === '/meta/pipeline' &&
        (!o.bearer || (await r.request().allHeaders()).authorization !== undefined),
      { timeout: 60_000 },
    );
    return { status: res.status(), authorization: (await res.request().allHeaders()).authorization };
  };

  it('asks on the first 401, keeps the token and sends it as a bearer token', async () => {
    await page.goto(`${rt.apiUrl}/`);
    await page.waitForSelector(dialog);
    assert.equal(await stored(), null);
    await page.fill(`${dialog} input[name=token]`, token);
    const next = nextPipeline();
    await page.click(`${dialog} button[value=save]`);
    const answered = await next;
    assert.equal(answered.status, 200);
    assert.equal(answered.authorization, `Bearer ${token}`);
    assert.equal(await stored(), token);
    await page.waitForSelector('#view [data-state=ready]');

    // A reload sends the kept token from the first request on: no dialog.
    const again = nextPipeline();
    await page.reload();
    assert.deepEqual(await again, { status: 200, authorization: `Bearer ${token}` });
    assert.equal(await page.$(dialog), null);
  });

  it('asks again, saying why, when the API refuses the kept token', async () => {
    await page.evaluate((k) => localStorage.setItem(k, `bfa_${'x'.repeat(43)}`), TOKEN_STORAGE_KEY);
    await page.reload();
    await page.waitForSelector(dialog);
    assert.match((await page.textContent(dialog)) ?? '', /did not accept/);
    await page.fill(`${dialog} input[name=token]`, token);
    const next = nextPipeline();
    await page.click(`${dialog} button[value=save]`);
    assert.equal((await next).status, 200);
    assert.equal(await stored(), token);
  });

  it('forgets the token; a cancelled dialog stays closed until "Enter token"', async () => {
    const button = '[data-testid=token-button]';
    assert.equal(await page.textContent(button), 'Forget token');
    await page.click(button);
    assert.equal(await stored(), null);
    await page.reload();
    await page.waitForSelector(dialog);
    await page.click(`${dialog} button[value=cancel]`);
    await page.waitForSelector(`${button}:not([hidden])`);
    assert.equal(await page.textContent(button), 'Enter token');
    // The overview polls every 2 s: its next 401 does not open the dialog again.
    assert.equal((await nextPipeline()).status, 401);
    assert.equal(await page.$(dialog), null);
    await page.click(button);
    await page.waitForSelector(dialog);
    await page.fill(`${dialog} input[name=token]`, token);
    // Watched from before the click: the reloaded page's first poll can answer before its load event,
    // and once its live socket is open (the token is good now) the overview stops polling.
    const answered = nextPipeline({ bearer: true });
    await Promise.all([page.waitForNavigation(), page.click(`${dialog} button[value=save]`)]);
    assert.deepEqual(await answered, { status: 200, authorization: `Bearer ${token}` });
    assert.deepEqual(browser.pageErrors, []);
  });
});
