import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { post } from './support/http';
import { REPOSITORY_WORKFLOWS, spawnHookflow, waitUntilReady } from './support/hookflow-process';
import { createTestDatabase } from './support/test-database';

describe('npm start', () => {
  let workDir: string;
  let dataDir: string;
  let env: Record<string, string>;

  before(async () => {
    workDir = await mkdtemp(join(tmpdir(), 'hookflow-start-'));
    await chmod(workDir, 0o755); // as a project folder is: the postgres user must pass through it
    dataDir = join(workDir, '.hookflow');
    env = { HOOKFLOW_DATA_DIR: dataDir, HOOKFLOW_WORKFLOWS_DIR: REPOSITORY_WORKFLOWS };
  });
  after(() => rm(workDir, { recursive: true, force: true }));

  function sendTask(baseUrl: string, deliveryId: string) {
    return post(`${baseUrl}/hooks/tasks`, JSON.stringify({ type: 'task.done', delivery_id: deliveryId, task: { title: 'Write tests' } }));
  }

  it('runs the example workflows on an embedded PostgreSQL, ready within 30 s, and says where everything is', async () => {
    const hookflow = await spawnHookflow(workDir, env);
    try {
      const readyAfterMs = await waitUntilReady(hookflow);
      assert.ok(readyAfterMs < 30_000);
      const banner = hookflow.output();
      assert.match(banner, new RegExp(`${hookflow.baseUrl.replace('127.0.0.1', '(localhost|127\\.0\\.0\\.1)')}/hooks/shop`));
      assert.match(banner, /Console: +http:\/\/\S+\//);
      const consolePage = await fetch(`${hookflow.baseUrl}/`);
      assert.equal(consolePage.status, 200);
      assert.match(consolePage.headers.get('content-type') ?? '', /text\/html/);
      assert.match(banner, new RegExp(`Admin token: generated and stored in ${join(dataDir, 'admin-token')}`));
      assert.ok(existsSync(join(dataDir, 'pg', 'PG_VERSION')), 'the cluster lives in the data folder');

      const answer = await sendTask(hookflow.baseUrl, 'first-start');
      assert.equal(answer.status, 202);
      assert.equal(answer.body.runs, 1);
    } finally {
      hookflow.child.kill('SIGTERM');
      assert.equal(await hookflow.exited, 0, hookflow.output());
    }
  });

  it('keeps every accepted event across a kill -9 and a restart on the same data folder', async () => {
    const first = await spawnHookflow(workDir, env);
    await waitUntilReady(first);
    const accepted = await sendTask(first.baseUrl, 'survives-kill-9');
    assert.equal(accepted.status, 202);
    first.child.kill('SIGKILL');
    await first.exited;
    assert.ok(existsSync(join(dataDir, 'pg', 'postmaster.pid')), 'the orphaned server still holds the folder');

    const second = await spawnHookflow(workDir, env);
    try {
      await waitUntilReady(second);
      const again = await sendTask(second.baseUrl, 'survives-kill-9');
      assert.equal(again.status, 200, second.output());
      assert.equal(again.body.event_id, accepted.body.event_id, 'the event stored before the kill is still there');
    } finally {
      second.child.kill('SIGTERM');
      await second.exited;
    }
  });

  it('drains in-flight requests on SIGTERM and stops PostgreSQL cleanly', async () => {
    const hookflow = await spawnHookflow(workDir, env);
    await waitUntilReady(hookflow);
    const deliveries = Array.from({ length: 60 }, (_, index) => `drain-${index}`);
    const inFlight = deliveries.map((id) => sendTask(hookflow.baseUrl, id).catch(() => 'refused' as const));
    await new Promise((done) => setTimeout(done, 5));
    hookflow.child.kill('SIGTERM');
    const answers = await Promise.all(inFlight);
    assert.equal(await hookflow.exited, 0, hookflow.output());
    assert.match(hookflow.output(), /Hookflow stopped/);
    assert.ok(!existsSync(join(dataDir, 'pg', 'postmaster.pid')), 'PostgreSQL shut down and removed its lock file');
    for (const answer of answers) {
      if (answer !== 'refused') assert.equal(answer.status, 202, `no request was cut off with an error: ${JSON.stringify(answer.body)}\n${hookflow.output()}`);
    }

    const restarted = await spawnHookflow(workDir, env);
    try {
      await waitUntilReady(restarted);
      for (const [index, answer] of answers.entries()) {
        if (answer === 'refused') continue;
        const again = await sendTask(restarted.baseUrl, deliveries[index]);
        assert.equal(again.body.event_id, answer.body.event_id, `${deliveries[index]} was answered 202 and kept`);
      }
    } finally {
      restarted.child.kill('SIGTERM');
      await restarted.exited;
    }
  });

  it('uses the server named by DATABASE_URL instead of the embedded one, and never shows its password', async () => {
    const database = await createTestDatabase();
    const otherData = join(workDir, 'external-data');
    // pg also reads the password from the query, where the banner must hide it too.
    const url = new URL(database.url);
    const password = decodeURIComponent(url.password) || 'not-needed-by-trust-auth';
    url.password = '';
    url.searchParams.set('password', password);
    const hookflow = await spawnHookflow(workDir, { ...env, HOOKFLOW_DATA_DIR: otherData, DATABASE_URL: url.toString() });
    try {
      await waitUntilReady(hookflow);
      assert.equal((await sendTask(hookflow.baseUrl, 'external')).status, 202);
      assert.ok(!existsSync(join(otherData, 'pg')), 'no embedded cluster was created');
      assert.match(hookflow.output(), /Database: +postgres:\/\/\S+\?password=\*\*\*/);
      assert.ok(!hookflow.output().includes(password), hookflow.output());
    } finally {
      hookflow.child.kill('SIGTERM');
      await hookflow.exited;
      await database.drop();
    }
  });

  it('refuses to start on a bad setting with one line that names it', async () => {
    const hookflow = await spawnHookflow(workDir, { ...env, PORT: 'eighty' });
    assert.equal(await hookflow.exited, 1);
    const lines = hookflow.output().trim().split('\n');
    assert.equal(lines.length, 1);
    assert.match(lines[0], /^Invalid setting PORT: /);
  });

  it('reads settings from a .env file in the working folder', async () => {
    const envDir = await mkdtemp(join(tmpdir(), 'hookflow-dotenv-'));
    await writeFile(join(envDir, '.env'), 'HOOKFLOW_ROLE=everything\n');
    const hookflow = await spawnHookflow(envDir, { HOOKFLOW_DATA_DIR: join(envDir, 'data'), HOOKFLOW_WORKFLOWS_DIR: REPOSITORY_WORKFLOWS });
    assert.equal(await hookflow.exited, 1);
    assert.match(hookflow.output(), /Invalid setting HOOKFLOW_ROLE: must be one of all, ingress, worker, api \(got "everything"\)/);
    assert.deepEqual(await readdir(envDir), ['.env'], 'nothing was created before the settings were checked');
    await rm(envDir, { recursive: true, force: true });
  });
});
