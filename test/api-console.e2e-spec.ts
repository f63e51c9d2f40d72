import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { hmacHex, post } from './support/http';
import { eventually } from './support/receiver';
import { startTestApp, TestApp } from './support/test-app';

const SHOP_SECRET = 'shop-secret-for-the-api-tests';

const SOURCES = `
sources:
  tasks:
    verify: { scheme: none }
    event_type: "{{default event.headers.x-type event.body.type}}"
  shop:
    verify:
      scheme: hmac-sha256
      secret: "{{secrets.SHOP_SECRET}}"
      header: x-shop-signature
`;

const NOTIFY = `name: notify
description: Tell the team about tasks.
on: { webhook: tasks, event: "task.*" }
steps:
  - id: a
    uses: set
    with: { title: "{{default event.body.title 'none'}}" }
  - id: b
    uses: set
    if: "{{event.body.title}}"
    with: { again: yes }
  - id: c
    uses: set
    needs: [a]
    with: { done: true }
`;

const FAILS = `name: fails
on: { webhook: tasks, event: task.fail }
steps:
  - id: broken
    uses: set
    with: { value: "{{event.body.missing.path}}" }
`;

const WAITS = `name: waits
on: { webhook: tasks, event: hold.on }
steps:
  - id: pause
    uses: delay
    with: { for: 1h }
`;

const ORDERS = `name: orders
on: { webhook: shop, event: order.paid }
steps:
  - id: record
    uses: set
    with: { id: "{{event.body.id}}" }
`;

