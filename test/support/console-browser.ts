import { Browser, chromium, Page } from 'playwright-core';
import type { TestApp } from './test-app';

/** Debian's Chromium as root in a container: no sandbox, no GPU, no /dev/shm limits. */
export function launchChromium(executablePath: string | undefined): Promise<Browser> {
  return chromium.launch({ executablePath, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
}

/**
 * Collects what a page throws and the errors it logs into `errors` (which a test asserts
 * empty), except console errors matching `expected` — the statuses a test provokes on purpose.
 */
export function collectPageErrors(page: Page, errors: string[], expected?: RegExp): void {
  page.setDefaultTimeout(15_000);
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error' && !expected?.test(message.text())) errors.push(`${message.text()} (${page.url()})`);
  });
}

/** Signs in with the admin token and lands on the workflows list. */
export async function signIn(page: Page, app: TestApp): Promise<void> {
  await page.goto(`${app.baseUrl}/login`);
  await page.getByLabel('Admin token').fill(app.adminToken);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(/\/workflows$/);
}
