import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadSettings, SettingsError } from './load-settings';
import { TEST_TLS } from './tls-files.fixture';

describe('HOOKFLOW_TLS_CERT and HOOKFLOW_TLS_KEY', () => {
  let cwd: string;

  before(async () => {
    cwd = await mkdtemp(join(tmpdir(), 'hookflow-settings-'));
  });
  after(() => rm(cwd, { recursive: true, force: true }));

  function refusal(environment: Record<string, string>): SettingsError {
    try {
      loadSettings(environment, cwd);
    } catch (error) {
      assert.ok(error instanceof SettingsError, String(error));
      return error;
    }
    assert.fail('the settings were accepted');
  }

  it('serves plain HTTP when neither is set, and HTTPS with a matching pair', () => {
    assert.equal(loadSettings({ HOOKFLOW_TLS_CERT: ' ', HOOKFLOW_TLS_KEY: '' }, cwd).HOOKFLOW_TLS_CERT, undefined);
    const settings = loadSettings({ HOOKFLOW_TLS_CERT: TEST_TLS.certPath('a'), HOOKFLOW_TLS_KEY: TEST_TLS.keyPath('a') }, cwd);
    assert.equal(settings.HOOKFLOW_TLS_CERT, TEST_TLS.certPath('a'));
    assert.equal(settings.HOOKFLOW_TLS_KEY, TEST_TLS.keyPath('a'));
  });

  it('needs both or neither, naming the one that is missing', () => {
    assert.match(
      refusal({ HOOKFLOW_TLS_CERT: TEST_TLS.certPath('a') }).message,
      /^Invalid setting HOOKFLOW_TLS_KEY: must be set together with HOOKFLOW_TLS_CERT/,
    );
    assert.match(
      refusal({ HOOKFLOW_TLS_KEY: TEST_TLS.keyPath('a') }).message,
      /^Invalid setting HOOKFLOW_TLS_CERT: must be set together with HOOKFLOW_TLS_KEY/,
    );
  });

  it('stops the start on files that cannot be served, in one line naming the setting', () => {
    const mismatch = refusal({ HOOKFLOW_TLS_CERT: TEST_TLS.certPath('a'), HOOKFLOW_TLS_KEY: TEST_TLS.keyPath('b') });
    assert.equal(mismatch.setting, 'HOOKFLOW_TLS_KEY');
    assert.equal(
      mismatch.message,
      `Invalid setting HOOKFLOW_TLS_KEY: ${TEST_TLS.keyPath('b')} is not the private key of the certificate in ${TEST_TLS.certPath('a')}`,
    );
    const missing = refusal({ HOOKFLOW_TLS_CERT: join(cwd, 'nowhere.pem'), HOOKFLOW_TLS_KEY: TEST_TLS.keyPath('a') });
    assert.equal(missing.message, `Invalid setting HOOKFLOW_TLS_CERT: ${join(cwd, 'nowhere.pem')} does not exist`);
  });
});
