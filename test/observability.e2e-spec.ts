import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HookflowProcess, spawnHookflow, waitUntilReady } from './support/hookflow-process';
import { hmacHex, post } from './support/http';
import { scrape } from './support/metrics';
import { DELIVER_WORKFLOW, okReceiver } from './support/order-workflows';
import { eventually, json, Receiver } from './support/receiver';
import { createTestDatabase } from './support/test-database';
import { startTestApp, TestApp } from './support/test-app';

const SHOP_SECRET = 'shop-signing-secret-never-logged-4711';
const API_TOKEN = 'receiver-api-token-never-logged-0815';

const SOURCES = `
sources:
  shop:
    verify: { scheme: hmac-sha256, secret: "{{secrets.SHOP_SECRET}}", header: X-Signature, encoding: hex }
    dedupe_key: "{{default event.body.delivery ''}}"
    body_limit: 1kb
`;

const FAILING = `
name: failing
on: { webhook: shop, event: order.failed }
steps:
  - id: charge
    uses: http
    with:
      url: "{{secrets.RECEIVER}}/fail?token={{secrets.API_TOKEN}}"
      headers: { Authorization: "Bearer {{secrets.API_TOKEN}}" }
      body: { order: "{{event.body.order}}" }
    retry: { attempts: 2, backoff: fixed, initial: 50ms, max: 50ms }
`;

const FILES = { 'sources.yaml': SOURCES, 'deliver.yaml': DELIVER_WORKFLOW, 'failing.yaml': FAILING };

function sendSigned(baseUrl: string, body: object, secret = SHOP_SECRET) {
  const payload = JSON.stringify(body);
  return post(`${baseUrl}/hooks/shop`, payload, { 'x-signature': hmacHex(secret, payload) });
}

/** A receiver that accepts `/ok` and answers `/fail` with 500, echoing the credentials it was sent. */
async function startReceiver(): Promise<Receiver> {
  return okReceiver()
    .route('/fail', (request, response) => json(response, 500, { error: 'down', saw: request.headers.authorization }))
    .start();
}

