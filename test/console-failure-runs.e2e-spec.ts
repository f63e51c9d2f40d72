import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Browser, Page } from 'playwright-core';
import { BrowserFinder } from './support/browser-finder';
import { collectPageErrors, launchChromium, signIn } from './support/console-browser';
import { post } from './support/http';
import { eventually, json, Receiver } from './support/receiver';
import { startTestApp, TestApp } from './support/test-app';

const BROWSER = new BrowserFinder().decide();

const SOURCES = `
sources:
  shop:
    verify: { scheme: none }
`;

const FRAGILE = `name: fragile
on: { webhook: shop, event: order.fragile }
steps:
  - id: reserve
    uses: http
    with: { url: "{{secrets.RECEIVER}}/warehouse" }
on_failure:
  - id: tell
    name: Tell the team
    uses: set
    with: { text: "{{failure.workflow}} failed at {{failure.step}}" }
`;

describe('failure runs in the console', () => {
  if (!BROWSER.executable) {
    it('has a Chromium or Chrome to drive', { skip: BROWSER.skip }, () => assert.fail(BROWSER.fail));
    return;
  }
  let hookflow: TestApp;
  let browser: Browser;
  let page: Page;
  const receiver = new Receiver();
  const pageErrors: string[] = [];

  before(async () => {
    receiver.route('/warehouse', (_, response) => json(response, 410, { error: 'warehouse gone' }));
    await receiver.start();
    hookflow = await startTestApp({
      files: { 'sources.yaml': SOURCES, 'fragile.yaml': FRAGILE },
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

  it('draws the on_failure steps in a lane of their own, with what they read', async () => {
    await page.goto(`${hookflow.baseUrl}/workflows/fragile`);
    const lane = page.locator('.react-flow__node .gnode[data-group="on_failure"]');
    await lane.first().waitFor();
    assert.deepEqual(await lane.evaluateAll((nodes) => nodes.map((node) => node.getAttribute('data-kind'))), ['on_failure', 'set']);
    assert.equal(await page.locator('.gnode[data-kind="trigger"]').getAttribute('data-group'), null, 'the trigger is not in the lane');
    assert.match(await page.locator('[data-note="on-failure"]').innerText(), /failure\.run_id.*A cancelled run starts none/s);
    assert.deepEqual(pageErrors, []);
  });

  it('shows a failure run on its lane, linked both ways with the run that failed', async () => {
    const answer = await post(`${hookflow.baseUrl}/hooks/shop`, JSON.stringify({ type: 'order.fragile' }));
    const eventId = (answer.body as { event_id: string }).event_id;
    const [failed, handler] = await eventually(
      async () => {
        const rows = await hookflow.query<{ id: string; kind: string; status: string }>(
          `SELECT id, kind, status FROM runs WHERE event_id = $1 ORDER BY kind DESC`,
          [eventId],
        );
        return rows.length === 2 && rows[1].status === 'succeeded' ? rows : undefined;
      },
      15_000,
      'the failed run and its failure run',
    );
    assert.deepEqual([failed.kind, handler.kind], ['steps', 'on_failure']);

    await page.goto(`${hookflow.baseUrl}/runs/${handler.id}`);
    await page.locator('[data-fact="handles-failure-of"]').waitFor();
    assert.match(await page.locator('.chip--failure-run').first().innerText(), /on failure/);
    const nodes = page.locator('.react-flow__node .gnode');
    await page.locator('.gnode[data-kind="set"][data-status="succeeded"]').waitFor();
    assert.deepEqual(await nodes.evaluateAll((all) => all.map((node) => node.getAttribute('data-kind'))), ['on_failure', 'set'], 'only the failure lane');

    await page.locator('[data-fact="handles-failure-of"] a').click();
    await page.waitForURL(new RegExp(`/runs/${failed.id}$`));
    await page.locator('[data-fact="failure-runs"]').waitFor();
    assert.equal(await page.locator('[data-fact="failure-runs"] a').getAttribute('href'), `/runs/${handler.id}`);
    // The graph is drawn after the page's facts: wait for it before reading its nodes.
    await page.locator('.gnode[data-kind="http"]').waitFor();
    assert.deepEqual(
      await nodes.evaluateAll((all) => all.map((node) => node.getAttribute('data-kind'))),
      ['trigger', 'http'],
      'the failed run without the lane',
    );
    assert.deepEqual(pageErrors, []);
  });
});
