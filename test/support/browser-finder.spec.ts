import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { BrowserFinder, BrowserHost, thisMachine } from './browser-finder';

const PLAYWRIGHT_CHROMIUM = '/home/ada/.cache/ms-playwright/chromium-1255/chrome-linux64/chrome';

/** A machine whose only executables are `executables`. */
function host(overrides: { env?: Record<string, string>; platform?: NodeJS.Platform; executables?: string[] } = {}): BrowserHost {
  const executables = new Set(overrides.executables ?? []);
  return {
    env: { PATH: '/usr/local/bin:/usr/bin:/bin', ...overrides.env },
    platform: overrides.platform ?? 'linux',
    home: '/home/ada',
    isExecutableFile: (path) => executables.has(path),
    playwrightChromium: () => PLAYWRIGHT_CHROMIUM,
  };
}

const found = (machine: BrowserHost) => new BrowserFinder(machine).decide().executable;

describe(BrowserFinder.name, () => {
  it("finds Debian's Chromium, and Google Chrome where it installs itself on Linux", () => {
    assert.equal(found(host({ executables: ['/usr/bin/chromium', '/usr/bin/google-chrome-stable'] })), '/usr/bin/chromium');
    assert.equal(found(host({ executables: ['/opt/google/chrome/chrome'] })), '/opt/google/chrome/chrome');
  });

  it('finds Chrome or Chromium in the Applications folders on macOS, and not at Linux paths there', () => {
    const chrome = '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome';
    assert.equal(found(host({ platform: 'darwin', executables: [chrome] })), chrome);
    const mine = '/home/ada/Applications/Chromium.app/Contents/MacOS/Chromium';
    assert.equal(found(host({ platform: 'darwin', executables: [mine] })), mine);
    assert.equal(new BrowserFinder(host({ platform: 'darwin', executables: ['/opt/google/chrome/chrome'] })).find().kind, 'missing');
  });

  it('finds a chromium or google-chrome command on PATH, then the Chromium Playwright downloaded', () => {
    const env = { PATH: '/opt/homebrew/bin:/usr/bin' };
    assert.equal(found(host({ platform: 'darwin', env, executables: ['/opt/homebrew/bin/chromium'] })), '/opt/homebrew/bin/chromium');
    assert.equal(found(host({ env: { PATH: '/nix/profile/bin' }, executables: ['/nix/profile/bin/google-chrome'] })), '/nix/profile/bin/google-chrome');
    assert.equal(found(host({ executables: [PLAYWRIGHT_CHROMIUM] })), PLAYWRIGHT_CHROMIUM);
  });

  it('takes HOOKFLOW_BROWSER before any usual place', () => {
    const chosen = '/srv/browsers/chrome-131/chrome';
    assert.equal(found(host({ env: { HOOKFLOW_BROWSER: chosen }, executables: ['/usr/bin/chromium', chosen] })), chosen);
  });

  it('takes only an executable file on this machine, not a plain file or a folder', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'hookflow-browser-'));
    try {
      const [browser, text, subfolder] = [join(folder, 'chrome'), join(folder, 'notes.txt'), join(folder, 'chrome-linux64')];
      await writeFile(browser, '#!/bin/sh\n', { mode: 0o755 });
      await writeFile(text, 'not a browser', { mode: 0o644 });
      await mkdir(subfolder, { mode: 0o755 });
      const lookup = (path: string) => new BrowserFinder({ ...thisMachine(), env: { HOOKFLOW_BROWSER: path } }).find().kind;
      assert.deepEqual([browser, text, subfolder].map(lookup), ['found', 'misconfigured', 'misconfigured']);
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  });

  it('fails, naming the value, when HOOKFLOW_BROWSER names no executable, even with a browser in a usual place', () => {
    const decision = new BrowserFinder(host({ env: { HOOKFLOW_BROWSER: '/nonexistent' }, executables: ['/usr/bin/chromium'] })).decide();
    assert.match(String(decision.fail), /^HOOKFLOW_BROWSER=\/nonexistent is not an executable file/);
    assert.deepEqual(Object.keys(decision), ['fail']);
  });

  it('skips the browser tests when there is no browser, saying where it looked and how to enable them', () => {
    const decision = new BrowserFinder(host()).decide();
    assert.deepEqual(Object.keys(decision), ['skip']);
    assert.ok(decision.skip);
    assert.match(decision.skip, /did not run: no Chromium or Chrome found/);
    assert.match(decision.skip, /\/usr\/bin\/chromium, .*chromium\/chromium-browser\/google-chrome-stable\/google-chrome on PATH/);
    assert.ok(decision.skip.includes(PLAYWRIGHT_CHROMIUM));
    assert.match(decision.skip, /apt-get install chromium.*set HOOKFLOW_BROWSER/);
  });

  it('fails instead of skipping when HOOKFLOW_REQUIRE_BROWSER=1, as in CI', () => {
    const decision = new BrowserFinder(host({ env: { HOOKFLOW_REQUIRE_BROWSER: '1' } })).decide();
    assert.deepEqual(Object.keys(decision), ['fail']);
    assert.match(
      String(decision.fail),
      /^HOOKFLOW_REQUIRE_BROWSER=1 but the console's browser tests cannot run: no Chromium or Chrome found.*set HOOKFLOW_BROWSER/,
    );
  });

  it('turns the browser tests off with HOOKFLOW_BROWSER=none, unless a browser is required', () => {
    const off = new BrowserFinder(host({ env: { HOOKFLOW_BROWSER: 'none' }, executables: ['/usr/bin/chromium'] })).decide();
    assert.equal(off.skip, "the console's browser tests did not run: HOOKFLOW_BROWSER=none turns them off.");
    const required = new BrowserFinder(host({ env: { HOOKFLOW_BROWSER: 'none', HOOKFLOW_REQUIRE_BROWSER: '1' }, executables: ['/usr/bin/chromium'] })).decide();
    assert.deepEqual(Object.keys(required), ['fail']);
    assert.match(String(required.fail), /^HOOKFLOW_REQUIRE_BROWSER=1 but the console's browser tests cannot run: HOOKFLOW_BROWSER=none turns them off/);
  });
});
