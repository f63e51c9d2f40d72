import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createPrivateKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { TlsFiles, TlsFilesError } from './tls-files';
import { TEST_TLS, tlsDirWith } from './tls-files.fixture';

/** The base64 lines of a PEM file: what must never appear in a message. */
function pemBody(path: string): string[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line !== '' && !line.startsWith('-----'));
}

function assertRefused(read: () => unknown, setting: string, reason: RegExp): void {
  assert.throws(read, (error: unknown) => {
    assert.ok(error instanceof TlsFilesError, String(error));
    assert.equal(error.setting, setting);
    assert.match(error.reason, reason);
    for (const line of [...pemBody(TEST_TLS.keyPath('a')), ...pemBody(TEST_TLS.keyPath('b'))]) {
      assert.ok(!error.message.includes(line), 'no message quotes a key');
    }
    return true;
  });
}

describe(TlsFiles.name, () => {
  let dir: string;

  before(async () => {
    ({ dir } = await tlsDirWith('a'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('reads a certificate with the key that matches it', () => {
    const pair = new TlsFiles(TEST_TLS.certPath('a'), TEST_TLS.keyPath('a')).read();
    assert.equal(pair.certificate.fingerprint256, TEST_TLS.fingerprint('a'));
    assert.deepEqual(pair.key, readFileSync(TEST_TLS.keyPath('a')));
  });

  it('is not configured unless both files are named', () => {
    assert.equal(TlsFiles.of({}), undefined);
    assert.equal(TlsFiles.of({ HOOKFLOW_TLS_CERT: TEST_TLS.certPath('a') }), undefined);
    assert.ok(TlsFiles.of({ HOOKFLOW_TLS_CERT: TEST_TLS.certPath('a'), HOOKFLOW_TLS_KEY: TEST_TLS.keyPath('a') }));
  });

  it("refuses another certificate's key, naming HOOKFLOW_TLS_KEY and both files", () => {
    const files = new TlsFiles(TEST_TLS.certPath('a'), TEST_TLS.keyPath('b'));
    assertRefused(() => files.read(), 'HOOKFLOW_TLS_KEY', new RegExp(`^${files.keyPath} is not the private key of the certificate in ${files.certPath}$`));
  });

  it('names the setting of a file that is missing or a folder', async () => {
    const missing = join(dir, 'missing.pem');
    assertRefused(() => new TlsFiles(missing, TEST_TLS.keyPath('a')).read(), 'HOOKFLOW_TLS_CERT', new RegExp(`^${missing} does not exist$`));
    assertRefused(() => new TlsFiles(TEST_TLS.certPath('a'), missing).read(), 'HOOKFLOW_TLS_KEY', /does not exist$/);
    const folder = join(dir, 'folder');
    await mkdir(folder);
    assertRefused(() => new TlsFiles(folder, TEST_TLS.keyPath('a')).read(), 'HOOKFLOW_TLS_CERT', /is a folder, not a file$/);
  });

  it('refuses files that hold no certificate or no key, as when the two are swapped', async () => {
    assertRefused(() => new TlsFiles(TEST_TLS.keyPath('a'), TEST_TLS.certPath('a')).read(), 'HOOKFLOW_TLS_CERT', /holds no PEM certificate/);
    const empty = join(dir, 'empty.pem');
    await writeFile(empty, '');
    assertRefused(() => new TlsFiles(TEST_TLS.certPath('a'), empty).read(), 'HOOKFLOW_TLS_KEY', /holds no PEM private key/);
  });

  it('refuses a key encrypted with a passphrase and says what to give instead', async () => {
    const encrypted = join(dir, 'encrypted.key.pem');
    const key = createPrivateKey(readFileSync(TEST_TLS.keyPath('a')));
    await writeFile(encrypted, key.export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'passphrase' }));
    assertRefused(
      () => new TlsFiles(TEST_TLS.certPath('a'), encrypted).read(),
      'HOOKFLOW_TLS_KEY',
      /is encrypted with a passphrase; give Hookflow the key unencrypted/,
    );
  });
});
