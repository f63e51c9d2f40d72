import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { post } from './support/http';
import { eventually, json, ReceivedRequest, Receiver } from './support/receiver';
import { startTestApp, TestApp } from './support/test-app';

const SOURCES = `
sources:
  jobs:
    verify: { scheme: none }
  keyed:
    verify: { scheme: none }
`;

const DELIVER = `name: deliver
on: { webhook: jobs }
steps:
  - id: send
    uses: http
    with:
      url: "{{secrets.RECEIVER}}/hook"
      body: { n: "{{event.body.n}}" }
    retry: { attempts: 20, initial: 200ms, max: 200ms }
`;

/** One run at a time per key: the second of a key waits for the first, not for the destination. */
const KEYED = `name: deliver-keyed
on: { webhook: keyed }
concurrency:
  key: "{{event.body.key}}"
steps:
  - id: send
    uses: http
    with:
      url: "{{secrets.RECEIVER}}/hook"
      body: { n: "{{event.body.n}}" }
`;

const COOL_DOWN_MS = 2_000;
const DESTINATIONS = `# Small numbers, so that the test sees every state in seconds
defaults:
  breaker:
    failures: 3
    cool_down: 2s
`;

/** The `n` of each request the receiver got, in arrival order, with the status it answered. */
interface Answered {
  n: number;
  status: number;
  at: number;
}

