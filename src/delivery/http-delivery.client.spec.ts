import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { Webhook } from 'standardwebhooks';
import { Clock, SystemClock } from '../common/clock';
import { ManualClock } from '../common/clock.fixture';
import type { Settings } from '../config/settings';
import { DEFAULT_RETRY } from '../workflows/workflow.types';
import { EXCERPT_BYTES } from './attempt-record';
import type { DeliveryResult } from './delivery-result';
import { HttpDeliveryClient } from './http-delivery.client';
import { OutboundGuard } from './outbound-guard';
import type { OutboundRequest } from './outbound-request';
import { closeReceivers, startReceiver } from './receiver.fixture';
import { RetryPolicy } from './retry-policy';

const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const NEXT_SECRET = 'whsec_c2Vjb25kIHNpZ25pbmcga2V5IGZvciByb3RhdGlvbg==';

const clients: HttpDeliveryClient[] = [];
function client(allow: string[] = ['127.0.0.1'], clock: Clock = new SystemClock()): HttpDeliveryClient {
  const created = new HttpDeliveryClient(new OutboundGuard({ HOOKFLOW_OUTBOUND_ALLOW: allow } as Settings), clock);
  clients.push(created);
  return created;
}

function post(url: string, extra: Partial<OutboundRequest> = {}): OutboundRequest {
  return { method: 'POST', url, headers: { 'Content-Type': 'application/json' }, body: '{"order":42}', idempotencyKey: 'run-1:label', ...extra };
}

function shown(request: OutboundRequest) {
  return { url: request.url, headers: request.headers, body: request.body };
}

async function send(target: HttpDeliveryClient, request: OutboundRequest, expect?: (status: number) => boolean): Promise<DeliveryResult> {
  return target.send(request, shown(request), expect);
}

/** Every net.Socket created while `action` runs: a refused literal address must open none. */
async function socketsOpenedDuring<T>(action: () => Promise<T>): Promise<{ result: T; sockets: number }> {
  let sockets = 0;
  const count = () => sockets++;
  subscribe('net.client.socket', count);
  try {
    return { result: await action(), sockets };
  } finally {
    unsubscribe('net.client.socket', count);
  }
}

after(async () => {
  await Promise.all(clients.map((created) => created.onModuleDestroy()));
  await closeReceivers();
});