describe('GET /metrics', () => {
  let receiver: Receiver;
  let hookflow: TestApp;

  before(async () => {
    receiver = await startReceiver();
    hookflow = await startTestApp({
      files: FILES,
      env: { SHOP_SECRET, API_TOKEN, RECEIVER: receiver.url, HOOKFLOW_OUTBOUND_ALLOW: '127.0.0.1' },
    });
  });
  after(async () => {
    await hookflow?.close();
    await receiver?.stop();
  });

  it('answers the Prometheus text format without a token, with the process metrics', async () => {
    const response = await fetch(`${hookflow.baseUrl}/metrics`);
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
    const text = await response.text();
    for (const name of [
      'hookflow_events_received_total',
      'hookflow_run_duration_seconds',
      'hookflow_step_duration_seconds',
      'hookflow_delivery_attempts_total',
      'hookflow_queue_depth',
      'hookflow_queue_oldest_job_age_seconds',
      'process_cpu_seconds_total',
    ]) {
      assert.match(text, new RegExp(`^# TYPE ${name} `, 'm'), name);
    }
  });

  it('counts inbound requests by source and outcome', async () => {
    const before = await scrape(hookflow.baseUrl);
    const received = (outcome: string, source = 'shop') => ({ source, outcome });

    // No workflow listens to order.created: these start no runs that the next test would count.
    assert.equal((await sendSigned(hookflow.baseUrl, { type: 'order.created', order: 1, delivery: 'd-1' })).status, 202);
    assert.equal((await sendSigned(hookflow.baseUrl, { type: 'order.created', order: 2, delivery: 'd-2' })).status, 202);
    assert.equal((await sendSigned(hookflow.baseUrl, { type: 'order.created', order: 1, delivery: 'd-1' })).status, 200);
    assert.equal((await sendSigned(hookflow.baseUrl, { type: 'order.paid', order: 3 }, 'wrong-secret')).status, 401);
    assert.equal((await post(`${hookflow.baseUrl}/hooks/no-such-source-${Date.now()}`, '{}')).status, 404);
    assert.equal((await sendSigned(hookflow.baseUrl, { type: 'order.paid', padding: 'x'.repeat(2048) })).status, 413);

    const after = await scrape(hookflow.baseUrl);
    const delta = (labels: Record<string, string>) =>
      after.value('hookflow_events_received_total', labels) - before.value('hookflow_events_received_total', labels);
    assert.equal(delta(received('accepted')), 2);
    assert.equal(delta(received('duplicate')), 1);
    assert.equal(delta(received('rejected_signature')), 1);
    assert.equal(delta(received('too_large')), 1);
    assert.equal(delta(received('not_found', '_unknown')), 1);
    assert.doesNotMatch(after.text, /no-such-source/, 'an unknown source name never becomes a label');
  });

  it('times runs and steps and counts delivery attempts by status class', async () => {
    const before = await scrape(hookflow.baseUrl);
    assert.equal((await sendSigned(hookflow.baseUrl, { type: 'order.paid', order: 10 })).status, 202);
    assert.equal((await sendSigned(hookflow.baseUrl, { type: 'order.paid', order: 11 })).status, 202);
    assert.equal((await sendSigned(hookflow.baseUrl, { type: 'order.failed', order: 12 })).status, 202);

    const after = await eventually(
      async () => {
        const current = await scrape(hookflow.baseUrl);
        const done =
          current.value('hookflow_run_duration_seconds_count', { workflow: 'deliver', status: 'succeeded' }) -
            before.value('hookflow_run_duration_seconds_count', { workflow: 'deliver', status: 'succeeded' }) >=
            2 &&
          current.value('hookflow_run_duration_seconds_count', { workflow: 'failing', status: 'failed' }) -
            before.value('hookflow_run_duration_seconds_count', { workflow: 'failing', status: 'failed' }) >=
            1;
        return done && current;
      },
      15_000,
      'three runs ended',
    );
    const delta = (name: string, labels: Record<string, string>) => after.value(name, labels) - before.value(name, labels);

    assert.equal(delta('hookflow_run_duration_seconds_count', { workflow: 'deliver', status: 'succeeded' }), 2);
    assert.equal(delta('hookflow_run_duration_seconds_count', { workflow: 'failing', status: 'failed' }), 1);
    assert.ok(delta('hookflow_run_duration_seconds_sum', { workflow: 'deliver' }) > 0);
    assert.equal(delta('hookflow_step_duration_seconds_count', { workflow: 'deliver', kind: 'http', status: 'succeeded' }), 2);
    assert.equal(delta('hookflow_step_duration_seconds_count', { workflow: 'failing', kind: 'http', status: 'failed' }), 2, 'both attempts');
    assert.equal(delta('hookflow_delivery_attempts_total', { kind: 'http', status_class: '2xx' }), 2);
    assert.equal(delta('hookflow_delivery_attempts_total', { kind: 'http', status_class: '5xx' }), 2);
    assert.equal(receiver.received('/fail').length, 2);
  });
});

describe('queue gauges', () => {
  let hookflow: TestApp;

  before(async () => {
    // An ingress-only process: runs are stored and enqueued, and nothing executes them.
    hookflow = await startTestApp({ files: FILES, env: { SHOP_SECRET, API_TOKEN, RECEIVER: 'http://127.0.0.1:9', HOOKFLOW_ROLE: 'ingress' } });
  });
  after(() => hookflow?.close());

  it('reports jobs ready now, jobs due later, and how long the oldest has waited', async () => {
    const empty = await scrape(hookflow.baseUrl);
    assert.equal(empty.value('hookflow_queue_depth', { state: 'ready' }), 0);
    assert.equal(empty.value('hookflow_queue_oldest_job_age_seconds'), 0);

    for (const order of [1, 2, 3]) assert.equal((await sendSigned(hookflow.baseUrl, { type: 'order.paid', order })).status, 202);
    await hookflow.query(`SELECT graphile_worker.add_job('run', json_build_object('run_id', gen_random_uuid()), run_at => now() + interval '1 hour')`);
    const queued = await scrape(hookflow.baseUrl);
    assert.equal(queued.value('hookflow_queue_depth', { state: 'ready' }), 3);
    assert.equal(queued.value('hookflow_queue_depth', { state: 'scheduled' }), 1);
    assert.ok(queued.value('hookflow_queue_oldest_job_age_seconds') < 60);

    await hookflow.query(
      `UPDATE graphile_worker._private_jobs SET run_at = now() - interval '120 seconds'
        WHERE id = (SELECT min(id) FROM graphile_worker._private_jobs)`,
    );
    const waiting = await scrape(hookflow.baseUrl);
    const age = waiting.value('hookflow_queue_oldest_job_age_seconds');
    assert.ok(age >= 120 && age < 180, `oldest job age ${age}`);
  });
});

