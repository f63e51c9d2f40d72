import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { Browser, Page } from 'playwright-core';
import { BrowserFinder } from './support/browser-finder';
import { collectPageErrors, launchChromium, signIn } from './support/console-browser';
import { hmacHex, post } from './support/http';
import { startTestApp, TestApp } from './support/test-app';

const BROWSER = new BrowserFinder().decide();
/** Screenshots for people to look at (not committed). */
const ARTIFACTS = resolve(__dirname, '..', '..', 'test', 'artifacts');
const SHOP_SECRET = 'shop-secret-for-the-editor-tests';

const SOURCES = `
sources:
  shop:
    verify:
      scheme: hmac-sha256
      secret: "{{secrets.SHOP_SECRET}}"
      header: x-shop-signature
`;

const ORDER_PAID = `# Ships paid orders.
name: order-paid
description: Ship the order and tell the team.
on:
  webhook: shop
  event: order.paid
steps:
  - id: label
    uses: http
    with:
      url: "{{secrets.SHIPPING_URL}}/labels"
      body: { order_id: "{{event.body.order.id}}" }

  - id: notify
    uses: slack
    needs: [label]
    with:
      webhook_url: "{{secrets.SLACK_WEBHOOK_URL}}"
      text: "Order {{event.body.order.id}} shipped"
`;

