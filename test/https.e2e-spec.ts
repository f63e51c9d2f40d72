import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { copyFile, mkdtemp, rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TEST_TLS, TestServer, tlsDirWith } from '../src/config/tls-files.fixture';
import { freePort, HookflowProcess, REPOSITORY_WORKFLOWS, spawnHookflow, waitUntilReady } from './support/hookflow-process';
import { httpsRequest } from './support/https-client';
import { sleep } from './support/steady-load';
import { createTestDatabase } from './support/test-database';

const BANNER_WARNING = /Warning: +plain HTTP on/;

function httpsUrl(hookflow: HookflowProcess, path: string): string {
  return `${hookflow.baseUrl.replace(/^http:/, 'https:')}${path}`;
}

function httpsGet(hookflow: HookflowProcess, path: string) {
  return httpsRequest(httpsUrl(hookflow, path), TEST_TLS.ca());
}

function readyOverHttps(hookflow: HookflowProcess): Promise<number> {
  return waitUntilReady(hookflow, 30_000, () => httpsGet(hookflow, '/readyz').then((answer) => answer.status));
}

/** Polls `check` every 100 ms until it holds or `timeoutMs` passes; says whether it held. */
async function eventually(check: () => boolean | Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (
      await Promise.resolve()
        .then(check)
        .catch(() => false)
    )
      return true;
    await sleep(100);
  }
  return false;
}

/** The banner is complete once its last line is out. */
async function bannerOf(hookflow: HookflowProcess): Promise<string> {
  assert.ok(await eventually(() => /Health: /.test(hookflow.output()), 10_000), `no banner:\n${hookflow.output()}`);
  return hookflow.output();
}

async function stop(hookflow: HookflowProcess): Promise<number | string> {
  hookflow.child.kill('SIGTERM');
  return hookflow.exited;
}

/** Puts the test server's files in place the way renewal tools do: written aside, then renamed over. */
async function replaceFiles(tls: { dir: string; certPath: string; keyPath: string }, files: { cert?: TestServer; key?: TestServer }): Promise<void> {
  for (const [kind, server] of [
    ['cert', files.cert],
    ['key', files.key],
  ] as const) {
    if (!server) continue;
    const aside = join(tls.dir, `renewed.${kind}.pem`);
    await copyFile(kind === 'cert' ? TEST_TLS.certPath(server) : TEST_TLS.keyPath(server), aside);
    await rename(aside, kind === 'cert' ? tls.certPath : tls.keyPath);
  }
}

/** The base64 lines of both test keys: what no output may contain. */
const KEY_LINES = (['a', 'b'] as const).flatMap((server) =>
  readFileSync(TEST_TLS.keyPath(server), 'utf8')
    .split('\n')
    .filter((line) => line !== '' && !line.startsWith('-----')),
);

