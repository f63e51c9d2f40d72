import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { post } from './support/http';
import { eventually, json, Receiver } from './support/receiver';
import { startTestApp, TestApp } from './support/test-app';

const TOKEN = 'item-token-do-not-leak-77';
const FAST_RETRY = 'retry: { attempts: 3, backoff: fixed, initial: 200ms, max: 200ms }';

const SOURCES = `
sources:
  shop:
    verify: { scheme: none }
`;

const ITEMS = `
name: items
on: { webhook: shop, event: items }
steps:
  - id: notify
    uses: http
    for_each: "{{event.body.order.items}}"
    with:
      url: "{{secrets.RECEIVER}}/items"
      headers: { Authorization: "Bearer {{secrets.TOKEN}}" }
      body: { order: "{{event.body.order.id}}", sku: "{{item.sku}}", index: "{{index}}" }
    ${FAST_RETRY}
  - id: summary
    uses: set
    with: { first: "{{steps.notify.output.0.body.sku}}", last: "{{steps.notify.output.2.body.sku}}" }
`;

const PARALLEL = `
name: parallel
on: { webhook: shop, event: parallel }
steps:
  - id: call
    uses: http
    for_each: [0, 1, 2, 3]
    max_parallel: 2
    with: { url: "{{secrets.RECEIVER}}/parallel", body: { index: "{{index}}" } }
`;

const SERIAL = `
name: serial
on: { webhook: shop, event: serial }
steps:
  - id: call
    uses: http
    for_each: [0, 1, 2, 3]
    with: { url: "{{secrets.RECEIVER}}/serial", body: { index: "{{item}}" } }
`;

const CAPPED = `
name: capped
on: { webhook: shop, event: capped }
steps:
  - id: call
    uses: http
    for_each: "{{event.body.list}}"
    max_items: 2
    with: { url: "{{secrets.RECEIVER}}/capped", body: { item: "{{item}}" } }
`;

const TOLERANT = `
name: tolerant
on: { webhook: shop, event: tolerant }
steps:
  - id: call
    uses: http
    for_each: [ok, missing, ok]
    continue_on_error: true
    with: { url: "{{secrets.RECEIVER}}/tolerant", body: { what: "{{item}}" } }
  - id: after
    uses: set
    with: { results: "{{steps.call.output.0.status}}" }
`;

const STRICT = `
name: strict
on: { webhook: shop, event: strict }
steps:
  - id: call
    uses: http
    for_each: [a, b, c]
    with: { url: "{{secrets.RECEIVER}}/strict", body: { what: "{{item}}" } }
`;

const FAN_OUT = `
name: fan-out
on: { webhook: shop, event: fan.out }
steps:
  - id: start
    uses: workflow
    for_each: [a, b]
    with: { name: child, event: { item: "{{item}}" } }
`;

const CHILD = `
name: child
on: { webhook: shop, event: never.sent }
steps:
  - id: record
    uses: set
    with: { item: "{{event.body.item}}" }
`;

