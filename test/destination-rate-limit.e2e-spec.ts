import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { HookflowProcess, spawnHookflow, waitUntilReady } from './support/hookflow-process';
import { post } from './support/http';
import { eventually, json, Receiver } from './support/receiver';
import { createTestDatabase, withClient } from './support/test-database';
import { hookflowEnv, report, stopHookflow, workDirWith } from './faults/fault-kit';

const RATE_PER_SECOND = 10;
const EVENTS = 40;
const PROCESSES = ['one', 'two'] as const;

const FILES = {
  'sources.yaml': `
sources:
  jobs:
    verify: { scheme: none }
`,
  'deliver.yaml': `
name: deliver
on: { webhook: jobs }
steps:
  - id: send
    uses: http
    with:
      url: "{{secrets.RECEIVER}}{{event.body.path}}"
      headers: { X-Sent-By: "{{secrets.PROCESS_NAME}}" }
      body: { n: "{{event.body.n}}" }
    retry: { attempts: 5, initial: 100ms, max: 5s }
`,
  'destinations.yaml': `
destinations:
  - match: "http://127.0.0.1:*"
    rate_limit: ${RATE_PER_SECOND}/s
`,
};

describe('a destination rate limit shared by two processes', () => {
  const receiver = new Receiver();
  const arrivals: { n: number; at: number; by: string; status: number }[] = [];
  let busyAnswered = false;
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let workDir: string;
  const processes: HookflowProcess[] = [];

  before(async () => {
    receiver.route('/steady', (request, response) => {
      arrivals.push({ n: Number(JSON.parse(request.body).n), at: request.at, by: String(request.headers['x-sent-by']), status: 200 });
      json(response, 200, { ok: true });
    });
    receiver.route('/busy', (request, response) => {
      const status = busyAnswered ? 200 : 429;
      busyAnswered = true;
      arrivals.push({ n: Number(JSON.parse(request.body).n), at: request.at, by: String(request.headers['x-sent-by']), status });
      json(response, status, { ok: status === 200 }, status === 429 ? { 'retry-after': '3' } : {});
    });
    await receiver.start();
    workDir = await workDirWith(FILES);
    database = await createTestDatabase();
    const started = await Promise.all(
      PROCESSES.map((name) => spawnHookflow(workDir, hookflowEnv(workDir, { DATABASE_URL: database.url, PROCESS_NAME: name, RECEIVER: receiver.url }))),
    );
    processes.push(...started);
    await Promise.all(started.map((hookflow) => waitUntilReady(hookflow)));
  });

  after(async () => {
    await Promise.all(processes.map((hookflow) => stopHookflow(hookflow)));
    await receiver.stop();
    await database?.drop();
    await rm(workDir, { recursive: true, force: true });
  });

  async function sendAll(count: number, path: string, first: number): Promise<void> {
    // Half the events to each process: both enqueue, both deliver.
    await Promise.all(
      Array.from({ length: count }, async (_, index) => {
        const answer = await post(`${processes[index % 2].baseUrl}/hooks/jobs`, JSON.stringify({ type: 'job', n: first + index, path }));
        assert.equal(answer.status, 202, JSON.stringify(answer.body));
      }),
    );
  }

  it(`sends at ${RATE_PER_SECOND}/s, measured within 10 %, however many are waiting and whichever process sends`, async (t) => {
    await sendAll(EVENTS, '/steady', 0);
    await eventually(async () => arrivals.length >= EVENTS, 30_000, `all ${EVENTS} deliveries`);
    const times = arrivals.map((arrival) => arrival.at).sort((a, b) => a - b);
    const rate = (times.length - 1) / ((times[times.length - 1] - times[0]) / 1000);
    report(
      t,
      `${EVENTS} deliveries at ${rate.toFixed(2)}/s (limit ${RATE_PER_SECOND}/s); ${PROCESSES.map((name) => `${name}: ${arrivals.filter((a) => a.by === name).length}`).join(', ')}`,
    );
    assert.ok(Math.abs(rate - RATE_PER_SECOND) <= RATE_PER_SECOND * 0.1, `measured ${rate.toFixed(2)}/s: ${times.map((time) => time - times[0]).join(' ')}`);
    // Never a burst: attempts start on evenly spaced slots. A loaded machine (tests run side
    // by side) delays some on their way and bunches them up a little, never to a burst.
    const busiest = Math.max(...times.map((start) => times.filter((time) => time >= start && time < start + 2_000).length));
    assert.ok(busiest <= 3 * RATE_PER_SECOND, `${busiest} deliveries in two seconds: ${times.map((time) => time - times[0]).join(' ')}`);
    for (const name of PROCESSES)
      assert.ok(
        arrivals.some((arrival) => arrival.by === name),
        `process ${name} delivered some`,
      );
    assert.equal(new Set(arrivals.map((arrival) => arrival.n)).size, EVENTS, 'each once');

    const attempts = await withClient(database.url, async (client) => (await client.query(`SELECT max(attempts)::int AS most FROM step_runs`)).rows[0].most);
    assert.equal(attempts, 1, 'waiting for a slot is not an attempt');
  });

  it('gives no slot before the Retry-After of a 429 has passed', async () => {
    arrivals.length = 0;
    await sendAll(1, '/busy', 100);
    await eventually(async () => arrivals.length === 1, 10_000, 'the first request');
    await sendAll(3, '/busy', 101);
    await eventually(async () => arrivals.filter((arrival) => arrival.status === 200).length === 4, 20_000, 'the four deliveries');
    const [refused, ...rest] = arrivals;
    assert.equal(refused.status, 429);
    const next = Math.min(...rest.map((arrival) => arrival.at));
    assert.ok(next - refused.at >= 2_900, `the next request came ${next - refused.at} ms after the 429 that asked for 3 s`);
  });
});
