import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { countDeliveries, Delivery, describeCount } from '../support/delivery-count';
import { freePort, HookflowProcess, spawnHookflow, waitUntilReady } from '../support/hookflow-process';
import { Receiver } from '../support/receiver';
import { sendSteadily } from '../support/steady-load';
import { ADMIN_TOKEN, deliveryRoute, hookflowEnv, relayFiles, report, seconds, stopHookflow, unfinishedRuns, waitFor, workDirWith } from './fault-kit';

const DESTINATIONS = `
defaults:
  breaker: { failures: 3, cool_down: 2s }
`;

interface DestinationAnswer {
  items: { id: string; state: string; waiting_steps: number }[];
}

describe('kill -9 while a destination is open and runs wait for it', () => {
  const receiver = new Receiver();
  const deliveries: Delivery[] = [];
  let receiverDown = true;
  let refusedWhileDown = 0;
  let workDir: string;
  let hookflow: HookflowProcess | undefined;

  before(async () => {
    receiver.route(
      '/deliver',
      deliveryRoute(deliveries, {
        refuse: () => {
          if (!receiverDown) return undefined;
          refusedWhileDown++;
          return 503;
        },
      }),
    );
    await receiver.start();
    workDir = await workDirWith({ ...relayFiles([{ name: 'relay', source: 'load', receiverSecret: 'RECEIVER' }]), 'destinations.yaml': DESTINATIONS });
  });

  after(async () => {
    await stopHookflow(hookflow);
    await receiver.stop();
    await rm(workDir, { recursive: true, force: true });
  });

  async function destination(baseUrl: string) {
    const response = await fetch(`${baseUrl}/api/destinations`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    const { items } = (await response.json()) as DestinationAnswer;
    return items.find((item) => item.id === receiver.url);
  }

  it('loses nothing: after the restart a probe closes the circuit and every waiting run is delivered once', async (t) => {
    const env = hookflowEnv(workDir, { RECEIVER: receiver.url, PORT: String(await freePort()) });
    const first = (hookflow = await spawnHookflow(workDir, env));
    await waitUntilReady(first);

    const answers = await sendSteadily({
      url: `${first.baseUrl}/hooks/load`,
      body: (seq) => ({ seq }),
      ratePerSecond: 100,
      durationMs: 2_000,
      maxRequests: 200,
    });
    const opened = await waitFor(async () => {
      const found = await destination(first.baseUrl);
      return found?.state === 'open' && found.waiting_steps >= 20;
    }, 20_000);
    const refusedWhenOpen = refusedWhileDown;
    const openSeenAt = Date.now();
    // A few seconds open: probes go, one per cool-down, and fail.
    await waitFor(() => false, 5_000);
    const beforeKill = await destination(first.baseUrl);
    const refusedBeforeKill = refusedWhileDown;
    const probesAllowed = Math.ceil((Date.now() - openSeenAt) / 2_000) + 1;
    first.child.kill('SIGKILL');
    await first.exited;
    const killedAt = Date.now();

    receiverDown = false;
    const second = (hookflow = await spawnHookflow(workDir, env));
    await waitUntilReady(second, 45_000);
    const accepted = new Set(answers.filter((answer) => answer.status === 202).map((answer) => answer.seq));
    const drained = await waitFor(
      async () => {
        const seen = new Set(deliveries.map((delivery) => delivery.seq));
        return [...accepted].every((seq) => seen.has(seq)) && Object.keys(await unfinishedRuns(second.baseUrl, 'relay')).length === 0;
      },
      60_000,
      500,
    );
    const count = countDeliveries(answers, deliveries);
    const unfinished = await unfinishedRuns(second.baseUrl, 'relay');
    const after = await destination(second.baseUrl);
    report(
      t,
      describeCount('kill -9 while open', count, {
        waiting_at_kill: beforeKill?.waiting_steps ?? 0,
        refused_before_kill: refusedBeforeKill,
        recovered_in: seconds(Date.now() - killedAt),
        state_after: after?.state ?? 'none',
      }),
    );

    assert.ok(opened, `the circuit opened with runs waiting: ${JSON.stringify(beforeKill)}`);
    assert.ok(
      refusedBeforeKill - refusedWhenOpen <= probesAllowed,
      `while open, only probes reached the receiver: ${refusedBeforeKill - refusedWhenOpen} attempts in ${probesAllowed} cool-downs`,
    );
    const lostRuns = await fetch(`${second.baseUrl}/api/runs?workflow=relay&limit=5&status=running`, {
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
    }).then((r) => r.text());
    assert.equal(count.lost, 0, `lost events: ${count.lostSeqs.slice(0, 20).join(', ')}\n${lostRuns}\n${second.output().slice(-3000)}`);
    assert.ok(drained, 'every accepted event was delivered and every run finished within 60 s of the restart');
    assert.deepEqual(unfinished, {});
    assert.equal(count.duplicates, 0, 'the breaker sent nothing twice');
    assert.equal(count.keyConflicts, 0);
    assert.equal(after?.state, 'closed');
  });
});
