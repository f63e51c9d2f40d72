import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { EmbeddedPostgresServer } from '../../src/database/embedded-postgres.server';
import { countDeliveries, Delivery, describeCount } from '../support/delivery-count';
import { freePort, HookflowProcess, spawnHookflow, waitUntilReady } from '../support/hookflow-process';
import { Receiver } from '../support/receiver';
import { sendSteadily, sleep } from '../support/steady-load';
import { deliveryRoute, hookflowEnv, relayFiles, report, seconds, stopHookflow, unfinishedRuns, waitFor, workDirWith } from './fault-kit';

const PASSWORD = 'late-database-password-never-printed';
const DATABASE_DOWN_MS = 4_000;

describe('the database unreachable when Hookflow starts', () => {
  const receiver = new Receiver();
  const deliveries: Delivery[] = [];
  let workDir: string;
  let postgres: EmbeddedPostgresServer;
  let port: number;
  let hookflow: HookflowProcess | undefined;

  before(async () => {
    receiver.route('/deliver', deliveryRoute(deliveries));
    await receiver.start();
    workDir = await workDirWith(relayFiles([{ name: 'relay', source: 'load', receiverSecret: 'RECEIVER' }]));
    port = await freePort();
    const serverDir = join(workDir, 'late-postgres');
    await mkdir(serverDir);
    // The server takes Hookflow's password from this file, so the URL is known before it exists.
    await writeFile(join(serverDir, 'pg-hookflow-password'), `${PASSWORD}\n`, { mode: 0o600 });
    postgres = new EmbeddedPostgresServer(serverDir, { port });
  });

  after(async () => {
    await stopHookflow(hookflow);
    await postgres.stop();
    await receiver.stop();
    await rm(workDir, { recursive: true, force: true });
  });

  it('says which database it waits for, keeps trying, and is ready once the database is up', async (t) => {
    const databaseUrl = `postgres://hookflow:${PASSWORD}@127.0.0.1:${port}/hookflow`;
    const startedAt = Date.now();
    hookflow = await spawnHookflow(workDir, hookflowEnv(workDir, { RECEIVER: receiver.url, DATABASE_URL: databaseUrl }));
    const waitLines = () =>
      hookflow!
        .output()
        .split('\n')
        .filter((line) => line.includes('is not reachable'));
    const saidWhy = await waitFor(() => waitLines().length >= 2, DATABASE_DOWN_MS);
    await sleep(Math.max(0, DATABASE_DOWN_MS - (Date.now() - startedAt)));
    const stillWaiting = hookflow.child.exitCode === null;
    const probes = {
      live: await fetch(`${hookflow.baseUrl}/healthz`).then((response) => response.status),
      ready: await fetch(`${hookflow.baseUrl}/readyz`).then(async (response) => ({
        status: response.status,
        body: (await response.json()) as { error: { code: string; message: string } },
      })),
      ingress: await fetch(`${hookflow.baseUrl}/hooks/load`, { method: 'POST', body: '{}' }).then((response) => response.status),
    };

    await postgres.start();
    const databaseUpAt = Date.now();
    await waitUntilReady(hookflow, 45_000);
    const readyAfter = Date.now() - databaseUpAt;

    const answers = await sendSteadily({
      url: `${hookflow.baseUrl}/hooks/load`,
      body: (seq) => ({ seq }),
      ratePerSecond: 20,
      durationMs: 1_000,
      maxRequests: 20,
    });
    const seen = () => new Set(deliveries.map((delivery) => delivery.seq));
    const drained = await waitFor(
      async () => answers.every((answer) => seen().has(answer.seq)) && Object.keys(await unfinishedRuns(hookflow!.baseUrl, 'relay')).length === 0,
      30_000,
    );
    const count = countDeliveries(answers, deliveries);
    const lines = waitLines();
    report(
      t,
      describeCount('database late at start', count, {
        database_down: seconds(DATABASE_DOWN_MS),
        attempts_logged: lines.length,
        ready_after_database_up: seconds(readyAfter),
      }),
    );
    t.diagnostic(`first wait line: ${lines[0]}`);

    assert.ok(saidWhy && stillWaiting, `Hookflow waited, saying why, instead of exiting:\n${hookflow.output()}`);
    // Alive (an orchestrator must not restart it), not ready, and senders told to retry.
    assert.equal(probes.live, 200, '/healthz answers while Hookflow waits');
    assert.equal(probes.ready.status, 503, 'not ready while the database is unreachable');
    assert.equal(probes.ready.body.error.code, 'NOT_READY');
    assert.match(probes.ready.body.error.message, new RegExp(`^Waiting for the database 127\\.0\\.0\\.1:${port}/hookflow: .*ECONNREFUSED`));
    assert.ok(!probes.ready.body.error.message.includes(PASSWORD));
    assert.equal(probes.ingress, 503, 'webhooks are refused with 503 until the database answers');
    const first = JSON.parse(lines[0]) as { msg: string; level: number };
    assert.match(
      first.msg,
      new RegExp(
        `^Database 127\\.0\\.0\\.1:${port}/hookflow is not reachable \\(.*ECONNREFUSED.*\\); retrying in [\\d.]+ s \\(attempt 1; Hookflow keeps trying until it answers\\)$`,
      ),
    );
    assert.ok(first.level >= 50, 'logged as an error');
    assert.ok(!hookflow.output().includes(PASSWORD), 'the password is never printed');
    assert.ok(readyAfter < 15_000, `ready ${seconds(readyAfter)} after the database came up`);
    assert.equal(count.accepted, answers.length, 'every event was accepted once ready');
    assert.equal(count.lost, 0, `lost events: ${count.lostSeqs.slice(0, 20).join(', ')}`);
    assert.ok(drained, 'every event was delivered');
    assert.equal(count.duplicates, 0);
    assert.equal(count.keyConflicts, 0);
  });
});