describe('HTTPS (HOOKFLOW_TLS_CERT and HOOKFLOW_TLS_KEY)', () => {
  let workDir: string;
  let database: { url: string; drop(): Promise<void> };
  let env: Record<string, string>;

  before(async () => {
    workDir = await mkdtemp(join(tmpdir(), 'hookflow-https-'));
    database = await createTestDatabase();
    env = { HOOKFLOW_DATA_DIR: join(workDir, 'data'), HOOKFLOW_WORKFLOWS_DIR: REPOSITORY_WORKFLOWS, DATABASE_URL: database.url };
  });
  after(async () => {
    await database.drop();
    await rm(workDir, { recursive: true, force: true });
  });

  async function spawnWithTls(server: TestServer, extra: Record<string, string> = {}) {
    const tls = await tlsDirWith(server);
    const hookflow = await spawnHookflow(workDir, { ...env, HOOKFLOW_TLS_CERT: tls.certPath, HOOKFLOW_TLS_KEY: tls.keyPath, ...extra });
    return { hookflow, tls };
  }

  it('serves its certificate over HTTPS on every interface, verified against the CA, takes webhooks there and refuses plain HTTP', async () => {
    const { hookflow, tls } = await spawnWithTls('a', { HOST: '0.0.0.0' });
    try {
      await readyOverHttps(hookflow);
      const health = await httpsGet(hookflow, '/healthz');
      assert.equal(health.status, 200);
      assert.equal(health.fingerprint, TEST_TLS.fingerprint('a'));
      const accepted = await httpsRequest(httpsUrl(hookflow, '/hooks/tasks'), TEST_TLS.ca(), {
        method: 'POST',
        body: JSON.stringify({ type: 'task.done', delivery_id: 'over-https', task: { title: 'Write tests' } }),
      });
      assert.equal(accepted.status, 202, JSON.stringify(accepted.body));

      await assert.rejects(fetch(`${hookflow.baseUrl}/healthz`), 'a plain HTTP request gets no answer');

      const banner = await bannerOf(hookflow);
      const port = new URL(hookflow.baseUrl).port;
      assert.ok(banner.includes(`\n    https://localhost:${port}/hooks/tasks   (none)\n`), `the inbound URLs say https:\n${banner}`);
      assert.ok(banner.includes(`Console:    https://localhost:${port}/\n`));
      assert.match(banner, new RegExp(`HTTPS: +CN=Hookflow test-only server a, SHA-256 ${TEST_TLS.fingerprint('a')}, valid until 2125-01-01`));
      assert.doesNotMatch(banner, /http:\/\//, 'no URL says http');
      assert.doesNotMatch(banner, BANNER_WARNING, 'no warning about plain HTTP on 0.0.0.0 when it serves HTTPS');
    } finally {
      assert.equal(await stop(hookflow), 0, hookflow.output());
      await rm(tls.dir, { recursive: true, force: true });
    }
  });

  it('serves renewed files without a restart, and keeps the certificate it serves when the new files do not make a pair', async () => {
    const { hookflow, tls } = await spawnWithTls('a', { LOG_LEVEL: 'info' });
    const servedIs = (server: TestServer) => async () => (await httpsGet(hookflow, '/healthz')).fingerprint === TEST_TLS.fingerprint(server);
    try {
      await readyOverHttps(hookflow);
      assert.ok(await servedIs('a')());

      await replaceFiles(tls, { cert: 'b', key: 'b' });
      assert.ok(await eventually(servedIs('b'), 10_000), `the renewed certificate is served within 10 s:\n${hookflow.output()}`);
      assert.match(
        hookflow.output(),
        new RegExp(`TLS certificate reloaded from ${tls.certPath}: now serving CN=Hookflow test-only server b, SHA-256 ${TEST_TLS.fingerprint('b')}`),
      );

      await replaceFiles(tls, { cert: 'a' }); // the key stays b's
      const warned = () =>
        /The TLS files changed but cannot be served: HOOKFLOW_TLS_KEY \S+ is not the private key of the certificate in \S+\. Still serving CN=Hookflow test-only server b/.test(
          hookflow.output(),
        );
      assert.ok(await eventually(warned, 10_000), `a warning says why the new files were not taken:\n${hookflow.output()}`);
      assert.ok(await servedIs('b')(), 'the previous certificate is still served');
      assert.equal((await httpsGet(hookflow, '/readyz')).status, 200);

      await replaceFiles(tls, { key: 'a' });
      assert.ok(await eventually(servedIs('a'), 10_000), 'a pair that matches again is taken');
      for (const line of KEY_LINES) assert.ok(!hookflow.output().includes(line), 'no key is ever printed');
    } finally {
      assert.equal(await stop(hookflow), 0, hookflow.output());
      await rm(tls.dir, { recursive: true, force: true });
    }
  });

  it('answers the startup probes over HTTPS while it waits for the database', async () => {
    const closedPort = await freePort();
    const { hookflow, tls } = await spawnWithTls('a', { DATABASE_URL: `postgres://postgres@127.0.0.1:${closedPort}/hookflow` });
    try {
      const alive = () => httpsGet(hookflow, '/healthz').then((answer) => answer.status === 200 && answer.fingerprint === TEST_TLS.fingerprint('a'));
      assert.ok(await eventually(alive, 15_000), `/healthz answers over HTTPS while waiting:\n${hookflow.output()}`);
      const ready = await httpsGet(hookflow, '/readyz');
      assert.equal(ready.status, 503);
      assert.equal(ready.body.error.code, 'NOT_READY');
      await assert.rejects(fetch(`${hookflow.baseUrl}/healthz`), 'a plain HTTP request gets no answer');
    } finally {
      await stop(hookflow);
      await rm(tls.dir, { recursive: true, force: true });
    }
  });

  it('refuses to start with one line naming HOOKFLOW_TLS_KEY when the key is not the certificate’s', async () => {
    const hookflow = await spawnHookflow(workDir, { ...env, HOOKFLOW_TLS_CERT: TEST_TLS.certPath('a'), HOOKFLOW_TLS_KEY: TEST_TLS.keyPath('b') });
    const exit = await Promise.race([hookflow.exited, sleep(20_000).then(() => 'still running')]);
    if (exit === 'still running') await stop(hookflow);
    assert.equal(exit, 1, hookflow.output());
    const lines = hookflow.output().trim().split('\n');
    assert.deepEqual(lines, [
      `Invalid setting HOOKFLOW_TLS_KEY: ${TEST_TLS.keyPath('b')} is not the private key of the certificate in ${TEST_TLS.certPath('a')}`,
    ]);
  });

  // The ingress role alone starts fastest and prints the inbound URLs the warning is about.
  describe('the banner', () => {
    it('warns when webhooks arrive over plain HTTP on every interface (0.0.0.0)', async () => {
      const hookflow = await spawnHookflow(workDir, { ...env, HOST: '0.0.0.0', HOOKFLOW_ROLE: 'ingress' });
      try {
        await waitUntilReady(hookflow);
        assert.match(
          await bannerOf(hookflow),
          /\n {2}Warning: +plain HTTP on 0\.0\.0\.0: webhooks and tokens cross the network in clear\. Serve HTTPS or use a TLS proxy: docs\/https\.md\n/,
        );
      } finally {
        await stop(hookflow);
      }
    });

    it('does not warn on a loopback address', async () => {
      const hookflow = await spawnHookflow(workDir, { ...env, HOST: '127.0.0.1', HOOKFLOW_ROLE: 'ingress' });
      try {
        await waitUntilReady(hookflow);
        const banner = await bannerOf(hookflow);
        assert.match(banner, /Inbound URLs:\n +http:\/\/127\.0\.0\.1:/);
        assert.doesNotMatch(banner, BANNER_WARNING);
      } finally {
        await stop(hookflow);
      }
    });
  });
});
