import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { Browser, Page } from 'playwright-core';
import { BrowserFinder } from './support/browser-finder';
import { launchChromium, collectPageErrors } from './support/console-browser';
import { hmacHex, post } from './support/http';
import { eventually, json, Receiver } from './support/receiver';
import { startTestApp, TestApp } from './support/test-app';

const BROWSER = new BrowserFinder().decide();
/** Screenshots of the main pages, for people to look at (not committed). */
const ARTIFACTS = resolve(__dirname, '..', '..', 'test', 'artifacts');
const SHOP_SECRET = 'shop-secret-for-the-console-tests';
const SHIPPING_TOKEN = 'shipping-token-never-shown-4711';

const SOURCES = `
sources:
  shop:
    verify:
      scheme: hmac-sha256
      secret: "{{secrets.SHOP_SECRET}}"
      header: x-shop-signature
  tasks:
    verify: { scheme: none }
`;

const ORDER_PAID = `name: order-paid
description: Ship the order, tell the team, remember the customer.
on:
  webhook: shop
  event: order.paid
  if: "{{gt event.body.order.total 0}}"
steps:
  - id: label
    uses: http
    with:
      url: "{{secrets.RECEIVER}}/labels"
      headers: { Authorization: "Bearer {{secrets.SHIPPING_TOKEN}}" }
      body:
        order_id: "{{event.body.order.id}}"
        note: "{{default event.body.order.note ''}}"
    retry: { attempts: 3, backoff: fixed, initial: 100ms, max: 100ms }
  - id: notify
    uses: slack
    needs: [label]
    with:
      webhook_url: "{{secrets.RECEIVER}}/slack"
      text: "Order {{event.body.order.id}} shipped: {{steps.label.output.body.tracking_number}}"
  - id: remember
    uses: set
    needs: [label]
    if: "{{event.body.order.email}}"
    with: { email: "{{event.body.order.email}}" }
  - id: done
    uses: set
    needs: [notify, remember]
    with: { shipped: true }
`;

const FRAGILE = `name: fragile
description: Holds stock at the warehouse; fails while the warehouse is gone.
on: { webhook: shop, event: order.fragile }
steps:
  - id: reserve
    uses: http
    with:
      url: "{{secrets.RECEIVER}}/warehouse"
      body: { order_id: "{{event.body.order.id}}" }
  - id: confirm
    uses: set
    with: { reserved: "{{steps.reserve.output.body.reserved}}" }
`;

const NIGHTLY = `name: nightly
description: Reconciles the day's orders.
on: { schedule: "0 3 * * *", timezone: Europe/Berlin }
steps:
  - id: reconcile
    uses: http
    with: { url: "{{secrets.RECEIVER}}/reconcile" }
`;

