import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { post } from './support/http';
import { eventually, json, Receiver } from './support/receiver';
import { startTestApp, TestApp } from './support/test-app';

const SOURCES = `
sources:
  shop:
    verify: { scheme: none }
`;

/** Schedule-only: nothing but a tick (or Run now) starts it. */
const NIGHTLY_RECONCILE = `
name: nightly-reconcile
on: { schedule: "0 3 * * *" }
steps:
  - id: report
    uses: http
    with:
      url: "{{secrets.RECEIVER}}/reconcile"
      body:
        source: "{{event.source}}"
        type: "{{event.type}}"
        since: "{{default event.body.since 'yesterday'}}"
        caller: "{{default event.headers.x-caller 'nobody'}}"
`;

const ORDER_PAID = `
name: order-paid
on: { webhook: shop, event: order.paid }
concurrency: { key: "{{event.body.order.id}}" }
steps:
  - id: label
    uses: http
    with: { url: "{{secrets.RECEIVER}}/labels", body: { order: "{{event.body.order.id}}", type: "{{event.type}}" } }
`;

/** Runs that stay unfinished until cancelled: a durable one-hour delay. */
const SLOW_EXPORT = `
name: slow-export
on: { schedule: "0 4 * * *" }
steps:
  - id: wait
    uses: delay
    with: { for: 1h }
  - id: export
    uses: http
    with: { url: "{{secrets.RECEIVER}}/export", body: {} }
`;

const SLOW_IMPORT = SLOW_EXPORT.replace('name: slow-export', 'name: slow-import');

interface EventRow {
  id: string;
  source: string;
  type: string;
  headers: Record<string, string>;
  body: unknown;
  dedupe_key: string | null;
}

