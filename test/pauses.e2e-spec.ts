import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { post } from './support/http';
import { eventually, json, Receiver } from './support/receiver';
import { startTestApp, TestApp } from './support/test-app';

const SOURCES = `
sources:
  shop:
    verify: { scheme: none }
  partner:
    verify: { scheme: none }
`;

/** One call per run; the receiver answers after a short wait, so that runs with one key overlap if the gate lets them. */
const SERIAL = `
name: serial
on: { webhook: shop, event: serial }
concurrency: { key: "{{event.body.key}}" }
steps:
  - id: call
    uses: http
    with: { url: "{{secrets.RECEIVER}}/serial", body: { key: "{{event.body.key}}", n: "{{event.body.n}}" } }
`;

/** A first step the test holds open, then a second: a pause that lands while the first is in flight. */
const TWO_STEPS = `
name: two-steps
on: { webhook: shop, event: two.steps }
steps:
  - id: first
    uses: http
    with: { url: "{{secrets.RECEIVER}}/held" }
  - id: second
    uses: http
    with: { url: "{{secrets.RECEIVER}}/second" }
`;

/** One step per run, in line by key; the test holds the first call open. */
const IN_LINE = `
name: in-line
on: { webhook: shop, event: in.line }
concurrency: { key: "{{event.body.key}}" }
steps:
  - id: call
    uses: http
    with: { url: "{{secrets.RECEIVER}}/in-line", body: { n: "{{event.body.n}}" } }
`;

const FILES = { 'sources.yaml': SOURCES, 'serial.yaml': SERIAL, 'two-steps.yaml': TWO_STEPS, 'in-line.yaml': IN_LINE };

