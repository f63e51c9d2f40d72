import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ServerResponse } from 'node:http';
import { post } from './support/http';
import { eventually, json, Receiver } from './support/receiver';
import { startTestApp, TestApp } from './support/test-app';

const ALERT_TOKEN = 'alert-token-never-stored-4711';
const SIGNING_SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const TWO_FAST_ATTEMPTS = 'retry: { attempts: 2, backoff: fixed, initial: 100ms, max: 100ms }';

const SOURCES = `
sources:
  shop:
    verify: { scheme: none }
`;

/** Fails at `label` after two attempts; its own on_failure steps post the failure to /alerts. */
const ORDER_PAID = `
name: order-paid
on: { webhook: shop, event: order.paid }
steps:
  - id: label
    uses: http
    with: { url: "{{secrets.RECEIVER}}/down", body: { order: "{{event.body.order}}" } }
    ${TWO_FAST_ATTEMPTS}
on_failure:
  - id: alert
    uses: http
    with:
      url: "{{secrets.RECEIVER}}/alerts"
      headers: { Authorization: "Bearer {{secrets.ALERT_TOKEN}}" }
      body:
        failure: "{{failure}}"
        order: "{{event.body.order}}"
        token_length: "{{length secrets.ALERT_TOKEN}}"
      sign: { secret: "{{secrets.SIGNING_SECRET}}" }
`;

/** No on_failure of its own: on-failure.yaml handles it. */
const PLAIN = `
name: plain
on: { webhook: shop, event: plain }
steps:
  - id: call
    uses: http
    with: { url: "{{secrets.RECEIVER}}/refused" }
`;

/** Its failure steps fail too. */
const DOOMED = `
name: doomed
on: { webhook: shop, event: doomed }
steps:
  - id: call
    uses: http
    with: { url: "{{secrets.RECEIVER}}/refused" }
on_failure:
  - id: tell
    uses: http
    with: { url: "{{secrets.RECEIVER}}/refused", body: { about: "{{failure.run_id}}" } }
`;

/** Its step is held by the receiver until the test lets it fail. */
const HELD = `
name: held
on: { webhook: shop, event: held }
steps:
  - id: call
    uses: http
    timeout: 20s
    with: { url: "{{secrets.RECEIVER}}/held" }
    retry: { attempts: 1 }
`;

const GLOBAL = `
description: Every other workflow's failures go to /global.
on_failure:
  - id: global
    uses: http
    with: { url: "{{secrets.RECEIVER}}/global", body: { workflow: "{{failure.workflow}}", step: "{{failure.step}}", run_id: "{{failure.run_id}}" } }
`;

interface RunSummary {
  id: string;
  workflow: string;
  kind: string;
  failed_run_id: string | null;
  status: string;
}