describe('run now (POST /api/workflows/:name/runs)', () => {
  const receiver = new Receiver()
    .route('/reconcile', (_, response) => json(response, 200, { ok: true }))
    .route('/labels', (_, response) => json(response, 200, { tracking: 'T-1' }))
    .route('/export', (_, response) => json(response, 200, {}));
  let hookflow: TestApp;

  before(async () => {
    await receiver.start();
    hookflow = await startTestApp({
      files: {
        'sources.yaml': SOURCES,
        'nightly-reconcile.yaml': NIGHTLY_RECONCILE,
        'order-paid.yaml': ORDER_PAID,
        'slow-export.yaml': SLOW_EXPORT,
        'slow-import.yaml': SLOW_IMPORT,
      },
      env: { RECEIVER: receiver.url, HOOKFLOW_OUTBOUND_ALLOW: '127.0.0.1' },
    });
  });
  after(async () => {
    await hookflow?.close();
    await receiver.stop();
  });

  const eventCount = async () => Number((await hookflow.query<{ n: string }>(`SELECT count(*) AS n FROM events`))[0].n);
  const eventRow = async (id: string) =>
    (
      await hookflow.query<EventRow>(`SELECT id, source, type, headers, dedupe_key, convert_from(body, 'UTF8')::jsonb AS body FROM events WHERE id = $1`, [id])
    )[0];
  const finished = (runId: string) =>
    eventually(
      async () => {
        const answer = await hookflow.api('GET', `/api/runs/${runId}`);
        return ['succeeded', 'failed', 'cancelled'].includes(answer.body.status) ? answer.body : undefined;
      },
      10_000,
      `run ${runId} to finish`,
    );

  it('runs a schedule-only workflow now against its real receiver, from a stored event of source manual', async () => {
    const answer = await hookflow.api('POST', '/api/workflows/nightly-reconcile/runs', {
      body: { since: '2026-12-01' },
      headers: { 'X-Caller': 'ops', Authorization: 'Bearer abc' },
    });
    assert.equal(answer.status, 202, JSON.stringify(answer.body));
    assert.equal(answer.body.workflow, 'nightly-reconcile');
    const run = await finished(answer.body.run_id);
    assert.equal(run.status, 'succeeded');
    assert.equal(run.event_id, answer.body.event_id);

    const delivered = receiver.received('/reconcile');
    assert.equal(delivered.length, 1);
    assert.deepEqual(JSON.parse(delivered[0].body), { source: 'manual', type: 'manual', since: '2026-12-01', caller: 'ops' });

    const event = await eventRow(answer.body.event_id);
    assert.equal(event.source, 'manual');
    assert.equal(event.type, 'manual');
    assert.equal(event.dedupe_key, null);
    assert.deepEqual(event.body, { since: '2026-12-01' });
    assert.deepEqual(event.headers, { 'x-caller': 'ops', authorization: '[secret]' }, 'names lower-cased, credentials redacted as ingress stores them');

    const listed = await hookflow.api('GET', '/api/events?source=manual');
    assert.ok(
      listed.body.items.some((item: { id: string }) => item.id === answer.body.event_id),
      'in the event log under source manual',
    );
  });

  it('replays a manual event into the workflow it ran', async () => {
    const started = await hookflow.api('POST', '/api/workflows/nightly-reconcile/runs', { body: {} });
    await finished(started.body.run_id);
    const replay = await hookflow.api('POST', `/api/events/${started.body.event_id}/replay`);
    assert.equal(replay.status, 202);
    assert.deepEqual(
      replay.body.runs.map((run: { workflow: string }) => run.workflow),
      ['nightly-reconcile'],
    );
    assert.equal((await finished(replay.body.runs[0].id)).status, 'succeeded');
  });

  it('runs a webhook-triggered workflow with the given type, on its version in force, whatever its trigger says', async () => {
    const version = (await hookflow.query<{ version: string }>(`SELECT version FROM workflow_versions WHERE workflow = 'order-paid'`))[0].version;
    const answer = await hookflow.api('POST', '/api/workflows/order-paid/runs', { body: { order: { id: 'A-7' } }, type: 'order.refunded' });
    assert.equal(answer.status, 202, JSON.stringify(answer.body));
    const run = await finished(answer.body.run_id);
    assert.equal(run.status, 'succeeded');
    const [row] = await hookflow.query<{ workflow_version: string; concurrency_key: string }>(
      `SELECT workflow_version, concurrency_key FROM runs WHERE id = $1`,
      [answer.body.run_id],
    );
    assert.deepEqual(row, { workflow_version: version, concurrency_key: 'A-7' });
    const label = receiver.received('/labels').at(-1)!;
    assert.deepEqual(JSON.parse(label.body), { order: 'A-7', type: 'order.refunded' });
    assert.equal((await eventRow(answer.body.event_id)).type, 'order.refunded');
  });

  it('refuses an unknown workflow, a missing or malformed body, bad headers and oversized requests, storing nothing', async () => {
    const before = await eventCount();
    const url = `${hookflow.baseUrl}/api/workflows/order-paid/runs`;
    const auth = { authorization: `Bearer ${hookflow.adminToken}` };
    const cases: [string, { status: number; code: string; message?: RegExp }, () => Promise<{ status: number; body: any }>][] = [
      ['unknown workflow', { status: 404, code: 'UNKNOWN_WORKFLOW' }, () => hookflow.api('POST', '/api/workflows/no-such/runs', { body: {} })],
      [
        'no body field',
        { status: 400, code: 'VALIDATION_FAILED', message: /body is required/ },
        () => hookflow.api('POST', '/api/workflows/order-paid/runs', {}),
      ],
      ['malformed JSON', { status: 400, code: 'INVALID_JSON' }, () => post(url, '{"body": {', auth)],
      ['not JSON at all', { status: 400, code: 'VALIDATION_FAILED' }, () => post(url, 'body=1', { ...auth, 'content-type': 'text/plain' })],
      [
        'a header value that is not a string',
        { status: 400, code: 'VALIDATION_FAILED', message: /value of x-n must be a string/ },
        () => hookflow.api('POST', '/api/workflows/order-paid/runs', { body: {}, headers: { 'x-n': 1 } }),
      ],
      [
        'headers as a list',
        { status: 400, code: 'VALIDATION_FAILED', message: /object of header names/ },
        () => hookflow.api('POST', '/api/workflows/order-paid/runs', { body: {}, headers: ['x-a: 1'] }),
      ],
      [
        'a header name that is not one',
        { status: 400, code: 'VALIDATION_FAILED', message: /not a header name/ },
        () => hookflow.api('POST', '/api/workflows/order-paid/runs', { body: {}, headers: { 'bad name': 'x' } }),
      ],
      [
        'a line break in a header value',
        { status: 400, code: 'VALIDATION_FAILED', message: /control character/ },
        () => hookflow.api('POST', '/api/workflows/order-paid/runs', { body: {}, headers: { 'x-a': 'one\r\nx-hookflow-workflow-chain: a' } }),
      ],
      [
        'too many headers',
        { status: 400, code: 'VALIDATION_FAILED', message: /at most 50 entries/ },
        () =>
          hookflow.api('POST', '/api/workflows/order-paid/runs', {
            body: {},
            headers: Object.fromEntries(Array.from({ length: 51 }, (_, n) => [`x-${n}`, 'v'])),
          }),
      ],
      [
        'headers too large',
        { status: 400, code: 'VALIDATION_FAILED', message: /at most 16384 bytes/ },
        () => hookflow.api('POST', '/api/workflows/order-paid/runs', { body: {}, headers: { 'x-big': 'v'.repeat(17_000) } }),
      ],
      [
        'a body over the API limit',
        { status: 413, code: 'PAYLOAD_TOO_LARGE' },
        () => hookflow.api('POST', '/api/workflows/order-paid/runs', { body: { blob: 'x'.repeat(1024 * 1024) } }),
      ],
      ['an empty type', { status: 400, code: 'VALIDATION_FAILED' }, () => hookflow.api('POST', '/api/workflows/order-paid/runs', { body: {}, type: '' })],
      [
        'an unknown field',
        { status: 400, code: 'VALIDATION_FAILED' },
        () => hookflow.api('POST', '/api/workflows/order-paid/runs', { body: {}, source: 'shop' }),
      ],
    ];
    for (const [what, expected, call] of cases) {
      const answer = await call();
      assert.equal(answer.status, expected.status, `${what}: ${JSON.stringify(answer.body)}`);
      assert.equal(answer.body.error.code, expected.code, what);
      if (expected.message) assert.match(answer.body.error.message, expected.message, what);
    }
    assert.equal(await eventCount(), before, 'nothing stored');
  });

  it('needs the admin token', async () => {
    const answer = await post(`${hookflow.baseUrl}/api/workflows/order-paid/runs`, JSON.stringify({ body: {} }));
    assert.equal(answer.status, 401);
  });

  it('refuses headers that would forge Hookflow’s own, such as the workflow chain, storing nothing', async () => {
    const before = await eventCount();
    for (const name of ['x-hookflow-workflow-chain', 'X-Hookflow-Workflow-Chain', 'x-hookflow-anything']) {
      const answer = await hookflow.api('POST', '/api/workflows/nightly-reconcile/runs', { body: {}, headers: { [name]: 'a,b,c,d,e,f,g,h' } });
      assert.equal(answer.status, 422, `${name}: ${JSON.stringify(answer.body)}`);
      assert.equal(answer.body.error.code, 'RESERVED_HEADER');
      assert.match(answer.body.error.message, new RegExp(name, 'i'));
    }
    assert.equal(await eventCount(), before);
  });
});

