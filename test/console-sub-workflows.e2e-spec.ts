import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Browser, Page } from 'playwright-core';
import { BrowserFinder } from './support/browser-finder';
import { collectPageErrors, launchChromium, signIn } from './support/console-browser';
import { post } from './support/http';
import { eventually } from './support/receiver';
import { startTestApp, TestApp } from './support/test-app';

const BROWSER = new BrowserFinder().decide();
/** Where the run page of a parent and of its child are pictured, for the change's review. */
const SCREENSHOT = process.env.HOOKFLOW_SUB_WORKFLOW_SCREENSHOT;

const SOURCES = `
sources:
  shop:
    verify: { scheme: none }
`;

const ORDER_PAID = `name: order-paid
on: { webhook: shop, event: order.paid }
steps:
  - id: ship
    uses: workflow
    with: { name: ship-order, wait: true, event: { order: "{{event.body.order}}" } }
  - id: tell
    uses: set
    with: { text: "Order {{event.body.order}} ships with {{steps.ship.output.tracking}}" }
`;

const SHIP_ORDER = `name: ship-order
on: { webhook: shop, event: ship.requested }
steps:
  - id: label
    uses: set
    with: { tracking: "T-{{event.body.order}}" }
output:
  tracking: "{{steps.label.output.tracking}}"
`;

describe('sub-workflows in the console', () => {
  if (!BROWSER.executable) {
    it('has a Chromium or Chrome to drive', { skip: BROWSER.skip }, () => assert.fail(BROWSER.fail));
    return;
  }
  let hookflow: TestApp;
  let browser: Browser;
  let page: Page;
  const pageErrors: string[] = [];

  before(async () => {
    hookflow = await startTestApp({ files: { 'sources.yaml': SOURCES, 'order-paid.yaml': ORDER_PAID, 'ship-order.yaml': SHIP_ORDER } });
    browser = await launchChromium(BROWSER.executable);
    page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    collectPageErrors(page, pageErrors);
    await signIn(page, hookflow);
  });

  after(async () => {
    await browser?.close();
    await hookflow?.close();
  });

  it("links a parent run to the run it started and back, and shows the child's output", async () => {
    const answer = await post(`${hookflow.baseUrl}/hooks/shop`, JSON.stringify({ type: 'order.paid', order: 'A-7' }));
    const eventId = (answer.body as { event_id: string }).event_id;
    const parent = await eventually(
      async () => {
        const [row] = await hookflow.query<{ id: string; status: string }>(`SELECT id, status FROM runs WHERE event_id = $1`, [eventId]);
        return row?.status === 'succeeded' ? row : undefined;
      },
      15_000,
      'the parent run, succeeded',
    );
    const [child] = await hookflow.query<{ id: string }>(`SELECT id FROM runs WHERE parent_run_id = $1`, [parent.id]);

    await page.goto(`${hookflow.baseUrl}/runs/${parent.id}`);
    const started = page.locator('[data-fact="started-runs"]');
    await started.waitFor();
    assert.match(await started.innerText(), /ship-order .* · succeeded/);
    await page.locator('.gnode[data-kind="set"][data-status="succeeded"]').waitFor();
    if (SCREENSHOT) await page.screenshot({ path: SCREENSHOT.replace(/\.png$/, '-parent.png'), fullPage: true });

    await started.locator('a').click();
    await page.waitForURL(new RegExp(`/runs/${child.id}$`));
    const startedBy = page.locator('[data-fact="started-by"]');
    await startedBy.waitFor();
    assert.match(await startedBy.innerText(), /order-paid .* · step ship/);
    assert.match(await page.locator('[data-section="run-output"]').innerText(), /"tracking": "T-A-7"/);
    await page.locator('.gnode[data-kind="set"][data-status="succeeded"]').waitFor();
    if (SCREENSHOT) await page.screenshot({ path: SCREENSHOT, fullPage: true });

    await startedBy.locator('a').click();
    await page.waitForURL(new RegExp(`/runs/${parent.id}$`));
    assert.deepEqual(pageErrors, []);
  });
});
