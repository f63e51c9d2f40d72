import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Browser, Page } from 'playwright-core';
import { BrowserFinder } from './support/browser-finder';
import { collectPageErrors, launchChromium, signIn } from './support/console-browser';
import { post } from './support/http';
import { eventually } from './support/receiver';
import { startTestApp, TestApp } from './support/test-app';

const BROWSER = new BrowserFinder().decide();
/** Where the event page with its answer and the run page with its deadline are pictured, for review. */
const SCREENSHOT = process.env.HOOKFLOW_RESPOND_TIMEOUT_SCREENSHOT;

const SOURCES = `
sources:
  deploys:
    verify: { scheme: none }
    respond:
      status: 201
      headers: { x-handled-by: hookflow }
      body: { text: "Deploying {{event.body.target}}" }
`;

/** Waits an hour on a delay, so that its run stays unfinished with a deadline ahead. */
const DEPLOY = `name: deploy
on: { webhook: deploys }
timeout: 2h
steps:
  - id: later
    uses: delay
    with: { for: 1h }
`;

describe('respond and run timeouts in the console', () => {
  if (!BROWSER.executable) {
    it('has a Chromium or Chrome to drive', { skip: BROWSER.skip }, () => assert.fail(BROWSER.fail));
    return;
  }
  let hookflow: TestApp;
  let browser: Browser;
  let page: Page;
  const pageErrors: string[] = [];

  before(async () => {
    hookflow = await startTestApp({ files: { 'sources.yaml': SOURCES, 'deploy.yaml': DEPLOY } });
    browser = await launchChromium(BROWSER.executable);
    page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    collectPageErrors(page, pageErrors);
    await signIn(page, hookflow);
  });

  after(async () => {
    await browser?.close();
    await hookflow?.close();
  });

  it('shows the answer an event got from its respond, and the deadline of its unfinished run', async () => {
    const answer = await post(`${hookflow.baseUrl}/hooks/deploys`, JSON.stringify({ target: 'api-7' }));
    assert.equal(answer.status, 201);
    const [event] = await hookflow.query<{ id: string }>(`SELECT id FROM events WHERE source = 'deploys'`);

    await page.goto(`${hookflow.baseUrl}/events/${event.id}`);
    const answered = page.locator('[data-section="event-answer"]');
    await answered.waitFor();
    const text = await answered.innerText();
    assert.match(text, /HTTP 201/);
    assert.match(text, /x-handled-by\s+hookflow/);
    assert.match(text, /\{"text":"Deploying api-7"\}/);
    if (SCREENSHOT) await page.screenshot({ path: SCREENSHOT.replace(/\.png$/, '-event.png'), fullPage: true });

    const run = await eventually(
      async () => {
        const [row] = await hookflow.query<{ id: string }>(
          `SELECT r.id FROM runs r JOIN step_runs s ON s.run_id = r.id WHERE r.event_id = $1 AND s.step_id = 'later' AND s.status = 'running'`,
          [event.id],
        );
        return row;
      },
      15_000,
      'the run waiting on its delay',
    );
    await page.goto(`${hookflow.baseUrl}/runs/${run.id}`);
    const deadline = page.locator('[data-fact="deadline"]');
    await deadline.waitFor();
    assert.match(await deadline.innerText(), /^deadline\s+cancelled in 2 hours unless done$/i);
    if (SCREENSHOT) await page.screenshot({ path: SCREENSHOT.replace(/\.png$/, '-run.png'), fullPage: true });
    assert.deepEqual(pageErrors, []);
  });
});
