import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { BrowserFinder } from './support/browser-finder';
import { collectPageErrors, launchChromium, signIn } from './support/console-browser';
import { hmacHex, post } from './support/http';
import { eventually, json, Receiver } from './support/receiver';
import { startTestApp, TestApp } from './support/test-app';

const BROWSER = new BrowserFinder().decide();
/** Screenshots for people to look at (not committed). */
const ARTIFACTS = resolve(__dirname, '..', '..', 'test', 'artifacts');
const STARTERS = resolve(__dirname, '..', '..', 'src', 'console', 'web', 'src', 'starters');
const SHOP_SECRET = 'shop-secret-for-the-visual-editor';

const SOURCES = `
sources:
  shop:
    verify:
      scheme: hmac-sha256
      secret: "{{secrets.SHOP_SECRET}}"
      header: x-shop-signature
    event_type: "{{event.body.type}}"
`;

describe('visual workflow editor in Chromium', () => {
  if (!BROWSER.executable) {
    it('has a Chromium or Chrome to drive', { skip: BROWSER.skip }, () => assert.fail(BROWSER.fail));
    return;
  }
  let hookflow: TestApp;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const receiver = new Receiver();
  const slackTexts: string[] = [];
  const pageErrors: string[] = [];

  before(async () => {
    await mkdir(ARTIFACTS, { recursive: true });
    receiver
      .route('/labels', (_, response) => json(response, 201, { tracking_number: 'TRK-77' }))
      .route('/slack', (request, response) => {
        slackTexts.push(JSON.parse(request.body).text);
        response.writeHead(200, { 'content-type': 'text/plain' });
        response.end('ok');
      });
    await receiver.start();
    hookflow = await startTestApp({
      files: { 'sources.yaml': SOURCES },
      env: { SHOP_SECRET, SHIPPING_URL: receiver.url, RECEIVER: receiver.url, HOOKFLOW_OUTBOUND_ALLOW: '127.0.0.1' },
    });
    browser = await launchChromium(BROWSER.executable);
    context = await browser.newContext({ viewport: { width: 1440, height: 1000 } });
    page = await context.newPage();
    watch(page);
    await signIn(page, hookflow);
  });

  after(async () => {
    await browser?.close();
    await hookflow?.close();
    await receiver.stop();
    assert.deepEqual(pageErrors, [], 'the console logged no errors');
  });

  function watch(tab: Page): void {
    // The conflict and the refused invalid save are provoked on purpose.
    collectPageErrors(tab, pageErrors, /status of (409|422)/);
  }

  const file = () => readFile(join(hookflow.workflowsDir, 'ship-and-tell.yaml'), 'utf8');
  const node = (tab: Page, id: string) => tab.locator(`.react-flow__node[data-id="${id}"]`);
  const toast = (tab: Page, text: string | RegExp) => tab.locator('.toast').filter({ hasText: text });

  async function screenshot(tab: Page, name: string): Promise<void> {
    await tab.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
  }

  /** The editor's text (every line of a file this short is drawn), without the problem notes between lines. */
  async function editorText(tab: Page): Promise<string> {
    return (await tab.locator('.cm-line').allInnerTexts()).map((text) => text.replace(/\n$/, '')).join('\n');
  }

  async function textContains(tab: Page, part: string): Promise<void> {
    await eventually(async () => (await editorText(tab)).includes(part) || undefined, 5000, `the YAML to contain ${part}`);
  }

  async function openEditor(tab: Page): Promise<void> {
    await tab.goto(`${hookflow.baseUrl}/workflows/ship-and-tell/edit`);
    await tab.getByRole('textbox', { name: 'YAML' }).waitFor();
    await node(tab, 'slack').waitFor();
  }

  /** Drags a need from one step's lower handle to another step's upper handle, as a person does with the mouse. */
  async function dragNeed(tab: Page, from: string, to: string): Promise<void> {
    const source = (await node(tab, from).locator('.react-flow__handle.source').boundingBox())!;
    const target = (await node(tab, to).locator('.react-flow__handle.target').boundingBox())!;
    await tab.mouse.move(source.x + source.width / 2, source.y + source.height / 2);
    await tab.mouse.down();
    await tab.mouse.move(target.x + target.width / 2, target.y + target.height / 2 + 20, { steps: 12 });
    await tab.mouse.move(target.x + target.width / 2, target.y + target.height / 2, { steps: 4 });
    await tab.mouse.up();
  }

  interface SvgPath {
    getTotalLength(): number;
    getPointAtLength(length: number): { x: number; y: number };
    getScreenCTM(): { a: number; b: number; c: number; d: number; e: number; f: number } | null;
  }

  /** Clicks the middle of an edge's drawn route (its box may be mostly empty space around a bend). */
  async function clickEdge(tab: Page, edge: Locator): Promise<void> {
    const point = await edge
      .locator('path')
      .first()
      .evaluate((element) => {
        const path = element as unknown as SvgPath;
        const middle = path.getPointAtLength(path.getTotalLength() / 2);
        const matrix = path.getScreenCTM()!;
        return { x: middle.x * matrix.a + middle.y * matrix.c + matrix.e, y: middle.x * matrix.b + middle.y * matrix.d + matrix.f };
      });
    await tab.mouse.click(point.x, point.y);
  }

  async function sendOrder(id: string): Promise<string> {
    const raw = JSON.stringify({ type: 'order.paid', order: { id, shipping_address: '1 Quay St' } });
    const answer = await post(`${hookflow.baseUrl}/hooks/shop`, raw, { 'x-shop-signature': hmacHex(SHOP_SECRET, raw) });
    assert.equal(answer.status, 202, JSON.stringify(answer.body));
    return answer.body.event_id;
  }

  async function runOf(eventId: string): Promise<{ id: string; status: string }> {
    return eventually(
      async () => {
        const rows = await hookflow.query<{ id: string; status: string }>(`SELECT id, status FROM runs WHERE event_id = $1 AND workflow = 'ship-and-tell'`, [
          eventId,
        ]);
        return rows[0]?.status === 'succeeded' || rows[0]?.status === 'failed' ? rows[0] : undefined;
      },
      15_000,
      `the ship-and-tell run of event ${eventId} to finish`,
    );
  }

  it('creates a workflow from a template, adds a step from the palette, connects it by dragging, fills its form and saves; the file keeps every untouched line', async () => {
    await page.getByRole('link', { name: 'New workflow' }).click();
    await page.waitForURL(/\/workflows\/new$/);
    await page.getByLabel('Name').fill('ship-and-tell');
    await page.getByRole('radio', { name: /^Shipping label \+ e-mail/ }).check();
    await screenshot(page, 'editor-new');
    await page.getByRole('button', { name: 'Start editing' }).click();
    await page.getByRole('textbox', { name: 'YAML' }).waitFor();
    await node(page, 'email').waitFor();

    await page.getByRole('button', { name: 'Add step' }).click();
    await page.getByRole('button', { name: 'Slack message' }).click();
    await node(page, 'slack').waitFor();
    await textContains(page, '  - id: slack\n    uses: slack');

    // The new step is selected: its form is generated from the kind's schema, each field labelled by its key.
    const form = page.getByRole('form', { name: 'Step slack' });
    await form.getByLabel('webhook_url', { exact: true }).fill('{{secrets.RECEIVER}}/slack');
    await form.getByLabel('text', { exact: true }).fill('Shipped {{event.body.order.id}} with {{steps.label.output.body.tracking_number}}');
    await form.getByLabel('channel', { exact: true }).focus();
    await textContains(page, 'text: "Shipped {{event.body.order.id}} with {{steps.label.output.body.tracking_number}}"');

    await dragNeed(page, 'label', 'slack');
    await textContains(page, 'needs: [email, label]');
    await page.locator('[aria-label="Need: slack after label"]').waitFor({ state: 'attached' });
    await page.getByRole('status').filter({ hasText: 'No problems' }).waitFor();
    await screenshot(page, 'editor');

    await page.getByRole('button', { name: 'Save' }).click();
    await toast(page, 'Saved ship-and-tell.yaml').waitFor();
    await page.waitForURL(/\/workflows\/ship-and-tell\/edit$/);

    // Every line of the template is still there, byte for byte, with only the name changed; the new step follows.
    const starter = (await readFile(join(STARTERS, 'shipping-label.yaml'), 'utf8')).replace('name: shipping-label', 'name: ship-and-tell');
    const saved = await file();
    assert.ok(saved.startsWith(starter), `the template's lines, comments and blank line kept:\n${saved}`);
    assert.equal(
      saved.slice(starter.length),
      '\n  - id: slack\n    uses: slack\n    needs: [email, label]\n    with:\n' +
        '      webhook_url: "{{secrets.RECEIVER}}/slack"\n' +
        '      text: "Shipped {{event.body.order.id}} with {{steps.label.output.body.tracking_number}}"\n',
    );

    // An event sent to the source runs the new version.
    const run = await runOf(await sendOrder('A-1'));
    assert.equal(run.status, 'succeeded');
    assert.deepEqual(slackTexts, ['Shipped A-1 with TRK-77']);
  });

  it('shows an invalid edit’s problem under its line and saves nothing', async () => {
    await openEditor(page);
    const before = await file();
    await page.locator('.cm-line').filter({ hasText: 'uses: slack' }).click();
    await page.keyboard.press('End');
    await page.keyboard.type('z');
    await page.keyboard.press('Escape');
    await page.getByRole('note').filter({ hasText: 'unknown step kind `slackz`' }).waitFor();
    await page.getByRole('button', { name: 'Save' }).click();
    await toast(page, /Not saved: 1 problem/).waitFor();
    assert.equal(await file(), before, 'nothing written');
    await screenshot(page, 'editor-problem');

    await page.getByRole('button', { name: 'Discard' }).click();
    await textContains(page, '    uses: slack\n');
    await page.getByRole('status').filter({ hasText: 'No problems' }).waitFor();
  });

  it('renames a step with every reference to it, and removes a need by selecting its edge', async () => {
    await openEditor(page);
    await node(page, 'label').click();
    const id = page.getByRole('form', { name: 'Step label' }).getByLabel('id', { exact: true });
    await id.fill('shipping');
    await id.press('Enter');
    await textContains(page, '  - id: shipping\n');
    const text = await editorText(page);
    assert.ok(text.includes('needs: [email, shipping]'), text);
    assert.ok(text.includes('{{steps.shipping.output.body.tracking_number}}'), text);
    assert.ok(!text.includes('steps.label.'), text);

    // A visual edit is one step of the code editor's history: Ctrl-Z takes the whole rename back, Ctrl-Shift-Z redoes it.
    await page.locator('.cm-line').filter({ hasText: 'description:' }).click();
    await page.keyboard.press('Control+z');
    await textContains(page, '  - id: label\n');
    assert.ok((await editorText(page)).includes('needs: [email, label]'));
    await page.keyboard.press('Control+Shift+z');
    await textContains(page, '  - id: shipping\n');
    await node(page, 'shipping').waitFor();

    const edge = page.locator('[aria-label="Need: slack after shipping"]');
    await edge.waitFor({ state: 'attached' });
    await clickEdge(page, edge);
    await page.getByRole('toolbar', { name: 'Selected need' }).getByRole('button', { name: 'Remove need' }).click();
    await textContains(page, 'needs: [email]');
    await edge.waitFor({ state: 'detached' });
    await screenshot(page, 'editor-renamed');

    await page.getByRole('button', { name: 'Save' }).click();
    await toast(page, 'Saved ship-and-tell.yaml').waitFor();
    const saved = await file();
    assert.match(saved, /- id: shipping\n/);
    assert.match(saved, /needs: \[email\]\n/);
  });

  it('compares the edit with what a stored event’s run sent, step by step', async () => {
    await sendOrder('B-2');
    await openEditor(page);
    const eventId = await sendOrder('C-3');
    await runOf(eventId);
    await page.getByRole('button', { name: 'Test' }).click();
    const panel = page.getByRole('region', { name: 'Test the edit' });
    await panel.getByRole('combobox', { name: 'Event' }).locator(`option[value="${eventId}"]`).waitFor({ state: 'attached' });
    await panel.getByRole('combobox', { name: 'Event' }).selectOption(eventId);
    await panel.getByRole('button', { name: 'Compare with its run' }).click();
    await panel.locator('[data-step="slack"][data-comparison="same"]').waitFor();
    assert.equal(await panel.locator('[data-comparison="same"]').count(), 3, 'unchanged YAML: every step the same');

    await node(page, 'slack').click();
    const text = page.getByRole('form', { name: 'Step slack' }).getByLabel('text', { exact: true });
    await text.fill('Shipped {{event.body.order.id}}!');
    await text.press('Tab');
    await textContains(page, 'text: "Shipped {{event.body.order.id}}!"');
    await panel.getByRole('button', { name: 'Compare with its run' }).click();
    await panel.locator('[data-step="slack"][data-comparison="changed"]').waitFor();
    const changes = panel.getByRole('table', { name: 'Changes of slack' });
    assert.deepEqual(await changes.locator('tbody tr').evaluateAll((rows) => rows.map((row) => row.getAttribute('data-path'))), ['body.text']);
    assert.match(await changes.innerText(), /Shipped C-3 with TRK-77[\s\S]*Shipped C-3!/);
    assert.equal(await panel.locator('[data-comparison="same"]').count(), 2, 'the other steps still the same');
    await panel.scrollIntoViewIfNeeded();
    await screenshot(page, 'editor-compare');
    await panel.screenshot({ path: join(ARTIFACTS, 'editor-compare-panel.png') });
    await page.getByRole('button', { name: 'Discard' }).click();
  });

  it('opens a file that has never been valid from the workflows list, and loads it once fixed', async () => {
    const broken = 'name: late-bloomer\non: { webhook: shop, event: order.paid }\nsteps:\n  - id: only\n    uses: sett\n    with: { seen: true }\n';
    await hookflow.writeWorkflowFile('late-bloomer.yaml', broken);
    await eventually(
      async () =>
        (await hookflow.api('GET', '/api/workflows')).body.invalid_files.some((invalid: { file: string }) => invalid.file === 'late-bloomer.yaml') || undefined,
      10_000,
      'the file to be listed as never valid',
    );
    await page.goto(`${hookflow.baseUrl}/workflows`);
    await page.getByRole('link', { name: 'Edit late-bloomer.yaml' }).click();
    await page.waitForURL(/\/workflows\/late-bloomer\/edit$/);
    await page.getByRole('note').filter({ hasText: 'unknown step kind `sett`' }).waitFor();
    assert.equal(await editorText(page), broken, 'the file as it is on disk, not a version in force');

    await page.locator('.cm-line').filter({ hasText: 'uses: sett' }).click();
    await page.keyboard.press('End');
    await page.keyboard.press('Backspace');
    await page.keyboard.press('Escape');
    await page.getByRole('status').filter({ hasText: 'No problems' }).waitFor();
    await page.getByRole('button', { name: 'Save' }).click();
    await toast(page, 'Saved late-bloomer.yaml: this version is in force.').waitFor();
    assert.equal((await hookflow.api('GET', '/api/workflows/late-bloomer')).status, 200);
  });

  it('shows a second tab saving a stale revision the conflict, and lets it keep its text', async () => {
    await openEditor(page);
    const other = await context.newPage();
    watch(other);
    await openEditor(other);

    await node(page, 'slack').click();
    const first = page.getByRole('form', { name: 'Step slack' }).getByLabel('text', { exact: true });
    await first.fill('From the first tab');
    await first.press('Tab');
    await textContains(page, 'From the first tab');
    await page.getByRole('button', { name: 'Save' }).click();
    await toast(page, 'Saved ship-and-tell.yaml').waitFor();
    const theirs = await file();

    await node(other, 'email').click();
    const subject = other.getByRole('form', { name: 'Step email' }).getByLabel('subject', { exact: true });
    await subject.fill('Shipped from the second tab');
    await subject.press('Tab');
    await textContains(other, 'Shipped from the second tab');
    await other.getByRole('button', { name: 'Save' }).click();
    const conflict = other.getByRole('alert').filter({ hasText: 'The file changed since you opened it' });
    await conflict.waitFor();
    assert.equal(await file(), theirs, 'the stale save wrote nothing');
    await conflict.getByRole('textbox', { name: /Saved meanwhile/ }).waitFor();
    assert.match(await conflict.getByRole('textbox', { name: /Saved meanwhile/ }).innerText(), /From the first tab/);
    assert.match(await conflict.getByRole('textbox', { name: 'Yours' }).innerText(), /Shipped from the second tab/);
    await screenshot(other, 'editor-conflict');

    await conflict.getByRole('button', { name: 'Keep mine' }).click();
    await other.getByRole('button', { name: 'Save' }).click();
    await toast(other, 'Saved ship-and-tell.yaml').waitFor();
    const saved = await file();
    assert.match(saved, /subject: "Shipped from the second tab"/);
    assert.doesNotMatch(saved, /From the first tab/, 'kept mine: the second tab’s text as a whole');
    await other.close();
  });
});
