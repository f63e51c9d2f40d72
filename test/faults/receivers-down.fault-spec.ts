import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { countDeliveries, Delivery, describeCount } from '../support/delivery-count';
import { HookflowProcess, spawnHookflow, waitUntilReady } from '../support/hookflow-process';
import { Receiver } from '../support/receiver';
import { LoadAnswer, sendSteadily, sleep } from '../support/steady-load';
import { ADMIN_TOKEN, deliveryRoute, hookflowEnv, relayFiles, report, seconds, stopHookflow, unfinishedRuns, waitFor, workDirWith } from './fault-kit';

const OUTAGE_MS = 6_000;
/** The default retry policy (6 attempts) must not give up on any event of the outage. */
const DEFAULT_ATTEMPTS = 6;

interface RunAttempts {
  attempts: { status: string; error: string | null }[];
  status: string;
}

/** Every run of `workflow` with the attempts of its one step, through the API. */
async function runsOf(baseUrl: string, workflow: string): Promise<RunAttempts[]> {
  const headers = { authorization: `Bearer ${ADMIN_TOKEN}` };
  const ids: string[] = [];
  let cursor: string | null = null;
  for (let page = 0; page < 20; page++) {
    const response = await fetch(`${baseUrl}/api/runs?workflow=${workflow}&limit=200${cursor ? `&cursor=${cursor}` : ''}`, { headers });
    const body = (await response.json()) as { items: { id: string }[]; next_cursor: string | null };
    ids.push(...body.items.map((item) => item.id));
    cursor = body.next_cursor;
    if (!cursor) break;
  }
  return Promise.all(
    ids.map(async (id) => {
      const run = (await (await fetch(`${baseUrl}/api/runs/${id}`, { headers })).json()) as { status: string; steps: { attempts: RunAttempts['attempts'] }[] };
      return { status: run.status, attempts: run.steps[0]?.attempts ?? [] };
    }),
  );
}

describe('receivers down for a while, then back', () => {
  const unavailable = new Receiver();
  const closed = new Receiver();
  const deliveries = { unavailable: [] as Delivery[], closed: [] as Delivery[] };
  let outage = false;
  let workDir: string;
  let hookflow: HookflowProcess | undefined;

  before(async () => {
    unavailable.route('/deliver', deliveryRoute(deliveries.unavailable, { refuse: () => (outage ? 503 : undefined) }));
    closed.route('/deliver', deliveryRoute(deliveries.closed));
    await Promise.all([unavailable.start(), closed.start()]);
    workDir = await workDirWith(
      relayFiles([
        { name: 'to-unavailable', source: 'unavailable', receiverSecret: 'UNAVAILABLE_RECEIVER' },
        { name: 'to-closed', source: 'closed', receiverSecret: 'CLOSED_RECEIVER' },
      ]),
    );
  });

  after(async () => {
    await stopHookflow(hookflow);
    await Promise.all([unavailable.stop(), closed.stop()]);
    await rm(workDir, { recursive: true, force: true });
  });

  it('retries with the default policy until every event is delivered, with every attempt recorded', async (t) => {
    hookflow = await spawnHookflow(workDir, hookflowEnv(workDir, { UNAVAILABLE_RECEIVER: unavailable.url, CLOSED_RECEIVER: closed.url }));
    const { baseUrl } = hookflow;
    await waitUntilReady(hookflow, 45_000);

    const load = (source: string) =>
      sendSteadily({ url: `${baseUrl}/hooks/${source}`, body: (seq) => ({ seq }), ratePerSecond: 10, durationMs: OUTAGE_MS + 2_000, maxRequests: 100 });
    const loads = Promise.all([load('unavailable'), load('closed')]);
    await sleep(1_000);
    // One receiver answers 503, the other's port is closed (connection refused).
    const closedPort = Number(new URL(closed.url).port);
    outage = true;
    await closed.stop();
    const downAt = Date.now();
    await sleep(OUTAGE_MS);
    outage = false;
    await closed.start(closedPort);
    const backAt = Date.now();
    const [unavailableAnswers, closedAnswers] = await loads;

    const deliveredAll = (answers: LoadAnswer[], received: Delivery[]) => {
      const seen = new Set(received.map((delivery) => delivery.seq));
      return answers.every((answer) => answer.status !== 202 || seen.has(answer.seq));
    };
    const drained = await waitFor(
      async () => {
        if (!deliveredAll(unavailableAnswers, deliveries.unavailable) || !deliveredAll(closedAnswers, deliveries.closed)) return false;
        const [a, b] = await Promise.all([unfinishedRuns(baseUrl, 'to-unavailable'), unfinishedRuns(baseUrl, 'to-closed')]);
        return Object.keys(a).length + Object.keys(b).length === 0;
      },
      45_000,
      500,
    );
    const drainedAfter = Date.now() - backAt;

    const cases = [
      {
        name: 'receiver 503',
        workflow: 'to-unavailable',
        answers: unavailableAnswers,
        received: deliveries.unavailable,
        requests: () => unavailable.received('/deliver').length,
      },
      {
        name: 'receiver refusing connections',
        workflow: 'to-closed',
        answers: closedAnswers,
        received: deliveries.closed,
        requests: () => closed.received('/deliver').length,
      },
    ];
    for (const { name, workflow, answers, received, requests } of cases) {
      const runs = await runsOf(baseUrl, workflow);
      const count = countDeliveries(answers, received);
      const attempts = runs.reduce((sum, run) => sum + run.attempts.length, 0);
      const failedAttempts = runs.reduce((sum, run) => sum + run.attempts.filter((attempt) => attempt.status === 'failed').length, 0);
      const retried = runs.filter((run) => run.attempts.length > 1).length;
      const mostAttempts = Math.max(0, ...runs.map((run) => run.attempts.length));
      report(
        t,
        describeCount(`receivers down (${name})`, count, {
          outage: seconds(OUTAGE_MS),
          runs: runs.length,
          attempts,
          failed_attempts: failedAttempts,
          retried_runs: retried,
          most_attempts: mostAttempts,
          receiver_requests: requests(),
          drained_after_receiver_back: seconds(drainedAfter),
        }),
      );

      assert.equal(count.refused, 0, `${name}: Hookflow accepted every event while the receiver was down`);
      assert.equal(count.lost, 0, `${name}: lost events: ${count.lostSeqs.slice(0, 20).join(', ')}`);
      assert.equal(count.duplicates, 0, `${name}: a receiver that answered no 2xx got no effect twice`);
      assert.equal(count.keyConflicts, 0, `${name}: one Idempotency-Key per event, the same on every attempt`);
      assert.equal(runs.length, count.accepted, `${name}: one run per accepted event`);
      assert.deepEqual(
        runs.filter((run) => run.status !== 'succeeded').map((run) => run.status),
        [],
        `${name}: no run was given up`,
      );
      assert.ok(retried > 0 && failedAttempts > 0, `${name}: the outage made runs retry`);
      assert.ok(mostAttempts <= DEFAULT_ATTEMPTS, `${name}: within the default retry policy`);
      assert.equal(attempts, failedAttempts + runs.length, `${name}: every attempt is recorded: one success per run, the rest failed`);
      if (name === 'receiver 503') assert.equal(attempts, requests(), `${name}: the receiver saw exactly the recorded attempts`);
    }
    assert.ok(drained, 'retries drained within 45 s of the receivers coming back');
    // A timer may fire up to 1 ms early as Date.now() counts, now and then.
    assert.ok(backAt - downAt >= OUTAGE_MS - 1, `the receivers were down for ${backAt - downAt} ms`);
  });
});
