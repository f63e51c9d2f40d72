import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { EmbeddedPostgresServer } from '../../src/database/embedded-postgres.server';
import { countDeliveries, Delivery, describeCount } from '../support/delivery-count';
import { freePort, HookflowProcess, spawnHookflow, waitUntilReady } from '../support/hookflow-process';
import { Receiver } from '../support/receiver';
import { sendSteadily, sleep } from '../support/steady-load';
import { collectChanges, deliveryRoute, hookflowEnv, relayFiles, report, seconds, stopHookflow, unfinishedRuns, waitFor, workDirWith } from './fault-kit';

const OUTAGE_MS = 3_000;

describe('the PostgreSQL server restarted during a load', () => {
  const receiver = new Receiver();
  const deliveries: Delivery[] = [];
  let workDir: string;
  let postgres: EmbeddedPostgresServer;
  let hookflow: HookflowProcess | undefined;

  before(async () => {
    receiver.route('/deliver', deliveryRoute(deliveries, { delayMs: 100 }));
    await receiver.start();
    workDir = await workDirWith(relayFiles([{ name: 'relay', source: 'load', receiverSecret: 'RECEIVER' }]));
    // A server of the test's own (never the system one), restarted on the same port.
    postgres = new EmbeddedPostgresServer(join(workDir, 'external-postgres'), { port: await freePort() });
  });

  after(async () => {
    await stopHookflow(hookflow);
    await postgres.stop();
    await receiver.stop();
    await rm(workDir, { recursive: true, force: true });
  });

  it('delivers every event answered 2xx and recovers by itself, without a restart of Hookflow', async (t) => {
    const databaseUrl = await postgres.start();
    hookflow = await spawnHookflow(workDir, hookflowEnv(workDir, { RECEIVER: receiver.url, DATABASE_URL: databaseUrl }));
    const { baseUrl } = hookflow;
    await waitUntilReady(hookflow);
    const changes = collectChanges(baseUrl);

    const load = sendSteadily({ url: `${baseUrl}/hooks/load`, body: (seq) => ({ seq }), ratePerSecond: 100, durationMs: 9_000, maxRequests: 900 });
    await sleep(3_000);
    const deliveredBeforeOutage = deliveries.length;
    await postgres.stop();
    const stoppedAt = Date.now();
    const notReady = await waitFor(async () => (await fetch(`${baseUrl}/readyz`)).status === 503, OUTAGE_MS - 500, 100);
    await sleep(Math.max(0, OUTAGE_MS - (Date.now() - stoppedAt)));
    await postgres.start();
    const restartedAt = Date.now();
    const ready = await waitFor(async () => (await fetch(`${baseUrl}/readyz`)).status === 200, 30_000, 200);
    const readyAfter = Date.now() - restartedAt;
    const answers = await load;

    // Serving again: a short load after the outage is accepted in full.
    const afterwards = await sendSteadily({
      url: `${baseUrl}/hooks/load`,
      body: (seq) => ({ seq: 100_000 + seq }),
      ratePerSecond: 50,
      durationMs: 1_000,
      maxRequests: 50,
    });
    const allAnswers = [...answers, ...afterwards.map((answer) => ({ ...answer, seq: 100_000 + answer.seq }))];

    const accepted = allAnswers.filter((answer) => answer.status === 202).map((answer) => answer.seq);
    const drained = await waitFor(
      async () => {
        const seen = new Set(deliveries.map((delivery) => delivery.seq));
        return accepted.every((seq) => seen.has(seq)) && Object.keys(await unfinishedRuns(baseUrl, 'relay')).length === 0;
      },
      60_000,
      500,
    );
    const streamedAfterRestart = await waitFor(() => changes.messages.some((message) => message.at > restartedAt), 10_000);
    changes.close();
    const count = countDeliveries(allAnswers, deliveries);
    const unfinished = await unfinishedRuns(baseUrl, 'relay').catch((error: Error) => ({ error: error.message }));
    const refusedDuringOutage = answers.filter((answer) => answer.status !== 202).length;
    report(
      t,
      describeCount('postgres restart', count, {
        outage: seconds(OUTAGE_MS),
        refused_during_outage: refusedDuringOutage,
        ready_again_after_restart: seconds(readyAfter),
        streamed_before: changes.messages.filter((message) => message.at < stoppedAt).length,
        streamed_after: changes.messages.filter((message) => message.at > restartedAt).length,
        drained_after_restart: seconds(Date.now() - restartedAt),
        unfinished_runs: JSON.stringify(unfinished),
      }),
    );

    assert.equal(hookflow.child.exitCode, null, `Hookflow kept running:\n${hookflow.output().slice(-3000)}`);
    assert.ok(deliveredBeforeOutage > 0, 'the outage came in the middle of a load');
    assert.ok(notReady, '/readyz answered 503 while the database was down');
    assert.ok(ready, `/readyz answered 200 again after the database came back:\n${hookflow.output().slice(-3000)}`);
    assert.deepEqual(
      afterwards.map((answer) => answer.status).filter((status) => status !== 202),
      [],
      'every request after the outage was accepted',
    );
    assert.equal(count.lost, 0, `lost events: ${count.lostSeqs.slice(0, 20).join(', ')}\n${hookflow.output().slice(-3000)}`);
    assert.ok(drained, `every accepted event was delivered and every run finished within 60 s:\n${hookflow.output().slice(-3000)}`);
    assert.deepEqual(unfinished, {}, 'every run succeeded: no step effect is missing');
    assert.ok(streamedAfterRestart, 'the change stream opened before the outage carries changes again after it');
    assert.equal(count.keyConflicts, 0, 'a repeated delivery carries the same Idempotency-Key, one key per event');
    assert.equal(count.keys, count.delivered + count.unacknowledged, 'the receiver saw one key per distinct event');
  });
});