describe('workflow code editor in Chromium', () => {
  if (!BROWSER.executable) {
    it('has a Chromium or Chrome to drive', { skip: BROWSER.skip }, () => assert.fail(BROWSER.fail));
    return;
  }
  let hookflow: TestApp;
  let browser: Browser;
  let page: Page;
  const pageErrors: string[] = [];

  before(async () => {
    await mkdir(ARTIFACTS, { recursive: true });
    hookflow = await startTestApp({ files: { 'sources.yaml': SOURCES, 'order-paid.yaml': ORDER_PAID }, env: { SHOP_SECRET } });
    // The sample event that `{{event.body.…}}` completes from: the newest of the workflow's source.
    const raw = JSON.stringify({ type: 'order.paid', order: { id: 'A-7', total: 12, customer_email: 'ada@example.com', lines: [{ sku: 'TEA' }] } });
    const answer = await post(`${hookflow.baseUrl}/hooks/shop`, raw, { 'x-shop-signature': hmacHex(SHOP_SECRET, raw) });
    assert.equal(answer.status, 202, JSON.stringify(answer.body));

    browser = await launchChromium(BROWSER.executable);
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    collectPageErrors(page, pageErrors);
    await signIn(page, hookflow);
  });

  after(async () => {
    await browser?.close();
    await hookflow?.close();
    assert.deepEqual(pageErrors, [], 'the console logged no errors');
  });

  const editor = () => page.getByRole('textbox', { name: 'YAML' });
  const line = (text: string) => page.locator('.cm-line').filter({ hasText: text });
  const options = () => page.getByRole('listbox').getByRole('option');

  /** Opens the editor on the file as it is on disk (nothing is ever saved here). */
  beforeEach(async () => {
    await page.goto(`${hookflow.baseUrl}/workflows/order-paid/edit`);
    await editor().waitFor();
    await page.getByRole('status').filter({ hasText: 'sample event order.paid' }).waitFor();
  });

  async function screenshot(name: string): Promise<void> {
    await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
  }

  /** Puts the cursor at the end of the line holding `text`. */
  async function endOf(text: string): Promise<void> {
    await line(text).click();
    await page.keyboard.press('End');
  }

  /** The labels of the open completion list, sorted, once they are `expected` (the list updates a moment after a key). */
  async function expectOptions(expected: string[]): Promise<void> {
    let seen: string[] = [];
    for (const deadline = Date.now() + 5000; Date.now() < deadline; await page.waitForTimeout(50)) {
      seen = (await page.locator('.cm-tooltip-autocomplete .cm-completionLabel').allInnerTexts()).map((label) => label.trim()).sort();
      if (JSON.stringify(seen) === JSON.stringify(expected)) return;
    }
    assert.deepEqual(seen, expected, 'the completion list');
  }

  /** Enter on the selected option; CodeMirror ignores it for 75 ms after the list changed, so that a fast typist's Enter stays a newline. */
  async function accept(): Promise<void> {
    await page.waitForTimeout(150);
    await page.keyboard.press('Enter');
  }

  async function optionLabels(): Promise<string[]> {
    await options().first().waitFor();
    return (await page.locator('.cm-tooltip-autocomplete .cm-completionLabel').allInnerTexts()).map((label) => label.trim());
  }

  /** The text of the document (the editor draws every line of a file this short), without the problem notes between lines. */
  async function documentText(): Promise<string> {
    return (await page.locator('.cm-line').allInnerTexts()).map((text) => text.replace(/\n$/, '')).join('\n');
  }

  it('shows the file under the label YAML, highlighted, with line numbers and the step the cursor is in', async () => {
    assert.equal(await page.title(), 'Edit order-paid · Hookflow');
    assert.equal(await editor().getAttribute('contenteditable'), 'true');
    const text = await documentText();
    assert.ok(text.startsWith('# Ships paid orders.\nname: order-paid'), text);
    assert.ok(text.includes('text: "Order {{event.body.order.id}} shipped"'));
    assert.equal(await page.locator('.cm-lineNumbers .cm-gutterElement').filter({ hasText: /^20$/ }).count(), 1);
    assert.equal(await page.locator('.cm-template').first().innerText(), '{{secrets.SHIPPING_URL}}');
    await page.getByRole('status').filter({ hasText: 'No problems' }).waitFor();

    await line('webhook_url:').click();
    // The step the cursor is in is selected in the graph, its form open.
    await page.getByRole('form', { name: 'Step notify' }).waitFor();
    await page.locator('.react-flow__node[data-id="notify"] .gnode--selected').waitFor();
    await screenshot('yaml-editor');
  });

  it('starts a new workflow from a file that validates, at /workflows/new', async () => {
    await page.goto(`${hookflow.baseUrl}/workflows/new`);
    await page.getByRole('heading', { name: 'New workflow', level: 1 }).waitFor();
    await page.getByLabel('Name').fill('my-workflow');
    await page.getByRole('radio', { name: /^Blank/ }).check();
    await page.getByRole('button', { name: 'Start editing' }).click();
    await page.getByRole('heading', { name: 'my-workflow.yaml' }).waitFor();
    await editor().waitFor();
    assert.ok((await documentText()).includes('name: my-workflow\non:\n  webhook: shop\n'));
    await page.getByRole('status').filter({ hasText: 'No problems' }).waitFor();
  });

  it('shows the problem of an invalid value under its line as it is typed, and Ctrl-Z takes the edit back', async () => {
    await endOf('uses: http');
    await page.keyboard.press('Control+Shift+ArrowLeft');
    const typed = Date.now();
    // One input, so one undo step: keystrokes further apart than the editor's grouping delay
    // (a loaded machine) would be undone one by one.
    await page.keyboard.insertText('htp');
    await page.keyboard.press('Escape'); // the completion list, not wanted here
    const problem = page.getByRole('note').filter({ hasText: 'unknown step kind `htp`' });
    await problem.waitFor();
    const shownAfter = Date.now() - typed;
    assert.ok(shownAfter < 3000, `the problem showed ${shownAfter} ms after typing`);

    // Under the line it is about, underlined there, marked in the gutter.
    const lineBox = (await line('uses: htp').boundingBox())!;
    const problemBox = (await problem.boundingBox())!;
    assert.ok(Math.abs(problemBox.y - (lineBox.y + lineBox.height)) <= 2, `problem at ${problemBox.y}, line ends at ${lineBox.y + lineBox.height}`);
    assert.equal(await page.locator('.cm-lintRange-error').innerText(), 'htp');
    assert.equal(await page.locator('.cm-lint-marker-error').count(), 1);
    await page.getByRole('status').filter({ hasText: '1 problem' }).waitFor();
    await screenshot('yaml-editor-problem');

    await page.keyboard.press('Control+z');
    assert.ok((await documentText()).includes('    uses: http\n'));
    await problem.waitFor({ state: 'detached' });
    await page.getByRole('status').filter({ hasText: 'No problems' }).waitFor();
    await page.keyboard.press('Control+Shift+z');
    assert.ok((await documentText()).includes('    uses: htp\n'), 'and Ctrl-Shift-Z does it again');
  });

  it('keeps every line while typing next to the problem shown between two lines', async () => {
    await endOf('uses: http');
    await page.keyboard.type('x');
    await page.keyboard.press('Escape');
    await page.getByRole('note').filter({ hasText: 'unknown step kind `httpx`' }).waitFor();
    await page.keyboard.type('yz');
    await page.keyboard.press('Escape');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Home');
    await page.keyboard.type('x');
    await page.getByRole('note').filter({ hasText: 'xwith' }).waitFor();
    assert.ok((await documentText()).includes('    uses: httpxyz\n    xwith:\n      url:'), await documentText());
  });

  it('offers the catalog step kinds after `uses: `, with their titles', async () => {
    const catalog = (await hookflow.api('GET', '/api/catalog')).body as { step_kinds: { kind: string; title: string }[] };
    await endOf('uses: slack');
    await page.keyboard.press('Control+Shift+ArrowLeft');
    await page.keyboard.press('Backspace');
    await page.keyboard.press('Backspace');
    await page.keyboard.type(' ');
    await expectOptions(catalog.step_kinds.map((kind) => kind.kind).sort());
    const http = catalog.step_kinds.find((kind) => kind.kind === 'http')!;
    assert.equal(await options().filter({ hasText: 'http' }).locator('.cm-completionDetail').innerText(), http.title);

    await page.keyboard.type('ema');
    await expectOptions(['email']);
    await accept();
    assert.ok((await documentText()).includes('    uses: email\n'));
  });

  it('offers the keys of the newest stored event inside {{event.body.}}, nested', async () => {
    await endOf('webhook_url:');
    await page.keyboard.press('Enter');
    await page.keyboard.type('title: "{{event.body.');
    await expectOptions(['order', 'type']);
    await page.keyboard.type('order.');
    await expectOptions(['customer_email', 'id', 'lines', 'total']);
    await screenshot('yaml-editor-completion');
    await page.keyboard.type('cus');
    await expectOptions(['customer_email']);
    await accept();
    assert.ok((await documentText()).includes('      title: "{{event.body.order.customer_email"\n'), await documentText());
  });

  it('offers step ids in needs (not the step itself), with fields from the kind schema, secrets and step outputs in templates', async () => {
    await endOf('needs: [label]');
    await page.keyboard.press('ArrowLeft');
    await page.keyboard.press('Control+Shift+ArrowLeft');
    await page.keyboard.press('Backspace');
    await page.keyboard.press('Control+Space');
    await expectOptions(['label']);
    await page.keyboard.press('Escape');

    await endOf('url: "{{secrets.SHIPPING_URL}}/labels"');
    await page.keyboard.press('Enter');
    await page.keyboard.press('Control+Space');
    const fields = await optionLabels();
    assert.ok(fields.includes('method') && fields.includes('sign') && !fields.includes('url') && !fields.includes('body'), fields.join(' '));
    await page.keyboard.type('meth');
    await expectOptions(['method']);
    await accept();
    assert.ok((await documentText()).includes('      method: POST\n'), 'the default comes with the field');

    await endOf('text: "Order');
    await page.keyboard.press('Enter');
    await page.keyboard.type('footer: "{{default secrets.');
    await expectOptions(['SHIPPING_URL', 'SLACK_WEBHOOK_URL']);
    await page.keyboard.type('SL');
    await expectOptions(['SLACK_WEBHOOK_URL']);
    await accept();
    await page.keyboard.type(' steps.label.output.');
    await expectOptions(['body', 'headers', 'status']);
  });

  it('offers for_each and its limits among step keys, and item and index in the templates of a for_each step only', async () => {
    await endOf('uses: http');
    await page.keyboard.press('Enter');
    await page.keyboard.type('max_');
    await expectOptions(['max_items', 'max_parallel']);
    await page.keyboard.press('Control+Shift+ArrowLeft');
    await page.keyboard.type('for_');
    await expectOptions(['for_each']);
    await accept();
    await page.keyboard.type('[a, b]');
    assert.ok((await documentText()).includes('    for_each: [a, b]\n'));

    await endOf('body: { order_id');
    await page.keyboard.press('Enter');
    await page.keyboard.type('note: "{{default ind');
    await expectOptions(['index']);
    await page.keyboard.press('Escape');

    await endOf('text: "Order');
    await page.keyboard.press('Enter');
    await page.keyboard.type('footer: "{{default e');
    await options().first().waitFor();
    const roots = await optionLabels();
    assert.ok(roots.includes('event') && !roots.includes('item') && !roots.includes('index'), roots.join(' '));
  });
});
