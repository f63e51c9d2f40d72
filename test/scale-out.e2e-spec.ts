import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { countDeliveries, Delivery } from './support/delivery-count';
import { HookflowProcess, spawnHookflow, waitUntilReady } from './support/hookflow-process';
import { LEASE_TRUSTED_MS } from '../src/engine/run-executor';
import { post } from './support/http';
import { eventually, Handler, json, Receiver } from './support/receiver';
import { startTestApp } from './support/test-app';
import { sendSteadily, sleep } from './support/steady-load';
import { createTestDatabase, withClient } from './support/test-database';
import { hookflowEnv, report, seconds, stopHookflow, waitFor, workDirWith } from './faults/fault-kit';

const EVENTS = 1_500;
const LOAD_MS = 5_000;
/** Long enough that a second request with the same key while the first is open would show. */
const RECEIVER_DELAY_MS = 20;
const WORKERS = ['worker-a', 'worker-b'] as const;
const VICTIM = 'worker-b';

const STEPS = ['charge', 'notify'] as const;

/**
 * An HTTP step to the receiver. Each worker process is told its name through the
 * environment, and `secrets.*` reads the environment: so each request says who sent it.
 */
const httpStep = (id: string) => `
  - id: ${id}
    uses: http
    with:
      url: "{{secrets.RECEIVER}}/${id}"
      headers: { X-Hookflow-Worker: "{{secrets.WORKER_NAME}}" }
      body: { seq: "{{event.body.seq}}" }`;

const FILES = {
  'sources.yaml': `
sources:
  orders:
    verify: { scheme: none }
`,
  'fulfil.yaml': `
name: fulfil
on: { webhook: orders }
steps:${STEPS.map(httpStep).join('')}
`,
};

/** One request as the receiver saw it: open from `arrivedAt` until it answered at `finishedAt`. */
interface Exchange extends Delivery {
  step: string;
  worker: string;
  arrivedAt: number;
  finishedAt: number;
}

/** Records each request on arrival, answers after a short delay, and records when it answered. */
function recordingRoute(step: string, exchanges: Exchange[]): Handler {
  return async (request, response) => {
    const exchange: Exchange = {
      step,
      seq: (JSON.parse(request.body) as { seq: number }).seq,
      key: String(request.headers['idempotency-key']),
      worker: String(request.headers['x-hookflow-worker']),
      arrivedAt: performance.now(),
      finishedAt: Infinity,
    };
    exchanges.push(exchange);
    await sleep(RECEIVER_DELAY_MS);
    json(response, 200, { ok: true });
    exchange.finishedAt = performance.now();
  };
}

/** The requests of each Idempotency-Key, in order of arrival. */
function byKey(exchanges: Exchange[]): Exchange[][] {
  const groups = new Map<string, Exchange[]>();
  for (const exchange of exchanges) groups.set(exchange.key, [...(groups.get(exchange.key) ?? []), exchange]);
  return [...groups.values()].map((group) => group.sort((a, b) => a.arrivedAt - b.arrivedAt));
}

/** Requests that arrived while an earlier request with the same Idempotency-Key was still open. */
function overlapping(exchanges: Exchange[]): Exchange[] {
  const found: Exchange[] = [];
  for (const group of byKey(exchanges)) {
    let openUntil = -Infinity;
    for (const exchange of group) {
      if (exchange.arrivedAt < openUntil) found.push(exchange);
      openUntil = Math.max(openUntil, exchange.finishedAt);
    }
  }
  return found;
}

/** Keys delivered more than once, with the worker that delivered each of them first. */
function repeatedKeys(exchanges: Exchange[]): { key: string; firstBy: string }[] {
  return byKey(exchanges)
    .filter((group) => group.length > 1)
    .map((group) => ({ key: group[0].key, firstBy: group[0].worker }));
}

