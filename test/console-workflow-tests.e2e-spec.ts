import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { cp, mkdir, readdir, readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { Browser, Page } from 'playwright-core';
import { BrowserFinder } from './support/browser-finder';
import { collectPageErrors, launchChromium, signIn } from './support/console-browser';
import { startTestApp, TestApp } from './support/test-app';

const BROWSER = new BrowserFinder().decide();
const ROOT = resolve(__dirname, '..', '..');
/** Screenshots for people to look at (not committed). */
const ARTIFACTS = join(ROOT, 'test', 'artifacts');

describe('the editor runs the workflow’s test files in Chromium', () => {
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
    // The shipped examples with their tests, and examples/events/ beside the workflows folder.
    const files: Record<string, string> = {};
    for (const name of (await readdir(join(ROOT, 'workflows'))).filter((name) => name.endsWith('.yaml'))) {
      files[name] = await readFile(join(ROOT, 'workflows', name), 'utf8');
    }
    hookflow = await startTestApp({ files });
    await cp(join(ROOT, 'workflows', 'tests'), join(hookflow.workflowsDir, 'tests'), { recursive: true });
    await cp(join(ROOT, 'examples'), join(dirname(hookflow.workflowsDir), 'examples'), { recursive: true });

    browser = await launchChromium(BROWSER.executable);
    page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
    collectPageErrors(page, pageErrors);
    await signIn(page, hookflow);
  });

  after(async () => {
    await browser?.close();
    await hookflow?.close();
    assert.deepEqual(pageErrors, [], 'the console logged no errors');
  });

  const panel = () => page.getByRole('region', { name: 'Test the edit' });
  const testItem = (name: string) => panel().locator(`[data-test="${name}"]`);

  it('passes with the saved YAML and shows the difference once a template is edited, unsaved', async () => {
    await page.goto(`${hookflow.baseUrl}/workflows/task-done/edit`);
    await page.getByRole('textbox', { name: 'YAML' }).waitFor();
    await page.getByRole('button', { name: 'Test' }).click();
    await panel().getByRole('button', { name: 'Run test files' }).click();
    await panel().getByText('All 3 tests pass with the edit.').waitFor();
    assert.equal(await panel().locator('[data-file="tests/task-done.test.yaml"] [data-passed="true"]').count(), 3);

    await page.locator('.cm-line').filter({ hasText: 'done by' }).click();
    await page.keyboard.press('End');
    await page.keyboard.press('ArrowLeft');
    await page.keyboard.insertText(' today');
    await page.keyboard.press('Escape');
    await panel().getByRole('button', { name: 'Run test files' }).click();
    await panel().getByText('2 of 3 tests fail with the edit.').waitFor();

    const failed = testItem('a finished task is announced with its assignee');
    assert.equal(await failed.getAttribute('data-passed'), 'false');
    const differences = failed.getByRole('table', { name: 'Differences of a finished task is announced with its assignee' });
    assert.deepEqual(await differences.locator('tbody tr').evaluateAll((rows) => rows.map((row) => row.getAttribute('data-path'))), [
      'steps.announce.request.body.text',
    ]);
    assert.match(await differences.innerText(), /✅ Write the release notes — done by Grace\s+✅ Write the release notes — done by Grace today/);
    assert.equal(await testItem('other task events start nothing').getAttribute('data-passed'), 'true');

    await panel().scrollIntoViewIfNeeded();
    await panel().screenshot({ path: join(ARTIFACTS, 'workflow-tests-panel.png') });
    assert.equal(
      await readFile(join(hookflow.workflowsDir, 'task-done.yaml'), 'utf8'),
      await readFile(join(ROOT, 'workflows', 'task-done.yaml'), 'utf8'),
      'nothing saved',
    );
  });
});
