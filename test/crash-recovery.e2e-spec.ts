import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { post } from './support/http';
import { spawnHookflow, waitUntilReady } from './support/hookflow-process';
import { eventually, json, Receiver } from './support/receiver';
import { createTestDatabase } from './support/test-database';

const ADMIN_TOKEN = 'crash-test-admin-token-0123456789';
const LABEL_API_TOKEN = 'label-api-token-never-logged-42';

const FILES = {
  'sources.yaml': `
sources:
  orders:
    verify: { scheme: none }
`,
  'ship.yaml': `
name: ship
on: { webhook: orders }
steps:
  - id: reserve
    uses: http
    with: { url: "{{secrets.RECEIVER}}/reserve", body: { order: "{{event.body.order}}" } }
  - id: label
    uses: http
    timeout: 60s
    with:
      url: "{{secrets.RECEIVER}}/label"
      headers: { Authorization: "Bearer {{secrets.LABEL_API_TOKEN}}" }
      body: { order: "{{event.body.order}}" }
`,
};

describe('a process killed with kill -9 in the middle of a run', () => {
  const receiver = new Receiver();
  let workDir: string;
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let labelCalls = 0;
  let env: Record<string, string>;

  before(async () => {
    receiver
      .route('/reserve', (_, response) => json(response, 200, { reserved: true }))
      .route('/label', (_, response) => {
        // The first label request never gets an answer: the process dies while waiting.
        if (++labelCalls > 1) json(response, 200, { tracking_number: 'TRK-9' });
      });
    await receiver.start();
    workDir = await mkdtemp(join(tmpdir(), 'hookflow-crash-'));
    await chmod(workDir, 0o755);
    await mkdir(join(workDir, 'workflows'));
    for (const [name, content] of Object.entries(FILES)) await writeFile(join(workDir, 'workflows', name), content);
    database = await createTestDatabase();
    env = {
      DATABASE_URL: database.url,
      HOOKFLOW_DATA_DIR: join(workDir, 'data'),
      HOOKFLOW_WORKFLOWS_DIR: join(workDir, 'workflows'),
      HOOKFLOW_ADMIN_TOKEN: ADMIN_TOKEN,
      HOOKFLOW_OUTBOUND_ALLOW: '127.0.0.1',
      RECEIVER: receiver.url,
      LABEL_API_TOKEN,
      LOG_LEVEL: 'debug',
    };
  });

  after(async () => {
    await receiver.stop();
    await database.drop();
    await rm(workDir, { recursive: true, force: true });
  });

  it('finishes the run after a restart, repeating only the step that was in flight, with the same idempotency key', async () => {
    const first = await spawnHookflow(workDir, env);
    await waitUntilReady(first);
    const accepted = await post(`${first.baseUrl}/hooks/orders`, JSON.stringify({ order: 'O-77' }));
    assert.equal(accepted.status, 202);
    await eventually(async () => receiver.received('/label').length === 1, 10_000, 'the label request to be in flight');
    first.child.kill('SIGKILL');
    await first.exited;
    const killedAt = Date.now();

    const second = await spawnHookflow(workDir, env);
    try {
      await waitUntilReady(second);
      const runs = async () => {
        const response = await fetch(`${second.baseUrl}/api/runs?workflow=ship`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
        return ((await response.json()) as { items: { id: string; status: string }[] }).items;
      };
      const [run] = await eventually(
        async () => {
          const items = await runs();
          return items.length === 1 && items[0].status === 'succeeded' ? items : undefined;
        },
        45_000,
        'the run to succeed after the restart',
      );
      const recoveredInMs = Date.now() - killedAt;
      process.stdout.write(`# recovered ${recoveredInMs} ms after kill -9\n`);
      assert.ok(recoveredInMs < 40_000, `recovered in ${recoveredInMs} ms`);

      assert.equal(receiver.received('/reserve').length, 1, 'the finished step was not repeated');
      const labels = receiver.received('/label');
      assert.equal(labels.length, 2, 'the step in flight was attempted again, once');
      assert.equal(labels[0].headers['idempotency-key'], `${run.id}:label`);
      assert.equal(labels[1].headers['idempotency-key'], labels[0].headers['idempotency-key']);
      assert.equal(labels[1].headers.authorization, `Bearer ${LABEL_API_TOKEN}`);
      for (const output of [first.output(), second.output()]) {
        assert.ok(output.length > 1000, 'debug logs were written');
        assert.ok(!output.includes(LABEL_API_TOKEN), 'no log line carries the secret');
      }
    } finally {
      second.child.kill('SIGTERM');
      await second.exited;
    }
  });
});
