import { accessSync, constants, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { chromium } from 'playwright-core';

/** What the finder reads from the machine; a test hands it a made-up one. */
export interface BrowserHost {
  env: Record<string, string | undefined>;
  platform: NodeJS.Platform;
  home: string;
  isExecutableFile(path: string): boolean;
  /** Where the Chromium that `npx playwright-core install chromium` downloads lives, if Playwright knows this platform. */
  playwrightChromium(): string | undefined;
}

export type BrowserLookup =
  | { kind: 'found'; path: string }
  | { kind: 'missing'; why: string }
  /** HOOKFLOW_BROWSER names no executable: a mistake to report, not a reason to search on. */
  | { kind: 'misconfigured'; problem: string };

/** What the browser tests do: launch `executable`, or skip or fail for the reason given. One of the three is set. */
export interface BrowserDecision {
  executable?: string;
  skip?: string;
  fail?: string;
}

const COMMANDS = ['chromium', 'chromium-browser', 'google-chrome-stable', 'google-chrome'];
const LINUX_PLACES = ['/usr/bin/chromium', '/usr/bin/google-chrome-stable', '/usr/bin/google-chrome', '/opt/google/chrome/chrome', '/usr/bin/chromium-browser'];
const MAC_APPS = ['Google Chrome.app/Contents/MacOS/Google Chrome', 'Chromium.app/Contents/MacOS/Chromium'];
const HOW_TO_ENABLE =
  'To run them, install Chromium or Google Chrome (Debian: apt-get install chromium; anywhere: npx playwright-core install chromium) or set HOOKFLOW_BROWSER to its executable';

/**
 * Finds a Chromium-family browser for the console's tests: HOOKFLOW_BROWSER, else the usual
 * places on Linux and macOS, the commands on PATH, and Playwright's own download.
 * HOOKFLOW_BROWSER=none turns the browser tests off; HOOKFLOW_REQUIRE_BROWSER=1 (CI) makes a
 * missing browser a failure instead of a skipped test.
 */
export class BrowserFinder {
  constructor(private readonly host: BrowserHost = thisMachine()) {}

  find(): BrowserLookup {
    const chosen = this.host.env.HOOKFLOW_BROWSER;
    if (chosen === 'none') return { kind: 'missing', why: 'HOOKFLOW_BROWSER=none turns them off' };
    if (chosen) {
      if (this.host.isExecutableFile(chosen)) return { kind: 'found', path: chosen };
      return {
        kind: 'misconfigured',
        problem: `HOOKFLOW_BROWSER=${chosen} is not an executable file: point it at a Chromium or Chrome executable, or unset it to search the usual places`,
      };
    }
    const places = this.places();
    const onPath = (this.host.env.PATH ?? '').split(delimiter).filter(Boolean);
    const playwright = this.host.playwrightChromium();
    const candidates = [...places, ...onPath.flatMap((folder) => COMMANDS.map((command) => join(folder, command))), ...(playwright ? [playwright] : [])];
    const path = candidates.find((candidate) => this.host.isExecutableFile(candidate));
    if (path) return { kind: 'found', path };
    const looked = [...places, `${COMMANDS.join('/')} on PATH`, ...(playwright ? [playwright] : [])].join(', ');
    return { kind: 'missing', why: `no Chromium or Chrome found (looked in ${looked}). ${HOW_TO_ENABLE}` };
  }

  decide(): BrowserDecision {
    const lookup = this.find();
    if (lookup.kind === 'found') return { executable: lookup.path };
    if (lookup.kind === 'misconfigured') return { fail: lookup.problem };
    if (this.host.env.HOOKFLOW_REQUIRE_BROWSER === '1')
      return { fail: `HOOKFLOW_REQUIRE_BROWSER=1 but the console's browser tests cannot run: ${lookup.why}.` };
    return { skip: `the console's browser tests did not run: ${lookup.why}.` };
  }

  private places(): string[] {
    if (this.host.platform !== 'darwin') return LINUX_PLACES;
    return ['/Applications', join(this.host.home, 'Applications')].flatMap((folder) => MAC_APPS.map((app) => join(folder, app)));
  }
}

export function thisMachine(): BrowserHost {
  return {
    env: process.env,
    platform: process.platform,
    home: homedir(),
    isExecutableFile(path) {
      try {
        accessSync(path, constants.X_OK);
        return statSync(path).isFile();
      } catch {
        return false;
      }
    },
    playwrightChromium() {
      try {
        return chromium.executablePath();
      } catch {
        return undefined; // a platform Playwright has no build for
      }
    },
  };
}
