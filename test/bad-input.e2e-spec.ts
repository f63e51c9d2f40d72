import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { hmacHex, post } from './support/http';
import { rawRequest, slowLoris } from './support/raw-http';
import { eventually, Receiver } from './support/receiver';
import { startTestApp, TestApp } from './support/test-app';
import { WorkflowRegistry } from '../src/workflows/workflow-registry';

const SHOP_SECRET = 'shop-secret-for-the-bad-input-corpus';
const MIB = 1024 * 1024;
/** Short enough for a test to wait for, long enough for any honest local request. */
const HTTP_TIMEOUTS = { headersMs: 1_500, requestMs: 3_000, checkIntervalMs: 250 };

const SOURCES = `
sources:
  shop:
    verify: { scheme: hmac-sha256, secret: "{{secrets.SHOP_SECRET}}", header: X-Shop-Signature }
    dedupe_key: "{{default event.headers.x-event-id ''}}"
  open:
    verify: { scheme: none }
    dedupe_key: "{{default event.headers.x-delivery-id ''}}"
`;

/**
 * A reload of a hostile file must not hang the registry. Guarded, it takes milliseconds; the
 * bound only tells a hang from a busy machine (how fast is the bench's business).
 */
const RELOAD_HANG_MS = 15_000;

const ORDERS = `
name: orders
on: { webhook: shop, event: order.paid }
steps:
  - id: note
    uses: set
    with: { order: "{{event.body.order.id}}", version: one }
`;

/** Hands the event body on, as data, to a step output and to a real receiver. */
const ECHO = `
name: echo
on: { webhook: open, event: echo }
steps:
  - id: keep
    uses: set
    with: { body: "{{event.body}}", text: "type {{event.type}}: {{json event.body}}" }
  - id: deliver
    uses: http
    with: { url: "{{secrets.RECEIVER}}/echo", body: "{{event.body}}" }
    retry: { attempts: 1 }
`;

/** Every other event of the open source: a run that reads the body whatever it is. */
const ANYTHING = `
name: anything
on: { webhook: open }
steps:
  - id: look
    uses: set
    with: { size: "{{length (json event.body)}}", type: "{{event.type}}" }
`;

