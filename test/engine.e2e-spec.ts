import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Webhook } from 'standardwebhooks';
import { post } from './support/http';
import { eventually, json, Receiver } from './support/receiver';
import { SmtpSink } from './support/smtp-sink';
import { startTestApp, TestApp } from './support/test-app';

const SIGNING_SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const SHIPPING_TOKEN = 'shipping-token-do-not-leak-123';
const FAST_RETRY = 'retry: { attempts: 3, backoff: fixed, initial: 100ms, max: 100ms }';

const SOURCES = `
sources:
  shop:
    verify: { scheme: none }
    dedupe_key: "{{default event.body.delivery ''}}"
`;

const ORDER_PAID = `
name: order-paid
on: { webhook: shop, event: order.paid }
concurrency: { key: "{{event.body.order.id}}" }
steps:
  - id: label
    uses: http
    with:
      url: "{{secrets.RECEIVER}}/labels"
      headers: { Authorization: "Bearer {{secrets.SHIPPING_TOKEN}}" }
      body:
        order_id: "{{event.body.order.id}}"
        note: "{{default event.body.order.note ''}}"
        address: "{{event.body.order.address}}"
      sign: { secret: "{{secrets.SIGNING_SECRET}}" }
    ${FAST_RETRY}
  - id: notify
    uses: slack
    with:
      webhook_url: "{{secrets.RECEIVER}}/slack"
      text: "Order {{event.body.order.id}} shipped: {{steps.label.output.body.tracking_number}}"
  - id: email
    uses: email
    needs: [label]
    if: "{{event.body.order.email}}"
    with:
      to: "{{event.body.order.email}}"
      subject: "Your order {{event.body.order.id}}"
      text: "Tracking number: {{steps.label.output.body.tracking_number}}"
`;

const FLAKY = `
name: flaky
on: { webhook: shop, event: flaky }
steps:
  - id: call
    uses: http
    with: { url: "{{secrets.RECEIVER}}/flaky", body: { n: "{{event.body.n}}" } }
    ${FAST_RETRY}
`;

const TWO_STEPS = `
name: two-steps
on: { webhook: shop, event: two.steps }
steps:
  - id: first
    uses: http
    with: { url: "{{secrets.RECEIVER}}/first", body: { id: "{{event.body.id}}" } }
  - id: second
    uses: http
    with: { url: "{{secrets.RECEIVER}}/gate", body: { from_first: "{{steps.first.output.body.value}}" } }
    ${FAST_RETRY}
`;

const DAG = `
name: dag
on: { webhook: shop, event: dag }
steps:
  - id: a
    uses: http
    needs: []
    with: { url: "{{secrets.RECEIVER}}/barrier", body: { step: a } }
  - id: b
    uses: http
    needs: []
    with: { url: "{{secrets.RECEIVER}}/barrier", body: { step: b } }
  - id: c
    uses: set
    needs: [a, b]
    with: { joined: "{{steps.a.output.body.step}}+{{steps.b.output.body.step}}" }
`;

const SERIAL = `
name: serial
on: { webhook: shop, event: serial }
concurrency: { key: "{{event.body.key}}" }
steps:
  - id: call
    uses: http
    with: { url: "{{secrets.RECEIVER}}/serial", body: { key: "{{event.body.key}}", n: "{{event.body.n}}" } }
`;

const METADATA = `
name: metadata
on: { webhook: shop, event: ssrf }
steps:
  - id: steal
    uses: http
    with: { url: "http://169.254.169.254/latest/meta-data/" }
    ${FAST_RETRY}
`;

const WAIT = `
name: wait
on: { webhook: shop, event: wait }
steps:
  - id: pause
    uses: delay
    with: { for: "{{event.body.for}}" }
  - id: after
    uses: http
    with: { url: "{{secrets.RECEIVER}}/after-delay", body: { id: "{{event.body.id}}" } }
`;

const HANGING = `
name: hanging
on: { webhook: shop, event: hang }
steps:
  - id: call
    uses: http
    timeout: 300ms
    with: { url: "{{secrets.RECEIVER}}/hang" }
    retry: { attempts: 2, backoff: fixed, initial: 100ms, max: 100ms }
`;

const CHAIN = `
name: chain
on: { webhook: shop, event: chain }
steps:
  - id: start
    uses: workflow
    with: { name: chained, event: { from: "{{event.body.id}}" } }
`;

const CHAINED = `
name: chained
on: { webhook: shop, event: never.sent }
steps:
  - id: record
    uses: http
    with: { url: "{{secrets.RECEIVER}}/chained", body: { from: "{{event.body.from}}" } }
`;

