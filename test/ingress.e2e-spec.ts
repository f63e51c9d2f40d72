import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { Webhook } from 'standardwebhooks';
import Stripe from 'stripe';
import { hmacHex, post } from './support/http';
import { rawRequest } from './support/raw-http';
import { eventually } from './support/receiver';
import { withClient } from './support/test-database';
import { startTestApp, TestApp } from './support/test-app';
import { EventWriter } from '../src/events/event-writer';

const SHOP_SECRET = 'shop-secret-for-tests';
const ALERTS_SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const GITHUB_SECRET = "It's a Secret to Everybody";
const STRIPE_SECRET = 'whsec_test_stripe_secret';
const SLACK_SECRET = '8f742231b10e8888abcd99yyyzzz85a5';
const TASKS_KEY = 'tasks-api-key-0123456789';

const SOURCES = `
sources:
  shop:
    verify:
      scheme: hmac-sha256
      secret: ["{{secrets.OLD_SHOP_SECRET}}", "{{secrets.SHOP_SECRET}}"]
      header: X-Shop-Signature
    event_type: "{{event.body.type}}"
    dedupe_key: "{{event.headers.x-event-id}}"
    body_limit: 2kb
  alerts:
    verify: { scheme: standard-webhooks, secret: "{{secrets.ALERTS_SECRET}}" }
  github:
    verify: { scheme: github, secret: "{{secrets.GITHUB_SECRET}}" }
  stripe:
    verify: { scheme: stripe, secret: "{{secrets.STRIPE_SECRET}}" }
  slack:
    verify: { scheme: slack, secret: "{{secrets.SLACK_SECRET}}" }
  tasks:
    verify: { scheme: api-key, secret: "{{secrets.TASKS_KEY}}" }
  open:
    verify: { scheme: none }
  unconfigured:
    verify: { scheme: github, secret: "{{secrets.NOT_SET_ANYWHERE}}" }
`;

const ORDER_PAID = `
name: order-paid
on:
  webhook: shop
  event: order.paid
  if: "{{gt event.body.order.total 0}}"
concurrency:
  key: "{{event.body.order.id}}"
steps:
  - id: note
    uses: set
    with: { order: "{{event.body.order.id}}" }
`;

const ANY_ORDER = `
name: any-order
on:
  webhook: shop
  event: "order.*"
steps:
  - id: note
    uses: set
    with: { type: "{{event.type}}" }
`;

const ALERTS = `
name: alert-triage
on: { webhook: alerts }
steps:
  - id: note
    uses: set
    with: { id: "{{event.body.id}}" }
`;

