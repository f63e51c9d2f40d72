import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { Browser, Page } from 'playwright-core';
import { BrowserFinder } from './support/browser-finder';
import { collectPageErrors, launchChromium, signIn } from './support/console-browser';
import { post } from './support/http';
import { eventually } from './support/receiver';
import { startTestApp, TestApp } from './support/test-app';

const BROWSER = new BrowserFinder().decide();
/** Screenshots for people to look at (not committed). */
const ARTIFACTS = resolve(__dirname, '..', '..', 'test', 'artifacts');

const SOURCES = 'sources:\n  tasks:\n    verify: { scheme: none }\n';

/** First version: two steps side by side, then one that waits for both. */
const FIRST = `name: orders
description: Label and notify, then close.
on: { webhook: tasks, event: order }
steps:
  # Both start at once.
  - id: label
    uses: set
    needs: []
    with: { label: one }
  - id: notify
    uses: set
    needs: []
    with: { sent: true }
  - id: done
    uses: set
    needs: [label, notify]
    with: { done: true }
`;

/** Second version: a step in a line, another one renamed, a longer file. */
const SECOND = `name: orders
description: Label, check, notify, in that order.
on: { webhook: tasks, event: order }
steps:
  - id: label
    uses: set
    with: { label: two }
  - id: check
    uses: set
    with: { checked: true }
  - id: notify
    uses: set
    with: { sent: true, channel: ops }
  - id: close
    uses: set
    with: { done: true }
`;

function revisionOf(text: string): string {
  return createHash('sha256').update(Buffer.from(text)).digest('hex').slice(0, 16);
}

const short = (revision: string) => `${revision.slice(0, 8)}…`;