describe('destination circuit breaker, against a real receiver', () => {
  let hookflow: TestApp;
  const receiver = new Receiver();
  const answered: Answered[] = [];
  let up = true;

  before(async () => {
    receiver.route('/hook', (request: ReceivedRequest, response) => {
      const status = up ? 200 : 503;
      answered.push({ n: Number(JSON.parse(request.body).n), status, at: request.at });
      json(response, status, { ok: up });
    });
    await receiver.start();
    hookflow = await startTestApp({
      files: { 'sources.yaml': SOURCES, 'deliver.yaml': DELIVER, 'destinations.yaml': DESTINATIONS },
      env: { HOOKFLOW_OUTBOUND_ALLOW: '127.0.0.1', RECEIVER: receiver.url },
    });
  });

  after(async () => {
    await hookflow?.close();
    await receiver.stop();
  });

  beforeEach(async () => {
    answered.length = 0;
    up = true;
  });

  const destination = () => encodeURIComponent(receiver.url);

  async function send(n: number): Promise<void> {
    const answer = await post(`${hookflow.baseUrl}/hooks/jobs`, JSON.stringify({ type: 'job', n }));
    assert.equal(answer.status, 202, JSON.stringify(answer.body));
  }

  async function sendKeyed(n: number, key: string): Promise<void> {
    const answer = await post(`${hookflow.baseUrl}/hooks/keyed`, JSON.stringify({ type: 'job', n, key }));
    assert.equal(answer.status, 202, JSON.stringify(answer.body));
  }

  async function state(): Promise<string> {
    const [row] = await hookflow.query<{ state: string }>(`SELECT state FROM destinations WHERE id = $1`, [receiver.url]);
    return row?.state ?? 'closed';
  }

  async function runsByStatus(): Promise<Record<string, number>> {
    const rows = await hookflow.query<{ status: string; count: number }>(`SELECT status, count(*)::int AS count FROM runs GROUP BY status`);
    return Object.fromEntries(rows.map((row) => [row.status, row.count]));
  }

  it('opens after its failures, sends nothing while open, one probe per cool-down, and delivers every run once the receiver is back', async () => {
    up = false;
    await send(0);
    await eventually(async () => (await state()) === 'open', 10_000, 'the circuit to open');
    const openedAt = Date.now();
    assert.equal(answered.length, 3, 'it opened on the third consecutive failure, not later');
    // Its retry, due shortly, finds the circuit open: from then on it waits, first in line.
    await eventually(async () => (await hookflow.query(`SELECT 1 FROM destination_waits`)).length === 1, 5_000, 'the first step to wait');

    for (let n = 1; n <= 5; n++) await send(n);
    await eventually(
      async () => (await hookflow.query<{ count: number }>(`SELECT count(*)::int AS count FROM destination_waits`))[0].count === 6,
      10_000,
      'every step to wait for the destination',
    );
    assert.equal(answered.length, 3, 'no attempt while the circuit is open');

    // After the cool-down, one probe; it fails and the circuit opens again for another cool-down.
    await eventually(async () => answered.length >= 4, COOL_DOWN_MS + 5_000, 'the first probe');
    const probeAt = answered[3].at;
    assert.ok(probeAt - openedAt >= COOL_DOWN_MS - 200, `the probe came ${probeAt - openedAt} ms after the circuit opened`);
    await new Promise((done) => setTimeout(done, COOL_DOWN_MS / 2));
    assert.equal(answered.length, 4, 'one probe, then nothing again until the next cool-down');
    assert.equal(await state(), 'open');

    up = true;
    await eventually(async () => (await runsByStatus()).succeeded === 6, 20_000, 'all six runs to succeed');
    const delivered = answered.filter((answer) => answer.status === 200).map((answer) => answer.n);
    assert.equal(delivered[0], 0, `the probe that closed it is the step that has waited longest: ${JSON.stringify(answered)}`);
    assert.deepEqual(delivered.slice(1).sort(), [1, 2, 3, 4, 5], 'then every other waiting step, once');
    const failed = answered.filter((answer) => answer.status === 503);
    assert.deepEqual(new Set(failed.map((answer) => answer.n)), new Set([0]), 'every probe was made by the step that waited longest');
    for (let i = 4; i < failed.length; i++) {
      assert.ok(failed[i].at - failed[i - 1].at >= COOL_DOWN_MS - 200, 'probes are a cool-down apart');
    }
    assert.equal(await state(), 'closed');

    const steps = await hookflow.query<{ n: number; attempts: number; recorded: number }>(
      `SELECT (convert_from(e.body, 'UTF8')::jsonb->>'n')::int AS n, s.attempts, (SELECT count(*)::int FROM step_attempts a WHERE a.run_id = s.run_id) AS recorded
         FROM step_runs s JOIN runs r ON r.id = s.run_id JOIN events e ON e.id = r.event_id ORDER BY n`,
    );
    assert.equal(steps[0].attempts, failed.length + 1, 'the first step counts its failures, its probes and its success');
    assert.deepEqual(
      steps.slice(1).map((step) => step.attempts),
      [1, 1, 1, 1, 1],
      'waiting is not an attempt: the steps that only waited made one each',
    );
    assert.deepEqual(
      steps.map((step) => step.recorded),
      steps.map((step) => step.attempts),
    );
    const waits = await hookflow.query<{ count: number }>(`SELECT count(*)::int AS count FROM destination_waits`);
    assert.equal(waits[0].count, 0);

    const listed = await hookflow.api('GET', '/api/destinations');
    const item = listed.body.items.find((entry: { id: string }) => entry.id === receiver.url);
    assert.equal(item.state, 'closed');
    assert.equal(item.policy.breaker.failures, 3);
    assert.equal(item.policy.breaker.cool_down_ms, COOL_DOWN_MS);
  });

  it('keeps the order of runs with one concurrency key through a closed circuit', async () => {
    await hookflow.writeWorkflowFile('deliver-keyed.yaml', KEYED);
    await hookflow.api('POST', `/api/destinations/${destination()}/open`);
    for (let n = 30; n < 36; n++) await sendKeyed(n, n % 2 === 0 ? 'a' : 'b');
    await eventually(
      async () => (await hookflow.query(`SELECT 1 FROM destination_waits w JOIN runs r ON r.id = w.run_id WHERE r.workflow = 'deliver-keyed'`)).length === 2,
    );
    assert.equal(answered.length, 0);
    await hookflow.api('POST', `/api/destinations/${destination()}/close`);
    await eventually(async () => answered.length === 6, 15_000, 'all six keyed runs');
    const order = (key: string) => answered.filter((answer) => (answer.n % 2 === 0 ? 'a' : 'b') === key).map((answer) => answer.n);
    assert.deepEqual(order('a'), [30, 32, 34]);
    assert.deepEqual(order('b'), [31, 33, 35]);
    await hookflow.writeWorkflowFile('deliver-keyed.yaml', '');
  });

  it('holds steps while opened by hand, and sends them when closed by hand', async () => {
    const opened = await hookflow.api('POST', `/api/destinations/${destination()}/open`);
    assert.equal(opened.status, 200, JSON.stringify(opened.body));
    assert.equal(opened.body.state, 'open');
    assert.equal(opened.body.held_manually, true);

    await send(10);
    await send(11);
    const detail = await eventually(async () => {
      const answer = await hookflow.api('GET', `/api/destinations/${destination()}`);
      // The count and the list are two reads: the second wait may land between them.
      return answer.body.waiting?.length === 2 && answer.body.waiting_steps === 2 && answer.body;
    });
    assert.deepEqual(
      detail.waiting.map((step: { workflow: string; step_id: string }) => `${step.workflow}/${step.step_id}`),
      ['deliver/send', 'deliver/send'],
    );
    await new Promise((done) => setTimeout(done, COOL_DOWN_MS + 1_500));
    assert.equal(answered.length, 0, 'a circuit opened by hand sends no probe');

    const closed = await hookflow.api('POST', `/api/destinations/${destination()}/close`);
    assert.equal(closed.status, 200, JSON.stringify(closed.body));
    assert.equal(closed.body.state, 'closed');
    await eventually(async () => answered.length === 2, 10_000, 'both held steps to go out');
    assert.deepEqual(
      answered.map((answer) => answer.n),
      [10, 11],
    );

    const again = await hookflow.api('POST', `/api/destinations/${destination()}/close`);
    assert.equal(again.status, 409);
    assert.equal(again.body.error.code, 'DESTINATION_STATE_CONFLICT');
  });

  it('disables a destination open past disable_after: waiting and new steps fail saying how to enable it', async () => {
    await hookflow.api('POST', `/api/destinations/${destination()}/open`);
    await send(20);
    await eventually(async () => (await hookflow.query(`SELECT 1 FROM destination_waits`)).length === 1);
    // Three days pass: the breaker took it open on its own that long ago.
    await hookflow.query(
      `UPDATE destinations SET held_manually = false, probe_at = now() + interval '1 day', opened_at = now() - interval '4 days' WHERE id = $1`,
      [receiver.url],
    );
    await eventually(async () => (await state()) === 'disabled', 10_000, 'the destination to be disabled');
    const [failed] = await eventually(async () => {
      const rows = await hookflow.query<{ error: string }>(
        `SELECT s.error FROM step_runs s JOIN runs r ON r.id = s.run_id JOIN events e ON e.id = r.event_id
          WHERE (convert_from(e.body, 'UTF8')::jsonb->>'n')::int = 20 AND r.status = 'failed'`,
      );
      return rows.length === 1 && rows;
    });
    assert.match(failed.error, /is disabled: its circuit stayed open too long\. Enable it/);
    assert.equal(answered.length, 0);

    const closing = await hookflow.api('POST', `/api/destinations/${destination()}/close`);
    assert.equal(closing.status, 409, 'a disabled destination is enabled, not closed');
    const enabled = await hookflow.api('POST', `/api/destinations/${destination()}/enable`);
    assert.equal(enabled.status, 200, JSON.stringify(enabled.body));
    assert.equal(enabled.body.state, 'closed');
    await eventually(async () => (await hookflow.api('GET', `/api/destinations/${destination()}`)).body.state === 'closed');
    await send(21);
    await eventually(async () => answered.some((answer) => answer.n === 21 && answer.status === 200), 10_000, 'a step after enabling to go out');
  });

  it('refuses a destination id that is not an origin, and answers 404 for one never attempted', async () => {
    const odd = await hookflow.api('POST', `/api/destinations/${encodeURIComponent('https://x.example/path?q=1')}/open`);
    assert.equal(odd.status, 400);
    const unknown = await hookflow.api('GET', `/api/destinations/${encodeURIComponent('https://never.example')}`);
    assert.equal(unknown.status, 404);
    assert.equal(unknown.body.error.code, 'UNKNOWN_DESTINATION');
  });
});