describe('bulk cancel (POST /api/runs/cancel)', () => {
  const receiver = new Receiver().route('/export', (_, response) => json(response, 200, {}));
  let hookflow: TestApp;

  before(async () => {
    await receiver.start();
    hookflow = await startTestApp({
      files: { 'slow-export.yaml': SLOW_EXPORT, 'slow-import.yaml': SLOW_IMPORT, 'nightly-reconcile.yaml': NIGHTLY_RECONCILE },
      env: { RECEIVER: receiver.url, HOOKFLOW_OUTBOUND_ALLOW: '127.0.0.1' },
    });
  });
  after(async () => {
    await hookflow?.close();
    await receiver.stop();
  });

  const statusOf = async (id: string) => (await hookflow.api('GET', `/api/runs/${id}`)).body.status as string;
  const runNow = async (workflow: string) => (await hookflow.api('POST', `/api/workflows/${workflow}/runs`, { body: {} })).body.run_id as string;

  it('cancels the newest matching unfinished runs up to the limit and leaves finished and other runs alone', async () => {
    const exports: string[] = [];
    for (let n = 0; n < 3; n++) exports.push(await runNow('slow-export'));
    const imported = await runNow('slow-import');
    // A finished run of the same workflow: marked succeeded as a finished run is.
    const [finishedRun] = await hookflow.query<{ id: string }>(
      `INSERT INTO runs (id, event_id, workflow, workflow_version, status, created_at, finished_at)
       SELECT gen_random_uuid(), event_id, workflow, workflow_version, 'succeeded', now(), now() FROM runs WHERE id = $1
       RETURNING id`,
      [exports[0]],
    );
    await eventually(
      async () => (await Promise.all([...exports, imported].map(statusOf))).every((status) => status === 'running'),
      10_000,
      'the delayed runs to be running',
    );

    const bad = await hookflow.api('POST', '/api/runs/cancel', { workflow: 'slow-export', status: 'succeeded' });
    assert.equal(bad.status, 400);
    assert.match(bad.body.error.message, /only unfinished runs can be cancelled/);

    const answer = await hookflow.api('POST', '/api/runs/cancel', { workflow: 'slow-export', limit: 2 });
    assert.equal(answer.status, 202, JSON.stringify(answer.body));
    assert.deepEqual(answer.body, { cancelled: 2 });
    assert.deepEqual(await Promise.all(exports.map(statusOf)), ['running', 'cancelled', 'cancelled'], 'the newest two');
    assert.equal(await statusOf(imported), 'running', 'another workflow is not touched');
    assert.equal(await statusOf(finishedRun.id), 'succeeded', 'a finished run is not touched');

    const byStatus = await hookflow.api('POST', '/api/runs/cancel', { workflow: 'slow-export', status: 'queued' });
    assert.deepEqual(byStatus.body, { cancelled: 0 }, 'no queued run of slow-export is left');

    const rest = await hookflow.api('POST', '/api/runs/cancel', {});
    assert.deepEqual(rest.body, { cancelled: 2 });
    assert.deepEqual(await Promise.all([exports[0], imported].map(statusOf)), ['cancelled', 'cancelled']);
    assert.equal(receiver.received('/export').length, 0, 'no cancelled run went on to its next step');
  });

  it('takes the event filter and refuses a limit out of range', async () => {
    const first = await hookflow.api('POST', '/api/workflows/slow-export/runs', { body: {} });
    const second = await runNow('slow-export');
    const answer = await hookflow.api('POST', '/api/runs/cancel', { event: first.body.event_id });
    assert.deepEqual(answer.body, { cancelled: 1 });
    assert.equal(await statusOf(first.body.run_id), 'cancelled');
    assert.notEqual(await statusOf(second), 'cancelled');
    for (const limit of [0, 1001]) assert.equal((await hookflow.api('POST', '/api/runs/cancel', { limit })).status, 400);
    assert.equal((await post(`${hookflow.baseUrl}/api/runs/cancel`, '{}')).status, 401);
    await hookflow.api('POST', '/api/runs/cancel', {});
  });
});