describe('structured logs', () => {
  let receiver: Receiver;
  let workDir: string;
  let database: { url: string; drop(): Promise<void> };
  let hookflow: HookflowProcess | undefined;

  before(async () => {
    receiver = await startReceiver();
    workDir = await mkdtemp(join(tmpdir(), 'hookflow-logs-'));
    await mkdir(join(workDir, 'workflows'));
    for (const [name, text] of Object.entries(FILES)) await writeFile(join(workDir, 'workflows', name), text);
    database = await createTestDatabase();
  });
  after(async () => {
    if (hookflow && hookflow.child.exitCode === null) {
      hookflow.child.kill('SIGTERM');
      await hookflow.exited;
    }
    await receiver?.stop();
    await database?.drop();
    await rm(workDir, { recursive: true, force: true });
  });

  it('are JSON lines that carry event_id, run_id, workflow and step, and never a secret', async () => {
    hookflow = await spawnHookflow(workDir, {
      DATABASE_URL: database.url,
      HOOKFLOW_DATA_DIR: join(workDir, 'data'),
      HOOKFLOW_WORKFLOWS_DIR: join(workDir, 'workflows'),
      HOOKFLOW_OUTBOUND_ALLOW: '127.0.0.1',
      LOG_LEVEL: 'info',
      SHOP_SECRET,
      API_TOKEN,
      RECEIVER: receiver.url,
    });
    await waitUntilReady(hookflow);

    assert.equal((await sendSigned(hookflow.baseUrl, { type: 'order.paid' }, 'wrong-secret')).status, 401);
    const accepted = await sendSigned(hookflow.baseUrl, { type: 'order.failed', order: 7 });
    assert.equal(accepted.status, 202);
    const eventId: string = accepted.body.event_id;

    const lines = await eventually(
      async () => {
        const parsed = jsonLines(hookflow!.output());
        return parsed.some((line) => line.msg === 'Run failed' && line.event_id === eventId) && parsed;
      },
      15_000,
      'the run failed and said so',
    );
    hookflow.child.kill('SIGTERM');
    assert.equal(await hookflow.exited, 0);

    const retry = lines.find((line) => line.msg === 'Step attempt failed; retry scheduled' && line.event_id === eventId);
    assert.ok(retry, 'a retry is logged');
    assert.equal(retry.workflow, 'failing');
    assert.equal(retry.step, 'charge');
    assert.equal(retry.attempt, 1);
    assert.equal(retry.error, 'HTTP 500');
    assert.match(String(retry.run_id), /^[0-9a-f-]{36}$/);
    assert.equal(retry.level, 30);

    const failed = lines.find((line) => line.msg === 'Step failed' && line.event_id === eventId);
    assert.ok(failed, 'the failed step is logged');
    assert.equal(failed.run_id, retry.run_id);
    assert.equal(failed.step, 'charge');
    assert.equal(failed.attempts, 2);
    assert.equal(failed.level, 40);

    const run = lines.find((line) => line.msg === 'Run failed' && line.event_id === eventId)!;
    assert.equal(run.run_id, retry.run_id);
    assert.equal(run.workflow, 'failing');
    assert.equal(run.error, 'charge: HTTP 500');

    const rejected = lines.find((line) => line.msg === 'Signature rejected');
    assert.ok(rejected, 'the refused request is logged');
    assert.equal(rejected.source, 'shop');
    assert.equal(rejected.reason, 'signature mismatch');
    assert.equal(rejected.level, 40);

    const output = hookflow.output();
    assert.ok(output.includes(eventId));
    assert.ok(!output.includes(SHOP_SECRET), 'the inbound secret is not in the logs');
    assert.ok(!output.includes(API_TOKEN), 'the outbound token is not in the logs');
  });
});

type LogLine = Record<string, unknown> & { msg?: string; level?: number };

function jsonLines(output: string): LogLine[] {
  return output
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as LogLine);
}
