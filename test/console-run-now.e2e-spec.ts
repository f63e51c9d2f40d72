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

const ORDER_PAID = `
name: order-paid
on: { webhook: shop, event: order.paid }
steps:
  - id: label
    uses: http
    with: { url: "{{secrets.RECEIVER}}/labels", body: { order: "{{event.body.order.id}}", type: "{{event.type}}" } }
`;

const NIGHTLY = `
name: nightly
on: { schedule: "0 3 * * *" }
steps:
  - id: reconcile
    uses: http
    with: { url: "{{secrets.RECEIVER}}/reconcile", body: { note: "{{default event.body.note 'none'}}" } }
`;

/** Stays running until cancelled: a durable one-hour delay. */
const SLOW = `
name: slow
on: { schedule: "0 4 * * *" }
steps:
  - id: wait
    uses: delay
    with: { for: 1h }
`;

describe('run now and bulk cancel in the console, in Chromium', () => {
  if (!BROWSER.executable) {
    it('has a Chromium or Chrome to drive', { skip: BROWSER.skip }, () => assert.fail(BROWSER.fail));
    return;
  }
  const receiver = new Receiver()
    .route('/labels', (_, response) => json(response, 200, { tracking: 'T-1' }))
    .route('/reconcile', (_, response) => json(response, 200, { ok: true }));
  let hookflow: TestApp;
  let browser: Browser;
  let page: Page;
  const pageErrors: string[] = [];

  before(async () => {
    await mkdir(ARTIFACTS, { recursive: true });
    await receiver.start();
    hookflow = await startTestApp({
      files: { 'sources.yaml': SOURCES, 'order-paid.yaml': ORDER_PAID, 'nightly.yaml': NIGHTLY, 'slow.yaml': SLOW },
      env: { RECEIVER: receiver.url, HOOKFLOW_OUTBOUND_ALLOW: '127.0.0.1' },
    });
    browser = await launchChromium(BROWSER.executable);
    page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
    // The refused run below answers 400 on purpose.
    collectPageErrors(page, pageErrors, /status of 400/);
    await signIn(page, hookflow);
  });

  after(async () => {
    await browser?.close();
    await hookflow?.close();
    await receiver.stop();
  });

  const runNowButton = () => page.getByRole('button', { name: /^Run now/ });
  const panel = () => page.getByRole('dialog', { name: /now$/ });

  it('prefills the body from the trigger’s last event, runs the edited body and opens the new run', async () => {
    const sent = await post(`${hookflow.baseUrl}/hooks/shop`, JSON.stringify({ type: 'order.paid', order: { id: 'A-1', total: 10 } }));
    assert.equal(sent.status, 202);
    await eventually(async () => receiver.received('/labels').length === 1, 10_000, 'the webhook run to deliver');

    await page.goto(`${hookflow.baseUrl}/workflows/order-paid`);
    await runNowButton().click();
    const body = panel().getByRole('textbox', { name: /Body/ });
    await eventually(async () => (await body.inputValue()).includes('A-1'), 10_000, 'the body prefilled from the last order.paid event');
    assert.equal(
      await panel()
        .getByRole('textbox', { name: /Event type/ })
        .inputValue(),
      'order.paid',
    );
    await page.screenshot({ path: join(ARTIFACTS, 'run-now-panel.png') });

    await body.fill('{ "order": { "id": "B-2" } }');
    await panel().getByRole('button', { name: 'Run', exact: true }).click();
    await page.waitForURL(/\/runs\/[0-9a-f-]{36}$/);
    await page.getByText('succeeded').first().waitFor();
    const label = receiver.received('/labels').at(-1)!;
    assert.deepEqual(JSON.parse(label.body), { order: 'B-2', type: 'order.paid' });

    const events = await hookflow.api('GET', '/api/events?source=manual');
    assert.equal(events.body.items.length, 1, 'the run now event is in the event log as source manual');
  });

  it('starts a schedule-only workflow from {} and shows errors inline without leaving', async () => {
    await page.goto(`${hookflow.baseUrl}/workflows/nightly`);
    await runNowButton().click();
    const body = panel().getByRole('textbox', { name: /Body/ });
    assert.equal(await body.inputValue(), '{}');

    await body.fill('{ not json');
    await panel().getByRole('button', { name: 'Run', exact: true }).click();
    await panel()
      .getByRole('alert')
      .getByText(/not valid JSON/)
      .waitFor();

    await body.fill('{}');
    await panel()
      .getByRole('textbox', { name: /Event type/ })
      .fill('t'.repeat(201));
    await panel().getByRole('button', { name: 'Run', exact: true }).click();
    await panel()
      .getByRole('alert')
      .getByText(/type must be shorter than or equal to 200 characters/)
      .waitFor();
    assert.match(page.url(), /\/workflows\/nightly$/, 'still on the workflow page');
    await panel()
      .getByRole('textbox', { name: /Event type/ })
      .fill('');

    await body.fill('{ "note": "by hand" }');
    await panel().getByRole('button', { name: 'Run', exact: true }).click();
    await page.waitForURL(/\/runs\/[0-9a-f-]{36}$/);
    await eventually(async () => receiver.received('/reconcile').length === 1, 10_000, 'the nightly step to reach its receiver');
    assert.deepEqual(JSON.parse(receiver.received('/reconcile')[0].body), { note: 'by hand' });
  });

  it('cancels unfinished runs from the runs list after a confirmation', async () => {
    for (let n = 0; n < 2; n++) assert.equal((await hookflow.api('POST', '/api/workflows/slow/runs', { body: {} })).status, 202);
    await page.goto(`${hookflow.baseUrl}/runs?workflow=slow`);
    await page.getByRole('button', { name: 'Cancel runs…' }).click();
    const confirm = page.getByRole('dialog', { name: 'Cancel unfinished runs?' });
    await confirm.getByText(/queued, running or paused runs of slow/).waitFor();
    await confirm.getByRole('button', { name: 'Cancel them' }).click();
    await page.getByText('2 runs cancelled.').waitFor();
    const runs = await hookflow.api('GET', '/api/runs?workflow=slow');
    assert.deepEqual(
      runs.body.items.map((run: { status: string }) => run.status),
      ['cancelled', 'cancelled'],
    );
    assert.deepEqual(pageErrors, []);
  });
});