describe('web console in Chromium', () => {
  if (!BROWSER.executable) {
    // One test skipped or failed with the reason, counted in the summary, instead of eleven cancelled ones.
    it('has a Chromium or Chrome to drive', { skip: BROWSER.skip }, () => assert.fail(BROWSER.fail));
    return;
  }
  let hookflow: TestApp;
  let browser: Browser;
  let page: Page;
  const receiver = new Receiver();
  let warehouseOpen = false;
  const pageErrors: string[] = [];

  before(async () => {
    await mkdir(ARTIFACTS, { recursive: true });
    receiver
      .route('/labels', (_, response) => json(response, 201, { tracking_number: 'TRK-42' }))
      .route('/slack', (_, response) => {
        response.writeHead(200, { 'content-type': 'text/plain' });
        response.end('ok');
      })
      .route('/warehouse', (_, response) =>
        warehouseOpen ? json(response, 200, { reserved: true }) : json(response, 410, { error: 'warehouse gone', marker: 'WAREHOUSE-GONE-410' }),
      );
    await receiver.start();
    hookflow = await startTestApp({
      files: { 'sources.yaml': SOURCES, 'order-paid.yaml': ORDER_PAID, 'fragile.yaml': FRAGILE, 'nightly.yaml': NIGHTLY },
      env: { SHOP_SECRET, SHIPPING_TOKEN, RECEIVER: receiver.url, HOOKFLOW_OUTBOUND_ALLOW: '127.0.0.1' },
    });
    browser = await launchChromium(BROWSER.executable);
    page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    // 401s of the wrong-token checks are expected; anything else the console logs as an error is not.
    collectPageErrors(page, pageErrors, /status of 401/);
  });

  after(async () => {
    await browser?.close();
    await hookflow?.close();
    await receiver.stop();
  });

  const url = (path: string) => `${hookflow.baseUrl}${path}`;
  const nav = (name: string) => page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name });
  async function screenshot(name: string): Promise<void> {
    await page.evaluate('window.scrollTo(0, 0)');
    await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
  }

  async function sendOrder(type: string, order: Record<string, unknown>): Promise<string> {
    const raw = JSON.stringify({ type, order });
    const answer = await post(url('/hooks/shop'), raw, { 'x-shop-signature': hmacHex(SHOP_SECRET, raw), 'x-request-id': `req-${order.id}` });
    assert.equal(answer.status, 202, JSON.stringify(answer.body));
    return answer.body.event_id;
  }

  async function runOf(eventId: string, workflow: string): Promise<string> {
    return eventually(
      async () => {
        const rows = await hookflow.query<{ id: string }>(`SELECT id FROM runs WHERE event_id = $1 AND workflow = $2`, [eventId, workflow]);
        return rows[0]?.id;
      },
      10_000,
      `a ${workflow} run of event ${eventId}`,
    );
  }

  async function runStatus(runId: string): Promise<string> {
    return (await hookflow.api('GET', `/api/runs/${runId}`)).body.status;
  }

  /** The change stream reaches the browser only once the server listens: the triggers stay silent before. */
  async function liveAndListening(): Promise<void> {
    await page.locator('[data-live="live"]').waitFor();
    await eventually(
      async () => (await hookflow.query(`SELECT 1 FROM change_feed_listeners WHERE listening_until > now()`)).length > 0,
      10_000,
      'the change feed to listen',
    );
  }

  /** A flag in the page that a reload would wipe out. */
  async function markPage(): Promise<void> {
    await page.evaluate('window.notReloaded = true');
  }

  async function notReloaded(): Promise<boolean> {
    return (await page.evaluate('window.notReloaded === true')) === true;
  }

  it('serves the console at / and on its own paths, its hashed assets cached for good, next to the API and health routes', async () => {
    for (const path of ['/', '/runs', `/runs/${'0'.repeat(8)}-0000-7000-8000-${'0'.repeat(12)}`, '/dry-run']) {
      const page = await fetch(url(path));
      assert.equal(page.status, 200, path);
      assert.match(page.headers.get('content-type') ?? '', /^text\/html/);
      assert.equal(page.headers.get('cache-control'), 'no-cache', 'a new build shows on the next load');
      assert.match(page.headers.get('content-security-policy') ?? '', /script-src 'self'/);
    }
    const html = await (await fetch(url('/'))).text();
    const script = /<script type="module" crossorigin src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    assert.ok(script, `the built index.html names its script: ${html}`);
    const asset = await fetch(url(script), { headers: { 'accept-encoding': 'gzip' } });
    assert.equal(asset.status, 200);
    assert.match(asset.headers.get('content-type') ?? '', /javascript/);
    assert.match(asset.headers.get('cache-control') ?? '', /max-age=31536000.*immutable/);
    assert.equal(asset.headers.get('content-encoding'), 'gzip');
    assert.equal((await fetch(url('/assets/no-such-file.js'))).status, 404);

    assert.equal((await fetch(url('/api/workflows'))).status, 401, 'the API keeps its token');
    assert.equal((await fetch(url('/healthz'))).status, 200);
    assert.equal((await fetch(url('/hooks/nowhere'), { method: 'POST', body: '{}' })).status, 404);
    assert.equal((await fetch(url('/not-a-console-page'))).status, 404);
  });

  it('refuses a wrong admin token, signs in with the right one, and sends a refused session back to the login page', async () => {
    await page.goto(url('/workflows'));
    await page.waitForURL(/\/login\?next=%2Fworkflows$/);
    assert.equal(await page.title(), 'Sign in · Hookflow');
    assert.match(await page.locator('.login__help').innerText(), /admin-token/);

    await page.getByLabel('Admin token').fill('not-the-admin-token-at-all');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').filter({ hasText: 'not the admin token' }).waitFor();
    assert.match(page.url(), /\/login/);
    await screenshot('login');

    await page.getByLabel('Admin token').fill(hookflow.adminToken);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(/\/workflows$/);
    await page.getByRole('table', { name: 'Workflows' }).waitFor();

    // A token that stops working (changed on the server) ends the session with a message.
    await page.evaluate(`localStorage.setItem('hookflow.adminToken', 'a-token-that-used-to-work')`);
    await page.goto(url('/runs'));
    await page.waitForURL(/\/login/);
    await page.getByRole('alert').filter({ hasText: 'refused' }).waitFor();
    await page.getByLabel('Admin token').fill(hookflow.adminToken);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(/\/runs$/);
  });

  it('lists the workflows with their trigger, and draws one as a graph: a node per step, an edge per dependency, beside its YAML', async () => {
    await nav('Workflows').click();
    const rows = page.locator('tr[data-workflow]');
    await rows.first().waitFor();
    assert.deepEqual(await rows.evaluateAll((all) => all.map((row) => row.getAttribute('data-workflow'))), ['fragile', 'nightly', 'order-paid']);
    assert.match(await page.locator('tr[data-workflow="nightly"]').innerText(), /0 3 \* \* \*/);
    assert.match(await page.locator('tr[data-workflow="order-paid"]').innerText(), /shop\s+order\.paid/);

    await page.getByRole('link', { name: 'order-paid', exact: true }).click();
    await page.waitForURL(/\/workflows\/order-paid$/);
    const nodes = page.locator('.react-flow__node');
    await page.locator('.react-flow__node[data-id="done"]').waitFor();
    assert.equal(await nodes.count(), 5, 'the trigger and four steps');
    await page.locator('.react-flow__edge').nth(4).waitFor();
    assert.equal(await page.locator('.react-flow__edge').count(), 5, 'trigger→label, label→notify, label→remember, notify→done, remember→done');
    assert.equal(await page.title(), 'order-paid · Hookflow');
    assert.match(await page.locator('.react-flow__node[data-id="label"]').innerText(), /HTTP request[\s\S]*label[\s\S]*3× fixed/i);
    assert.match(await page.locator('.react-flow__node[data-id="remember"] .chip--if').innerText(), /event\.body\.order\.email/);
    assert.match(await page.locator('.react-flow__node[data-id="trigger"]').innerText(), /shop: order\.paid[\s\S]*gt event\.body\.order\.total 0/);

    const yamlLines = ORDER_PAID.trimEnd().split('\n');
    assert.equal(await page.locator('.yaml tr[data-line]').count(), yamlLines.length, 'every line of the file, numbered');
    // Choosing a node (here with the keyboard) brings its step's line into view.
    await page.locator('.react-flow__node[data-id="remember"]').focus();
    await page.keyboard.press('Enter');
    const rememberLine = yamlLines.findIndex((line) => line.includes('id: remember')) + 1;
    await page.locator(`.yaml__line--focus[data-line="${rememberLine}"]`).waitFor();
    await screenshot('workflow-graph');
  });

  it('points each validation problem at its line while the last valid version stays in force', async () => {
    await hookflow.writeWorkflowFile('fragile.yaml', FRAGILE.replace('uses: set', 'uses: sett'));
    try {
      await page.goto(url('/workflows/fragile'));
      const line = FRAGILE.split('\n').findIndex((text) => text.includes('uses: set')) + 1;
      await page.locator(`.yaml__line--problem[data-line="${line}"]`).waitFor();
      assert.match(await page.locator(`.yaml__problem[data-problem-line="${line}"]`).innerText(), /sett/);
      assert.match(await page.locator('.callout--error').innerText(), new RegExp(`line ${line}:`));
      await page.locator('.react-flow__node[data-id="confirm"]').waitFor();
      assert.equal(await page.locator('.react-flow__node').count(), 3, 'the graph of the version in force');
      await screenshot('workflow-problems');
    } finally {
      await hookflow.writeWorkflowFile('fragile.yaml', FRAGILE);
    }
  });

  it('shows a signed event’s run appearing in the runs list and turning green without a reload', async () => {
    await nav('Runs').click();
    await page.waitForURL(/\/runs$/);
    await liveAndListening();
    await markPage();

    const eventId = await sendOrder('order.paid', { id: 'A-100', total: 25, note: 'fragile, handle with care' });
    const runId = await runOf(eventId, 'order-paid');
    await page.locator(`tr[data-run-id="${runId}"]`).waitFor();
    await page.locator(`tr[data-run-id="${runId}"][data-status="succeeded"]`).waitFor();
    assert.ok(await notReloaded(), 'the list changed in place');
    assert.equal(await runStatus(runId), 'succeeded');
    await screenshot('runs');

    await page.locator(`tr[data-run-id="${runId}"] a[href="/runs/${runId}"]`).click();
    await page.locator('.react-flow__node[data-id="done"] .gnode--succeeded').waitFor();
    assert.equal(await page.locator('.react-flow__node .gnode--succeeded').count(), 4, 'the trigger, label, notify and done succeeded; …');
    assert.equal(await page.locator('.react-flow__node[data-id="remember"] .gnode--skipped').count(), 1, '… remember was skipped (no e-mail)');
  });

  it('opens a failed run on the failing attempt, and retries it to green once the receiver recovers', async () => {
    warehouseOpen = false;
    const eventId = await sendOrder('order.fragile', { id: 'F-7', total: 3 });
    const runId = await runOf(eventId, 'fragile');
    await eventually(async () => (await runStatus(runId)) === 'failed', 15_000, 'the fragile run to fail');

    await nav('Runs').click();
    await page.getByLabel('Status').selectOption('failed');
    await page.waitForURL(/status=failed/);
    await page.locator(`tr[data-run-id="${runId}"] a[href="/runs/${runId}"]`).click();
    await page.waitForURL(new RegExp(`/runs/${runId}`));
    await liveAndListening();
    await markPage();

    const reserve = page.locator('.react-flow__node[data-id="reserve"]');
    await reserve.locator('.gnode--failed').waitFor();
    await page.locator('.react-flow__node[data-id="confirm"] .gnode--skipped').waitFor();
    await reserve.click();
    const panel = page.locator('.panel[data-step-id="reserve"]');
    await panel.waitFor();
    await panel.locator('[data-attempt="1"] [data-http-status="410"]').waitFor();
    assert.match(await panel.innerText(), /WAREHOUSE-GONE-410/, 'the response excerpt of the failing attempt');
    assert.match(await panel.innerText(), /Attempt 1/);
    await screenshot('run-failed-panel');

    // Escape closes the panel; Enter on a focused node opens it again.
    await page.keyboard.press('Escape');
    await panel.waitFor({ state: 'detached' });
    await reserve.focus();
    await page.keyboard.press('Enter');
    await panel.waitFor();

    warehouseOpen = true;
    await page.getByRole('button', { name: 'Retry', exact: true }).click();
    await page.locator('.toast').filter({ hasText: 'Retry queued' }).waitFor();
    await reserve.locator('.gnode--succeeded').waitFor();
    await page.locator('.react-flow__node[data-id="confirm"] .gnode--succeeded').waitFor();
    await page.locator('.page-header [data-status="succeeded"]').waitFor();
    assert.ok(await notReloaded(), 'the run page repainted in place');
    assert.equal(await runStatus(runId), 'succeeded');
    await panel.locator('.timeline__item--succeeded').waitFor();
    await screenshot('run-page');
  });

  it('searches the event log, opens an event with its headers, body and runs, replays it and replays the search', async () => {
    await nav('Events').click();
    await page.getByLabel('Type').fill('order.*');
    await page.getByLabel('Body contains').fill('A-100');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.waitForURL(/q=A-100/);
    await eventually(async () => (await page.locator('tr[data-event-id]').count()) === 1, 10_000, 'one event to match');
    await screenshot('events');

    await page.locator('tr[data-event-id] a').first().click();
    await page.waitForURL(/\/events\/[0-9a-f-]{36}$/);
    await page.getByRole('heading', { name: 'Headers' }).waitFor();
    assert.match(await page.locator('.kv').first().innerText(), /x-shop-signature/);
    assert.match(await page.locator('.code').last().innerText(), /"id": "A-100"/, 'the body, pretty');
    await page.locator('.run-list li').first().waitFor();
    assert.equal(await page.locator('.run-list li').count(), 1);

    await page.getByRole('button', { name: 'Replay', exact: true }).click();
    await page.locator('.toast').filter({ hasText: '1 new run' }).waitFor();
    await eventually(async () => (await page.locator('.run-list li').count()) === 2, 10_000, 'the replayed run to be listed');
    await screenshot('event-page');

    await page.goBack();
    await page.getByRole('button', { name: 'Replay matching…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Replay these events?' });
    await dialog.waitFor();
    await dialog.getByRole('button', { name: 'Replay' }).click();
    await page.locator('.toast').filter({ hasText: 'Replayed 1 event: 1 new run' }).waitFor();
  });

  it('shows the health of each source: accepted and refused requests, and why they were refused', async () => {
    const refused = await post(url('/hooks/shop'), '{"type":"order.paid"}', { 'x-shop-signature': 'deadbeef' });
    assert.equal(refused.status, 401);
    await eventually(async () => (await hookflow.api('GET', '/api/sources')).body.items[0].rejected_24h === 1, 10_000, 'the refusal to be recorded');
    await nav('Sources').click();
    const shop = page.locator('[data-source="shop"]');
    await shop.waitFor();
    assert.match(await shop.innerText(), /refused\s+1/i);
    assert.match(await shop.innerText(), /accepted\s+2/i);
    assert.equal(await shop.locator('.failures li').count(), 1);
    assert.match(await page.locator('[data-source="tasks"]').innerText(), /No traffic in 24 h/);
    await screenshot('sources');
  });

  it('dry-runs a pasted and a stored event: which workflows match, why not, and the requests each step would send', async () => {
    // Replays of the tests above may still be calling the receiver; nothing may be in flight while counting.
    await eventually(async () => (await hookflow.query(`SELECT 1 FROM runs WHERE status IN ('queued', 'running')`)).length === 0, 15_000, 'every run to end');
    await nav('Test an event').click();
    await page.getByLabel('Source').selectOption('shop');
    await page
      .getByLabel('Body (JSON, or any text)')
      .fill(JSON.stringify({ type: 'order.paid', order: { id: 'D-1', total: 9, email: 'ann@example.com', note: SHIPPING_TOKEN } }));
    const before = (await hookflow.query<{ n: number }>(`SELECT count(*)::int AS n FROM events`))[0].n;
    const sent = receiver.requests.length;
    await page.getByRole('button', { name: 'Run dry run' }).click();

    const result = page.locator('[data-workflow="order-paid"][data-matched="true"]');
    await result.waitFor();
    const label = result.locator('[data-step="label"]');
    assert.match(await label.locator('.request__line').innerText(), /POST\s+\[secret\]\/labels/);
    assert.match(await label.locator('.kv').innerText(), /authorization\s+Bearer \[secret\]/i);
    assert.match(await label.locator('.code').innerText(), /"order_id": "D-1"/);
    assert.equal(await result.locator('[data-step="remember"][data-status="would-run"]').count(), 1);
    assert.match(await page.locator('[data-workflow="fragile"][data-matched="false"]').innerText(), /does not match on\.event/);
    const text = await page.locator('.results').innerText();
    assert.ok(!text.includes(SHIPPING_TOKEN), 'a secret’s value never shows, even when the event carries it');
    await screenshot('dry-run');

    await page.getByLabel('Body (JSON, or any text)').fill(JSON.stringify({ type: 'order.paid', order: { id: 'D-2', total: 0 } }));
    await page.getByRole('button', { name: 'Run dry run' }).click();
    await page.locator('[data-workflow="order-paid"][data-matched="false"]').filter({ hasText: 'is false' }).waitFor();

    const stored = (await hookflow.query<{ id: string }>(`SELECT id FROM events WHERE type = 'order.fragile' LIMIT 1`))[0].id;
    await page.goto(url(`/events/${stored}`));
    await page.getByRole('button', { name: 'Dry run' }).click();
    await page.waitForURL(new RegExp(`/dry-run\\?event=${stored}`));
    await page.locator('[data-workflow="fragile"][data-matched="true"] [data-step="reserve"] .request__line').waitFor();
    assert.match(await page.locator('.results__summary').innerText(), new RegExp(stored.slice(-8)));

    assert.equal((await hookflow.query<{ n: number }>(`SELECT count(*)::int AS n FROM events`))[0].n, before, 'nothing was stored');
    assert.equal(receiver.requests.length, sent, 'nothing was sent');
  });

  it('shows the last ten runs of each workflow as squares, oldest to newest, and the files that have never been valid', async () => {
    // Fragile runs that fail (warehouse gone) and succeed, one after the other: more than the strip holds.
    for (const [n, open] of [true, true, false, true, true, true, false, false, true, true, true].entries()) {
      warehouseOpen = open;
      const runId = await runOf(await sendOrder('order.fragile', { id: `S-${n}`, total: 1 }), 'fragile');
      await eventually(async () => ['succeeded', 'failed'].includes(await runStatus(runId)), 15_000, `fragile run ${n} to end`);
    }
    await hookflow.writeWorkflowFile('refunds.yaml', 'name: refunds\non: { webhook: nowhere, event: refund.* }\nsteps: []\n');
    try {
      await page.goto(url('/workflows'));
      const invalid = page.locator('[data-invalid-file="refunds.yaml"]');
      await invalid.waitFor();
      assert.match(await page.locator('.invalid-files').innerText(), /Files with problems \(not loaded\)[\s\S]*not running[\s\S]*npx hookflow validate/);
      assert.match(await invalid.innerText(), /refunds\.yaml[\s\S]*2:\d+ .*nowhere/);
      assert.equal(await page.locator('tr[data-workflow]').count(), 3, 'no workflow of the invalid file is listed');

      for (const workflow of ['fragile', 'order-paid', 'nightly']) {
        const newestLast = (
          await hookflow.query<{ id: string; status: string }>(
            `SELECT id, status FROM (SELECT id, status, created_at FROM runs WHERE workflow = $1 ORDER BY created_at DESC, id DESC LIMIT 10) r
              ORDER BY created_at, id`,
            [workflow],
          )
        ).map(({ id, status }) => `${status} /runs/${id}`);
        const squares = page.locator(`tr[data-workflow="${workflow}"] .run-strip a`);
        const shown = await squares.evaluateAll((links) => links.map((link) => `${link.getAttribute('data-status')} ${link.getAttribute('href')}`));
        assert.deepEqual(shown, newestLast, `the strip of ${workflow}`);
      }
      assert.equal(await page.locator('tr[data-workflow="fragile"] .run-strip a').count(), 10, 'at most ten squares');
      assert.match(await page.locator('tr[data-workflow="nightly"]').innerText(), /never run/);
      const newest = page.locator('tr[data-workflow="fragile"] .run-strip a').last();
      assert.match((await newest.getAttribute('aria-label')) ?? '', /^succeeded, \w{3} \d+, \d{4}/);
      assert.equal(await newest.getAttribute('title'), await newest.getAttribute('aria-label'));
      await screenshot('workflows');

      const newestRun = await newest.getAttribute('href');
      await newest.click();
      await page.waitForURL(new RegExp(`${newestRun}$`));
      await page.locator('.page-header [data-status="succeeded"]').waitFor();
    } finally {
      await rm(join(hookflow.workflowsDir, 'refunds.yaml'));
    }
  });

  it('logged no error in the browser', () => {
    assert.deepEqual(pageErrors, []);
  });
});