describe('POST /hooks/:source', () => {
  let hookflow: TestApp;
  let eventCounter = 0;

  before(async () => {
    hookflow = await startTestApp({
      files: { 'sources.yaml': SOURCES, 'order-paid.yaml': ORDER_PAID, 'any-order.yaml': ANY_ORDER, 'alerts.yaml': ALERTS },
      env: {
        // Runs stay queued: these tests look at what ingress stored, not at execution.
        HOOKFLOW_ROLE: 'ingress',
        SHOP_SECRET,
        OLD_SHOP_SECRET: 'the-previous-shop-secret',
        ALERTS_SECRET,
        GITHUB_SECRET,
        STRIPE_SECRET,
        SLACK_SECRET,
        TASKS_KEY,
      },
    });
  });
  after(() => hookflow.close());

  function sendShop(body: object | string, options: { secret?: string; eventId?: string; headers?: Record<string, string> } = {}) {
    const raw = typeof body === 'string' ? body : JSON.stringify(body);
    return post(`${hookflow.baseUrl}/hooks/shop`, raw, {
      'x-shop-signature': hmacHex(options.secret ?? SHOP_SECRET, raw),
      'x-event-id': options.eventId ?? `evt-${++eventCounter}-${Date.now()}`,
      ...options.headers,
    });
  }

  describe('accepting', () => {
    it('stores a verified event with its queued runs and their queue jobs before answering 202', async () => {
      const answer = await sendShop({ type: 'order.paid', order: { id: 'A-1', total: 42 } });
      assert.equal(answer.status, 202);
      assert.match(answer.body.event_id, /^[0-9a-f-]{36}$/);
      assert.equal(answer.body.runs, 2);

      const [event] = await hookflow.query(`SELECT source, type, body_format, runs_count, convert_from(body, 'UTF8') AS body FROM events WHERE id = $1`, [
        answer.body.event_id,
      ]);
      assert.deepEqual(event, {
        source: 'shop',
        type: 'order.paid',
        body_format: 'json',
        runs_count: 2,
        body: '{"type":"order.paid","order":{"id":"A-1","total":42}}',
      });
      const runs = await hookflow.query<{ id: string; workflow: string; status: string; concurrency_key: string | null }>(
        `SELECT id, workflow, status, concurrency_key FROM runs WHERE event_id = $1 ORDER BY workflow`,
        [answer.body.event_id],
      );
      assert.deepEqual(
        runs.map((run) => [run.workflow, run.status, run.concurrency_key]),
        [
          ['any-order', 'queued', null],
          ['order-paid', 'queued', 'A-1'],
        ],
      );
      const jobs = await hookflow.query<{ payload: { run_id: string } }>(
        `SELECT j.payload
           FROM graphile_worker._private_jobs j
           JOIN graphile_worker._private_tasks t ON t.id = j.task_id AND t.identifier = 'run'
          WHERE j.payload->>'run_id' = ANY($1)`,
        [runs.map((run) => run.id)],
      );
      assert.equal(jobs.length, 2);
      assert.deepEqual(jobs.map((job) => job.payload.run_id).sort(), runs.map((run) => run.id).sort());
    });

    it('enqueues through add_jobs planned per call, so a growing backlog keeps using the key index', async () => {
      const [{ proconfig }] = await hookflow.query<{ proconfig: string[] | null }>(
        `SELECT proconfig FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
          WHERE n.nspname = 'graphile_worker' AND p.proname = 'add_jobs'`,
      );
      assert.deepEqual(proconfig, ['plan_cache_mode=force_custom_plan']);
    });

    it('accepts a signature made with either secret of a rotation list', async () => {
      const answer = await sendShop({ type: 'order.created', order: { id: 'A-2' } }, { secret: 'the-previous-shop-secret' });
      assert.equal(answer.status, 202);
      assert.equal(answer.body.runs, 1, 'only the glob order.* matches order.created');
    });

    it('starts nothing when the trigger if is false, and notes a condition that cannot be evaluated', async () => {
      const free = await sendShop({ type: 'order.paid', order: { id: 'A-3', total: 0 } });
      assert.equal(free.status, 202);
      assert.equal(free.body.runs, 1, 'any-order matches, order-paid is filtered out by its if');

      const broken = await sendShop({ type: 'order.paid', order: { id: 'A-4' } });
      assert.equal(broken.body.runs, 1);
      const [event] = await hookflow.query<{ match_notes: { workflow?: string; reason: string }[] }>(`SELECT match_notes FROM events WHERE id = $1`, [
        broken.body.event_id,
      ]);
      assert.equal(event.match_notes.length, 1);
      assert.equal(event.match_notes[0].workflow, 'order-paid');
      assert.match(event.match_notes[0].reason, /event\.body\.order\.total/);
    });

    it('stores malformed JSON as text instead of failing, and says so', async () => {
      const answer = await sendShop('{"type": "order.paid", "order": ');
      assert.equal(answer.status, 202);
      const [event] = await hookflow.query<{ body_format: string; match_notes: { reason: string }[]; body: string }>(
        `SELECT body_format, match_notes, convert_from(body, 'UTF8') AS body FROM events WHERE id = $1`,
        [answer.body.event_id],
      );
      assert.equal(event.body_format, 'text');
      assert.equal(event.body, '{"type": "order.paid", "order": ');
      assert.match(event.match_notes[0].reason, /not valid JSON/);
    });

    it('writes concurrent requests in group commits without losing or mixing any', async () => {
      const answers = await Promise.all(
        Array.from({ length: 150 }, (_, index) => sendShop({ type: 'order.paid', order: { id: `bulk-${index}`, total: index + 1 } })),
      );
      assert.deepEqual(new Set(answers.map((answer) => answer.status)), new Set([202]));
      const ids = answers.map((answer) => answer.body.event_id);
      assert.equal(new Set(ids).size, 150);
      const rows = await hookflow.query<{ id: string; order_id: string; runs: string }>(
        `SELECT e.id, convert_from(e.body, 'UTF8')::jsonb #>> '{order,id}' AS order_id,
                (SELECT count(*) FROM runs r WHERE r.event_id = e.id) AS runs
           FROM events e WHERE e.id = ANY($1)`,
        [ids],
      );
      assert.equal(rows.length, 150);
      const orderOf = new Map(rows.map((row) => [row.id, row.order_id]));
      answers.forEach((answer, index) => assert.equal(orderOf.get(answer.body.event_id), `bulk-${index}`));
      assert.ok(rows.every((row) => row.runs === '2'));
    });
  });

  describe('deduplication', () => {
    it('answers a repeated dedupe key with 200 and the original event id, starting nothing', async () => {
      const first = await sendShop({ type: 'order.paid', order: { id: 'D-1', total: 5 } }, { eventId: 'dedupe-1' });
      const again = await sendShop({ type: 'order.paid', order: { id: 'D-1', total: 5 } }, { eventId: 'dedupe-1' });
      assert.equal(first.status, 202);
      assert.equal(again.status, 200);
      assert.deepEqual(again.body, { event_id: first.body.event_id, runs: 0, duplicate: true });
      const [{ count }] = await hookflow.query<{ count: string }>(`SELECT count(*) FROM events WHERE dedupe_key = 'dedupe-1'`);
      assert.equal(count, '1');
    });

    it('keeps exactly one event when the same delivery arrives many times at once', async () => {
      const answers = await Promise.all(
        Array.from({ length: 20 }, () => sendShop({ type: 'order.paid', order: { id: 'D-2', total: 1 } }, { eventId: 'dedupe-concurrent' })),
      );
      const accepted = answers.filter((answer) => answer.status === 202);
      assert.equal(accepted.length, 1);
      assert.ok(answers.every((answer) => answer.body.event_id === accepted[0].body.event_id));
      const [{ events, runs }] = await hookflow.query<{ events: string; runs: string }>(
        `SELECT count(DISTINCT e.id) AS events, count(r.id) AS runs FROM events e LEFT JOIN runs r ON r.event_id = e.id WHERE e.dedupe_key = 'dedupe-concurrent'`,
      );
      assert.equal(events, '1');
      assert.equal(runs, '2');
    });
  });

  describe('refusing', () => {
    async function countEvents(): Promise<number> {
      const [{ count }] = await hookflow.query<{ count: string }>(`SELECT count(*) FROM events`);
      return Number(count);
    }

    it('answers 401 to a wrong signature, records the failure without the body, and stores no event', async () => {
      const before = await countEvents();
      const answer = await sendShop({ type: 'order.paid', order: { id: 'X', total: 1 }, card: 'secret-ish' }, { secret: 'wrong' });
      assert.equal(answer.status, 401);
      assert.deepEqual(answer.body, { error: { code: 'SIGNATURE_INVALID', message: 'Verification failed: signature mismatch' } });
      assert.equal(await countEvents(), before);
      await waitFor(async () => (await hookflow.query(`SELECT 1 FROM signature_failures WHERE source = 'shop' AND reason = 'signature mismatch'`)).length > 0);
      const columns = await hookflow.query<{ column_name: string }>(
        `SELECT column_name FROM information_schema.columns WHERE table_name = 'signature_failures'`,
      );
      assert.ok(!columns.some((column) => column.column_name.includes('body')));
    });

    it('answers 401 to a missing signature and to a body changed by one byte', async () => {
      const missing = await post(`${hookflow.baseUrl}/hooks/shop`, '{"type":"order.paid"}');
      assert.equal(missing.status, 401);
      assert.match(missing.body.error.message, /missing x-shop-signature header/);

      const raw = '{"type":"order.paid","order":{"total":10}}';
      const tampered = await post(`${hookflow.baseUrl}/hooks/shop`, raw.replace('10', '11'), { 'x-shop-signature': hmacHex(SHOP_SECRET, raw) });
      assert.equal(tampered.status, 401);
    });

    it('answers 401 to a Standard Webhooks delivery older than five minutes', async () => {
      const payload = JSON.stringify({ type: 'alert.raised', id: 'old' });
      const stale = new Date(Date.now() - 6 * 60 * 1000);
      const headers = signStandardWebhook('msg_stale', stale, payload);
      const answer = await post(`${hookflow.baseUrl}/hooks/alerts`, payload, headers);
      assert.equal(answer.status, 401);
      assert.match(answer.body.error.message, /5-minute/);
    });

    it('answers 413 to a body over the source limit, declared or streamed', async () => {
      const big = JSON.stringify({ type: 'order.paid', pad: 'x'.repeat(3000) });
      const declared = await sendShop(big);
      assert.equal(declared.status, 413);
      assert.equal(declared.body.error.code, 'PAYLOAD_TOO_LARGE');
      const streamed = await sendChunked(`${hookflow.baseUrl}/hooks/shop`, big);
      assert.equal(streamed.status, 413);
      const other = await post(`${hookflow.baseUrl}/hooks/open`, JSON.stringify({ pad: 'x'.repeat(3000) }));
      assert.equal(other.status, 202, 'the 2 KiB limit belongs to shop only');
    });

    it('applies the source limit and verifies the real body of an absolute-form request', async () => {
      // `POST http://host/hooks/shop` is valid HTTP/1.1 (proxies send it); Fastify routes it to the same handler.
      const absolute = (body: string, signature: string) =>
        rawRequest(
          hookflow.baseUrl,
          `POST ${hookflow.baseUrl}/hooks/shop HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n` +
            `X-Shop-Signature: ${signature}\r\nX-Event-Id: abs-${++eventCounter}-${Date.now()}\r\n` +
            `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
        );
      const big = JSON.stringify({ type: 'order.paid', pad: 'x'.repeat(3000) });
      const tooLarge = await absolute(big, hmacHex(SHOP_SECRET, big));
      assert.equal(tooLarge.status, 413, tooLarge.body);
      assert.equal(tooLarge.json.error.code, 'PAYLOAD_TOO_LARGE');

      const small = JSON.stringify({ type: 'order.paid', order: { id: 'ABS-1', total: 3 } });
      const signed = await absolute(small, hmacHex(SHOP_SECRET, small));
      assert.equal(signed.status, 202, signed.body);
      const [event] = await hookflow.query<{ body: Buffer }>(`SELECT body FROM events WHERE id = $1`, [signed.json.event_id]);
      assert.equal(event.body.toString('utf8'), small);
      assert.equal((await absolute(small, hmacHex('wrong', small))).status, 401);
      assert.equal((await absolute(small, hmacHex(SHOP_SECRET, ''))).status, 401, 'a signature of the empty body must not pass');
    });

    it('answers 503 with Retry-After and stores nothing when too many events wait to be stored, and takes them on retry', async () => {
      const queue = hookflow.app.get(EventWriter).queue;
      const bound = queue.maxWaiting;
      queue.maxWaiting = 2;
      try {
        await withClient(hookflow.databaseUrl, async (locker) => {
          // Inserts wait for this lock: the first request's statement stays in flight, the next ones queue behind it.
          await locker.query('BEGIN');
          await locker.query('LOCK TABLE events IN EXCLUSIVE MODE');
          const first = sendShop({ type: 'order.paid', order: { id: 'Q-0', total: 1 } }, { eventId: 'queue-0' });
          await waitFor(async () => (await locker.query(`SELECT 1 FROM pg_locks WHERE relation = 'events'::regclass AND NOT granted`)).rows.length > 0);
          const answered: { id: string; answer: Awaited<ReturnType<typeof sendShop>> }[] = [];
          const later = ['queue-1', 'queue-2', 'queue-3', 'queue-4', 'queue-5'].map((id) =>
            sendShop({ type: 'order.paid', order: { id, total: 1 } }, { eventId: id }).then((answer) => answered.push({ id, answer })),
          );
          await waitFor(async () => answered.length === 3);
          for (const { answer } of answered) {
            assert.equal(answer.status, 503);
            assert.equal(answer.headers.get('retry-after'), '1');
            assert.equal(answer.body.error.code, 'INGRESS_BUSY');
          }
          await locker.query('COMMIT');
          assert.equal((await first).status, 202);
          await Promise.all(later);
          const refused = answered.slice(0, 3).map(({ id }) => id);
          const stored = await hookflow.query<{ dedupe_key: string }>(`SELECT dedupe_key FROM events WHERE dedupe_key LIKE 'queue-%' ORDER BY dedupe_key`);
          assert.deepEqual(
            stored.map((row) => row.dedupe_key),
            ['queue-0', 'queue-1', 'queue-2', 'queue-3', 'queue-4', 'queue-5'].filter((id) => !refused.includes(id)),
          );
          for (const id of refused) {
            assert.equal((await sendShop({ type: 'order.paid', order: { id, total: 1 } }, { eventId: id })).status, 202, `${id} retried`);
          }
        });
      } finally {
        queue.maxWaiting = bound;
      }
    });

    it('answers 404 in the error shape for an unknown source', async () => {
      const answer = await post(`${hookflow.baseUrl}/hooks/nope`, '{}');
      assert.equal(answer.status, 404);
      assert.equal(answer.body.error.code, 'UNKNOWN_SOURCE');
    });

    it('answers 405 to GET on a known source and 404 on an unknown one', async () => {
      const known = await fetch(`${hookflow.baseUrl}/hooks/shop`);
      assert.equal(known.status, 405);
      assert.equal(known.headers.get('allow'), 'POST, PUT');
      assert.equal((await fetch(`${hookflow.baseUrl}/hooks/nope`)).status, 404);
    });

    it('answers 503 for a source whose secret variable is not set, naming the variable only', async () => {
      const answer = await post(`${hookflow.baseUrl}/hooks/unconfigured`, '{}');
      assert.equal(answer.status, 503);
      assert.equal(answer.body.error.code, 'SOURCE_NOT_CONFIGURED');
      assert.match(answer.body.error.message, /NOT_SET_ANYWHERE/);
    });
  });

  describe("provider schemes, signed by the providers' own libraries", () => {
    it('accepts GitHub deliveries and takes type and dedupe key from its headers', async () => {
      const payload = JSON.stringify({ action: 'opened', number: 1 });
      const { sign } = await import('@octokit/webhooks-methods');
      const headers = { 'x-hub-signature-256': await sign(GITHUB_SECRET, payload), 'x-github-event': 'pull_request', 'x-github-delivery': 'gh-1' };
      const answer = await post(`${hookflow.baseUrl}/hooks/github`, payload, headers);
      assert.equal(answer.status, 202);
      const [event] = await hookflow.query(`SELECT type, dedupe_key FROM events WHERE id = $1`, [answer.body.event_id]);
      assert.deepEqual(event, { type: 'pull_request', dedupe_key: 'gh-1' });
      assert.equal((await post(`${hookflow.baseUrl}/hooks/github`, payload, headers)).status, 200);
    });

    it('accepts Stripe deliveries and rejects them with another secret', async () => {
      const stripe = new Stripe('sk_test_not_used');
      const payload = JSON.stringify({ id: 'evt_1', type: 'payment_intent.succeeded' });
      const good = stripe.webhooks.generateTestHeaderString({ payload, secret: STRIPE_SECRET });
      const answer = await post(`${hookflow.baseUrl}/hooks/stripe`, payload, { 'stripe-signature': good });
      assert.equal(answer.status, 202);
      const [event] = await hookflow.query(`SELECT type, dedupe_key FROM events WHERE id = $1`, [answer.body.event_id]);
      assert.deepEqual(event, { type: 'payment_intent.succeeded', dedupe_key: 'evt_1' });
      const bad = stripe.webhooks.generateTestHeaderString({ payload, secret: 'whsec_other' });
      assert.equal((await post(`${hookflow.baseUrl}/hooks/stripe`, payload, { 'stripe-signature': bad })).status, 401);
    });

    it('accepts Standard Webhooks deliveries and matches them to workflows', async () => {
      const payload = JSON.stringify({ type: 'alert.raised', id: 'al-1' });
      const answer = await post(`${hookflow.baseUrl}/hooks/alerts`, payload, signStandardWebhook('msg_1', new Date(), payload));
      assert.equal(answer.status, 202);
      assert.equal(answer.body.runs, 1);
      const [event] = await hookflow.query(`SELECT type, dedupe_key FROM events WHERE id = $1`, [answer.body.event_id]);
      assert.deepEqual(event, { type: 'alert.raised', dedupe_key: 'msg_1' });
    });

    it('answers Slack url_verification with the challenge and stores nothing', async () => {
      const payload = JSON.stringify({ type: 'url_verification', challenge: 'challenge-123', token: 'x' });
      const timestamp = String(Math.floor(Date.now() / 1000));
      const signature = `v0=${hmacHex(SLACK_SECRET, `v0:${timestamp}:${payload}`)}`;
      const answer = await post(`${hookflow.baseUrl}/hooks/slack`, payload, { 'x-slack-signature': signature, 'x-slack-request-timestamp': timestamp });
      assert.equal(answer.status, 200);
      assert.deepEqual(answer.body, { challenge: 'challenge-123' });
      assert.equal((await hookflow.query(`SELECT 1 FROM events WHERE source = 'slack'`)).length, 0);
    });

    it('stores the api key header redacted', async () => {
      const answer = await post(`${hookflow.baseUrl}/hooks/tasks`, JSON.stringify({ type: 'task.done' }), {
        'x-api-key': TASKS_KEY,
        authorization: 'Bearer abc',
      });
      assert.equal(answer.status, 202);
      const [event] = await hookflow.query<{ headers: Record<string, string> }>(`SELECT headers FROM events WHERE id = $1`, [answer.body.event_id]);
      assert.equal(event.headers['x-api-key'], '[secret]');
      assert.equal(event.headers.authorization, '[secret]');
      const stored = JSON.stringify(await hookflow.query(`SELECT * FROM events WHERE id = $1`, [answer.body.event_id]));
      assert.ok(!stored.includes(TASKS_KEY));
      assert.equal((await post(`${hookflow.baseUrl}/hooks/tasks`, '{}', { 'x-api-key': 'wrong-key' })).status, 401);
    });
  });

  describe('workflow files', () => {
    it('keeps the last valid version of a workflow when its file becomes invalid', async () => {
      await hookflow.writeWorkflowFile('any-order.yaml', ANY_ORDER.replace('uses: set', 'uses: teleport'));
      const answer = await sendShop({ type: 'order.shipped', order: { id: 'W-1' } });
      assert.equal(answer.body.runs, 1, 'the last valid any-order still matches');
      await hookflow.writeWorkflowFile('any-order.yaml', ANY_ORDER.replace('"order.*"', 'order.refunded'));
      const after = await sendShop({ type: 'order.shipped', order: { id: 'W-2' } });
      assert.equal(after.body.runs, 0, 'the fixed file replaced it');
    });
  });
});

describe('inbound credentials', () => {
  const PARTNER_KEY = 'partner-key-0123456789';
  const CLEAR = [
    'query-token-SECRET-1',
    'access-token-SECRET-2',
    'shop-access-SECRET-3',
    'account-SECRET-4',
    'bearer-SECRET-5',
    'customer-SECRET-6',
    PARTNER_KEY,
  ];
  let hookflow: TestApp;

  before(async () => {
    hookflow = await startTestApp({
      files: {
        // x-partner-key looks like no credential by name: it is redacted as the header the source verifies.
        'sources.yaml': `
sources:
  partner:
    verify: { scheme: api-key, secret: "{{secrets.PARTNER_KEY}}", header: X-Partner-Key }
    event_type: "{{event.headers.x-partner-event}}"
    dedupe_key: "{{event.headers.x-partner-delivery}}"
    redact: [X-Partner-Account, CUSTOMER, x-partner-delivery]
`,
        'partner-note.yaml': `
name: partner-note
on: { webhook: partner, event: order.paid }
steps:
  - id: seen
    uses: set
    with: { headers: "{{event.headers}}", query: "{{event.query}}" }
`,
      },
      env: { PARTNER_KEY },
    });
  });
  after(() => hookflow.close());

  function deliver(delivery: string) {
    const query = `token=${CLEAR[0]}&page=2&customer=${CLEAR[5]}&access_token=${CLEAR[1]}`;
    return post(`${hookflow.baseUrl}/hooks/partner?${query}`, JSON.stringify({ order: 7 }), {
      'x-partner-key': PARTNER_KEY,
      'x-partner-event': 'order.paid',
      'x-partner-delivery': delivery,
      'x-shop-access-token': CLEAR[2],
      'x-partner-account': CLEAR[3],
      authorization: `Bearer ${CLEAR[4]}`,
      'x-github-event': 'push',
    });
  }

  function assertNoneInClear(what: string, value: unknown) {
    const text = JSON.stringify(value);
    for (const secret of CLEAR) assert.ok(!text.includes(secret), `${what} holds ${secret}`);
  }

  it("stores, serves and hands workflows credential headers and query parameters as [secret], by name pattern and the source's list", async () => {
    const answer = await deliver('delivery-1');
    assert.equal(answer.status, 202, JSON.stringify(answer.body));
    const [row] = await hookflow.query<{ headers: Record<string, string>; query: string; type: string }>(`SELECT * FROM events WHERE id = $1`, [
      answer.body.event_id,
    ]);
    assertNoneInClear('the events row', row);
    assert.equal(row.query, 'token=[secret]&page=2&customer=[secret]&access_token=[secret]');
    for (const name of ['x-partner-key', 'x-shop-access-token', 'x-partner-account', 'x-partner-delivery', 'authorization']) {
      assert.equal(row.headers[name], '[secret]', name);
    }
    assert.equal(row.headers['x-github-event'], 'push');
    assert.equal(row.type, 'order.paid');

    const event = await hookflow.api('GET', `/api/events/${answer.body.event_id}`);
    assert.equal(event.status, 200);
    assertNoneInClear('GET /api/events/:id', event.body);
    assert.equal(event.body.query, row.query);
    const runId = event.body.runs[0].id;
    const run = await eventually(
      async () => {
        const detail = await hookflow.api('GET', `/api/runs/${runId}`);
        return detail.body.status === 'succeeded' && detail.body;
      },
      10_000,
      'the run to succeed',
    );
    assertNoneInClear('GET /api/runs/:id', run);
    assert.deepEqual(run.steps[0].output.query, { token: '[secret]', page: '2', customer: '[secret]', access_token: '[secret]' });
    assert.equal(run.steps[0].output.headers['x-shop-access-token'], '[secret]');
  });

  it("reads the request as it came in the source's dedupe key, though that header is stored redacted", async () => {
    const first = await deliver('delivery-2');
    assert.equal(first.status, 202);
    const again = await deliver('delivery-2');
    assert.deepEqual([again.status, again.body.event_id], [200, first.body.event_id]);
    assert.equal((await deliver('delivery-3')).status, 202, 'another delivery id is another event');
  });
});

function signStandardWebhook(id: string, at: Date, payload: string): Record<string, string> {
  const signature = new Webhook(ALERTS_SECRET).sign(id, at, payload);
  return { 'webhook-id': id, 'webhook-timestamp': String(Math.floor(at.getTime() / 1000)), 'webhook-signature': signature };
}

function sendChunked(url: string, body: string): Promise<{ status: number }> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(
      url,
      { method: 'POST', headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked', 'x-shop-signature': 'x' } },
      (response) => {
        response.resume();
        resolve({ status: response.statusCode ?? 0 });
      },
    );
    request.on('error', reject);
    for (let offset = 0; offset < body.length; offset += 500) request.write(body.slice(offset, offset + 500));
    request.end();
  });
}

async function waitFor(check: () => Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((done) => setTimeout(done, 50));
  }
  assert.fail('condition not met in time');
}