describe('bad input corpus', () => {
  let hookflow: TestApp;
  const receiver = new Receiver();
  const acceptedBefore: string[] = [];
  /** Every event answered 2xx during the corpus. */
  const accepted = new Set<string>();
  let orderCounter = 0;

  before(async () => {
    // The receiver's answer holds a NUL byte too, which no PostgreSQL text column can store.
    await receiver.route('/echo', (_request, response) => void response.writeHead(200, { 'content-type': 'text/plain' }).end('got it\u0000')).start();
    hookflow = await startTestApp({
      files: { 'sources.yaml': SOURCES, 'orders.yaml': ORDERS, 'echo.yaml': ECHO, 'anything.yaml': ANYTHING },
      env: { SHOP_SECRET, RECEIVER: receiver.url, HOOKFLOW_OUTBOUND_ALLOW: '127.0.0.1' },
      httpTimeouts: HTTP_TIMEOUTS,
    });
    for (let index = 0; index < 5; index++) acceptedBefore.push((await sendOrder()).event_id);
    await runsFinished(acceptedBefore);
  });
  after(async () => {
    await hookflow?.close();
    await receiver.stop();
  });

  async function sendOrder(): Promise<{ event_id: string; runs: number }> {
    const raw = JSON.stringify({ type: 'order.paid', order: { id: `o-${++orderCounter}` } });
    const answer = await post(`${hookflow.baseUrl}/hooks/shop`, raw, { 'x-shop-signature': hmacHex(SHOP_SECRET, raw) });
    assert.equal(answer.status, 202, JSON.stringify(answer.body));
    accepted.add(answer.body.event_id);
    return answer.body;
  }

  /** POSTs to the open source with exactly these bytes and only the headers given. */
  async function sendOpen(body: Buffer | string, headers: Record<string, string> = {}): Promise<{ status: number; body: any }> {
    const response = await fetch(`${hookflow.baseUrl}/hooks/open`, { method: 'POST', body, headers });
    const text = await response.text();
    const answer = { status: response.status, body: text ? JSON.parse(text) : null };
    if (answer.status < 300) accepted.add(answer.body.event_id);
    return answer;
  }

  async function storedEvent(id: string) {
    const [event] = await hookflow.query<{ body: Buffer; body_format: string; match_notes: { reason: string }[]; runs_count: number }>(
      `SELECT body, body_format, match_notes, runs_count FROM events WHERE id = $1`,
      [id],
    );
    return event;
  }

  /** Waits until every run of these events has ended, and answers them. */
  async function runsFinished(eventIds: string[], timeoutMs = 15_000) {
    return eventually(
      async () => {
        const runs = await hookflow.query<{ id: string; event_id: string; workflow: string; status: string; error: string | null }>(
          `SELECT id, event_id, workflow, status, error FROM runs WHERE event_id = ANY($1) ORDER BY workflow`,
          [eventIds],
        );
        return runs.every((run) => run.status === 'succeeded' || run.status === 'failed') && runs;
      },
      timeoutMs,
      `runs of ${eventIds.length} event(s) to finish`,
    );
  }

  async function stepOutput(runId: string, stepId: string): Promise<any> {
    const [step] = await hookflow.query<{ output: unknown }>(`SELECT output FROM step_runs WHERE run_id = $1 AND step_id = $2`, [runId, stepId]);
    return step?.output;
  }

  describe('bodies', () => {
    it('stores random bytes byte for byte under any content type, and runs the workflows on them', async () => {
      const ids: string[] = [];
      for (const size of [1, 100, 4096, 65_536, MIB - 10]) {
        for (const contentType of [undefined, 'application/json', 'application/octet-stream', 'application/x-www-form-urlencoded']) {
          const bytes = randomBytes(size);
          const answer = await sendOpen(bytes, contentType ? { 'content-type': contentType } : {});
          assert.equal(answer.status, 202, `${size} bytes as ${contentType}: ${JSON.stringify(answer.body)}`);
          const event = await storedEvent(answer.body.event_id);
          assert.ok(event.body.equals(bytes), `${size} bytes as ${contentType} were not stored as sent`);
          if (contentType === 'application/json' && !isJson(bytes)) assert.match(event.match_notes[0]?.reason ?? '', /not valid JSON/);
          ids.push(answer.body.event_id);
        }
      }
      const runs = await runsFinished(ids, 30_000);
      assert.equal(runs.length, ids.length);
      assert.deepEqual(
        runs.filter((run) => run.status !== 'succeeded'),
        [],
      );
    });

    it('answers the event API with the raw bytes of a body that is not UTF-8', async () => {
      const bytes = Buffer.concat([Buffer.from('{"type":"x","bad":"'), Buffer.from([0xff, 0xfe, 0xc3, 0x28, 0xc0, 0xaf, 0xed, 0xa0, 0x80]), Buffer.from('"}')]);
      const answer = await sendOpen(bytes, { 'content-type': 'application/json' });
      assert.equal(answer.status, 202);
      assert.ok((await storedEvent(answer.body.event_id)).body.equals(bytes));
      const shown = await hookflow.api('GET', `/api/events/${answer.body.event_id}`);
      assert.equal(shown.status, 200);
      assert.equal(shown.body.body_encoding, 'base64');
      assert.ok(Buffer.from(shown.body.body, 'base64').equals(bytes));
      const [run] = await runsFinished([answer.body.event_id]);
      assert.equal(run.status, 'succeeded', run.error ?? '');
    });

    it('answers 400 in the error shape to random bytes sent to the management API', async () => {
      for (const path of ['/api/workflows/validate', '/api/events/replay', '/api/runs/retry', '/api/runs/cancel', '/api/workflows/any/runs']) {
        for (const contentType of [undefined, 'application/json', 'application/x-www-form-urlencoded']) {
          const response = await fetch(`${hookflow.baseUrl}${path}`, {
            method: 'POST',
            headers: { authorization: `Bearer ${hookflow.adminToken}`, ...(contentType ? { 'content-type': contentType } : {}) },
            body: randomBytes(512),
          });
          assert.equal(response.status, 400, `${path} as ${contentType}`);
          assertErrorShape(await response.json());
        }
      }
    });

    it('answers 413 in the error shape to random bytes over the limit, and 401 to unsigned ones', async () => {
      const tooLarge = await sendOpen(randomBytes(MIB + 1), { 'content-type': 'application/json' });
      assert.equal(tooLarge.status, 413);
      assertErrorShape(tooLarge.body, 'PAYLOAD_TOO_LARGE');
      const unsigned = await post(`${hookflow.baseUrl}/hooks/shop`, randomBytes(2048));
      assert.equal(unsigned.status, 401);
      assertErrorShape(unsigned.body, 'SIGNATURE_INVALID');
      const forged = await post(`${hookflow.baseUrl}/hooks/shop`, randomBytes(2048), { 'x-shop-signature': randomBytes(32).toString('hex') });
      assert.equal(forged.status, 401);
      assertErrorShape(forged.body, 'SIGNATURE_INVALID');
    });

    for (const [shape, open, close] of [
      ['[[[…]]]', '[', ']'],
      ['{"a":{"a":…}}', '{"a":', '}'],
    ] as const) {
      it(`keeps a body nested 100,000 deep (${shape}) as text, byte for byte, and runs on it`, async () => {
        const depth = 100_000;
        const body = shape.startsWith('[') ? open.repeat(depth) + close.repeat(depth) : open.repeat(depth) + '1' + close.repeat(depth);
        for (const contentType of ['application/json', undefined]) {
          const answer = await sendOpen(Buffer.from(body), contentType ? { 'content-type': contentType } : {});
          assert.equal(answer.status, 202, JSON.stringify(answer.body));
          const event = await storedEvent(answer.body.event_id);
          assert.equal(event.body.toString('utf8'), body);
          assert.equal(event.body_format, 'text');
          assert.match(event.match_notes[0]?.reason ?? '', /nested deeper than/);
          const shown = await hookflow.api('GET', `/api/events/${answer.body.event_id}`);
          assert.equal(shown.status, 200);
          assert.equal(shown.body.body, body);
          const [run] = await runsFinished([answer.body.event_id]);
          assert.equal(run.status, 'succeeded', run.error ?? '');
        }
      });
    }

    it('refuses a management API body nested 100,000 deep with 400', async () => {
      const depth = 100_000;
      for (const nested of ['['.repeat(depth) + ']'.repeat(depth), '{"a":'.repeat(depth) + '1' + '}'.repeat(depth)]) {
        const response = await fetch(`${hookflow.baseUrl}/api/workflows/validate`, {
          method: 'POST',
          headers: { authorization: `Bearer ${hookflow.adminToken}`, 'content-type': 'application/json' },
          body: `{"yaml":${nested}}`,
        });
        assert.equal(response.status, 400);
        assertErrorShape(await response.json());
      }
    });

    it('passes event data holding mustaches, NUL characters, lone surrogates and prototype keys on verbatim', async () => {
      const body =
        '{"type":"echo","note":"{{secrets.SHOP_SECRET}} {{constructor.constructor}} {{#each this}}x{{/each}}",' +
        '"__proto__":{"polluted":"yes"},"constructor":{"prototype":{"polluted":"yes"}},' +
        '"nul":"a\\u0000b","lone":"\\ud800","key\\u0000":1,"nested":{"__proto__":[1,2],"prototype":null}}';
      const answer = await sendOpen(body, { 'content-type': 'application/json' });
      assert.equal(answer.status, 202, JSON.stringify(answer.body));
      assert.equal(answer.body.runs, 2, 'echo and anything');
      assert.equal((await storedEvent(answer.body.event_id)).body.toString('utf8'), body);

      const runs = await runsFinished([answer.body.event_id]);
      assert.deepEqual(
        runs.map((run) => [run.workflow, run.status, run.error]),
        [
          ['anything', 'succeeded', null],
          ['echo', 'succeeded', null],
        ],
      );
      const delivered = receiver.received('/echo').at(-1)!;
      assert.deepEqual(JSON.parse(delivered.body), JSON.parse(body), 'the receiver got the event body as it was sent');
      const kept = await stepOutput(runs[1].id, 'keep');
      const expected = JSON.parse(body);
      // PostgreSQL's jsonb cannot hold U+0000 or a lone surrogate: the stored record shows U+FFFD there.
      Object.assign(expected, { nul: 'a\uFFFDb', lone: '\uFFFD' });
      delete expected['key\u0000'];
      expected['key\uFFFD'] = 1;
      assert.deepEqual(kept.body, expected);
      assert.equal(Object.getPrototypeOf(kept.body), Object.prototype);
      assert.match(kept.text, /^type echo: \{"type":"echo","note":"\{\{secrets\.SHOP_SECRET\}\}/);
      assert.ok(!JSON.stringify(kept).includes(SHOP_SECRET));
      assert.equal((await stepOutput(runs[1].id, 'deliver')).body, 'got it\uFFFD');
      assert.equal(({} as Record<string, unknown>).polluted, undefined);
    });
  });

  describe('headers and requests Node refuses', () => {
    it('answers 431 in the error shape to 5,000 headers', async () => {
      const headers = Array.from({ length: 5000 }, (_, index) => `X-Flood-${index}: ${index}\r\n`).join('');
      const answer = await rawRequest(hookflow.baseUrl, `POST /hooks/open HTTP/1.1\r\nHost: 127.0.0.1\r\n${headers}Content-Length: 2\r\n\r\n{}`);
      assert.equal(answer.status, 431);
      assertErrorShape(answer.json, 'HEADERS_TOO_LARGE');
    });

    it('answers 431 in the error shape to a 1 MB header value and a 1 MB URL', async () => {
      const value = 'v'.repeat(MIB);
      const header = await rawRequest(hookflow.baseUrl, `POST /hooks/open HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Huge: ${value}\r\nContent-Length: 2\r\n\r\n{}`);
      assert.equal(header.status, 431);
      assertErrorShape(header.json, 'HEADERS_TOO_LARGE');
      const url = await rawRequest(hookflow.baseUrl, `POST /hooks/open?q=${value} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 2\r\n\r\n{}`);
      assert.equal(url.status, 431);
      assertErrorShape(url.json, 'HEADERS_TOO_LARGE');
    });

    it('answers 400 in the error shape to bytes that are not HTTP', async () => {
      for (const garbage of [
        randomBytes(512),
        Buffer.from('POST /hooks/open HTTP/1.1\r\nHost: x\r\nX-Bad\u0000: 1\r\n\r\n', 'latin1'),
        Buffer.from('\r\n\r\nGET / HTTP/9.9\r\n\r\n'),
      ]) {
        const answer = await rawRequest(hookflow.baseUrl, garbage);
        assert.equal(answer.status, 400, `answered ${answer.status} to ${garbage.toString('hex').slice(0, 64)}`);
        assertErrorShape(answer.json, 'BAD_REQUEST');
      }
    });

    it('answers in the error shape to a source name that is not UTF-8 or names a prototype member', async () => {
      const paths = [
        '/hooks/%ff',
        '/hooks/%E0%A4%A',
        `/hooks/${'s'.repeat(500)}`,
        '/hooks/__proto__',
        '/hooks/constructor',
        '/hooks/hasOwnProperty',
        '/hooks/toString',
      ];
      for (const path of paths) {
        const answer = await post(`${hookflow.baseUrl}${path}`, '{}');
        assert.ok([400, 404, 414].includes(answer.status), `${path}: ${answer.status}`);
        assertErrorShape(answer.body);
      }
    });

    it('stores header values that are not UTF-8 or name prototype keys as plain data', async () => {
      const request = Buffer.concat([
        Buffer.from('POST /hooks/open HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 15\r\n'),
        Buffer.from('X-Latin: caf\xe9 \xff\r\n__proto__: polluted\r\nConstructor: yes\r\nConnection: close\r\n\r\n', 'latin1'),
        Buffer.from('{"type":"hdr"}\n'),
      ]);
      const answer = await rawRequest(hookflow.baseUrl, request);
      assert.equal(answer.status, 202, answer.body);
      accepted.add(answer.json.event_id);
      const [event] = await hookflow.query<{ headers: Record<string, string> }>(`SELECT headers FROM events WHERE id = $1`, [answer.json.event_id]);
      assert.equal(event.headers['x-latin'], 'caf\xe9 \xff');
      assert.equal(event.headers.constructor, 'yes');
      assert.equal(({} as Record<string, unknown>).polluted, undefined);
    });
  });

  describe('slow clients', () => {
    it('serves other clients promptly while 200 slow-loris sockets are open, then closes every one of them', async () => {
      const slow = Array.from({ length: 200 }, () => slowLoris(hookflow.baseUrl, 200));
      try {
        await new Promise((done) => setTimeout(done, 300));
        for (let index = 0; index < 3; index++) {
          const started = Date.now();
          const health = await fetch(`${hookflow.baseUrl}/healthz`);
          assert.equal(health.status, 200);
          await sendOrder();
          // Generous for a busy 2-core machine; starved, it would wait for the sockets' timeout.
          assert.ok(Date.now() - started < 1_200, `answered after ${Date.now() - started} ms`);
        }
        const lifetimes = (await Promise.all(slow.map((client) => client.closed))).map(({ afterMs }) => afterMs);
        assert.ok(
          Math.max(...lifetimes) <= HTTP_TIMEOUTS.headersMs + HTTP_TIMEOUTS.checkIntervalMs + 1_500,
          `the last closed after ${Math.max(...lifetimes)} ms`,
        );
      } finally {
        slow.forEach((client) => client.stop());
      }
    });

    it('closes a slow-loris socket once its headers are late, answering 408 in the error shape', async () => {
      const client = slowLoris(hookflow.baseUrl, 200);
      const { afterMs, answer } = await client.closed;
      assert.ok(afterMs >= HTTP_TIMEOUTS.headersMs - 100, `closed after ${afterMs} ms`);
      assert.ok(afterMs <= HTTP_TIMEOUTS.headersMs + HTTP_TIMEOUTS.checkIntervalMs + 1_000, `closed after ${afterMs} ms`);
      assert.match(answer, /^HTTP\/1\.1 408 /);
      assertErrorShape(JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4)), 'REQUEST_TIMEOUT');
    });

    it('closes a client that sends nothing, and one that trickles its body, within the request timeout', async () => {
      const silent = await rawRequest(hookflow.baseUrl, Buffer.alloc(0), 10_000);
      assert.equal(silent.status, 408, 'a silent connection stayed open');
      assert.ok(silent.elapsedMs <= HTTP_TIMEOUTS.headersMs + HTTP_TIMEOUTS.checkIntervalMs + 1_000, `closed after ${silent.elapsedMs} ms`);

      const { afterMs, answer } = await slowLoris(hookflow.baseUrl, 200, 'body').closed;
      assert.ok(afterMs >= HTTP_TIMEOUTS.requestMs - 100, `closed after ${afterMs} ms`);
      assert.ok(afterMs <= HTTP_TIMEOUTS.requestMs + HTTP_TIMEOUTS.checkIntervalMs + 1_000, `closed after ${afterMs} ms`);
      assert.match(answer, /^HTTP\/1\.1 408 /);
    });
  });

  describe('concurrent duplicates', () => {
    it('stores one event for 50 simultaneous deliveries of one dedupe key, answers all with its id, and runs once', async () => {
      const raw = JSON.stringify({ type: 'echo', id: 'dup-1' });
      const answers = await Promise.all(Array.from({ length: 50 }, () => post(`${hookflow.baseUrl}/hooks/open`, raw, { 'x-delivery-id': 'dup-1' })));
      assert.deepEqual(answers.filter((answer) => answer.status === 202).length, 1);
      assert.deepEqual(answers.filter((answer) => answer.status === 200).length, 49);
      const ids = new Set(answers.map((answer) => answer.body.event_id));
      assert.equal(ids.size, 1);
      const [eventId] = ids;
      accepted.add(eventId);
      const [{ events }] = await hookflow.query<{ events: string }>(`SELECT count(*) AS events FROM events WHERE dedupe_key = 'dup-1'`);
      assert.equal(events, '1');
      const runs = await runsFinished([eventId]);
      assert.deepEqual(
        runs.map((run) => [run.workflow, run.status]),
        [
          ['anything', 'succeeded'],
          ['echo', 'succeeded'],
        ],
      );
      await new Promise((done) => setTimeout(done, 200));
      assert.equal(receiver.received('/echo').filter((request) => JSON.parse(request.body).id === 'dup-1').length, 1);
    });
  });

  describe('workflow files', () => {
    /** Orders refused by its new file are still run by the version before it. */
    async function assertOldOrdersStillRun(): Promise<void> {
      const { event_id } = await sendOrder();
      const [run] = await runsFinished([event_id]);
      assert.equal(run.status, 'succeeded');
      assert.equal((await stepOutput(run.id, 'note')).version, 'one');
    }

    /** Writes the file, expects these problems (message pattern and the text they point at), then restores it. */
    async function assertFileRefused(name: string, text: string, expected: [RegExp, number, string][], original: string): Promise<void> {
      const started = Date.now();
      await hookflow.writeWorkflowFile(name, text);
      try {
        assert.ok(Date.now() - started < RELOAD_HANG_MS, `reloading took ${Date.now() - started} ms`);
        const problems = hookflow.app
          .get(WorkflowRegistry)
          .problems()
          .filter((problem) => problem.file.endsWith(name));
        assertProblems(problems, text, expected);
        if (name === 'orders.yaml') await assertOldOrdersStillRun();
        else await sendOrder();
        const validated = await hookflow.api('POST', '/api/workflows/validate', { yaml: text, file: name });
        if (name !== 'sources.yaml') {
          assert.equal(validated.status, 200);
          assert.equal(validated.body.valid, false);
          assertProblems(validated.body.problems, text, expected);
        }
        assert.equal(({} as Record<string, unknown>).polluted, undefined);
      } finally {
        await hookflow.writeWorkflowFile(name, original);
      }
    }

    it('refuses a billion-laughs alias bomb quickly, pointing at its first alias, and keeps the previous version', async () => {
      const bomb = [
        'name: orders',
        'on: { webhook: shop, event: order.paid }',
        'steps:',
        '  - id: note',
        '    uses: set',
        '    with:',
        '      a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
        ...'bcdefghi'.split('').map((name, index) => `      ${name}: &${name} [${Array(9).fill(`*${'abcdefgh'[index]}`).join(',')}]`),
      ].join('\n');
      await assertFileRefused('orders.yaml', bomb, [[/aliases expand too far/, 8, '*a']], ORDERS);
    });

    it('refuses YAML nested thousands of levels deep', async () => {
      const deep = `${ORDERS.trimEnd()}\n    deep: ${'['.repeat(50_000)}${']'.repeat(50_000)}\n`;
      const started = Date.now();
      await hookflow.writeWorkflowFile('orders.yaml', deep);
      try {
        assert.ok(Date.now() - started < RELOAD_HANG_MS, `reloading took ${Date.now() - started} ms`);
        const problems = hookflow.app
          .get(WorkflowRegistry)
          .problems()
          .filter((problem) => problem.file.endsWith('orders.yaml'));
        assert.ok(
          problems.some((problem) => /nested too deeply/.test(problem.message)),
          JSON.stringify(problems),
        );
        await assertOldOrdersStillRun();
      } finally {
        await hookflow.writeWorkflowFile('orders.yaml', ORDERS);
      }
    });

    it('refuses __proto__, constructor and prototype keys at every level, in every spelling, without polluting anything', async () => {
      const text = [
        'name: orders',
        'on: { webhook: shop, event: order.paid }',
        '__proto__: { polluted: yes }',
        'steps:',
        '  - id: note',
        '    uses: set',
        '    constructor: { prototype: { polluted: yes } }',
        '    with:',
        '      order: "{{event.body.order.id}}"',
        '      version: two',
        '      "__proto__": { polluted: yes }',
        '      nested: { "\\x5f_proto__": [1], deeper: { prototype: 2 } }',
        '      listed: [ { ? constructor : 3 } ]',
        '      merged: { <<: &evil { __proto__: { polluted: yes } } }',
      ].join('\n');
      await assertFileRefused(
        'orders.yaml',
        text,
        [
          [/`__proto__` is not allowed/, 3, '__proto__'],
          [/`constructor` is not allowed/, 7, 'constructor'],
          [/`prototype` is not allowed/, 7, 'prototype'],
          [/`__proto__` is not allowed/, 11, '"__proto__"'],
          [/`__proto__` is not allowed/, 12, '"\\x5f'],
          [/`prototype` is not allowed/, 12, 'prototype'],
          [/`constructor` is not allowed/, 13, 'constructor'],
          [/`__proto__` is not allowed/, 14, '__proto__'],
        ],
        ORDERS,
      );
      assert.equal(hookflow.app.get(WorkflowRegistry).getWorkflow('orders')?.steps[0].with.polluted, undefined);
    });

    it('refuses a source named __proto__ and keeps the sources in force', async () => {
      const sources = `${SOURCES.trimEnd()}\n  __proto__:\n    verify: { scheme: none }\n  constructor:\n    verify: { scheme: none }\n`;
      await assertFileRefused(
        'sources.yaml',
        sources,
        [
          [/`__proto__` is not allowed/, SOURCES.split('\n').length, '__proto__'],
          [/`constructor` is not allowed/, SOURCES.split('\n').length + 2, 'constructor'],
        ],
        SOURCES,
      );
    });

    it('refuses a step id that would reach a prototype', async () => {
      const text = ORDERS.replace('id: note', 'id: __proto__');
      await assertFileRefused('orders.yaml', text, [[/step id `__proto__` is reserved/, 5, '__proto__']], ORDERS);
    });

    it('refuses templates that probe prototypes, pointing at each', async () => {
      // The text each problem points at: the template, or the place inside it that does not compile.
      const probes = [
        ['{{constructor.constructor}}', /`constructor` is not something templates can read/, "'"],
        ['{{__proto__}}', /`__proto__` is not something templates can read/, "'"],
        ['{{this.constructor}}', /`constructor` is not something templates can read/, "'"],
        ['{{@root.constructor.name}}', /`constructor` is not something templates can read/, "'"],
        ['{{event.__proto__.polluted}}', /`event.__proto__` does not exist/, "'"],
        ['{{#each event.constructor}}{{this}}{{/each}}', /`event.constructor` does not exist/, "'"],
        ['{{steps.__proto__.output}}', /`steps.__proto__` refers to a step that does not exist/, "'"],
        ['{{lookup this "constructor"}}', /unknown helper "lookup"/, 'lookup'],
        ['{{#with (lookup event "__proto__")}}{{polluted}}{{/with}}', /unknown helper "lookup"/, 'lookup'],
        ['{{constructor.constructor "return process"}}', /unknown helper "constructor.constructor"/, 'constructor'],
        ['{{log "x"}}', /unknown helper "log"/, 'log'],
        ['{{> partial}}', /partials .* are not supported/, '{{'],
      ] as const;
      const lines = ['name: orders', 'on: { webhook: shop, event: order.paid }', 'steps:', '  - id: note', '    uses: set', '    with:'];
      probes.forEach(([probe], index) => lines.push(`      p${index}: '${probe}'`));
      const text = lines.join('\n');
      await assertFileRefused(
        'orders.yaml',
        text,
        probes.map(([, message, at], index) => [message, 7 + index, at]),
        ORDERS,
      );
    });

    it('refuses prototype keys in the body of POST /api/workflows/validate without polluting anything', async () => {
      for (const raw of [
        `{"yaml":${JSON.stringify(ORDERS)},"__proto__":{"polluted":"yes"}}`,
        `{"yaml":${JSON.stringify(ORDERS)},"constructor":{"prototype":{"polluted":"yes"}}}`,
        `{"__proto__":{"yaml":${JSON.stringify(ORDERS)}}}`,
        `{"yaml":${JSON.stringify(ORDERS)},"\\u005f_proto__":{"polluted":"yes"}}`,
      ]) {
        const response = await fetch(`${hookflow.baseUrl}/api/workflows/validate`, {
          method: 'POST',
          headers: { authorization: `Bearer ${hookflow.adminToken}`, 'content-type': 'application/json' },
          body: raw,
        });
        assert.equal(response.status, 400, raw.slice(-60));
        assertErrorShape(await response.json(), 'INVALID_JSON');
        assert.equal(({} as Record<string, unknown>).polluted, undefined);
      }
    });

    it('renders template paths that name prototype keys only from the data itself', async () => {
      await hookflow.writeWorkflowFile(
        'probe.yaml',
        [
          'name: probe',
          'on: { webhook: open, event: probe }',
          'steps:',
          '  - id: read',
          '    uses: set',
          '    with:',
          '      own: "{{event.body.[__proto__]}}"',
          '      ctor: "{{default event.body.constructor \'none\'}}"',
          '      length: "{{default event.body.note.length \'none\'}}"',
          '      text: "{{event.body.note}}"',
        ].join('\n'),
      );
      try {
        const answer = await sendOpen('{"type":"probe","__proto__":{"polluted":"own data"},"note":"{{constructor.constructor}}"}', {
          'content-type': 'application/json',
        });
        assert.equal(answer.status, 202);
        const runs = await runsFinished([answer.body.event_id]);
        const probe = runs.find((run) => run.workflow === 'probe')!;
        assert.equal(probe.status, 'succeeded', probe.error ?? '');
        assert.deepEqual(await stepOutput(probe.id, 'read'), {
          own: { polluted: 'own data' },
          ctor: 'none',
          length: 'none',
          text: '{{constructor.constructor}}',
        });

        const missing = await sendOpen('{"type":"probe","note":"x"}', { 'content-type': 'application/json' });
        const [failed] = (await runsFinished([missing.body.event_id])).filter((run) => run.workflow === 'probe');
        assert.equal(failed.status, 'failed');
        assert.match(failed.error ?? '', /event\.body\.__proto__ does not exist/);
        assert.equal(({} as Record<string, unknown>).polluted, undefined);
      } finally {
        await rm(join(hookflow.workflowsDir, 'probe.yaml'));
        await hookflow.app.get(WorkflowRegistry).reload();
      }
    });
  });

  describe('after the corpus', () => {
    it('is healthy, accepts a signed webhook and runs it', async () => {
      assert.equal((await fetch(`${hookflow.baseUrl}/healthz`)).status, 200);
      assert.equal((await fetch(`${hookflow.baseUrl}/readyz`)).status, 200);
      const { event_id } = await sendOrder();
      const [run] = await runsFinished([event_id]);
      assert.equal(run.status, 'succeeded');
    });

    it('still has every event accepted before the corpus, with its succeeded run', async () => {
      const runs = await hookflow.query<{ event_id: string; status: string }>(`SELECT event_id, status FROM runs WHERE event_id = ANY($1)`, [acceptedBefore]);
      assert.equal(runs.length, acceptedBefore.length);
      assert.ok(runs.every((run) => run.status === 'succeeded'));
    });

    it('stored every event it accepted during the corpus, and ran each of their runs to its end', async () => {
      assert.ok(accepted.size >= 40, `only ${accepted.size} events were accepted`);
      const [{ stored }] = await hookflow.query<{ stored: string }>(`SELECT count(*) AS stored FROM events WHERE id = ANY($1)`, [[...accepted]]);
      assert.equal(Number(stored), accepted.size);
      const runs = await runsFinished([...accepted]);
      assert.ok(runs.length >= accepted.size);
    });

    it('left Object.prototype alone', () => {
      assert.equal(({} as Record<string, unknown>).polluted, undefined);
      assert.deepEqual(Object.getOwnPropertyNames(Object.prototype).sort(), OBJECT_PROTOTYPE_NAMES);
    });
  });
});