describe('run now on a process that only serves the API', () => {
  const receiver = new Receiver().route('/reconcile', (_, response) => json(response, 200, { ok: true }));
  let api: TestApp;
  let worker: TestApp;

  before(async () => {
    await receiver.start();
    const files = { 'nightly-reconcile.yaml': NIGHTLY_RECONCILE };
    const env = { RECEIVER: receiver.url, HOOKFLOW_OUTBOUND_ALLOW: '127.0.0.1' };
    api = await startTestApp({ files, env: { ...env, HOOKFLOW_ROLE: 'api' } });
    worker = await startTestApp({ files, env: { ...env, HOOKFLOW_ROLE: 'worker' }, databaseUrl: api.databaseUrl });
  });
  after(async () => {
    await worker?.stop();
    await api?.close();
    await receiver.stop();
  });

  it('queues the run for the workers of another process, which run it', async () => {
    const answer = await api.api('POST', '/api/workflows/nightly-reconcile/runs', { body: { since: 'monday' } });
    assert.equal(answer.status, 202, JSON.stringify(answer.body));
    const run = await eventually(
      async () => {
        const found = await api.api('GET', `/api/runs/${answer.body.run_id}`);
        return found.body.status === 'succeeded' ? found.body : undefined;
      },
      15_000,
      'the worker process to run it',
    );
    assert.equal(run.event_id, answer.body.event_id);
    assert.equal(JSON.parse(receiver.received('/reconcile')[0].body).since, 'monday');
  });
});