describe('workflow versions in the console, in Chromium', () => {
  if (!BROWSER.executable) {
    it('has a Chromium or Chrome to drive', { skip: BROWSER.skip }, () => assert.fail(BROWSER.fail));
    return;
  }
  let hookflow: TestApp;
  let browser: Browser;
  let page: Page;
  const pageErrors: string[] = [];
  const first = revisionOf(FIRST);
  const second = revisionOf(SECOND);
  let firstRun: string;

  const url = (path: string) => `${hookflow.baseUrl}${path}`;
  async function screenshot(name: string): Promise<void> {
    await page.evaluate('window.scrollTo(0, 0)');
    await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
  }

  async function finishedRun(): Promise<string> {
    const answer = await post(url('/hooks/tasks'), JSON.stringify({ type: 'order' }));
    assert.equal(answer.status, 202, JSON.stringify(answer.body));
    const [{ id }] = await hookflow.query<{ id: string }>(`SELECT id FROM runs WHERE event_id = $1`, [answer.body.event_id]);
    await eventually(async () => (await hookflow.api('GET', `/api/runs/${id}`)).body.status === 'succeeded', 15_000, `run ${id} to succeed`);
    return id;
  }

  before(async () => {
    await mkdir(ARTIFACTS, { recursive: true });
    hookflow = await startTestApp({ files: { 'sources.yaml': SOURCES, 'orders.yaml': FIRST } });
    firstRun = await finishedRun();
    await hookflow.writeWorkflowFile('orders.yaml', SECOND);
    await finishedRun();
    await finishedRun();

    browser = await launchChromium(BROWSER.executable);
    page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    // The fallback test below asks for a version that is gone: that 404 is expected.
    collectPageErrors(page, pageErrors, /status of 404/);
    await signIn(page, hookflow);
  });

  after(async () => {
    await browser?.close();
    await hookflow?.close();
  });

  it('draws a run made on an older version with that version’s graph, and links to it and to what changed since', async () => {
    await page.goto(url(`/runs/${firstRun}`));
    await page.locator('.react-flow__node[data-id="done"] .gnode--succeeded').waitFor();
    const ids = await page.locator('.react-flow__node').evaluateAll((nodes) => nodes.map((node) => node.getAttribute('data-id')).sort());
    assert.deepEqual(ids, ['done', 'label', 'notify', 'trigger'], 'the steps of the first version, not those in force');
    await page.locator('.react-flow__edge').nth(3).waitFor();
    assert.equal(await page.locator('.react-flow__edge').count(), 4, 'trigger→label, trigger→notify, label→done, notify→done: the first version’s needs');
    assert.equal(await page.locator('[data-callout="steps-in-order"]').count(), 0);

    const version = page.getByRole('link', { name: `Version ${short(first)}` });
    assert.equal(await version.getAttribute('href'), `/workflows/orders/versions/${first}`);
    const changed = page.locator('[data-callout="earlier-version"]').getByRole('link', { name: 'see what changed since' });
    assert.equal(await changed.getAttribute('href'), `/workflows/orders/versions/${first}...${second}`);
    await screenshot('run-older-version');

    await version.click();
    await page.waitForURL(new RegExp(`/workflows/orders/versions/${first}$`));
    await page.locator('.react-flow__node[data-id="done"]').waitFor();
    assert.equal(await page.locator('.react-flow__node').count(), 4);
    assert.match(await page.locator('h1').innerText(), new RegExp(`Version\\s*${first.slice(0, 8)}…\\s*earlier version`));
    assert.equal(await page.locator('.yaml tr[data-line]').count(), FIRST.trimEnd().split('\n').length, 'the file of that version, every line');
    assert.match(await page.locator('.yaml').innerText(), /# Both start at once\./);
    assert.match(await page.locator('.facts').innerText(), /Runs\s+1/i);
    await screenshot('workflow-version');
  });

  it('lists the versions on the workflow page, newest first, with runs and the one in force', async () => {
    await page.goto(url('/workflows/orders'));
    const table = page.getByRole('table', { name: 'Versions of orders' });
    await table.waitFor();
    const rows = table.locator('tbody tr');
    assert.deepEqual(await rows.evaluateAll((all) => all.map((row) => [row.getAttribute('data-revision'), row.getAttribute('data-in-force')])), [
      [second, 'true'],
      [first, null],
    ]);
    const newest = table.locator(`tr[data-revision="${second}"]`);
    assert.match(await newest.innerText(), new RegExp(`${second.slice(0, 8)}…\\s*in force\\s+(just now|\\d+ seconds? ago)\\s+2\\s+Changes`));
    assert.match(await table.locator(`tr[data-revision="${first}"]`).innerText(), /\s1\s/);
    assert.match((await newest.locator('td').nth(1).getAttribute('title')) ?? '', /^\w{3} \d+, \d{4}/, 'the full date on hover');
    await page.getByRole('heading', { name: 'Versions' }).scrollIntoViewIfNeeded();
    await screenshot('workflow-versions');

    await newest.getByRole('link', { name: `Version ${short(second)}` }).click();
    await page.waitForURL(new RegExp(`/workflows/orders/versions/${second}$`));
    await page.locator('.react-flow__node[data-id="close"]').waitFor();
    assert.match(await page.locator('h1').innerText(), /in force/);
  });

  it('shows the line diff of two versions side by side, and lets either side be another version', async () => {
    await page.goto(url('/workflows/orders'));
    await page.getByRole('link', { name: `Changes from ${short(first)} to ${short(second)}` }).click();
    await page.waitForURL(new RegExp(`/workflows/orders/versions/${first}\\.\\.\\.${second}$`));
    const diff = page.getByRole('group', { name: `Changes from Version ${short(first)} to Version ${short(second)} (in force)` });
    await diff.locator('.cm-mergeView').waitFor();

    const before = diff.getByRole('textbox', { name: `Version ${short(first)}` });
    const afterSide = diff.getByRole('textbox', { name: `Version ${short(second)} (in force)` });
    assert.match(await before.innerText(), /Both start at once/);
    assert.match(await afterSide.innerText(), /channel: ops/);
    assert.equal(await before.getAttribute('aria-readonly'), 'true');
    assert.ok((await diff.locator('.cm-merge-a .cm-changedLine').count()) > 0, 'changed lines are marked on the left');
    assert.ok((await diff.locator('.cm-merge-b .cm-changedLine').count()) > 0, '… and on the right');
    assert.match(await diff.getByRole('status').innerText(), /^−\d+ \+\d+ lines$/);
    await screenshot('version-diff');

    // The same version on both sides: nothing changed.
    await page.getByLabel('From', { exact: true }).selectOption(second);
    await page.waitForURL(new RegExp(`/versions/${second}\\.\\.\\.${second}$`));
    await page.getByRole('status').filter({ hasText: 'The two files are identical.' }).waitFor();
    await page.getByLabel('From', { exact: true }).selectOption(first);
    await page.getByRole('link', { name: 'Swap sides' }).click();
    await page.waitForURL(new RegExp(`/versions/${second}\\.\\.\\.${first}$`));
    await page.locator('.cm-mergeView').waitFor();
  });

  it('answers a revision the workflow never had with "no such version"', async () => {
    await page.goto(url(`/workflows/orders/versions/${revisionOf('never written')}`));
    await page.getByText('No such version').waitFor();
    assert.equal(await page.getByRole('link', { name: 'Back to the versions' }).getAttribute('href'), '/workflows/orders');
  });

  it('falls back to the run’s own steps in order when the version it ran on is not stored', async () => {
    await hookflow.query(`DELETE FROM workflow_versions WHERE workflow = 'orders' AND version = $1`, [first]);
    await page.goto(url(`/runs/${firstRun}`));
    await page.locator('[data-callout="steps-in-order"]').waitFor();
    await page.locator('.react-flow__node[data-id="done"] .gnode--succeeded').waitFor();
    // A straight edge has no width, so it is never "visible" to the locator: attached is enough.
    await page.locator('.react-flow__edge').nth(2).waitFor({ state: 'attached' });
    assert.equal(await page.locator('.react-flow__edge').count(), 3, 'trigger→label→notify→done');
    assert.equal(await page.getByRole('link', { name: `Version ${short(first)}` }).count(), 0, 'no link to a version that is not stored');
  });

  it('logged no error in the browser', () => {
    assert.deepEqual(pageErrors, []);
  });
});
