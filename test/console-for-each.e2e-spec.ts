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

const RESERVE = `name: reserve-items
on: { webhook: shop, event: order.paid }
steps:
  - id: reserve
    name: Reserve each line item
    uses: http
    for_each: "{{event.body.order.items}}"
    max_parallel: 2
    continue_on_error: true
    with: { url: "{{secrets.RECEIVER}}/reserve", body: { sku: "{{item.sku}}", position: "{{index}}" } }
    retry: { attempts: 3, backoff: fixed, initial: 200ms, max: 200ms }
  - id: summary
    uses: set
    with: { first: "{{steps.reserve.output.0.body.sku}}" }
`;

describe('for_each steps in the console', () => {
  if (!BROWSER.executable) {
    it('has a Chromium or Chrome to drive', { skip: BROWSER.skip }, () => assert.fail(BROWSER.fail));
    return;
  }
  let hookflow: TestApp;
  let browser: Browser;
  let page: Page;
  const receiver = new Receiver();
  const pageErrors: string[] = [];
  const calls = new Map<string, number>();

  before(async () => {
    receiver.route('/reserve', (request, response) => {
      const { sku } = JSON.parse(request.body) as { sku: string };
      const call = (calls.get(sku) ?? 0) + 1;
      calls.set(sku, call);
      if (sku === 'GONE-4') json(response, 404, { error: 'no such sku' });
      else if (sku === 'BUSY-2' && call === 1) json(response, 503, { error: 'busy' });
      else json(response, 201, { sku, reserved: true });
    });
    await receiver.start();
    hookflow = await startTestApp({
      files: { 'sources.yaml': SOURCES, 'reserve-items.yaml': RESERVE },
      env: { RECEIVER: receiver.url, HOOKFLOW_OUTBOUND_ALLOW: '127.0.0.1' },
    });
    browser = await launchChromium(BROWSER.executable);
    page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    collectPageErrors(page, pageErrors);
    await signIn(page, hookflow);
  });

  after(async () => {
    await browser?.close();
    await hookflow?.close();
    await receiver.stop();
  });

  it('lists the items under their step, and opens an item with its attempts', async () => {
    const items = ['SKU-1', 'BUSY-2', 'SKU-3', 'GONE-4'].map((sku) => ({ sku }));
    const answer = await post(`${hookflow.baseUrl}/hooks/shop`, JSON.stringify({ type: 'order.paid', order: { items } }));
    const eventId = (answer.body as { event_id: string }).event_id;
    const run = await eventually(
      async () => {
        const rows = await hookflow.query<{ id: string; status: string }>(`SELECT id, status FROM runs WHERE event_id = $1`, [eventId]);
        return rows[0]?.status === 'succeeded' ? rows[0] : undefined;
      },
      15_000,
      'the run to succeed',
    );

    await page.goto(`${hookflow.baseUrl}/runs/${run.id}`);
    const itemRows = page.locator('[data-item-row]');
    await itemRows.nth(3).waitFor();
    assert.deepEqual(await itemRows.evaluateAll((rows) => rows.map((row) => row.getAttribute('data-item-row'))), [
      'reserve[0]',
      'reserve[1]',
      'reserve[2]',
      'reserve[3]',
    ]);
    assert.match(
      (await page.locator('[data-step-row="reserve"] td').allInnerTexts()).join(' | '),
      /1 of 4 items failed: item 3: HTTP 404 \| succeeded \| 4 items \|/,
    );
    const cells = (row: number) => itemRows.nth(row).locator('td').allInnerTexts();
    assert.match((await cells(1)).join(' | '), /item\s*1 \| succeeded \| 2 \|/);
    assert.match((await cells(3)).join(' | '), /item\s*3\s*HTTP 404.* \| failed \| 1 \|/s);
    await page.locator('.gnode[data-kind="http"] .chip--for-each').waitFor();
    assert.match(await page.locator('.gnode[data-kind="http"] .chip--for-each').innerText(), /event\.body\.order\.items ×2/);

    await page.getByRole('button', { name: 'Open item 1 of step reserve' }).click();
    const panel = page.locator('aside[data-step-id="reserve[1]"]');
    await panel.waitFor();
    assert.equal(await panel.locator('h2').innerText(), 'Reserve each line item · item 1');
    assert.match(await panel.innerText(), /503/);
    assert.match(await panel.innerText(), /BUSY-2/);

    await mkdir(ARTIFACTS, { recursive: true });
    await page.evaluate('window.scrollTo(0, 0)');
    await page.screenshot({ path: join(ARTIFACTS, 'for-each-run-page.png'), fullPage: true });
    assert.deepEqual(pageErrors, []);
  });
});