describe('scale-out: one ingress and two workers on one database', () => {
  const receiver = new Receiver();
  const exchanges: Exchange[] = [];
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let workDir: string;
  let ingress: HookflowProcess;
  const workers = new Map<string, HookflowProcess>();

  before(async () => {
    for (const step of STEPS) receiver.route(`/${step}`, recordingRoute(step, exchanges));
    await receiver.start();
    workDir = await workDirWith(FILES);
    database = await createTestDatabase();
    const env = (role: string, name: string) =>
      hookflowEnv(workDir, { DATABASE_URL: database.url, HOOKFLOW_ROLE: role, WORKER_NAME: name, RECEIVER: receiver.url });
    // All three start at once on the fresh database: migrations must not race.
    const started = await Promise.all([
      spawnHookflow(workDir, env('ingress', 'ingress')),
      ...WORKERS.map((name) => spawnHookflow(workDir, env('worker', name))),
    ]);
    await Promise.all(started.map((hookflow) => waitUntilReady(hookflow)));
    [ingress] = started;
    WORKERS.forEach((name, index) => workers.set(name, started[index + 1]));
  });

  after(async () => {
    await Promise.all([ingress, ...workers.values()].map((hookflow) => stopHookflow(hookflow)));
    await receiver.stop();
    await database?.drop();
    await rm(workDir, { recursive: true, force: true });
  });

  it('prints the role and only the URLs that role serves in each banner', () => {
    assert.match(ingress.output(), /Role: +ingress \(receives webhooks\)/);
    assert.match(ingress.output(), /\/hooks\/orders/);
    assert.doesNotMatch(ingress.output(), /Console:|API:|Admin token:/);
    for (const worker of workers.values()) {
      assert.match(worker.output(), /Role: +worker \(runs workflows and schedules\)/);
      assert.doesNotMatch(worker.output(), /\/hooks\/|Console:|API:|Admin token:/);
      assert.match(worker.output(), /\/healthz .*\/readyz .*\/metrics/);
    }
  });

  it('delivers every accepted event when a worker is killed mid-load, never running a step in two processes at once', async (t) => {
    const load = sendSteadily({
      url: `${ingress.baseUrl}/hooks/orders`,
      body: (seq) => ({ seq }),
      ratePerSecond: EVENTS / (LOAD_MS / 1000),
      durationMs: LOAD_MS * 3,
      maxRequests: EVENTS,
      requestTimeoutMs: 30_000,
    });
    await sleep(LOAD_MS / 2);
    const victimWorked = await waitFor(() => exchanges.some((exchange) => exchange.worker === VICTIM), 10_000);
    const victim = workers.get(VICTIM)!;
    const beforeKill = WORKERS.map((name) => `${name}:${exchanges.filter((exchange) => exchange.worker === name).length}`).join(',');
    victim.child.kill('SIGKILL');
    await victim.exited;
    const killedAt = Date.now();
    const answers = await load;

    const accepted = answers.filter((answer) => answer.status === 202).length;
    const runStatuses = () =>
      withClient(database.url, async (client) => {
        const { rows } = await client.query<{ status: string; runs: number }>(`SELECT status, count(*)::int AS runs FROM runs GROUP BY status`);
        return Object.fromEntries(rows.map((row) => [row.status, row.runs]));
      });
    const drained = await waitFor(async () => (await runStatuses()).succeeded === accepted, 60_000, 500);
    const recoveredInMs = Date.now() - killedAt;
    const statuses = await runStatuses();

    const counts = STEPS.map((step) =>
      countDeliveries(
        answers,
        exchanges.filter((exchange) => exchange.step === step),
      ),
    );
    const lost = new Set(counts.flatMap((count) => count.lostSeqs));
    const duplicates = counts.reduce((sum, count) => sum + count.duplicates, 0);
    const overlaps = overlapping(exchanges);
    const repeated = repeatedKeys(exchanges);
    const byWorker = Object.fromEntries(WORKERS.map((name) => [name, exchanges.filter((exchange) => exchange.worker === name).length]));
    report(
      t,
      `scale-out: sent=${answers.length} accepted=${accepted} delivered=${accepted - lost.size} lost=${lost.size} duplicates=${duplicates} ` +
        `overlapping=${overlaps.length} requests_by_worker=${WORKERS.map((name) => `${name}${name === VICTIM ? '(killed)' : ''}:${byWorker[name]}`).join(',')} ` +
        `before_kill=${beforeKill} runs=${JSON.stringify(statuses)} recovered_in=${seconds(recoveredInMs)}`,
    );

    assert.ok(victimWorked, 'the killed worker had taken work before the kill');
    assert.equal(accepted, answers.length, 'the ingress accepted every event sent: a worker dying does not affect it');
    assert.ok(
      drained,
      `every accepted event's run succeeded within 60 s of the kill (runs: ${JSON.stringify(statuses)})\n${workers.get(WORKERS[0])!.output().slice(-3000)}`,
    );
    assert.equal(lost.size, 0, `lost events: ${[...lost].slice(0, 20).join(', ')}`);
    assert.deepEqual(
      overlaps.map((exchange) => exchange.key),
      [],
      'no step was executing in two processes at once',
    );
    assert.deepEqual(
      repeated.filter((entry) => entry.firstBy !== VICTIM),
      [],
      'only steps the killed worker had started were delivered again',
    );
    assert.equal(duplicates, repeated.length, 'a step delivered again was delivered twice, not more');
    for (const count of counts) assert.equal(count.keyConflicts, 0, 'one Idempotency-Key per run and step, the same on every delivery');
    for (const name of WORKERS) assert.ok(byWorker[name] > 0, `${name} did work`);
  });
});

describe('a worker whose claim on a run was taken over while it was stalled', () => {
  it('starts no further step of that run', async () => {
    const receiver = new Receiver();
    let answerCharge = () => undefined as void;
    const chargeAnswered = new Promise<void>((resolve) => (answerCharge = resolve));
    receiver
      .route('/charge', async (_, response) => {
        await chargeAnswered;
        json(response, 200, { ok: true });
      })
      .route('/notify', (_, response) => json(response, 200, { ok: true }));
    await receiver.start();
    const hookflow = await startTestApp({ files: FILES, env: { RECEIVER: receiver.url, WORKER_NAME: 'solo', HOOKFLOW_OUTBOUND_ALLOW: '127.0.0.1' } });
    try {
      assert.equal((await post(`${hookflow.baseUrl}/hooks/orders`, JSON.stringify({ seq: 1 }))).status, 202);
      await eventually(async () => receiver.received('/charge').length === 1, 10_000, 'the first step to be in flight');
      // What another worker does once this one's lease has lapsed unrenewed (a long stall).
      await hookflow.query(`UPDATE runs SET lease_owner = 'another-process', lease_until = now() + interval '5 minutes'`);
      await sleep(LEASE_TRUSTED_MS + 1_000);
      answerCharge();
      await eventually(
        async () => (await hookflow.query(`SELECT 1 FROM step_runs WHERE step_id = 'charge' AND status = 'succeeded'`)).length === 1,
        10_000,
        'the first step to end',
      );
      await sleep(1_000);
      assert.equal(receiver.received('/notify').length, 0, 'the next step is left to the process that holds the run');
      const [run] = await hookflow.query<{ lease_owner: string }>(`SELECT lease_owner FROM runs`);
      assert.equal(run.lease_owner, 'another-process');
    } finally {
      answerCharge();
      await hookflow.close();
      await receiver.stop();
    }
  });
});
