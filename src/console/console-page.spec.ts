import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConsolePage } from './console-page';

describe(ConsolePage.name, () => {
  const dirs: string[] = [];
  after(() => Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true }))));

  async function consoleDir(): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), 'hookflow-console-'));
    dirs.push(dir);
    return dir;
  }

  it('says how to build the console while it has never been built', async () => {
    const page = await new ConsolePage(join(await consoleDir(), 'missing')).html();
    assert.equal(page.built, false);
    assert.match(page.html, /npm run build/);
  });

  it('answers the built index.html, read again on each call so that a new build shows at once', async () => {
    const dir = await consoleDir();
    const page = new ConsolePage(dir);
    await writeFile(join(dir, 'index.html'), '<!doctype html><title>first build</title>');
    assert.deepEqual(await page.html(), { built: true, html: '<!doctype html><title>first build</title>' });
    await writeFile(join(dir, 'index.html'), '<!doctype html><title>second build</title>');
    assert.match((await page.html()).html, /second build/);
  });
});