describe(HttpDeliveryClient.name, () => {
  describe('retry classification against real receivers', () => {
    it('retries 503 twice with the same Idempotency-Key and webhook-id, then delivers', async () => {
      let calls = 0;
      const receiver = await startReceiver((_request, response) => {
        calls++;
        response.writeHead(calls <= 2 ? 503 : 200, { 'content-type': 'application/json' }).end('{"ok":true}');
      });
      const clock = new ManualClock(new Date());
      const target = client(['127.0.0.1'], clock);
      const policy = new RetryPolicy(() => 0.5);
      const results: DeliveryResult[] = [];
      for (let attempt = 1; attempt <= 3; attempt++) {
        const result = await send(target, post(`${receiver.url}/labels`, { signingSecrets: [SECRET] }));
        results.push(result);
        if (result.outcome === 'delivered') break;
        assert.ok(policy.nextDelayMs(DEFAULT_RETRY, attempt, result.retryAfterMs) !== null);
        clock.advance(1_000); // the engine would wait this long; nothing sleeps here
      }
      assert.deepEqual(
        results.map((result) => [result.outcome, result.status, result.retryable]),
        [
          ['rejected', 503, true],
          ['rejected', 503, true],
          ['delivered', 200, false],
        ],
      );
      assert.deepEqual(results[2].body, { ok: true });
      assert.deepEqual(new Set(receiver.received.map((request) => request.headers['idempotency-key'])), new Set(['run-1:label']));
      assert.deepEqual(new Set(receiver.received.map((request) => request.headers['webhook-id'])), new Set(['run-1:label']));
      const stamps = receiver.received.map((request) => Number(request.headers['webhook-timestamp']));
      assert.equal(stamps[1] - stamps[0], 1, 'each attempt is signed at its own time');
      for (const request of receiver.received) new Webhook(SECRET).verify(request.body, request.headers as Record<string, string>);
    });

    it('does not retry a 410', async () => {
      const receiver = await startReceiver((_request, response) => response.writeHead(410).end('gone'));
      const result = await send(client(), post(receiver.url));
      assert.equal(result.outcome, 'rejected');
      assert.equal(result.status, 410);
      assert.equal(result.retryable, false);
      assert.equal(result.error, 'HTTP 410');
      assert.equal(result.body, 'gone');
    });

    it('waits at least Retry-After seconds after a 429', async () => {
      const receiver = await startReceiver((_request, response) => response.writeHead(429, { 'retry-after': '7' }).end());
      const result = await send(client(), post(receiver.url));
      assert.equal(result.outcome, 'rejected');
      assert.equal(result.retryable, true);
      assert.equal(result.retryAfterMs, 7_000);
      const delay = new RetryPolicy(() => 0).nextDelayMs(DEFAULT_RETRY, 1, result.retryAfterMs);
      assert.ok(delay !== null && delay >= 7_000, `delay ${delay}`);
    });

    it('reads a Retry-After date against the injected clock', async () => {
      const clock = new ManualClock('2026-03-01T12:00:00Z');
      const receiver = await startReceiver((_request, response) => response.writeHead(503, { 'retry-after': 'Sun, 01 Mar 2026 12:02:00 GMT' }).end());
      const result = await send(client(['127.0.0.1'], clock), post(receiver.url));
      assert.equal(result.retryAfterMs, 120_000);
    });

    it('does not follow a redirect and reports it as rejected', async () => {
      const receiver = await startReceiver((_request, response) => response.writeHead(302, { location: 'http://169.254.169.254/' }).end());
      const result = await send(client(), post(receiver.url));
      assert.deepEqual([result.outcome, result.status, result.retryable], ['rejected', 302, false]);
      assert.match(result.error ?? '', /redirects are not followed/);
      assert.equal(receiver.received.length, 1);
    });

    it('lets expect decide which statuses count as delivered', async () => {
      const receiver = await startReceiver((_request, response) => response.writeHead(404).end());
      const result = await send(client(), post(receiver.url), (status) => status === 404);
      assert.equal(result.outcome, 'delivered');
      assert.equal(result.error, undefined);
    });
  });

  describe('network failures', () => {
    it('fails a receiver that hangs once the timeout passes, retryably', async () => {
      const receiver = await startReceiver(() => undefined);
      const started = Date.now();
      const result = await send(client(), post(receiver.url, { timeoutMs: 300 }));
      const elapsed = Date.now() - started;
      assert.deepEqual([result.outcome, result.retryable, result.error], ['failed', true, 'timed out after 300 ms']);
      assert.equal(result.record.timedOut, true);
      assert.ok(result.record.durationMs >= 290 && elapsed < 1_500, `duration ${result.record.durationMs}, elapsed ${elapsed}`);
    });

    it('counts a body that stalls after the headers against the same timeout', async () => {
      const receiver = await startReceiver((_request, response) => {
        response.writeHead(200, { 'content-type': 'text/plain' });
        response.write('partial');
      });
      const started = Date.now();
      const result = await send(client(), post(receiver.url, { timeoutMs: 300 }));
      assert.deepEqual([result.outcome, result.retryable, result.error], ['failed', true, 'timed out after 300 ms']);
      assert.ok(Date.now() - started < 1_500);
    });

    it('fails retryably when the receiver closes the connection mid-response', async () => {
      const receiver = await startReceiver((_request, response, raw) => {
        response.writeHead(200, { 'content-length': '1000' });
        response.write('only part of it', () => raw.socket.destroy());
      });
      const result = await send(client(), post(receiver.url));
      assert.equal(result.outcome, 'failed');
      assert.equal(result.retryable, true);
      assert.match(result.error ?? '', /^network error: /);
      assert.equal(result.record.timedOut, undefined);
    });

    it('fails retryably when nothing listens', async () => {
      const receiver = await startReceiver(() => undefined);
      await new Promise<void>((resolve) => receiver.server.close(() => resolve()));
      const result = await send(client(), post(receiver.url));
      assert.deepEqual([result.outcome, result.retryable], ['failed', true]);
      assert.match(result.error ?? '', /ECONNREFUSED/);
    });

    it('stops when the engine aborts the step', async () => {
      const receiver = await startReceiver(() => undefined);
      const controller = new AbortController();
      setTimeout(() => controller.abort(), 50);
      const result = await send(client(), post(receiver.url, { signal: controller.signal }));
      assert.deepEqual([result.outcome, result.error], ['failed', 'aborted before the answer arrived']);
      assert.ok(result.record.durationMs < 1_000);
    });
  });

  describe('Standard Webhooks signing', () => {
    it('signs so the standardwebhooks library verifies it, with one signature per secret for rotation', async () => {
      const receiver = await startReceiver((request, response) => {
        const verdicts = [SECRET, NEXT_SECRET].map((secret) => {
          try {
            new Webhook(secret).verify(request.body, request.headers as Record<string, string>);
            return 'valid';
          } catch {
            return 'invalid';
          }
        });
        response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(verdicts));
      });
      const one = await send(client(), post(receiver.url, { signingSecrets: [SECRET] }));
      const both = await send(client(), post(receiver.url, { signingSecrets: [SECRET, NEXT_SECRET] }));
      assert.deepEqual(one.body, ['valid', 'invalid']);
      assert.deepEqual(both.body, ['valid', 'valid']);
      assert.equal(String(receiver.received[1].headers['webhook-signature']).split(' ').length, 2);
    });

    it('sends Idempotency-Key and User-Agent without signing headers when unsigned', async () => {
      const receiver = await startReceiver((_request, response) => response.end());
      const result = await send(client(), post(receiver.url));
      const headers = receiver.received[0].headers;
      assert.equal(headers['idempotency-key'], 'run-1:label');
      assert.equal(headers['user-agent'], 'Hookflow/0.1');
      assert.equal(headers['webhook-signature'], undefined);
      assert.equal(result.record.request.headers['idempotency-key'], 'run-1:label');
    });

    it('fails without retry when a signing secret is not base64, naming no secret', async () => {
      const receiver = await startReceiver((_request, response) => response.end());
      const result = await send(client(), post(receiver.url, { signingSecrets: ['not base64!!'] }));
      assert.deepEqual([result.outcome, result.retryable], ['failed', false]);
      assert.doesNotMatch(result.error ?? '', /not base64!!/);
      assert.equal(receiver.received.length, 0);
    });
  });

  describe('response bodies and records', () => {
    it('keeps only the first 16 KiB of a 1 MiB response, unparsed', async () => {
      const big = `[${'"x",'.repeat(262_143)}"x"]`;
      const receiver = await startReceiver((_request, response) => response.writeHead(200, { 'content-type': 'application/json' }).end(big));
      const result = await send(client(), post(receiver.url));
      assert.equal(result.outcome, 'delivered');
      assert.equal(typeof result.body, 'string');
      assert.equal((result.body as string).length, EXCERPT_BYTES);
      assert.equal(result.record.responseBody, big.slice(0, EXCERPT_BYTES));
    });

    it('records at most the first 16 KiB of a request body, cutting between characters, and a short one whole', async () => {
      const receiver = await startReceiver((_request, response) => response.end());
      const long = 'é'.repeat(EXCERPT_BYTES);
      const cut = await send(client(), post(receiver.url, { body: long }));
      assert.equal(cut.record.request.body, 'é'.repeat(EXCERPT_BYTES / 2));
      const short = 'ü'.repeat(EXCERPT_BYTES / 3);
      const whole = await send(client(), post(receiver.url, { body: short }));
      assert.equal(whole.record.request.body, short);
    });

    it('parses JSON, keeps text as text and gives an empty string for no body', async () => {
      const receiver = await startReceiver((request, response) => {
        if (request.url === '/json') response.writeHead(200, { 'content-type': 'application/problem+json; charset=utf-8' }).end('{"a":[1]}');
        else if (request.url === '/text') response.writeHead(200, { 'content-type': 'text/plain' }).end('{"a":[1]}');
        else response.writeHead(204).end();
      });
      const target = client();
      assert.deepEqual((await send(target, post(`${receiver.url}/json`))).body, { a: [1] });
      assert.equal((await send(target, post(`${receiver.url}/text`))).body, '{"a":[1]}');
      assert.equal((await send(target, post(`${receiver.url}/empty`))).body, '');
    });

    it('records the redacted request and scrubs echoed secrets from the response', async () => {
      const token = 'tok_live_9f8e7d6c5b4a';
      const urlKey = 'k3y-in-the-url-1234';
      const bodySecret = 'p@ss"word/42';
      const receiver = await startReceiver((request, response) =>
        response
          .writeHead(200, { 'content-type': 'application/json', 'x-echo': String(request.headers.authorization), 'x-url': request.url })
          .end(JSON.stringify({ headers: request.headers, body: request.body, url: request.url, secret: SECRET })),
      );
      const request = post(`${receiver.url}/hook?key=${urlKey}`, {
        headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
        body: JSON.stringify({ password: bodySecret, order: 42 }),
        signingSecrets: [SECRET],
      });
      const redacted = {
        url: `${receiver.url}/hook?key=[secret]`,
        headers: { 'Content-Type': 'application/json', Authorization: 'Bearer [secret]' },
        body: JSON.stringify({ password: '[secret]', order: 42 }),
      };
      const result = await client().send(request, redacted);
      assert.equal(result.outcome, 'delivered');
      assert.equal(result.record.request.url, redacted.url);
      assert.equal(result.record.request.headers.authorization, 'Bearer [secret]');
      assert.equal(result.record.request.body, redacted.body);
      assert.ok(result.record.request.headers['webhook-signature']?.startsWith('v1,'));
      const stored = JSON.stringify(result);
      for (const secret of [token, urlKey, bodySecret, JSON.stringify(bodySecret).slice(1, -1), SECRET, SECRET.slice(6)]) {
        assert.ok(!stored.includes(secret), `${secret} leaked into the result`);
      }
      assert.equal(result.record.responseHeaders?.['x-echo'], 'Bearer [secret]');
      assert.ok(receiver.received[0].headers.authorization === `Bearer ${token}`, 'the real request carried the token');
    });
  });

  describe('SSRF guard', () => {
    const refusals: [string, string][] = [
      ['http://169.254.169.254/latest/meta-data/', '169.254.169.254'],
      ['http://10.0.0.1/', '10.0.0.1'],
      ['http://[::ffff:127.0.0.1]:9/', '::ffff:7f00:1'],
    ];
    for (const [url, address] of refusals) {
      it(`refuses ${url} before opening any socket`, async () => {
        const { result, sockets } = await socketsOpenedDuring(() => send(client(['localhost']), post(url)));
        assert.deepEqual(
          [result.outcome, result.retryable, result.error],
          ['failed', false, `outbound address ${address} is not allowed (HOOKFLOW_OUTBOUND_ALLOW)`],
        );
        assert.equal(result.status, undefined);
        assert.equal(sockets, 0);
        assert.ok(result.record.durationMs < 250, `took ${result.record.durationMs} ms`);
      });
    }

    it('refuses localhost after resolving it, and no request reaches the receiver', async () => {
      const receiver = await startReceiver((_request, response) => response.end());
      const result = await send(client([]), post(`http://localhost:${receiver.port}/`));
      assert.deepEqual([result.outcome, result.retryable], ['failed', false]);
      assert.match(result.error ?? '', /^outbound address (127\.0\.0\.1|::1) is not allowed \(HOOKFLOW_OUTBOUND_ALLOW\)$/);
      assert.equal(receiver.received.length, 0);
    });

    it('refuses 127.0.0.1 by default', async () => {
      const receiver = await startReceiver((_request, response) => response.end());
      const result = await send(client([]), post(receiver.url));
      assert.equal(result.error, 'outbound address 127.0.0.1 is not allowed (HOOKFLOW_OUTBOUND_ALLOW)');
      assert.equal(receiver.received.length, 0);
    });

    for (const allow of [['127.0.0.0/8'], ['127.0.0.1'], ['LocalHost']]) {
      it(`opens the receiver with HOOKFLOW_OUTBOUND_ALLOW=${allow.join(',')}`, async () => {
        const receiver = await startReceiver((_request, response) => response.end('ok'));
        const host = allow[0] === 'LocalHost' ? `http://localhost:${receiver.port}` : receiver.url;
        const { result, sockets } = await socketsOpenedDuring(() => send(client(allow), post(host)));
        assert.equal(result.outcome, 'delivered', result.error);
        assert.equal(receiver.received.length, 1);
        assert.ok(sockets >= 1, 'the socket counter sees real connections');
      });
    }
  });

  describe('per-host connection limits', () => {
    it('does not let a receiver that answers after 1 s delay 20 requests to a fast one', async () => {
      let open = 0;
      let mostOpen = 0;
      const slow = await startReceiver((_request, response) => {
        mostOpen = Math.max(mostOpen, ++open);
        setTimeout(() => {
          open--;
          response.end('slow');
        }, 1_000);
      });
      const fast = await startReceiver((_request, response) => response.end('fast'));
      const target = client();
      const started = Date.now();
      const finished = (promise: Promise<DeliveryResult>) => promise.then((result) => ({ result, at: Date.now() - started }));
      const slowRuns = Array.from({ length: 20 }, () => finished(send(target, post(slow.url))));
      const fastRuns = Array.from({ length: 20 }, () => finished(send(target, post(fast.url))));
      const fastDone = await Promise.all(fastRuns);
      const slowDone = await Promise.all(slowRuns);
      const lastFast = Math.max(...fastDone.map((run) => run.at));
      const firstSlow = Math.min(...slowDone.map((run) => run.at));
      assert.ok(fastDone.every((run) => run.result.outcome === 'delivered'));
      assert.ok(slowDone.every((run) => run.result.outcome === 'delivered'));
      assert.ok(lastFast < 900 && lastFast < firstSlow, `fast done at ${lastFast} ms, first slow at ${firstSlow} ms`);
      assert.ok(mostOpen <= 16, `${mostOpen} concurrent requests to one origin`);
      assert.ok(Math.max(...slowDone.map((run) => run.at)) < 4_000, 'queued slow requests finish in bounded time');
    });
  });
});