describe('pausing and resuming workflows and sources', () => {
  const receiver = new Receiver();
  const apps: TestApp[] = [];
  let hookflow: TestApp;
  const held: (() => void)[] = [];
  const heldInLine: (() => void)[] = [];
  let holdInLine = true;
  let holdFirstSteps = true;

  const start = async (databaseUrl?: string) => {
    const app = await startTestApp({ files: FILES, databaseUrl, env: { RECEIVER: receiver.url, HOOKFLOW_OUTBOUND_ALLOW: '127.0.0.1' } });
    apps.push(app);
    return app;
  };

  before(async () => {
    receiver
      .route('/serial', (_, response) => void setTimeout(() => json(response, 200, { ok: true }), 30))
      .route('/held', (_, response) => (holdFirstSteps ? void held.push(() => json(response, 200, { ok: true })) : json(response, 200, { ok: true })))
      .route('/second', (_, response) => json(response, 200, { ok: true }))
      .route('/in-line', (_, response) => (holdInLine ? void heldInLine.push(() => json(response, 200, { ok: true })) : json(response, 200, { ok: true })));
    await receiver.start();
    hookflow = await start();
  });

  after(async () => {
    // Stopped apps first: the first app owns the database and drops it on close.
    for (const app of apps.slice(1)) await app.close();
    await apps[0]?.close();
    await receiver.stop();
  });

  async function send(app: TestApp, body: object, source = 'shop') {
    return post(`${app.baseUrl}/hooks/${source}`, JSON.stringify(body));
  }

  const runsOf = (workflow: string) =>
    hookflow.query<{ id: string; status: string; key: string; n: number }>(
      `SELECT r.id, r.status, r.concurrency_key AS key, (convert_from(e.body, 'UTF8')::jsonb ->> 'n')::int AS n
         FROM runs r JOIN events e ON e.id = r.event_id WHERE r.workflow = $1 ORDER BY r.created_at, r.id`,
      [workflow],
    );

  /** The receiver's `/serial` calls as `key:n`, in the order they arrived. */
  const serialCalls = () => receiver.received('/serial').map((request) => JSON.parse(request.body) as { key: string; n: string });

  it('keeps the events of a paused workflow, holds its runs as paused, and runs them all in key order once resumed', async () => {
    const paused = await hookflow.api('POST', '/api/workflows/serial/pause', { by: 'e2e', reason: 'receiver maintenance' });
    assert.equal(paused.status, 200, JSON.stringify(paused.body));
    assert.equal(paused.body.paused.by, 'e2e');
    assert.equal(paused.body.paused.reason, 'receiver maintenance');

    const before = serialCalls().length;
    for (let n = 1; n <= 4; n++) {
      for (const key of ['a', 'b']) {
        const answer = await send(hookflow, { type: 'serial', key, n });
        assert.equal(answer.status, 202, JSON.stringify(answer.body));
      }
    }
    const runs = await eventually(
      async () => {
        const rows = await runsOf('serial');
        return rows.length === 8 && rows.every((run) => run.status === 'paused') && rows;
      },
      10_000,
      'eight paused runs',
    );
    assert.equal(runs.length, 8);
    const listed = await hookflow.api('GET', '/api/runs?workflow=serial&status=paused');
    assert.equal(listed.status, 200);
    assert.equal(listed.body.items.length, 8);
    const events = await hookflow.api('GET', '/api/events?source=shop&status=pending');
    assert.equal(events.body.items.length, 8, 'an event whose run is paused is pending');
    const workflow = await hookflow.api('GET', '/api/workflows/serial');
    assert.equal(workflow.body.paused.by, 'e2e');
    const list = await hookflow.api('GET', '/api/workflows');
    assert.ok(list.body.items.find((item: { name: string }) => item.name === 'serial').paused);
    // Nothing moves while paused.
    await new Promise((done) => setTimeout(done, 500));
    assert.equal(serialCalls().length, before, 'the receiver got nothing while the workflow was paused');

    const resumed = await hookflow.api('POST', '/api/workflows/serial/resume');
    assert.equal(resumed.status, 200, JSON.stringify(resumed.body));
    assert.deepEqual([resumed.body.paused, resumed.body.resumed_runs], [null, 8]);
    await eventually(async () => (await runsOf('serial')).every((run) => run.status === 'succeeded'), 15_000, 'every run succeeded');
    const calls = serialCalls().slice(before);
    assert.equal(calls.length, 8, 'each run sent once');
    for (const key of ['a', 'b']) {
      assert.deepEqual(
        calls.filter((call) => call.key === key).map((call) => Number(call.n)),
        [1, 2, 3, 4],
        `runs with key ${key} ran in arrival order`,
      );
    }
  });

  it('lets the attempt in flight finish when a pause lands mid-run, parks the run before its next step, and sends nothing twice', async () => {
    const answer = await send(hookflow, { type: 'two.steps' });
    assert.equal(answer.status, 202);
    await eventually(async () => held.length === 1, 10_000, 'the first step in flight');
    await hookflow.api('POST', '/api/workflows/two-steps/pause');
    held.shift()!();

    const [run] = await eventually(
      async () => {
        const rows = await runsOf('two-steps');
        return rows[0]?.status === 'paused' && rows;
      },
      10_000,
      'the run paused',
    );
    const steps = await hookflow.query<{ step_id: string; status: string; attempts: number }>(
      `SELECT step_id, status, attempts FROM step_runs WHERE run_id = $1 ORDER BY step_id`,
      [run.id],
    );
    assert.deepEqual(steps, [{ step_id: 'first', status: 'succeeded', attempts: 1 }]);
    const claim = await hookflow.query<{ lease_owner: string | null }>(`SELECT lease_owner FROM runs WHERE id = $1`, [run.id]);
    assert.equal(claim[0].lease_owner, null, 'a paused run holds no claim');
    assert.equal(receiver.received('/second').length, 0);
    // A run accepted while paused (no concurrency key: stored already claimed by this process) parks before its first step.
    assert.equal((await send(hookflow, { type: 'two.steps' })).status, 202);
    await eventually(async () => (await runsOf('two-steps')).filter((row) => row.status === 'paused').length === 2, 10_000, 'the second run paused');
    assert.equal(receiver.received('/held').length, 1);

    holdFirstSteps = false;
    await hookflow.api('POST', '/api/workflows/two-steps/resume');
    await eventually(async () => (await runsOf('two-steps')).every((row) => row.status === 'succeeded'), 10_000, 'both runs succeeded');
    assert.equal(receiver.received('/held').length, 2, 'the first step of the first run was not sent again');
    assert.equal(receiver.received('/second').length, 2);
  });

  it('parks at once the runs waiting in line when the pause lands, and lets the one under way finish', async () => {
    for (let n = 1; n <= 3; n++) assert.equal((await send(hookflow, { type: 'in.line', key: 'k', n })).status, 202);
    await eventually(async () => heldInLine.length === 1, 10_000, 'the first run in flight');
    await eventually(async () => (await runsOf('in-line')).filter((row) => row.status === 'queued').length === 2, 10_000, 'two runs waiting in line');

    const paused = await hookflow.api('POST', '/api/workflows/in-line/pause');
    assert.equal(paused.body.paused_runs, 2);
    assert.deepEqual(
      (await runsOf('in-line')).map((row) => row.status),
      ['running', 'paused', 'paused'],
    );
    holdInLine = false;
    heldInLine.shift()!();
    await eventually(async () => (await runsOf('in-line'))[0].status === 'succeeded', 10_000, 'the run under way finished');
    await new Promise((done) => setTimeout(done, 300));
    assert.equal(receiver.received('/in-line').length, 1, 'the waiting runs stay put');

    assert.equal((await hookflow.api('POST', '/api/workflows/in-line/resume')).body.resumed_runs, 2);
    await eventually(async () => (await runsOf('in-line')).every((row) => row.status === 'succeeded'), 10_000, 'all three succeeded');
    assert.deepEqual(
      receiver.received('/in-line').map((request) => JSON.parse(request.body).n),
      [1, 2, 3],
    );
  });

  it('keeps a pause across a restart on the same database', async () => {
    await hookflow.api('POST', '/api/workflows/serial/pause');
    const databaseUrl = hookflow.databaseUrl;
    await hookflow.stop();
    const restarted = await start(databaseUrl);

    const workflow = await restarted.api('GET', '/api/workflows/serial');
    assert.ok(workflow.body.paused, 'still paused after the restart');
    const before = serialCalls().length;
    assert.equal((await send(restarted, { type: 'serial', key: 'c', n: 1 })).status, 202);
    await eventually(async () => (await runsOf('serial')).some((run) => run.key === 'c' && run.status === 'paused'), 10_000, 'the new run paused');
    assert.equal(serialCalls().length, before);

    await restarted.api('POST', '/api/workflows/serial/resume');
    await eventually(async () => (await runsOf('serial')).every((run) => run.status === 'succeeded'), 10_000, 'the run succeeded after resume');
    hookflow = restarted;
  });

  it('is honoured by a second process on the same database, paused through the first', async () => {
    const second = await start(hookflow.databaseUrl);
    const pausedAt = Date.now();
    await hookflow.api('POST', '/api/sources/partner/pause');
    await hookflow.api('POST', '/api/workflows/serial/pause');
    // The second process learns of both from the database's notification; its metric shows its own view.
    await eventually(
      async () => {
        const metrics = await (await fetch(`${second.baseUrl}/metrics`)).text();
        return metrics.includes('hookflow_paused{kind="workflow"} 1') && metrics.includes('hookflow_paused{kind="source"} 1');
      },
      6_000,
      'the second process sees the pauses',
    );
    assert.ok(Date.now() - pausedAt < 6_000);

    const refused = await send(second, { type: 'anything' }, 'partner');
    assert.equal(refused.status, 503);
    const before = serialCalls().length;
    assert.equal((await send(second, { type: 'serial', key: 'd', n: 1 })).status, 202);
    await eventually(async () => (await runsOf('serial')).some((run) => run.key === 'd' && run.status === 'paused'), 10_000, 'the run paused');
    assert.equal(serialCalls().length, before);

    await second.api('POST', '/api/workflows/serial/resume');
    await second.api('POST', '/api/sources/partner/resume');
    await eventually(async () => (await runsOf('serial')).every((run) => run.status === 'succeeded'), 10_000, 'the run succeeded after resume');
    await eventually(async () => (await send(hookflow, { type: 'anything' }, 'partner')).status === 202, 6_000, 'the first process accepts again');
    await second.stop();
  });

  it('answers 503 with Retry-After for a paused source and stores nothing, then 202 once resumed', async () => {
    const paused = await hookflow.api('POST', '/api/sources/shop/pause', { reason: 'migration' });
    assert.equal(paused.status, 200);
    const sources = await hookflow.api('GET', '/api/sources');
    assert.equal(sources.body.items.find((item: { name: string }) => item.name === 'shop').paused.reason, 'migration');
    const [{ count: before }] = await hookflow.query<{ count: number }>(`SELECT count(*)::int AS count FROM events WHERE source = 'shop'`);

    const refused = await send(hookflow, { type: 'serial', key: 'e', n: 1 });
    assert.equal(refused.status, 503);
    assert.equal(refused.headers.get('retry-after'), '60');
    assert.equal(refused.body.error.code, 'SOURCE_PAUSED');
    const [{ count: after }] = await hookflow.query<{ count: number }>(`SELECT count(*)::int AS count FROM events WHERE source = 'shop'`);
    assert.equal(after, before, 'nothing was stored');
    const metrics = await (await fetch(`${hookflow.baseUrl}/metrics`)).text();
    assert.match(metrics, /hookflow_events_received_total\{source="shop",outcome="paused"\} 1/);

    assert.equal((await hookflow.api('POST', '/api/sources/shop/resume')).status, 200);
    assert.equal((await send(hookflow, { type: 'serial', key: 'e', n: 1 })).status, 202);
  });

  it('answers 404 for names it does not know, and refuses an oversized reason', async () => {
    assert.equal((await hookflow.api('POST', '/api/workflows/nope/pause')).body.error.code, 'UNKNOWN_WORKFLOW');
    assert.equal((await hookflow.api('POST', '/api/workflows/nope/resume')).status, 404);
    assert.equal((await hookflow.api('POST', '/api/sources/nope/pause')).body.error.code, 'UNKNOWN_SOURCE');
    assert.equal((await hookflow.api('POST', '/api/sources/nope/resume')).status, 404);
    assert.equal((await hookflow.api('POST', '/api/workflows/serial/pause', { reason: 'x'.repeat(501) })).status, 400);
    const unauthenticated = await fetch(`${hookflow.baseUrl}/api/workflows/serial/pause`, { method: 'POST' });
    assert.equal(unauthenticated.status, 401);
    assert.equal((await hookflow.api('GET', '/api/workflows/serial')).body.paused, null);
  });
});
