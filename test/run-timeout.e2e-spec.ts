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

/** Waits an hour, but may take two seconds in all. */
const SLOW = `
name: slow
on: { webhook: shop, event: slow }
timeout: 2s
steps:
  - id: wait
    uses: delay
    with: { for: 1h }
  - id: after
    uses: http
    with: { url: "{{secrets.RECEIVER}}/after" }
`;

/** Retries every 10 s a receiver that always fails, for at most three seconds. */
const FLAKY = `
name: flaky
on: { webhook: shop, event: flaky }
timeout: 3s
steps:
  - id: call
    uses: http
    with: { url: "{{secrets.RECEIVER}}/down" }
    retry: { attempts: 5, backoff: fixed, initial: 10s }
`;

/** Paused before its event comes: its run waits with no job to wake it. */
const HELD = `
name: held
on: { webhook: shop, event: held }
timeout: 1s
steps:
  - { id: call, uses: http, with: { url: "{{secrets.RECEIVER}}/held" } }
`;

/** One run at a time per key: the second waits behind the first, which waits an hour. */
const KEYED = `
name: keyed
on: { webhook: shop, event: keyed }
concurrency: { key: "{{event.body.key}}" }
timeout: 2s
steps:
  - { id: wait, uses: delay, with: { for: 1h } }
`;

describe('run timeout: a run past its workflow timeout is cancelled, whatever it waits for', () => {
  let hookflow: TestApp;
  const receiver = new Receiver();

  before(async () => {
    receiver.route('/down', (_request, response) => json(response, 503, { error: 'down' }));
    receiver.route('/after', (_request, response) => json(response, 200, {}));
    receiver.route('/held', (_request, response) => json(response, 200, {}));
    await receiver.start();
    hookflow = await startTestApp({
      files: { 'sources.yaml': SOURCES, 'slow.yaml': SLOW, 'flaky.yaml': FLAKY, 'held.yaml': HELD, 'keyed.yaml': KEYED },
      env: { HOOKFLOW_OUTBOUND_ALLOW: '127.0.0.1', RECEIVER: receiver.url },
    });
  });

  after(async () => {
    await hookflow.close();
    await receiver.stop();
  });

  async function send(type: string, key = ''): Promise<string> {
    const answer = await post(`${hookflow.baseUrl}/hooks/shop`, JSON.stringify({ type, key }));
    assert.equal(answer.status, 202, JSON.stringify(answer.body));
    return answer.body.event_id;
  }

  async function cancelledRunOf(eventId: string): Promise<any> {
    return eventually(
      async () => {
        const [row] = await hookflow.query<{ id: string }>(`SELECT id FROM runs WHERE event_id = $1`, [eventId]);
        const run = row && (await hookflow.api('GET', `/api/runs/${row.id}`)).body;
        return run?.status === 'cancelled' ? run : undefined;
      },
      12_000,
      `the run of event ${eventId} to be cancelled`,
    );
  }

  it('cancels a run waiting on a one-hour delay at its two-second deadline, and says why', async () => {
    const sentAt = Date.now();
    const run = await cancelledRunOf(await send('slow'));
    const took = Date.now() - sentAt;

    assert.ok(took >= 2_000 && took < 4_500, `cancelled after ${took} ms`);
    assert.equal(run.error, 'run timed out after 2s');
    assert.equal(Date.parse(run.deadline) - Date.parse(run.created_at), 2_000);
    assert.deepEqual(
      run.steps.map((step: any) => [step.id, step.status, step.error]),
      [
        ['wait', 'skipped', 'run timed out'],
        ['after', 'pending', null],
      ],
    );
    assert.equal(receiver.received('/after').length, 0);
  });

  it('cancels a run between the retries of a failing step instead of waiting for the next one', async () => {
    const sentAt = Date.now();
    const run = await cancelledRunOf(await send('flaky'));
    const took = Date.now() - sentAt;

    assert.ok(took >= 3_000 && took < 5_500, `cancelled after ${took} ms`);
    assert.equal(run.error, 'run timed out after 3s');
    assert.equal(run.steps[0].status, 'skipped');
    assert.equal(run.steps[0].attempts.length, 1);
    assert.equal(receiver.received('/down').length, 1);
  });

  it('cancels a run queued behind an earlier one with its concurrency key', async () => {
    const sentAt = Date.now();
    const first = await send('keyed', 'k1');
    const second = await send('keyed', 'k1');
    const [firstRun, secondRun] = [await cancelledRunOf(first), await cancelledRunOf(second)];
    const took = Date.now() - sentAt;

    assert.ok(took < 4_500, `both cancelled after ${took} ms`);
    assert.deepEqual([firstRun.error, secondRun.error], ['run timed out after 2s', 'run timed out after 2s']);
    assert.equal(secondRun.steps[0].status, 'pending', 'the second never started');
  });

  it('cancels a paused run, which no job wakes, by the workers’ sweep', async () => {
    assert.equal((await hookflow.api('POST', '/api/workflows/held/pause', {})).status, 200);
    const eventId = await send('held');
    const run = await cancelledRunOf(eventId);

    assert.equal(run.error, 'run timed out after 1s');
    assert.equal(receiver.received('/held').length, 0);
    await hookflow.api('POST', '/api/workflows/held/resume', {});
  });

  it('gives a retried run a fresh deadline', async () => {
    const run = await cancelledRunOf(await send('slow'));
    assert.equal((await hookflow.api('POST', `/api/runs/${run.id}/retry`)).status, 202);
    const [{ remaining_ms }] = await hookflow.query<{ remaining_ms: number }>(
      `SELECT extract(epoch FROM deadline - now()) * 1000 AS remaining_ms FROM runs WHERE id = $1`,
      [run.id],
    );
    assert.ok(remaining_ms > 1_000, `${remaining_ms} ms left`);
    const again = await cancelledRunOf(run.event_id);
    assert.equal(again.error, 'run timed out after 2s');
  });
});
