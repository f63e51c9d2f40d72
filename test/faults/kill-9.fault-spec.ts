import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { countDeliveries, Delivery, describeCount } from '../support/delivery-count';
import { freePort, HookflowProcess, spawnHookflow, waitUntilReady } from '../support/hookflow-process';
import { Receiver } from '../support/receiver';
import { sendSteadily, sleep } from '../support/steady-load';
import { deliveryRoute, hookflowEnv, relayFiles, report, seconds, stopHookflow, unfinishedRuns, waitFor, workDirWith } from './fault-kit';

describe('kill -9 of Hookflow during a load', () => {
  const receiver = new Receiver();
  const deliveries: Delivery[] = [];
  let workDir: string;
  let hookflow: HookflowProcess | undefined;

  before(async () => {
    receiver.route('/deliver', deliveryRoute(deliveries, { delayMs: 200 }));
    await receiver.start();
    workDir = await workDirWith(relayFiles([{ name: 'relay', source: 'load', receiverSecret: 'RECEIVER' }]));
  });

  after(async () => {
    await stopHookflow(hookflow);
    await receiver.stop();
    await rm(workDir, { recursive: true, force: true });
  });

  it('delivers every event answered 2xx after a restart on the same data folder', async (t) => {
    // The same port across the restart, as behind a load balancer: the load keeps going.
    const env = hookflowEnv(workDir, { RECEIVER: receiver.url, PORT: String(await freePort()) });
    const first = (hookflow = await spawnHookflow(workDir, env));
    await waitUntilReady(first);

    const load = sendSteadily({
      url: `${first.baseUrl}/hooks/load`,
      body: (seq) => ({ seq }),
      ratePerSecond: 150,
      durationMs: 5_000,
      maxRequests: 750,
    });
    await sleep(3_000);
    const deliveredBeforeKill = deliveries.length;
    first.child.kill('SIGKILL');
    await first.exited;
    const killedAt = Date.now();
    const answers = await load;

    const second = (hookflow = await spawnHookflow(workDir, env));
    await waitUntilReady(second, 45_000);
    const accepted = new Set(answers.filter((answer) => answer.status === 202).map((answer) => answer.seq));
    const delivered = () => new Set(deliveries.map((delivery) => delivery.seq));
    const drained = await waitFor(
      async () => {
        const seen = delivered();
        return [...accepted].every((seq) => seen.has(seq)) && Object.keys(await unfinishedRuns(second.baseUrl, 'relay')).length === 0;
      },
      60_000,
      500,
    );
    const count = countDeliveries(answers, deliveries);
    const unfinished = await unfinishedRuns(second.baseUrl, 'relay');
    report(
      t,
      describeCount('kill -9', count, {
        delivered_before_kill: deliveredBeforeKill,
        recovered_in: seconds(Date.now() - killedAt),
        unfinished_runs: JSON.stringify(unfinished),
      }),
    );

    assert.ok(deliveredBeforeKill > 0 && count.accepted > deliveredBeforeKill, 'the kill came in the middle of a load, with runs in flight');
    assert.ok(count.refused > 0, 'requests were sent while Hookflow was down');
    assert.equal(count.lost, 0, `lost events: ${count.lostSeqs.slice(0, 20).join(', ')}\n${second.output().slice(-3000)}`);
    assert.ok(drained, 'every accepted event was delivered and every run finished within 60 s of the restart');
    assert.deepEqual(unfinished, {}, 'every run succeeded: no step effect is missing');
    assert.equal(count.keyConflicts, 0, 'a repeated delivery carries the same Idempotency-Key, one key per event');
    assert.equal(count.keys, count.delivered + count.unacknowledged, 'the receiver saw one key per distinct event');
  });
});
