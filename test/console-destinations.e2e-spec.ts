import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { Browser, Page } from 'playwright-core';
import { DEFAULT_BREAKER } from '../src/destinations/destination-policy';
import { BrowserFinder } from './support/browser-finder';
import { collectPageErrors, launchChromium, signIn } from './support/console-browser';
import { post } from './support/http';
import { eventually, json, Receiver } from './support/receiver';
import { startTestApp, TestApp } from './support/test-app';

const BROWSER = new BrowserFinder().decide();
/** Screenshots for people to look at (not committed). */
const ARTIFACTS = resolve(__dirname, '..', '..', 'test', 'artifacts');

const SOURCES = 'sources:\n  jobs:\n    verify: { scheme: none }\n';

const DELIVER = `name: deliver
on: { webhook: jobs }
steps:
  - id: send
    uses: http
    with:
      url: "{{secrets.RECEIVER}}/hook"
      body: { n: "{{event.body.n}}" }
    retry: { attempts: 3, initial: 100ms, max: 100ms }
`;

const DESTINATIONS = `defaults:
  breaker: { failures: 2, cool_down: 2s }
  rate_limit: 50/s
`;

describe('destinations in the console, in Chromium', () => {
  if (!BROWSER.executable) {
    it('has a Chromium or Chrome to drive', { skip: BROWSER.skip }, () => assert.fail(BROWSER.fail));
    return;
  }
  let hookflow: TestApp;
  let browser: Browser;
  let page: Page;
  const pageErrors: string[] = [];
  const receiver = new Receiver();
  /** The `n` of every request the receiver answered 200. */
  const delivered: number[] = [];
  /** Answers 503 to this many requests before answering 200 again. */
  let failNext = 0;

  const url = (path: string) => `${hookflow.baseUrl}${path}`;
  const card = () => page.locator(`[data-destination="${receiver.url}"]`);
  const detailPath = () => `/destinations/${encodeURIComponent(receiver.url)}`;

  async function screenshot(name: string): Promise<void> {
    await page.evaluate('window.scrollTo(0, 0)');
    await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
  }

  async function send(n: number): Promise<string> {
    const answer = await post(url('/hooks/jobs'), JSON.stringify({ type: 'job', n }));
    assert.equal(answer.status, 202, JSON.stringify(answer.body));
    return eventually(
      async () => (await hookflow.query<{ id: string }>(`SELECT id FROM runs WHERE event_id = $1`, [answer.body.event_id]))[0]?.id,
      10_000,
      'its run',
    );
  }

  async function succeeded(runId: string): Promise<void> {
    await eventually(async () => (await hookflow.api('GET', `/api/runs/${runId}`)).body.status === 'succeeded', 15_000, `run ${runId} to succeed`);
  }

  before(async () => {
    await mkdir(ARTIFACTS, { recursive: true });
    receiver.route('/hook', (request, response) => {
      if (failNext > 0) {
        failNext--;
        json(response, 503, { error: 'warming up' });
        return;
      }
      delivered.push(Number(JSON.parse(request.body).n));
      json(response, 200, { ok: true });
    });
    await receiver.start();
    hookflow = await startTestApp({
      files: { 'sources.yaml': SOURCES, 'deliver.yaml': DELIVER, 'destinations.yaml': DESTINATIONS },
      env: { HOOKFLOW_OUTBOUND_ALLOW: '127.0.0.1', RECEIVER: receiver.url },
    });
    browser = await launchChromium(BROWSER.executable);
    page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    // The refused close of the stale-page check is a 409 on purpose.
    collectPageErrors(page, pageErrors, /status of 409/);
    await signIn(page, hookflow);
  });

  after(async () => {
    await browser?.close();
    await hookflow?.close();
    await receiver.stop();
  });

  it('says there are no destinations yet, and how they work, before any step has sent', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Destinations' }).click();
    await page.waitForURL(/\/destinations$/);
    await page.getByText('No destinations yet').waitFor();
    assert.equal(await page.title(), 'Destinations · Hookflow');
    const help = page.locator('details.destination-help');
    assert.equal(await help.getAttribute('open'), '', 'the help is open on an empty page');
    const text = await help.innerText();
    // The help writes the defaults out in words: it must follow them when they change.
    assert.ok(text.includes(`${DEFAULT_BREAKER.consecutiveFailures} failed attempts in a row`), text);
    assert.ok(text.includes(`${DEFAULT_BREAKER.failureRate * 100}% of the attempts of the last ${DEFAULT_BREAKER.windowMs / 60_000} minutes`), text);
    assert.ok(text.includes(`at least ${DEFAULT_BREAKER.minimumAttempts}.`), text);
    assert.ok(text.includes(`${DEFAULT_BREAKER.coolDownMs / 1000} s cool-down`), text);
    assert.ok(text.includes(`Open for ${DEFAULT_BREAKER.disableAfterMs / 86_400_000} days`), text);
    assert.match(text, /429/);
    assert.match(text, /workflows\/destinations\.yaml/);
    await screenshot('destinations-empty');
  });

  it('lists a destination with its state, its success rate and its hours, and the policy of destinations.yaml', async () => {
    for (let n = 1; n <= 3; n++) await succeeded(await send(n));
    // One 503, then its retry succeeds: 4 of 5 attempts succeeded, one failure in a row (the breaker needs 2).
    failNext = 1;
    await succeeded(await send(4));

    await card().waitFor();
    await card().locator('[data-stat="success-rate"]').filter({ hasText: '80%' }).waitFor();
    assert.equal(await card().locator('.badge').getAttribute('data-state'), 'closed');
    assert.equal(await card().locator('[data-stat="attempts"]').innerText(), '5');
    assert.equal(await card().locator('[data-stat="waiting"]').innerText(), '0');
    assert.match(await card().locator('[data-stat="latency"]').innerText(), /\d+ ms/);
    const chart = card().locator('.hour-chart svg');
    assert.equal(await chart.getAttribute('aria-label'), `Attempts to ${receiver.url} per hour: 4 succeeded and 1 failed in the last 24 hours`);
    assert.equal(await card().locator('.hour-chart__failure').count(), 1, 'the failed attempt is drawn in this hour');
    const policy = await card().locator('[data-policy]').innerText();
    assert.match(policy, /after 2 failures in a row/);
    assert.match(policy, /probes after 2 s/);
    assert.match(policy, /Rate limit: 50\/s/);
    assert.match(await card().innerText(), /Last error, (just now|\d+ seconds? ago):.*503/);
    assert.equal(await page.getByText('No destinations yet').count(), 0);
    await screenshot('destinations-list');
  });

  it('opens the circuit by hand from its page after a confirmation: a step then waits, listed with its run, until the circuit is closed', async () => {
    await card().getByRole('link', { name: receiver.url }).click();
    await page.waitForURL((address) => address.pathname === detailPath());
    await page.getByRole('heading', { name: 'Waiting steps' }).waitFor();
    // Reloading the page keeps it: the server answers the console on an encoded origin too.
    await page.reload();
    await page.locator('[data-waiting="none"]').waitFor();
    assert.equal(await page.title(), `${receiver.url} · Hookflow`);

    await page.getByRole('button', { name: 'Open circuit…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Open this circuit?' });
    await dialog.waitFor();
    await dialog.getByRole('button', { name: 'Open circuit' }).click();
    await page.locator('.page-header .badge[data-state="open"]').waitFor();
    await page.locator('.page-header').getByText('opened by hand').waitFor();
    assert.equal(await page.getByRole('button', { name: 'Open circuit…' }).count(), 0, 'held open already');
    assert.equal((await hookflow.api('GET', `/api/destinations/${encodeURIComponent(receiver.url)}`)).body.held_manually, true);

    const sentBefore = delivered.length;
    const runId = await send(5);
    const row = page.locator(`tr[data-run-id="${runId}"]`);
    await row.waitFor();
    assert.match(await row.innerText(), /deliver\s+send/);
    assert.equal(await row.getByRole('link', { name: runId.replace(/-/g, '').slice(-8) }).getAttribute('href'), `/runs/${runId}?step=send`);
    assert.equal(await page.locator('[data-stat="waiting"]').innerText(), '1');
    assert.equal(delivered.length, sentBefore, 'nothing is sent while the circuit is open');
    await screenshot('destination-waiting');

    await page.getByRole('button', { name: 'Close circuit' }).click();
    await page.locator('.page-header .badge[data-state="closed"]').waitFor();
    await succeeded(runId);
    assert.ok(delivered.includes(5), 'the waiting step went out once the circuit closed');
    await page.locator('[data-waiting="none"]').waitFor();
  });

  it('shows a refused action inline, then the state as it is now', async () => {
    await page.getByRole('button', { name: 'Open circuit…' }).click();
    await page.getByRole('dialog', { name: 'Open this circuit?' }).getByRole('button', { name: 'Open circuit' }).click();
    await page.locator('.page-header .badge[data-state="open"]').waitFor();
    // Closed elsewhere just after this page looked: its Close button is stale, and the server refuses it.
    await page.waitForResponse((response) => response.url().endsWith(`/api/destinations/${encodeURIComponent(receiver.url)}`));
    assert.equal((await hookflow.api('POST', `/api/destinations/${encodeURIComponent(receiver.url)}/close`)).status, 200);
    await page.getByRole('button', { name: 'Close circuit' }).click();
    const alert = page.locator('[data-action-error="close"]');
    await alert.waitFor();
    assert.match(await alert.innerText(), /Could not close the circuit:.*not open/);
    await page.locator('.page-header .badge[data-state="closed"]').waitFor();
  });

  it('shows a circuit opened by failures with its next probe and the step waiting, until it is closed from its page', async () => {
    // A long cool-down, so that the open state stays on screen until the test closes it.
    await hookflow.writeWorkflowFile('destinations.yaml', DESTINATIONS.replace('cool_down: 2s', 'cool_down: 1m'));
    try {
      await page.goto(url('/destinations'));
      await card().locator('[data-policy]').filter({ hasText: 'probes after 1 min' }).waitFor();
      failNext = 2;
      const runId = await send(6);
      await card().locator('.badge[data-state="open"]').waitFor();
      await card().locator('[data-stat="waiting"]').filter({ hasText: '1' }).waitFor();
      assert.match(await card().locator('.destination__next').innerText(), /Next probe in (\d+ seconds|1 minute)/);
      assert.equal(await card().getByText('opened by hand').count(), 0, 'opened by its failures');
      assert.equal(await page.locator('[data-destination]').first().getAttribute('data-destination'), receiver.url, 'unwell destinations first');

      await card().getByRole('link', { name: receiver.url }).click();
      await page.locator(`tr[data-run-id="${runId}"]`).waitFor();
      await page
        .getByText(/Next probe/)
        .first()
        .waitFor();
      await page.getByRole('button', { name: 'Close circuit' }).click();
      await page.locator('.page-header .badge[data-state="closed"]').waitFor();
      await succeeded(runId);
      assert.ok(delivered.includes(6));
    } finally {
      await hookflow.writeWorkflowFile('destinations.yaml', DESTINATIONS);
    }
  });

  it('enables a disabled destination from its page', async () => {
    // `disable_after` is at least a minute: the row is put in the state that 3 days open leave it in.
    await hookflow.query(
      `UPDATE destinations SET state = 'disabled', disabled_at = now(), opened_at = now() - interval '3 days', held_manually = false WHERE id = $1`,
      [receiver.url],
    );
    await page.goto(url(detailPath()));
    await page.locator('.page-header .badge[data-state="disabled"]').waitFor();
    assert.match(await page.locator('.callout').filter({ hasText: 'Disabled' }).innerText(), /its steps fail until it is enabled/);
    assert.equal(await page.getByRole('button', { name: 'Open circuit…' }).count(), 0);
    assert.equal(await page.getByRole('button', { name: 'Close circuit' }).count(), 0);
    await page.getByRole('button', { name: 'Enable' }).click();
    await page.locator('.page-header .badge[data-state="closed"]').waitFor();
    assert.equal((await hookflow.api('GET', `/api/destinations/${encodeURIComponent(receiver.url)}`)).body.state, 'closed');
    await succeeded(await send(7));
  });

  it('fits a narrow screen', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    try {
      await page.goto(url('/destinations'));
      await card().locator('.hour-chart svg').waitFor();
      const overflow = () => page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth');
      assert.equal(await overflow(), 0, 'nothing wider than the screen');
      await screenshot('destinations-narrow');
      await page.goto(url(detailPath()));
      await page.getByRole('heading', { name: 'Waiting steps' }).waitFor();
      assert.equal(await overflow(), 0, 'nothing wider than the screen');
      await screenshot('destination-narrow');
    } finally {
      await page.setViewportSize({ width: 1440, height: 900 });
    }
  });

  it('logged no errors in the page', () => {
    assert.deepEqual(pageErrors, []);
  });
});