describe('failure workflows (on_failure)', () => {
  let hookflow: TestApp;
  const receiver = new Receiver();
  const held: ServerResponse[] = [];

  before(async () => {
    receiver
      .route('/down', (_, response) => json(response, 503, { error: 'shipping is down' }))
      .route('/refused', (_, response) => json(response, 400, { error: 'refused' }))
      .route('/alerts', (_, response) => json(response, 200, { ok: true }))
      .route('/global', (_, response) => json(response, 200, { ok: true }))
      .route('/held', (_, response) => {
        held.push(response);
      });
    await receiver.start();
    hookflow = await startTestApp({
      files: {
        'sources.yaml': SOURCES,
        'order-paid.yaml': ORDER_PAID,
        'plain.yaml': PLAIN,
        'doomed.yaml': DOOMED,
        'held.yaml': HELD,
        'on-failure.yaml': GLOBAL,
      },
      env: { RECEIVER: receiver.url, ALERT_TOKEN, SIGNING_SECRET, HOOKFLOW_OUTBOUND_ALLOW: '127.0.0.1' },
    });
  });

  after(async () => {
    for (const response of held) response.destroy();
    await hookflow.close();
    await receiver.stop();
  });

  async function send(type: string, body: Record<string, unknown> = {}): Promise<string> {
    const answer = await post(`${hookflow.baseUrl}/hooks/shop`, JSON.stringify({ type, ...body }));
    assert.equal(answer.status, 202);
    return (answer.body as { event_id: string }).event_id;
  }

  async function runsOf(eventId: string): Promise<RunSummary[]> {
    return (await hookflow.api('GET', `/api/runs?event=${eventId}&limit=50`)).body.items as RunSummary[];
  }

  /** The event's runs once every one of them is final and there are `count` of them. */
  async function finalRuns(eventId: string, count: number): Promise<RunSummary[]> {
    return eventually(
      async () => {
        const runs = await runsOf(eventId);
        return runs.length === count && runs.every((run) => ['succeeded', 'failed', 'cancelled'].includes(run.status)) ? runs : undefined;
      },
      15_000,
      `${count} final runs of event ${eventId}`,
    );
  }

  it('runs the on_failure steps of a run that failed after its retries, with the failure context, as a run of their own', async () => {
    const eventId = await send('order.paid', { order: 'A-1' });
    const runs = await finalRuns(eventId, 2);
    const failed = runs.find((run) => run.kind === 'steps')!;
    const handler = runs.find((run) => run.kind === 'on_failure')!;
    assert.deepEqual({ status: failed.status, failed_run_id: failed.failed_run_id }, { status: 'failed', failed_run_id: null });
    assert.deepEqual(
      { workflow: handler.workflow, status: handler.status, failed_run_id: handler.failed_run_id },
      { workflow: 'order-paid', status: 'succeeded', failed_run_id: failed.id },
    );

    const failedDetail = (await hookflow.api('GET', `/api/runs/${failed.id}`)).body;
    const handlerDetail = (await hookflow.api('GET', `/api/runs/${handler.id}`)).body;
    assert.deepEqual(failedDetail.failure_run_ids, [handler.id]);
    assert.equal(handlerDetail.workflow_version, failedDetail.workflow_version, 'the version the failed run ran on');
    assert.deepEqual(
      handlerDetail.steps.map((step: { id: string }) => step.id),
      ['alert'],
    );
    const labelError = failedDetail.steps.find((step: { id: string }) => step.id === 'label').error;
    assert.match(labelError, /503/);
    const failure = { run_id: failed.id, workflow: 'order-paid', step: 'label', error: labelError, attempts: 2 };
    assert.deepEqual(handlerDetail.failure, failure);

    const [alert] = receiver.received('/alerts');
    assert.ok(alert, 'the receiver got the failure');
    assert.deepEqual(JSON.parse(alert.body), { failure, order: 'A-1', token_length: ALERT_TOKEN.length });
    assert.equal(alert.headers.authorization, `Bearer ${ALERT_TOKEN}`);
    assert.equal(alert.headers['idempotency-key'], `${handler.id}:alert`);
    assert.ok(alert.headers['webhook-signature'], 'signed like any step');
    assert.equal(receiver.received('/global').length, 0, 'a workflow with on_failure of its own is not handed to on-failure.yaml');

    const leaks = await hookflow.query<{ n: number }>(
      `SELECT ((SELECT count(*) FROM step_runs WHERE input::text LIKE $1) + (SELECT count(*) FROM step_attempts WHERE request::text LIKE $1)
               + (SELECT count(*) FROM runs WHERE failure::text LIKE $1))::int AS n`,
      [`%${ALERT_TOKEN}%`],
    );
    assert.equal(leaks[0].n, 0, 'the secret never reaches storage');
    const [stored] = await hookflow.query<{ input: { headers: Record<string, string> } }>(`SELECT input FROM step_runs WHERE run_id = $1`, [handler.id]);
    assert.equal(stored.input.headers.Authorization, 'Bearer [secret]');
  });

  it('runs the on_failure steps again when a retried run fails again', async () => {
    const eventId = await send('order.paid', { order: 'A-2' });
    const failed = (await finalRuns(eventId, 2)).find((run) => run.kind === 'steps')!;
    const alertsBefore = receiver.received('/alerts').length;
    assert.equal((await hookflow.api('POST', `/api/runs/${failed.id}/retry`)).status, 202);
    const runs = await finalRuns(eventId, 3);
    assert.equal(runs.filter((run) => run.kind === 'on_failure' && run.failed_run_id === failed.id).length, 2);
    await eventually(async () => receiver.received('/alerts').length === alertsBefore + 1, 10_000, 'a second alert');
  });

  it('hands a workflow without on_failure of its own to on-failure.yaml', async () => {
    const eventId = await send('plain');
    const runs = await finalRuns(eventId, 2);
    const failed = runs.find((run) => run.kind === 'steps')!;
    const handler = runs.find((run) => run.kind === 'on_failure')!;
    assert.deepEqual(
      { workflow: handler.workflow, status: handler.status, failed_run_id: handler.failed_run_id },
      { workflow: 'on-failure', status: 'succeeded', failed_run_id: failed.id },
    );
    const global = receiver.received('/global').map((request) => JSON.parse(request.body));
    assert.deepEqual(global, [{ workflow: 'plain', step: 'call', run_id: failed.id }]);
  });

  it('starts nothing when a failure run fails', async () => {
    const eventId = await send('doomed');
    const runs = await finalRuns(eventId, 2);
    const handler = runs.find((run) => run.kind === 'on_failure')!;
    assert.equal(handler.status, 'failed');
    // Anything the failed failure run started would be queued by the statement that failed it.
    const started = await hookflow.query<{ n: number }>(`SELECT count(*)::int AS n FROM runs WHERE failed_run_id = $1`, [handler.id]);
    assert.equal(started[0].n, 0);
    assert.equal((await runsOf(eventId)).length, 2);
    assert.equal(
      receiver.received('/global').filter((request) => JSON.parse(request.body).workflow === 'doomed').length,
      0,
      'not handed to on-failure.yaml either',
    );
  });

  it('starts nothing for a cancelled run, even when its step fails after the cancel', async () => {
    const eventId = await send('held');
    await eventually(async () => held.length === 1, 10_000, 'the step is under way');
    const [run] = await runsOf(eventId);
    assert.equal((await hookflow.api('POST', `/api/runs/${run.id}/cancel`)).status, 202);
    json(held[0], 500, { error: 'failed after the cancel' });
    await eventually(
      async () => {
        const rows = await hookflow.query<{ n: number }>(`SELECT count(*)::int AS n FROM step_attempts WHERE run_id = $1`, [run.id]);
        return rows[0].n === 1;
      },
      10_000,
      'the failed attempt recorded',
    );
    const runs = await runsOf(eventId);
    assert.deepEqual(
      runs.map((each) => [each.kind, each.status]),
      [['steps', 'cancelled']],
    );
  });

  it('reports bad on_failure steps with line and column, in the draft validation API', async () => {
    const yaml = [
      'name: broken',
      'on: { webhook: shop }',
      'steps:',
      '  - { id: a, uses: set }',
      'on_failure:',
      '  - id: a',
      '    uses: set',
      '  - id: b',
      '    uses: set',
      '    with: { x: "{{failure.cause}}" }',
    ].join('\n');
    const answer = await hookflow.api('POST', '/api/workflows/validate', { yaml, file: 'broken.yaml' });
    assert.equal(answer.status, 200);
    assert.equal(answer.body.valid, false);
    const problems = [...answer.body.problems].sort((a: { line: number }, b: { line: number }) => a.line - b.line);
    assert.deepEqual(problems, [
      { message: 'step id `a` is already used in `steps` (ids are unique across `steps` and `on_failure`)', line: 6, column: 9 },
      { message: '`with.x`: `failure.cause` does not exist (a failure has run_id, workflow, step, error, attempts)', line: 10, column: 16 },
    ]);
  });

  it('shows a workflow with its on_failure steps, and their lane in its graph', async () => {
    const workflow = (await hookflow.api('GET', '/api/workflows/order-paid')).body;
    assert.deepEqual(
      workflow.on_failure.map((step: { id: string }) => step.id),
      ['alert'],
    );
    assert.deepEqual(
      workflow.graph.nodes.filter((node: { group?: string }) => node.group === 'on_failure').map((node: { id: string }) => node.id),
      ['#on_failure', 'alert'],
    );
  });
});
