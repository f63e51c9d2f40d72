import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { Browser, Page } from 'playwright-core';
import { BrowserFinder } from './support/browser-finder';
import { collectPageErrors, launchChromium, signIn } from './support/console-browser';
import { post } from './support/http';
import { eventually, json, Receiver } from './support/receiver';
import { startTestApp, TestApp } from './support/test-app';

const BROWSER = new BrowserFinder().decide();
/** Screenshots for people to look at (not committed). */
const ARTIFACTS = resolve(__dirname, '..', '..', 'test', 'artifacts');

const SOURCES = `
sources:
  shop:
    verify: { scheme: none }
`;

const ORDER_PAID = `name: order-paid
description: Ship the order when a payment completes.
on: { webhook: shop, event: order.paid }
concurrency: { key: "{{event.body.order.id}}" }
steps:
  - id: label
    uses: http
    with: { url: "{{secrets.RECEIVER}}/labels", body: { order_id: "{{event.body.order.id}}" } }
`;

describe('pause and resume in the console (Chromium)', () => {
  if (!BROWSER.executable) {
    it('has a Chromium or Chrome to drive', { skip: BROWSER.skip }, () => assert.fail(BROWSER.fail));
    return;
  }
  const receiver = new Receiver();
  let hookflow: TestApp;
  let browser: Browser;
  let page: Page;
  const pageErrors: string[] = [];

  before(async () => {
    await mkdir(ARTIFACTS, { recursive: true });
    receiver.route('/labels', (_, response) => json(response, 201, { ok: true }));
    await receiver.start();
    hookflow = await startTestApp({
      files: { 'sources.yaml': SOURCES, 'order-paid.yaml': ORDER_PAID },
      env: { RECEIVER: receiver.url, HOOKFLOW_OUTBOUND_ALLOW: '127.0.0.1' },
    });
    browser = await launchChromium(BROWSER.executable);
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    // The console's own fetches of /hooks are none; a 503 here would be a bug.
    collectPageErrors(page, pageErrors);
    await signIn(page, hookflow);
  });

  after(async () => {
    await browser?.close();
    await hookflow?.close();
    await receiver.stop();
    assert.deepEqual(pageErrors, [], 'the console logged no errors');
  });

  const send = (id: string) => post(`${hookflow.baseUrl}/hooks/shop`, JSON.stringify({ type: 'order.paid', order: { id } }));

  it('pauses a workflow from its page, shows its waiting runs as paused, and resumes it', async () => {
    await page.goto(`${hookflow.baseUrl}/workflows/order-paid`);
    await page.getByRole('button', { name: 'Pause' }).click();
    const notice = page.locator('[data-paused-notice="workflow"]');
    await notice.waitFor();
    assert.match(await notice.innerText(), /by console/);
    assert.match(await notice.innerText(), /events are still accepted and stored/);

    for (const id of ['A-1', 'A-2', 'B-1']) assert.equal((await send(id)).status, 202);
    await eventually(async () => (await hookflow.query(`SELECT 1 FROM runs WHERE status = 'paused'`)).length === 3, 10_000, 'three paused runs');
    await page.reload();
    await eventually(async () => (await page.locator('.badge[data-status="paused"]').count()) >= 4, 10_000, 'paused badges on the page and its runs');
    await page.screenshot({ path: join(ARTIFACTS, 'workflow-paused.png'), fullPage: true });
    assert.equal(receiver.received('/labels').length, 0);

    await page.goto(`${hookflow.baseUrl}/workflows`);
    await page.locator('tr[data-workflow="order-paid"] .badge[data-status="paused"]').waitFor();

    await page.goto(`${hookflow.baseUrl}/workflows/order-paid`);
    await page.getByRole('button', { name: 'Resume' }).click();
    await page.getByText('3 paused runs queued again').waitFor();
    await notice.waitFor({ state: 'detached' });
    await eventually(async () => receiver.received('/labels').length === 3, 10_000, 'the three runs sent');
  });

  it('pauses a source from the sources page, where it answers 503, and resumes it', async () => {
    await page.goto(`${hookflow.baseUrl}/sources`);
    const card = page.locator('[data-source="shop"]');
    await card.getByRole('button', { name: 'Pause' }).click();
    await card.locator('[data-paused-notice="source"]').waitFor();
    assert.match(await card.innerText(), /503 with Retry-After: 60/);
    const refused = await send('C-1');
    assert.equal(refused.status, 503);

    await card.getByRole('button', { name: 'Resume' }).click();
    await card.locator('[data-paused-notice="source"]').waitFor({ state: 'detached' });
    assert.equal((await send('C-1')).status, 202);
  });
});
