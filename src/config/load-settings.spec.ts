import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadSettings, SettingsError } from './load-settings';
import { SETTING_IS_SECRET } from './settings';

async function refusal(environment: Record<string, string>, dotenv = ''): Promise<SettingsError> {
  const cwd = await mkdtemp(join(tmpdir(), 'hookflow-settings-'));
  try {
    if (dotenv) await writeFile(join(cwd, '.env'), dotenv);
    loadSettings(environment, cwd);
  } catch (error) {
    assert.ok(error instanceof SettingsError, String(error));
    return error;
  } finally {
    await rm(cwd, { recursive: true, force: true });
  }
  throw new Error(`${JSON.stringify(environment)} was accepted`);
}

describe('loadSettings', () => {
  it('names a bad secret setting and the rule it breaks, never its value', async () => {
    const cases: [string, string, RegExp][] = [
      ['DATABASE_URL', 'mysql://root:hunter2-db-password@db/orders', /must be a postgres:\/\/ URL/],
      ['DATABASE_URL', 'postgres://hookflow:hunter2-db-password@db:notaport/orders', /the PostgreSQL client can read/],
      ['DATABASE_URL', 'postgres://hookflow:hunter2-db-password@[::1/orders', /the PostgreSQL client can read/],
      ['HOOKFLOW_ADMIN_TOKEN', 'short-secret', /must be at least 16 printable characters without spaces/],
      ['HOOKFLOW_ADMIN_TOKEN', 'sixteen chars but spaced', /must be at least 16 printable characters without spaces/],
      ['HOOKFLOW_SMTP_URL', 'http://mailer:smtp-password-42@mail.internal', /must be an smtp:\/\/ or smtps:\/\/ URL/],
    ];
    for (const [name, value, rule] of cases) {
      for (const error of [await refusal({ [name]: value }), await refusal({}, `${name}=${value}\n`)]) {
        assert.equal(error.setting, name);
        assert.match(error.message, new RegExp(`^Invalid setting ${name}: `));
        assert.match(error.message, rule);
        assert.match(error.message, /\(the value is secret and not shown\)$/);
        for (const part of [value, 'hunter2', 'smtp-password', 'short-secret']) assert.ok(!error.message.includes(part), `${error.message} shows ${part}`);
      }
    }
  });

  it('still shows the value of a setting that is not secret', async () => {
    const error = await refusal({ PORT: 'eighty' });
    assert.equal(error.message, 'Invalid setting PORT: must be a whole number between 0 and 65535 (got "eighty")');
  });

  it('reads HOOKFLOW_EDITOR as on or off, on by default, and refuses anything else', async () => {
    const cwd = await mkdtemp(join(tmpdir(), 'hookflow-settings-'));
    try {
      assert.equal(loadSettings({}, cwd).HOOKFLOW_EDITOR, 'on');
      assert.equal(loadSettings({ HOOKFLOW_EDITOR: 'OFF' }, cwd).HOOKFLOW_EDITOR, 'off');
    } finally {
      await rm(cwd, { recursive: true, force: true });
    }
    const error = await refusal({ HOOKFLOW_EDITOR: 'readonly' });
    assert.equal(error.message, 'Invalid setting HOOKFLOW_EDITOR: must be one of on, off (got "readonly")');
  });

  it('declares DATABASE_URL, HOOKFLOW_ADMIN_TOKEN and HOOKFLOW_SMTP_URL secret', () => {
    const secret = Object.entries(SETTING_IS_SECRET)
      .filter(([, isSecret]) => isSecret)
      .map(([name]) => name);
    assert.deepEqual(secret.sort(), ['DATABASE_URL', 'HOOKFLOW_ADMIN_TOKEN', 'HOOKFLOW_SMTP_URL']);
  });
});