describe('management API for the console', () => {
  let hookflow: TestApp;

  before(async () => {
    hookflow = await startTestApp({
      files: { 'sources.yaml': SOURCES, 'notify.yaml': NOTIFY, 'fails.yaml': FAILS, 'waits.yaml': WAITS, 'orders.yaml': ORDERS },
      env: { SHOP_SECRET },
    });
  });

  after(async () => {
    await hookflow.close();
  });

  async function send(body: object | Buffer, headers: Record<string, string> = {}): Promise<string> {
    const raw = Buffer.isBuffer(body) ? body : JSON.stringify(body);
    const answer = await post(`${hookflow.baseUrl}/hooks/tasks`, raw, headers);
    assert.equal(answer.status, 202, JSON.stringify(answer.body));
    return answer.body.event_id;
  }

  async function sendOrder(body: object): Promise<string> {
    const raw = JSON.stringify(body);
    const answer = await post(`${hookflow.baseUrl}/hooks/shop`, raw, { 'x-shop-signature': hmacHex(SHOP_SECRET, raw) });
    assert.equal(answer.status, 202, JSON.stringify(answer.body));
    return answer.body.event_id;
  }

  /** Waits until no run of the event is queued or running, and answers its status. */
  async function settled(eventId: string): Promise<void> {
    await eventually(
      async () => {
        const answer = await hookflow.api('GET', `/api/events/${eventId}`);
        const runs: { status: string }[] = answer.body.runs;
        return runs.length > 0 && runs.every((run) => !['queued', 'running'].includes(run.status));
      },
      10_000,
      `runs of event ${eventId} to end`,
    );
  }

  async function allEventIds(query: string): Promise<string[]> {
    const answer = await hookflow.api('GET', `/api/events?limit=200${query}`);
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    return answer.body.items.map((item: { id: string }) => item.id);
  }

  it('refuses every console endpoint without the admin token or with a wrong one', async () => {
    const someId = '0192a3b4-c5d6-7e8f-9a0b-1c2d3e4f5a6b';
    const endpoints: [string, string][] = [
      ['GET', '/api/workflows'],
      ['GET', '/api/workflows/notify'],
      ['POST', '/api/workflows/validate'],
      ['GET', '/api/sources'],
      ['GET', '/api/events'],
      ['GET', `/api/events/${someId}`],
      ['POST', '/api/events/replay'],
      ['POST', '/api/runs/retry'],
      ['POST', '/api/runs/cancel'],
      ['POST', '/api/workflows/notify/runs'],
      ['GET', '/api/stream'],
    ];
    for (const [method, path] of endpoints) {
      for (const headers of [{}, { authorization: 'Bearer not-the-admin-token-at-all' }] as Record<string, string>[]) {
        const response = await fetch(`${hookflow.baseUrl}${path}`, {
          method,
          headers: { ...headers, ...(method === 'POST' ? { 'content-type': 'application/json' } : {}) },
          body: method === 'POST' ? JSON.stringify({ status: 'failed' }) : undefined,
        });
        assert.equal(response.status, 401, `${method} ${path} with ${JSON.stringify(headers)}`);
        assert.equal(((await response.json()) as { error: { code: string } }).error.code, 'UNAUTHORIZED');
      }
    }
    const wrongQueryToken = await fetch(`${hookflow.baseUrl}/api/stream?access_token=wrong-token-for-the-stream`);
    assert.equal(wrongQueryToken.status, 401);
  });

  it('lists the workflows in force with their trigger, step count and runs of the last 24 hours', async () => {
    const ok = await send({ type: 'task.done', title: 'Ship it' });
    const failed = await send({ type: 'task.fail' });
    await settled(ok);
    await settled(failed);

    const answer = await hookflow.api('GET', '/api/workflows');
    assert.equal(answer.status, 200);
    assert.equal(answer.body.next_cursor, null);
    const byName = new Map(answer.body.items.map((item: { name: string }) => [item.name, item]));
    assert.deepEqual([...byName.keys()], ['fails', 'notify', 'orders', 'waits']);
    const notify: any = byName.get('notify');
    assert.equal(notify.description, 'Tell the team about tasks.');
    assert.equal(notify.file, 'notify.yaml');
    assert.deepEqual(notify.trigger, { webhook: 'tasks', event: 'task.*', if: null, schedule: null, timezone: null });
    assert.equal(notify.steps, 3);
    assert.equal(notify.problems, 0);
    assert.equal(notify.last_run.status, 'succeeded');
    assert.ok(notify.runs_24h.total >= 1 && notify.runs_24h.succeeded === notify.runs_24h.total);
    assert.equal(notify.success_rate, 1);
    const fails: any = byName.get('fails');
    assert.equal(fails.last_run.status, 'failed');
    assert.deepEqual(fails.recent_runs, [fails.last_run]);
    assert.equal(fails.success_rate, 0);
    const orders: any = byName.get('orders');
    assert.equal(orders.last_run, null);
    assert.deepEqual(orders.recent_runs, []);
    assert.deepEqual(orders.runs_24h, { total: 0, succeeded: 0, failed: 0 });
    assert.equal(orders.success_rate, null);
  });

  it('lists the last 10 runs of each workflow, newest first, the first of them being the last run', async () => {
    const eventIds: string[] = [];
    for (let n = 0; n < 12; n++) eventIds.push(await send({ type: 'task.recent', title: `Recent ${n}` }));
    await Promise.all(eventIds.map(settled));
    const runIds: string[] = [];
    for (const id of eventIds) runIds.push((await hookflow.api('GET', `/api/events/${id}`)).body.runs[0].id);

    const answer = await hookflow.api('GET', '/api/workflows');
    const notify = answer.body.items.find((item: { name: string }) => item.name === 'notify');
    const recent: { id: string; status: string; created_at: string }[] = notify.recent_runs;
    assert.deepEqual(
      recent.map((run) => run.id),
      runIds.slice(-10).reverse(),
      'the newest ten of twelve, newest first',
    );
    assert.ok(
      recent.every((run) => run.status === 'succeeded'),
      JSON.stringify(recent),
    );
    assert.deepEqual(recent[0], notify.last_run);
    const newest = await hookflow.api('GET', `/api/runs/${recent[0].id}`);
    assert.equal(recent[0].created_at, newest.body.created_at, 'the same instant, written as everywhere else');
    const times = recent.map((run) => Date.parse(run.created_at));
    assert.deepEqual(
      times,
      [...times].sort((a, b) => b - a),
    );
  });

  it('answers one workflow with its YAML and a graph: the trigger, a node per step, edges per needs or file order', async () => {
    const answer = await hookflow.api('GET', '/api/workflows/notify');
    assert.equal(answer.status, 200);
    assert.equal(answer.body.yaml, NOTIFY);
    assert.deepEqual(answer.body.problems, []);
    assert.deepEqual(answer.body.graph.nodes, [
      { id: 'trigger', kind: 'trigger', label: 'tasks: task.*' },
      { id: 'a', kind: 'set', label: 'a' },
      { id: 'b', kind: 'set', label: 'b' },
      { id: 'c', kind: 'set', label: 'c' },
    ]);
    assert.deepEqual(answer.body.graph.edges, [
      { from: 'trigger', to: 'a' },
      { from: 'a', to: 'b' },
      { from: 'a', to: 'c' },
    ]);
    assert.equal(answer.body.steps[1].if, '{{event.body.title}}');
    assert.deepEqual(answer.body.steps[2].needs, ['a']);

    const unknown = await hookflow.api('GET', '/api/workflows/no-such-workflow');
    assert.equal(unknown.status, 404);
    assert.equal(unknown.body.error.code, 'NOT_FOUND');
  });

  it('shows the problems of a file that became invalid, with line and column, while its last valid version stays', async () => {
    await hookflow.writeWorkflowFile('orders.yaml', ORDERS.replace('uses: set', 'uses: sett'));
    try {
      const answer = await hookflow.api('GET', '/api/workflows/orders');
      assert.equal(answer.status, 200);
      assert.equal(answer.body.problems.length, 1, JSON.stringify(answer.body.problems));
      const [problem] = answer.body.problems;
      assert.equal(problem.line, 5);
      assert.ok(problem.column > 1);
      assert.match(problem.message, /sett/);
      assert.equal(answer.body.steps[0].uses, 'set', 'the last valid version is the one in force');
      const list = await hookflow.api('GET', '/api/workflows');
      assert.equal(list.body.items.find((item: { name: string }) => item.name === 'orders').problems, 1);
    } finally {
      await hookflow.writeWorkflowFile('orders.yaml', ORDERS);
    }
  });

  it('lists a workflow file that has never been valid, with its problems, apart from the workflows in force', async () => {
    await hookflow.writeWorkflowFile('refunds.yaml', 'name: refunds\non: { webhook: nowhere, event: refund.* }\nsteps: []\n');
    try {
      const list = await eventually(
        async () => {
          const answer = await hookflow.api('GET', '/api/workflows');
          return answer.body.invalid_files.length > 0 && answer.body;
        },
        5_000,
        'the new file to be loaded',
      );
      assert.ok(!list.items.some((item: { name: string }) => item.name === 'refunds'), 'no workflow of that file is in force');
      assert.equal(list.invalid_files.length, 1, JSON.stringify(list.invalid_files));
      const [invalid] = list.invalid_files;
      assert.equal(invalid.file, 'refunds.yaml');
      assert.ok(
        invalid.problems.some((problem: { message: string; line: number }) => /nowhere/.test(problem.message) && problem.line === 2),
        JSON.stringify(invalid.problems),
      );
    } finally {
      await rm(join(hookflow.workflowsDir, 'refunds.yaml'));
    }
    await eventually(async () => (await hookflow.api('GET', '/api/workflows')).body.invalid_files.length === 0, 5_000, 'the deleted file to be forgotten');
  });

  it('validates the text of a workflow file without loading it, pointing at each problem', async () => {
    const broken = await hookflow.api('POST', '/api/workflows/validate', {
      yaml: 'name: draft\non: { webhook: nowhere }\nsteps:\n  - id: a\n    uses: set\n    with: { x: 1 }\n',
    });
    assert.equal(broken.status, 200);
    assert.equal(broken.body.valid, false);
    assert.equal(broken.body.graph, null);
    assert.equal(broken.body.problems.length, 1, JSON.stringify(broken.body.problems));
    assert.equal(broken.body.problems[0].line, 2);
    assert.match(broken.body.problems[0].message, /nowhere/);

    const taken = await hookflow.api('POST', '/api/workflows/validate', { yaml: NOTIFY });
    assert.equal(taken.body.valid, false, 'another file holds the name notify');
    const same = await hookflow.api('POST', '/api/workflows/validate', { yaml: NOTIFY, file: 'notify.yaml' });
    assert.equal(same.body.valid, true, JSON.stringify(same.body.problems));
    assert.equal(same.body.graph.nodes.length, 4);
    assert.equal((await hookflow.api('GET', '/api/workflows')).body.items.length, 4, 'nothing was loaded');
  });

  it('refuses a draft whose workflow step starts its own workflow, at the step', async () => {
    const looping = await hookflow.api('POST', '/api/workflows/validate', {
      yaml: 'name: draft\non: { schedule: "0 * * * *" }\nsteps:\n  - id: again\n    uses: workflow\n    with: { name: draft }\n',
    });
    assert.equal(looping.body.valid, false);
    assert.deepEqual(looping.body.problems, [{ line: 6, column: 19, message: '`with.name` starts workflows in a cycle: draft → draft' }]);
  });

  it('searches events by source, type, derived status and text in the body, even beside a body that is not UTF-8', async () => {
    const done = await send({ type: 'task.search', title: 'Quarterly REPORT ready', note: '100% done' });
    const other = await send({ type: 'task.search', title: 'nothing here', note: '1000 done' });
    const failed = await send({ type: 'task.fail', title: 'report that fails' });
    const held = await send({ type: 'hold.on' });
    const unmatched = await send({ type: 'nobody.listens', title: 'report' });
    const binary = await send(Buffer.from([0x72, 0x65, 0x70, 0x6f, 0x72, 0x74, 0x20, 0xff, 0xfe, 0x00, 0xc3]), {
      'content-type': 'application/octet-stream',
      'x-type': 'raw.bytes',
    });
    const order = await sendOrder({ type: 'order.paid', id: 'O-1' });
    await Promise.all([done, other, failed, order].map(settled));
    await eventually(async () => (await hookflow.query(`SELECT 1 FROM step_runs s JOIN runs r ON r.id = s.run_id WHERE r.event_id = $1`, [held])).length > 0);

    const report = await allEventIds('&q=RePoRt');
    for (const id of [done, failed, unmatched, binary]) assert.ok(report.includes(id), `q matches event ${id}`);
    assert.ok(!report.includes(other));
    assert.deepEqual(await allEventIds(`&q=${encodeURIComponent('100%')}`), [done], 'a % in q matches itself only');
    assert.deepEqual(await allEventIds(`&q=${encodeURIComponent('qUARTERLY_')}`), [], 'an _ in q matches itself only');

    assert.deepEqual(await allEventIds('&source=shop'), [order]);
    assert.deepEqual(await allEventIds('&type=raw.bytes'), [binary]);
    assert.deepEqual(await allEventIds('&type=task.search'), [other, done]);
    const globbed = await allEventIds('&type=task.*&q=report');
    assert.deepEqual(globbed, [failed, done]);

    const byStatus = async (status: string) => allEventIds(`&status=${status}&source=tasks`);
    assert.ok((await byStatus('failed')).includes(failed));
    assert.ok(!(await byStatus('failed')).includes(done));
    assert.ok((await byStatus('succeeded')).includes(done));
    assert.ok((await byStatus('pending')).includes(held));
    assert.deepEqual((await byStatus('no_runs')).filter((id) => [unmatched, binary, done].includes(id)).sort(), [unmatched, binary].sort());

    const listed = await hookflow.api('GET', '/api/events?limit=200&type=hold.on');
    assert.deepEqual(listed.body.items[0], {
      id: held,
      source: 'tasks',
      type: 'hold.on',
      received_at: listed.body.items[0].received_at,
      runs_count: 1,
      status: 'pending',
    });
  });

  it('pages through the event log with a cursor, visiting every event once, newest first', async () => {
    for (let n = 0; n < 5; n++) await send({ type: 'page.me', n });
    const everything = await allEventIds('');
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const answer: { status: number; body: { items: { id: string }[]; next_cursor: string | null } } = await hookflow.api(
        'GET',
        `/api/events?limit=3${cursor ? `&cursor=${cursor}` : ''}`,
      );
      assert.equal(answer.status, 200);
      assert.ok(answer.body.items.length <= 3);
      seen.push(...answer.body.items.map((item) => item.id));
      cursor = answer.body.next_cursor;
    } while (cursor);
    assert.deepEqual(seen, everything);
    assert.equal(new Set(seen).size, seen.length);
    const times = (await hookflow.query<{ id: string; t: string }>(`SELECT id, received_at AS t FROM events ORDER BY received_at DESC, id DESC`)).map(
      (row) => row.id,
    );
    assert.deepEqual(seen, times);
  });

  it('answers one event with its headers, raw body, parsed JSON and runs', async () => {
    const id = await send({ type: 'task.detail', title: 'Detail' }, { 'x-custom': 'kept', 'x-request-id': 'req-7' });
    await settled(id);
    const answer = await hookflow.api('GET', `/api/events/${id}`);
    assert.equal(answer.status, 200);
    const event = answer.body;
    assert.equal(event.source, 'tasks');
    assert.equal(event.type, 'task.detail');
    assert.equal(event.headers['x-custom'], 'kept');
    assert.equal(event.content_type, 'application/json');
    assert.equal(event.body_format, 'json');
    assert.equal(event.body, JSON.stringify({ type: 'task.detail', title: 'Detail' }));
    assert.deepEqual(event.body_json, { type: 'task.detail', title: 'Detail' });
    assert.deepEqual(
      event.runs.map((run: { workflow: string; status: string }) => [run.workflow, run.status]),
      [['notify', 'succeeded']],
    );
    assert.ok(Array.isArray(event.match_notes));

    const bytes = Buffer.from([0x61, 0xff, 0x62]);
    const binary = await hookflow.api('GET', `/api/events/${await send(bytes, { 'content-type': 'application/octet-stream', 'x-type': 'raw.bytes' })}`);
    assert.equal(binary.body.body_encoding, 'base64');
    assert.deepEqual(Buffer.from(binary.body.body, 'base64'), bytes);

    const missing = await hookflow.api('GET', '/api/events/0192a3b4-c5d6-7e8f-9a0b-1c2d3e4f5a6b');
    assert.equal(missing.status, 404);
    assert.equal(missing.body.error.code, 'NOT_FOUND');
  });

  it('replays a filtered set of events at once, creating their runs', async () => {
    const ids = [await send({ type: 'task.bulk', n: 1 }), await send({ type: 'task.bulk', n: 2 }), await send({ type: 'task.bulk', n: 3 })];
    await Promise.all(ids.map(settled));
    const answer = await hookflow.api('POST', '/api/events/replay', { type: 'task.bulk', limit: 2 });
    assert.equal(answer.status, 202, JSON.stringify(answer.body));
    assert.deepEqual(answer.body, { replayed: 2, runs: 2 });
    const counts = await hookflow.query<{ event_id: string; n: number }>(
      `SELECT event_id, count(*)::int AS n FROM runs WHERE event_id = ANY($1::uuid[]) GROUP BY event_id`,
      [ids],
    );
    const byEvent = new Map(counts.map((row) => [row.event_id, row.n]));
    assert.deepEqual(
      ids.map((id) => byEvent.get(id)),
      [1, 2, 2],
      'the newest two were replayed',
    );

    const nothing = await hookflow.api('POST', '/api/events/replay', { type: 'no.such.type' });
    assert.deepEqual(nothing.body, { replayed: 0, runs: 0 });
  });

  it('retries failed runs in bulk, of one workflow', async () => {
    const ids = [await send({ type: 'task.fail', n: 1 }), await send({ type: 'task.fail', n: 2 })];
    await Promise.all(ids.map(settled));
    const failedBefore = await hookflow.query<{ id: string; finished: string }>(
      `SELECT id, finished_at::text AS finished FROM runs WHERE workflow = 'fails' AND status = 'failed'`,
    );
    assert.ok(failedBefore.length >= 2);

    const answer = await hookflow.api('POST', '/api/runs/retry', { workflow: 'fails', status: 'failed', limit: 1000 });
    assert.equal(answer.status, 202, JSON.stringify(answer.body));
    assert.deepEqual(answer.body, { retried: failedBefore.length });
    for (const { id, finished } of failedBefore) {
      const [run] = await eventually(async () => {
        const rows = await hookflow.query<{ status: string; finished: string | null }>(`SELECT status, finished_at::text AS finished FROM runs WHERE id = $1`, [
          id,
        ]);
        return rows[0].finished !== null && rows[0].finished !== finished ? rows : undefined;
      });
      assert.equal(run.status, 'failed', 'ran again, and failed again for the same reason');
    }
    const none = await hookflow.api('POST', '/api/runs/retry', { workflow: 'notify', status: 'failed' });
    assert.deepEqual(none.body, { retried: 0 });
  });

  it('reports the health of each source: accepted and refused requests, with the recent reasons', async () => {
    await sendOrder({ type: 'order.paid', id: 'O-2' });
    const refused = await post(`${hookflow.baseUrl}/hooks/shop`, '{"type":"order.paid"}', { 'x-shop-signature': 'deadbeef' });
    assert.equal(refused.status, 401);
    const shop = await eventually(async () => {
      const answer = await hookflow.api('GET', '/api/sources');
      const found = answer.body.items.find((item: { name: string }) => item.name === 'shop');
      return found.rejected_24h > 0 ? found : undefined;
    });
    assert.equal(shop.scheme, 'hmac-sha256');
    assert.ok(shop.accepted_24h >= 2);
    assert.equal(shop.rejected_24h, 1);
    assert.equal(shop.recent_failures.length, 1);
    assert.equal(typeof shop.recent_failures[0].reason, 'string');
    assert.ok(!Number.isNaN(Date.parse(shop.recent_failures[0].received_at)));
    assert.ok(Date.parse(shop.last_event_at) > Date.now() - 60_000);

    const answer = await hookflow.api('GET', '/api/sources');
    const tasks = answer.body.items.find((item: { name: string }) => item.name === 'tasks');
    assert.equal(tasks.scheme, 'none');
    assert.equal(tasks.rejected_24h, 0);
    assert.deepEqual(tasks.recent_failures, []);
  });

  it('documents the API in OpenAPI at /api/docs: every operation exists, needs the token and describes its answer', async () => {
    const page = await fetch(`${hookflow.baseUrl}/api/docs`);
    assert.equal(page.status, 200);
    assert.match(await page.text(), /swagger-ui/);

    const document = (await (await fetch(`${hookflow.baseUrl}/api/docs/openapi.json`)).json()) as OpenApiDocument;
    assert.match(document.openapi, /^3\./);
    const operations = Object.entries(document.paths).flatMap(([path, methods]) =>
      Object.entries(methods).map(([method, operation]) => ({ method: method.toUpperCase(), path, operation })),
    );
    const documented = operations.map(({ method, path }) => `${method} ${path}`).sort();
    for (const expected of [
      'GET /api/workflows',
      'GET /api/workflows/{name}',
      'POST /api/workflows/validate',
      'GET /api/sources',
      'GET /api/events',
      'GET /api/events/{id}',
      'POST /api/events/{id}/replay',
      'POST /api/events/replay',
      'GET /api/runs',
      'GET /api/runs/{id}',
      'POST /api/runs/{id}/retry',
      'POST /api/runs/{id}/cancel',
      'POST /api/runs/retry',
      'POST /api/runs/cancel',
      'POST /api/workflows/{name}/runs',
      'GET /api/stream',
    ]) {
      assert.ok(documented.includes(expected), `${expected} is documented (documented: ${documented.join(', ')})`);
    }

    const someId = '0192a3b4-c5d6-7e8f-9a0b-1c2d3e4f5a6b';
    for (const { method, path, operation } of operations) {
      assert.deepEqual(operation.security, [{ bearer: [] }], `${method} ${path} declares the bearer token`);
      assert.ok(operation.summary, `${method} ${path} has a summary`);
      assert.ok(operation.responses['401'], `${method} ${path} documents 401`);
      const success = Object.keys(operation.responses).find((status) => status.startsWith('2'));
      assert.ok(success, `${method} ${path} documents its answer`);
      // A documented route that does not exist would answer 404 instead of asking for the token.
      const response = await fetch(`${hookflow.baseUrl}${path.replace('{id}', someId).replace('{name}', 'notify')}`, { method });
      assert.equal(response.status, 401, `${method} ${path} exists and needs the token`);
    }
    const run = document.components.schemas.RunModel as { properties: Record<string, unknown> };
    for (const field of ['id', 'workflow', 'event_id', 'status', 'started_at', 'finished_at', 'steps']) {
      assert.ok(run.properties[field], `GET /api/runs/{id} documents ${field}`);
    }
    const workflow = document.components.schemas.WorkflowSummaryModel as { properties: Record<string, { type?: string; items?: unknown }> };
    assert.equal(workflow.properties.recent_runs?.type, 'array', 'GET /api/workflows documents recent_runs');
    assert.ok(workflow.properties.recent_runs.items);
  });

  it('answers 400 VALIDATION_FAILED to bad filters and bodies', async () => {
    const bad: [string, string, unknown?][] = [
      ['GET', '/api/events?status=bogus'],
      ['GET', '/api/events?limit=0'],
      ['GET', '/api/events?unknown=1'],
      ['GET', '/api/events/not-a-uuid'],
      ['POST', '/api/events/replay', { limit: 5000 }],
      ['POST', '/api/events/replay', { status: 'nope' }],
      ['POST', '/api/runs/retry', { status: 'succeeded' }],
      ['POST', '/api/runs/retry', {}],
      ['POST', '/api/runs/retry', { status: 'failed', limit: 1001 }],
      ['POST', '/api/runs/retry', { status: 'failed', extra: true }],
      ['POST', '/api/workflows/validate', {}],
      ['POST', '/api/workflows/validate', { yaml: 'name: x', file: '../escape.yaml' }],
    ];
    for (const [method, path, body] of bad) {
      const answer = await hookflow.api(method, path, body);
      assert.equal(answer.status, 400, `${method} ${path} ${JSON.stringify(body)}: ${JSON.stringify(answer.body)}`);
      assert.equal(answer.body.error.code, 'VALIDATION_FAILED');
    }
  });
});

interface OpenApiDocument {
  openapi: string;
  paths: Record<string, Record<string, { summary?: string; security?: unknown; responses: Record<string, unknown> }>>;
  components: { schemas: Record<string, unknown> };
}