const OBJECT_PROTOTYPE_NAMES = Object.getOwnPropertyNames(Object.prototype).sort();

/** Hookflow's error shape, `{ error: { code, message } }` and nothing else. */
function assertErrorShape(body: any, code?: string): void {
  assert.equal(typeof body?.error?.code, 'string', `not the error shape: ${JSON.stringify(body)}`);
  assert.equal(typeof body.error.message, 'string');
  assert.deepEqual(Object.keys(body), ['error']);
  if (code) assert.equal(body.error.code, code);
}

function isJson(bytes: Buffer): boolean {
  try {
    JSON.parse(bytes.toString('utf8'));
    return true;
  } catch {
    return false;
  }
}

/** Each expected problem matches `message` on `line`, at the column where `at` starts in that line. */
function assertProblems(problems: { message: string; line: number; column: number }[], text: string, expected: [RegExp, number, string][]): void {
  const lines = text.split('\n');
  const described = JSON.stringify(problems, null, 1);
  for (const [message, line, at] of expected) {
    const column = lines[line - 1].indexOf(at) + 1;
    assert.ok(column > 0, `"${at}" is not on line ${line}`);
    assert.ok(
      problems.some((problem) => message.test(problem.message) && problem.line === line && problem.column === column),
      `expected ${message} at ${line}:${column} among ${described}`,
    );
  }
  assert.equal(problems.length, expected.length, described);
}