describe('workflow engine', () => {
  let hookflow: TestApp;
  const restarted: TestApp[] = [];
  const receiver = new Receiver();
  const smtp = new SmtpSink();
  const flakyCalls = new Map<string, number>();
  let gateOpen = false;
  const barrier: (() => void)[] = [];

  before(async () => {
    receiver
      .route('/labels', (_, response) => json(response, 201, { tracking_number: 'TRK-42' }))
      .route('/slack', (_, response) => {
        response.writeHead(200, { 'content-type': 'text/plain' });
        response.end('ok');
      })
      .route('/flaky', (request, response) => {
        const key = String(request.headers['idempotency-key']);
        const calls = (flakyCalls.get(key) ?? 0) + 1;
        flakyCalls.set(key, calls);
        if (calls <= 2) json(response, 503, { error: 'busy' });
        else json(response, 200, { ok: true, calls });
      })
      .route('/first', (_, response) => json(response, 200, { value: 'from-first' }))
      .route('/gate', (_, response) => (gateOpen ? json(response, 200, { passed: true }) : json(response, 410, { error: 'gone' })))
      .route('/barrier', (request, response) => {
        // Answers only once both parallel steps have arrived: proves they run at once.
        barrier.push(() => json(response, 200, JSON.parse(request.body)));
        if (barrier.length === 2) barrier.splice(0).forEach((release) => release());
      })
      .route('/serial', (_, response) => {
        setTimeout(() => json(response, 200, { ok: true }), 60);
      })
      .route('/after-delay', (_, response) => json(response, 200, { ok: true }))
      .route('/chained', (_, response) => json(response, 200, { ok: true }))
      .route('/hang', () => undefined);
    await receiver.start();

    await smtp.start();

    hookflow = await startTestApp({
      files: {
        'sources.yaml': SOURCES,
        'order-paid.yaml': ORDER_PAID,
        'flaky.yaml': FLAKY,
        'two-steps.yaml': TWO_STEPS,
        'dag.yaml': DAG,
        'serial.yaml': SERIAL,
        'metadata.yaml': METADATA,
        'wait.yaml': WAIT,
        'chain.yaml': CHAIN,
        'chained.yaml': CHAINED,
        'hanging.yaml': HANGING,
      },
      env: {
        RECEIVER: receiver.url,
        SHIPPING_TOKEN,
        SIGNING_SECRET,
        HOOKFLOW_OUTBOUND_ALLOW: '127.0.0.1',
        HOOKFLOW_SMTP_URL: smtp.url,
      },
    });
  });

  after(async () => {
    await hookflow.close();
    // An app stopped for a restart still owns the database and folders it created.
    for (const stopped of restarted) await stopped.close();
    await receiver.stop();
    await smtp.stop();
  });

  async function send(body: object): Promise<string> {
    const answer = await post(`${hookflow.baseUrl}/hooks/shop`, JSON.stringify(body));
    assert.equal(answer.status, 202, JSON.stringify(answer.body));
    return answer.body.event_id;
  }

  async function runOf(eventId: string, workflow: string): Promise<{ id: string }> {
    return eventually(async () => {
      const rows = await hookflow.query<{ id: string }>(`SELECT id FROM runs WHERE event_id = $1 AND workflow = $2`, [eventId, workflow]);
      return rows[0];
    });
  }

  async function finished(runId: string, timeoutMs = 10_000): Promise<any> {
    return eventually(
      async () => {
        const answer = await hookflow.api('GET', `/api/runs/${runId}`);
        return ['succeeded', 'failed', 'cancelled'].includes(answer.body.status) ? answer.body : undefined;
      },
      timeoutMs,
      `run ${runId} to finish`,
    );
  }

  it('fails a step whose template names a path the event does not have, saying which', async () => {
    const eventId = await send({ type: 'order.paid', order: { id: 'M-1' } });
    const run = await finished((await runOf(eventId, 'order-paid')).id);
    assert.equal(run.status, 'failed');
    assert.equal(run.steps[0].error, 'workflow order-paid, step label, field with.body.address: event.body.order.address does not exist');
    assert.deepEqual(
      run.steps.slice(1).map((step: { status: string }) => step.status),
      ['skipped', 'skipped'],
    );
  });

  it('runs the order workflow end to end: signed label request, Slack message, e-mail', async () => {
    const eventId = await send({ type: 'order.paid', order: { id: 'A-1', email: 'ada@example.com', address: { city: 'Berlin', zip: '10115' } } });
    const run = await finished((await runOf(eventId, 'order-paid')).id);
    assert.equal(run.status, 'succeeded', JSON.stringify(run));
    assert.deepEqual(
      run.steps.map((step: { id: string; status: string }) => [step.id, step.status]),
      [
        ['label', 'succeeded'],
        ['notify', 'succeeded'],
        ['email', 'succeeded'],
      ],
    );

    const [label] = receiver.received('/labels').filter((request) => JSON.parse(request.body).order_id === 'A-1');
    assert.deepEqual(JSON.parse(label.body), { order_id: 'A-1', note: '', address: { city: 'Berlin', zip: '10115' } }, 'a lone expression keeps its type');
    assert.equal(label.headers.authorization, `Bearer ${SHIPPING_TOKEN}`);
    assert.equal(label.headers['idempotency-key'], `${run.id}:label`);
    const headers = Object.fromEntries(Object.entries(label.headers).map(([k, v]) => [k, String(v)]));
    assert.doesNotThrow(() => new Webhook(SIGNING_SECRET).verify(label.body, headers), 'signature verifies with the standardwebhooks library');
    assert.equal(label.headers['webhook-id'], `${run.id}:label`);

    const slack = receiver.received('/slack').find((request) => JSON.parse(request.body).text.includes('A-1'));
    assert.deepEqual(JSON.parse(slack!.body), { text: 'Order A-1 shipped: TRK-42' });
    const mail = await eventually(async () => smtp.mails.find((message) => message.to.includes('ada@example.com')));
    assert.match(mail.data, /Subject: Your order A-1/);
    assert.match(mail.data, /Tracking number: TRK-42/);

    const labelStep = run.steps[0];
    assert.equal(labelStep.input.headers.Authorization, 'Bearer [secret]', 'inputs are stored with secrets redacted');
    assert.equal(labelStep.output.body.tracking_number, 'TRK-42');
    assert.equal(labelStep.attempts.length, 1);
    assert.equal(labelStep.attempts[0].response.status, 201);
  });

  it('never lets a secret reach an API answer or a stored row', async () => {
    const eventId = await send({ type: 'order.paid', order: { id: 'S-1', address: 'Main St 1' } });
    const run = await finished((await runOf(eventId, 'order-paid')).id);
    assert.equal(run.status, 'succeeded');
    const everything = JSON.stringify([
      run,
      (await hookflow.api('GET', '/api/runs?limit=200')).body,
      await hookflow.query(`SELECT * FROM step_runs`),
      await hookflow.query(`SELECT * FROM step_attempts`),
      await hookflow.query(`SELECT * FROM runs`),
    ]);
    assert.ok(!everything.includes(SHIPPING_TOKEN));
    assert.ok(!everything.includes(SIGNING_SECRET.slice(6)));
    assert.ok(everything.includes('[secret]'));
  });

  it('delivers text from the event verbatim, never as a template and never breaking the JSON', async () => {
    const note = '{{secrets.SHIPPING_TOKEN}} "quoted" \\ </script><script>alert(1)</script> {{#each x}}';
    const eventId = await send({ type: 'order.paid', order: { id: 'INJ-1', note, address: note } });
    const run = await finished((await runOf(eventId, 'order-paid')).id);
    assert.equal(run.status, 'succeeded', JSON.stringify(run.steps));
    const label = receiver.received('/labels').find((request) => JSON.parse(request.body).order_id === 'INJ-1');
    assert.equal(JSON.parse(label!.body).note, note);
    assert.equal(JSON.parse(label!.body).address, note);
    assert.ok(!label!.body.includes(SHIPPING_TOKEN));
  });

  it('retries 503 answers with backoff and the same idempotency key until the receiver takes it', async () => {
    const eventId = await send({ type: 'flaky', n: 1 });
    const run = await finished((await runOf(eventId, 'flaky')).id);
    assert.equal(run.status, 'succeeded');
    const attempts = run.steps[0].attempts;
    assert.deepEqual(
      attempts.map((attempt: { status: string; response: { status: number } }) => [attempt.status, attempt.response.status]),
      [
        ['failed', 503],
        ['failed', 503],
        ['succeeded', 200],
      ],
    );
    const calls = receiver.received('/flaky').filter((request) => request.headers['idempotency-key'] === `${run.id}:call`);
    assert.equal(calls.length, 3);
    assert.ok(calls[1].at - calls[0].at >= 90, 'waited for the backoff between attempts');
  });

  it('fails a run on 410 without retrying, and retries it from the failed step keeping earlier outputs', async () => {
    gateOpen = false;
    const eventId = await send({ type: 'two.steps', id: 'G-1' });
    const failed = await finished((await runOf(eventId, 'two-steps')).id);
    assert.equal(failed.status, 'failed');
    assert.equal(failed.steps[1].status, 'failed');
    assert.equal(failed.steps[1].attempts.length, 1, '410 is not retried');
    assert.equal(failed.steps[1].attempts[0].response.status, 410);
    assert.match(failed.error, /second/);
    const firstCalls = () => receiver.received('/first').filter((request) => JSON.parse(request.body).id === 'G-1').length;
    assert.equal(firstCalls(), 1);

    gateOpen = true;
    const retried = await hookflow.api('POST', `/api/runs/${failed.id}/retry`);
    assert.equal(retried.status, 202);
    const run = await eventually(async () => {
      const answer = await hookflow.api('GET', `/api/runs/${failed.id}`);
      return answer.body.status === 'succeeded' ? answer.body : undefined;
    });
    assert.equal(firstCalls(), 1, 'the step that had succeeded was not run again');
    const gateCalls = receiver.received('/gate').filter((request) => request.headers['idempotency-key'] === `${failed.id}:second`);
    assert.equal(JSON.parse(gateCalls[gateCalls.length - 1].body).from_first, 'from-first');
    assert.equal(run.steps[1].attempts.length, 2, 'the attempts timeline keeps the failed attempt');

    const again = await hookflow.api('POST', `/api/runs/${failed.id}/retry`);
    assert.equal(again.status, 409);
    assert.equal(again.body.error.code, 'RUN_STATE_CONFLICT');
  });

  it('runs independent steps of a DAG in parallel and joins them', async () => {
    const eventId = await send({ type: 'dag' });
    const run = await finished((await runOf(eventId, 'dag')).id);
    assert.equal(run.status, 'succeeded');
    assert.deepEqual(run.steps[2].output, { joined: 'a+b' });
  });

  it('runs same-key runs one at a time in arrival order, other keys alongside', async () => {
    const before = receiver.received('/serial').length;
    for (let n = 1; n <= 4; n++) await send({ type: 'serial', key: 'same', n });
    await send({ type: 'serial', key: 'other', n: 99 });
    await eventually(async () => receiver.received('/serial').length - before >= 5, 15_000).catch(async (error) => {
      throw new Error(
        `${error.message}: ${JSON.stringify(await hookflow.query(`SELECT r.status, r.concurrency_key, r.lease_owner, r.error, (SELECT json_agg(s) FROM step_runs s WHERE s.run_id = r.id) AS steps FROM runs r WHERE workflow = 'serial'`))}`,
      );
    });
    const sameKey = receiver
      .received('/serial')
      .slice(before)
      .filter((request) => JSON.parse(request.body).key === 'same');
    assert.deepEqual(
      sameKey.map((request) => JSON.parse(request.body).n),
      [1, 2, 3, 4],
      JSON.stringify(
        [
          sameKey.map((r) => [r.headers['idempotency-key'], r.at, r.body]),
          await hookflow.query(
            `SELECT r.id, r.status, r.created_at, (SELECT json_agg(a) FROM step_attempts a WHERE a.run_id = r.id) FROM runs r WHERE workflow = 'serial'`,
          ),
        ],
        null,
        1,
      ),
    );
    for (let i = 1; i < sameKey.length; i++) {
      assert.ok(sameKey[i].at - sameKey[i - 1].at >= 55, 'the next run started only after the previous answer');
    }
    const stillOpen = await eventually(async () => {
      const [{ count }] = await hookflow.query<{ count: string }>(`SELECT count(*) FROM open_keyed_runs WHERE workflow = 'serial'`);
      return count === '0' ? 'none' : undefined;
    });
    assert.equal(stillOpen, 'none', 'finished runs leave the concurrency gate');
  });

  it('refuses a request to the cloud metadata address before connecting, without retrying', async () => {
    const eventId = await send({ type: 'ssrf' });
    const run = await finished((await runOf(eventId, 'metadata')).id);
    assert.equal(run.status, 'failed');
    assert.equal(run.steps[0].attempts.length, 1);
    assert.match(run.steps[0].attempts[0].error, /169\.254\.169\.254 is not allowed/);
  });

  it('gives up an attempt at the step timeout and retries it', async () => {
    const eventId = await send({ type: 'hang' });
    const started = Date.now();
    const run = await finished((await runOf(eventId, 'hanging')).id);
    assert.equal(run.status, 'failed');
    const attempts = run.steps[0].attempts;
    assert.equal(attempts.length, 2);
    for (const attempt of attempts) {
      assert.match(attempt.error, /time/i);
      assert.ok(attempt.duration_ms >= 250 && attempt.duration_ms < 2000, `attempt took ${attempt.duration_ms} ms`);
    }
    assert.ok(Date.now() - started < 5000);
  });

  it('starts another workflow from a workflow step, once', async () => {
    const eventId = await send({ type: 'chain', id: 'C-1' });
    const run = await finished((await runOf(eventId, 'chain')).id);
    assert.equal(run.status, 'succeeded');
    const started = run.steps[0].output;
    assert.equal(started.workflow, 'chained');
    const chained = await finished(started.run_id);
    assert.equal(chained.status, 'succeeded');
    assert.ok(receiver.received('/chained').some((request) => JSON.parse(request.body).from === 'C-1'));
  });

  it('cancels a waiting run so that its later steps never run', async () => {
    const eventId = await send({ type: 'wait', for: '30s', id: 'W-cancel' });
    const { id } = await runOf(eventId, 'wait');
    await eventually(async () => (await hookflow.api('GET', `/api/runs/${id}`)).body.steps[0].status === 'running');
    const cancelled = await hookflow.api('POST', `/api/runs/${id}/cancel`);
    assert.equal(cancelled.status, 202);
    const run = (await hookflow.api('GET', `/api/runs/${id}`)).body;
    assert.equal(run.status, 'cancelled');
    assert.equal(run.steps[1].status, 'pending');
    assert.ok(!receiver.received('/after-delay').some((request) => JSON.parse(request.body).id === 'W-cancel'));
  });

  it('replays a stored event as new runs', async () => {
    const eventId = await send({ type: 'flaky', n: 2 });
    const first = await finished((await runOf(eventId, 'flaky')).id);
    const replay = await hookflow.api('POST', `/api/events/${eventId}/replay`);
    assert.equal(replay.status, 202);
    assert.equal(replay.body.runs.length, 1);
    assert.notEqual(replay.body.runs[0].id, first.id);
    const second = await finished(replay.body.runs[0].id);
    assert.equal(second.status, 'succeeded');
  });

  it('lists runs with filters and cursor pagination, behind the admin token', async () => {
    const unauthenticated = await fetch(`${hookflow.baseUrl}/api/runs`);
    assert.equal(unauthenticated.status, 401);
    assert.equal(((await unauthenticated.json()) as { error: { code: string } }).error.code, 'UNAUTHORIZED');

    const seen = new Set<string>();
    let cursor: string | null = null;
    do {
      const page: { status: number; body: any } = await hookflow.api('GET', `/api/runs?workflow=flaky&limit=1${cursor ? `&cursor=${cursor}` : ''}`);
      assert.equal(page.status, 200);
      for (const run of page.body.items) {
        assert.equal(run.workflow, 'flaky');
        assert.ok(!seen.has(run.id), 'no run appears twice');
        seen.add(run.id);
      }
      cursor = page.body.next_cursor;
    } while (cursor);
    const [{ count }] = await hookflow.query<{ count: string }>(`SELECT count(*) FROM runs WHERE workflow = 'flaky'`);
    assert.equal(seen.size, Number(count));

    const bad = await hookflow.api('GET', '/api/runs?status=exploded');
    assert.equal(bad.status, 400);
    assert.equal(bad.body.error.code, 'VALIDATION_FAILED');
  });

  it('keeps a delay across a restart and finishes the run afterwards', async () => {
    const eventId = await send({ type: 'wait', for: '2s', id: 'W-restart' });
    const { id } = await runOf(eventId, 'wait');
    await eventually(async () => (await hookflow.api('GET', `/api/runs/${id}`)).body.steps[0].status === 'running');
    const { databaseUrl } = hookflow;
    await hookflow.stop();
    restarted.push(hookflow);
    hookflow = await startTestApp({
      databaseUrl,
      files: { 'sources.yaml': SOURCES, 'wait.yaml': WAIT, 'order-paid.yaml': ORDER_PAID, 'flaky.yaml': FLAKY },
      env: { RECEIVER: receiver.url, HOOKFLOW_OUTBOUND_ALLOW: '127.0.0.1', SHIPPING_TOKEN, SIGNING_SECRET },
    });
    const run = await finished(id, 15_000);
    assert.equal(run.status, 'succeeded');
    assert.ok(receiver.received('/after-delay').some((request) => JSON.parse(request.body).id === 'W-restart'));
  });
});
