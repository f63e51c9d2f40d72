import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CONCURRENT_RUNS } from '../src/engine/worker.service';
import { post } from './support/http';
import { eventually, json, Receiver } from './support/receiver';
import { startTestApp, TestApp } from './support/test-app';

const SOURCES = `
sources:
  jobs:
    verify: { scheme: none }
`;

const DELIVER = `name: deliver
on: { webhook: jobs, event: "*" }
steps:
  - id: send
    uses: http
    with:
      url: "{{event.body.target}}/hook"
      body: { n: "{{event.body.n}}" }
`;

/** More than the process's run workers: without the gate they would all wait on the slow receiver. */
const SLOW_EVENTS = CONCURRENT_RUNS + 100;
const FAST_EVENTS = 20;
const SLOW_ANSWER_MS = 1_000;

describe('a slow receiver among others', () => {
  let hookflow: TestApp;
  const slow = new Receiver();
  const fast = new Receiver();
  /** The slow receiver recovers once the test has seen what it needs, so that its backlog drains quickly. */
  let slowAnswerMs = SLOW_ANSWER_MS;

  before(async () => {
    slow.route('/hook', async (_request, response) => {
      await new Promise((done) => setTimeout(done, slowAnswerMs));
      json(response, 200, { ok: true });
    });
    fast.route('/hook', (_request, response) => json(response, 200, { ok: true }));
    await Promise.all([slow.start(), fast.start()]);
    hookflow = await startTestApp({ files: { 'sources.yaml': SOURCES, 'deliver.yaml': DELIVER }, env: { HOOKFLOW_OUTBOUND_ALLOW: '127.0.0.1' } });
  });

  after(async () => {
    await hookflow.close();
    await Promise.all([slow.stop(), fast.stop()]);
  });

  async function send(target: string, n: number): Promise<void> {
    const answer = await post(`${hookflow.baseUrl}/hooks/jobs`, JSON.stringify({ type: 'job', target, n }));
    assert.equal(answer.status, 202, JSON.stringify(answer.body));
  }

  it('keeps delivering to a fast receiver while a slow one has more work than there are workers', async () => {
    for (let n = 0; n < SLOW_EVENTS; n++) await send(slow.url, n);
    // Let the slow runs take the workers first, as they would in production.
    await eventually(async () => slow.received('/hook').length >= 16, 10_000, 'the slow receiver to be busy');

    const fastSentAt = Date.now();
    await Promise.all(Array.from({ length: FAST_EVENTS }, (_, n) => send(fast.url, n)));
    await eventually(async () => fast.received('/hook').length >= FAST_EVENTS, 3_000, `all ${FAST_EVENTS} fast deliveries within 3 s`);
    const fastDoneAfterMs = Math.max(...fast.received('/hook').map((request) => request.at)) - fastSentAt;
    // Behind hundreds of one-second answers on 16 connections, they would have waited half a minute.
    assert.ok(fastDoneAfterMs < 3_000, `fast receiver served in ${fastDoneAfterMs} ms`);

    const waiting = await hookflow.query<{ count: number }>(
      `SELECT count(*)::int AS count FROM step_runs WHERE error LIKE 'waiting for http://127.0.0.1:% is slow to answer%'`,
    );
    assert.ok(waiting[0].count > 0, 'steps for the busy receiver wait outside the workers, saying why');

    // Every slow delivery still happens, once per step.
    slowAnswerMs = 0;
    await eventually(async () => (await completedSlowDeliveries()) === SLOW_EVENTS, 60_000, 'every slow delivery');
    const keys = slow.received('/hook').map((request) => request.headers['idempotency-key']);
    assert.equal(new Set(keys).size, SLOW_EVENTS, 'one request per run: a step that waited was not attempted twice');
    assert.equal(keys.length, SLOW_EVENTS);
    const attempts = await hookflow.query<{ most: number }>(`SELECT max(attempts)::int AS most FROM step_runs`);
    assert.equal(attempts[0].most, 1, 'waiting for a busy destination is not counted as an attempt');
  });

  async function completedSlowDeliveries(): Promise<number> {
    const rows = await hookflow.query<{ count: number }>(
      `SELECT count(*)::int AS count FROM runs r JOIN events e ON e.id = r.event_id
        WHERE r.status = 'succeeded' AND convert_from(e.body, 'UTF8')::jsonb ->> 'target' = $1`,
      [slow.url],
    );
    return rows[0].count;
  }
});