describe('for_each', () => {
  let hookflow: TestApp;
  const receiver = new Receiver();
  const attemptsByKey = new Map<string, number>();
  const inFlight = { parallel: 0, serial: 0 };
  const mostInFlight = { parallel: 0, serial: 0 };
  let strictRefuses = 'b';

  /** Holds each request 150 ms, counting how many the route has in flight at once. */
  const slow = (route: 'parallel' | 'serial') => (request: { body: string }, response: Parameters<typeof json>[0]) => {
    inFlight[route]++;
    mostInFlight[route] = Math.max(mostInFlight[route], inFlight[route]);
    setTimeout(() => {
      inFlight[route]--;
      json(response, 200, JSON.parse(request.body));
    }, 150);
  };

  before(async () => {
    receiver
      .route('/items', (request, response) => {
        const key = String(request.headers['idempotency-key']);
        const calls = (attemptsByKey.get(key) ?? 0) + 1;
        attemptsByKey.set(key, calls);
        const body = JSON.parse(request.body) as { sku: string };
        if (body.sku.startsWith('flaky') && calls === 1) json(response, 503, { error: 'busy' });
        else json(response, 201, { sku: body.sku });
      })
      .route('/parallel', slow('parallel'))
      .route('/serial', slow('serial'))
      .route('/capped', (_, response) => json(response, 200, {}))
      .route('/strict', (request, response) => {
        const body = JSON.parse(request.body) as { what: string };
        json(response, body.what === strictRefuses ? 422 : 200, body);
      })
      .route('/tolerant', (request, response) => {
        const body = JSON.parse(request.body) as { what: string };
        json(response, body.what === 'ok' ? 200 : 404, body);
      });
    await receiver.start();
    hookflow = await startTestApp({
      files: {
        'sources.yaml': SOURCES,
        'items.yaml': ITEMS,
        'parallel.yaml': PARALLEL,
        'serial.yaml': SERIAL,
        'capped.yaml': CAPPED,
        'tolerant.yaml': TOLERANT,
        'strict.yaml': STRICT,
        'fan-out.yaml': FAN_OUT,
        'child.yaml': CHILD,
      },
      env: { RECEIVER: receiver.url, TOKEN, HOOKFLOW_OUTBOUND_ALLOW: '127.0.0.1' },
    });
  });

  after(async () => {
    await hookflow.close();
    await receiver.stop();
  });

  async function finishedRun(body: object, workflow: string): Promise<any> {
    const answer = await post(`${hookflow.baseUrl}/hooks/shop`, JSON.stringify(body));
    assert.equal(answer.status, 202, JSON.stringify(answer.body));
    const eventId = answer.body.event_id as string;
    const { id } = await eventually(async () => {
      const rows = await hookflow.query<{ id: string }>(`SELECT id FROM runs WHERE event_id = $1 AND workflow = $2`, [eventId, workflow]);
      return rows[0];
    });
    return eventually(
      async () => {
        const run = await hookflow.api('GET', `/api/runs/${id}`);
        return ['succeeded', 'failed', 'cancelled'].includes(run.body.status) ? run.body : undefined;
      },
      15_000,
      `run ${id} to finish`,
    );
  }

  const orderOf = (id: string, skus: string[]) => ({ type: 'items', order: { id, items: skus.map((sku) => ({ sku })) } });
  const requestsFor = (order: string) => receiver.received('/items').filter((request) => (JSON.parse(request.body) as { order: string }).order === order);

  it('sends one request per item, each under its own idempotency key, and outputs the list of answers', async () => {
    const run = await finishedRun(orderOf('O-1', ['a', 'b', 'c']), 'items');
    assert.equal(run.status, 'succeeded', JSON.stringify(run.steps));

    const requests = requestsFor('O-1');
    assert.deepEqual(
      requests.map((request) => request.headers['idempotency-key']).sort(),
      [0, 1, 2].map((index) => `${run.id}:notify:${index}`),
    );
    assert.deepEqual(
      requests.map((request) => JSON.parse(request.body) as unknown).sort((a: any, b: any) => a.index - b.index),
      ['a', 'b', 'c'].map((sku, index) => ({ order: 'O-1', sku, index })),
    );
    assert.ok(requests.every((request) => request.headers.authorization === `Bearer ${TOKEN}`));

    const [notify, summary] = run.steps;
    assert.deepEqual(
      notify.output.map((output: { status: number; body: unknown }) => [output.status, output.body]),
      [
        [201, { sku: 'a' }],
        [201, { sku: 'b' }],
        [201, { sku: 'c' }],
      ],
    );
    assert.deepEqual(summary.output, { first: 'a', last: 'c' });
    assert.deepEqual(
      notify.items.map((item: any) => [item.index, item.status, item.attempts.length, item.input.body.sku, item.input.headers.Authorization]),
      [
        [0, 'succeeded', 1, 'a', 'Bearer [secret]'],
        [1, 'succeeded', 1, 'b', 'Bearer [secret]'],
        [2, 'succeeded', 1, 'c', 'Bearer [secret]'],
      ],
    );
    assert.equal(summary.items, null);
  });

  it('retries only the item that failed, in a later execution, and never sends the others twice', async () => {
    const run = await finishedRun(orderOf('O-2', ['a', 'flaky-b', 'c']), 'items');
    assert.equal(run.status, 'succeeded', JSON.stringify(run.steps));
    const keys = requestsFor('O-2').map((request) => String(request.headers['idempotency-key']));
    assert.deepEqual(
      [0, 1, 2].map((index) => keys.filter((key) => key === `${run.id}:notify:${index}`).length),
      [1, 2, 1],
    );
    const [notify] = run.steps;
    assert.deepEqual(
      notify.items.map((item: any) => item.attempts.map((attempt: any) => attempt.response.status)),
      [[201], [503, 201], [201]],
    );
    assert.deepEqual(
      notify.output.map((output: { body: { sku: string } }) => output.body.sku),
      ['a', 'flaky-b', 'c'],
    );
  });

  it('keeps max_parallel items in flight at once, and one at a time in item order by default', async () => {
    const parallel = await finishedRun({ type: 'parallel' }, 'parallel');
    assert.equal(parallel.status, 'succeeded');
    assert.equal(mostInFlight.parallel, 2, 'two requests overlap, never three');

    const serial = await finishedRun({ type: 'serial' }, 'serial');
    assert.equal(serial.status, 'succeeded');
    assert.equal(mostInFlight.serial, 1);
    assert.deepEqual(
      receiver.received('/serial').map((request) => (JSON.parse(request.body) as { index: number }).index),
      [0, 1, 2, 3],
    );
  });

  it('fails the step, naming the count and the cap, before sending anything when there are too many items', async () => {
    const run = await finishedRun({ type: 'capped', list: ['x', 'y', 'z'] }, 'capped');
    assert.equal(run.status, 'failed');
    assert.equal(run.steps[0].error, '`for_each` of step call gave 3 items, more than its max_items of 2: no item was run');
    assert.equal(receiver.received('/capped').length, 0);

    const notList = await finishedRun({ type: 'capped', list: 'x' }, 'capped');
    assert.equal(notList.steps[0].error, '`for_each` of step call must give a list, but gave string "x"');

    const empty = await finishedRun({ type: 'capped', list: [] }, 'capped');
    assert.equal(empty.status, 'succeeded');
    assert.deepEqual(empty.steps[0].output, []);
  });

  it('with continue_on_error, lets the run go on with null for a failed item', async () => {
    const run = await finishedRun({ type: 'tolerant' }, 'tolerant');
    assert.equal(run.status, 'succeeded');
    const [call, next] = run.steps;
    assert.equal(call.status, 'succeeded');
    assert.match(call.error, /^1 of 3 items failed: item 1: /);
    assert.deepEqual(
      call.output.map((output: { status: number } | null) => output && output.status),
      [200, null, 200],
    );
    assert.deepEqual(
      call.items.map((item: any) => item.status),
      ['succeeded', 'failed', 'succeeded'],
    );
    assert.deepEqual(next.output, { results: 200 });
  });

  it('fails the step after the other items finish, and a retry of the run sends only the failed item again', async () => {
    const run = await finishedRun({ type: 'strict' }, 'strict');
    assert.equal(run.status, 'failed');
    assert.equal(run.steps[0].status, 'failed');
    assert.match(run.error, /^call: 1 of 3 items failed: item 1: /);
    assert.deepEqual(
      receiver.received('/strict').map((request) => (JSON.parse(request.body) as { what: string }).what),
      ['a', 'b', 'c'],
    );

    strictRefuses = 'none';
    assert.equal((await hookflow.api('POST', `/api/runs/${run.id}/retry`)).status, 202);
    const retried = await eventually(async () => {
      const answer = await hookflow.api('GET', `/api/runs/${run.id}`);
      return answer.body.status === 'succeeded' ? answer.body : undefined;
    });
    assert.deepEqual(
      receiver.received('/strict').map((request) => (JSON.parse(request.body) as { what: string }).what),
      ['a', 'b', 'c', 'b'],
    );
    assert.deepEqual(
      retried.steps[0].output.map((output: { body: { what: string } }) => output.body.what),
      ['a', 'b', 'c'],
    );
  });

  it('starts one child run per item of a workflow step', async () => {
    const run = await finishedRun({ type: 'fan.out' }, 'fan-out');
    assert.equal(run.status, 'succeeded', JSON.stringify(run.steps));
    const children = await eventually(async () => {
      const rows = await hookflow.query<{ item: string }>(
        `SELECT convert_from(e.body, 'UTF8')::jsonb ->> 'item' AS item FROM runs r JOIN events e ON e.id = r.event_id WHERE r.workflow = 'child' ORDER BY 1`,
      );
      return rows.length === 2 ? rows : undefined;
    });
    assert.deepEqual(
      children.map((row) => row.item),
      ['a', 'b'],
    );
  });
});
