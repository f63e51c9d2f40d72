import { X509Certificate } from 'node:crypto';
import { copyFile, mkdtemp } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * The committed TEST-ONLY certificates (test/fixtures/tls, see regenerate.sh there): a CA and
 * two server certificates it signed for localhost, 127.0.0.1 and ::1, valid 2000–2125.
 */
const FIXTURES = join(__dirname, '..', '..', '..', 'test', 'fixtures', 'tls');

export type TestServer = 'a' | 'b';

export const TEST_TLS = {
  caPath: join(FIXTURES, 'test-only-ca.cert.pem'),
  certPath: (server: TestServer) => join(FIXTURES, `test-only-${server}.cert.pem`),
  keyPath: (server: TestServer) => join(FIXTURES, `test-only-${server}.key.pem`),
  ca: () => readFileSync(join(FIXTURES, 'test-only-ca.cert.pem')),
  fingerprint: (server: TestServer) => new X509Certificate(readFileSync(join(FIXTURES, `test-only-${server}.cert.pem`))).fingerprint256,
};

/**
 * A fresh folder holding `server.cert.pem` and `server.key.pem`, copies of the given test
 * server's files, for tests that replace them.
 */
export async function tlsDirWith(server: TestServer): Promise<{ dir: string; certPath: string; keyPath: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'hookflow-tls-'));
  const certPath = join(dir, 'server.cert.pem');
  const keyPath = join(dir, 'server.key.pem');
  await copyFile(TEST_TLS.certPath(server), certPath);
  await copyFile(TEST_TLS.keyPath(server), keyPath);
  return { dir, certPath, keyPath };
}
