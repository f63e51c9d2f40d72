import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { post } from './support/http';
import { eventually } from './support/receiver';
import { startTestApp, TestApp } from './support/test-app';

const SOURCES = `
sources:
  tasks:
    verify: { scheme: none }
`;

const NOTE = `name: note
on: { webhook: tasks }
steps:
  - id: keep
    uses: set
    with: { n: "{{event.body.n}}" }
`;

const SOME_ID = '0192a3b4-c5d6-7e8f-9a0b-1c2d3e4f5a6b';

function cursorOf(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

describe('management API access', () => {
  let hookflow: TestApp;

  before(async () => {
    hookflow = await startTestApp({ files: { 'sources.yaml': SOURCES, 'note.yaml': NOTE } });
    for (let n = 0; n < 3; n++) assert.equal((await post(`${hookflow.baseUrl}/hooks/tasks`, JSON.stringify({ n }))).status, 202);
    await eventually(async () => (await hookflow.api('GET', '/api/runs?status=succeeded')).body.items.length === 3, 10_000, 'three runs to end');
  });
  after(() => hookflow.close());

  async function call(method: string, path: string, headers: Record<string, string> = {}) {
    const response = await fetch(`${hookflow.baseUrl}${path}`, {
      method,
      headers: { ...headers, ...(method === 'POST' ? { 'content-type': 'application/json' } : {}) },
      body: method === 'POST' ? JSON.stringify({ status: 'failed' }) : undefined,
    });
    const text = await response.text();
    return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : null };
  }

  /** Opens the change stream, reads its status and headers, and lets it go. */
  async function openStream(path: string, headers: Record<string, string> = {}) {
    const abort = new AbortController();
    const response = await fetch(`${hookflow.baseUrl}${path}`, { headers, signal: abort.signal });
    const body: any = response.headers.get('content-type')?.startsWith('text/event-stream') ? null : await response.json();
    abort.abort();
    return { status: response.status, headers: response.headers, body };
  }

  it('takes the admin token from the query on GET /api/stream only, and says to send the header elsewhere', async () => {
    const token = encodeURIComponent(hookflow.adminToken);
    const stream = await openStream(`/api/stream?access_token=${token}`);
    assert.equal(stream.status, 200);
    assert.match(stream.headers.get('content-type') ?? '', /^text\/event-stream/);

    for (const [method, path] of [
      ['GET', '/api/workflows'],
      ['GET', '/api/workflows/note'],
      ['POST', '/api/workflows/validate'],
      ['GET', '/api/sources'],
      ['GET', '/api/events'],
      ['GET', `/api/events/${SOME_ID}`],
      ['POST', '/api/events/replay'],
      ['GET', '/api/runs'],
      ['GET', `/api/runs/${SOME_ID}`],
      ['POST', '/api/runs/retry'],
      ['POST', '/api/runs/cancel'],
      ['POST', `/api/runs/${SOME_ID}/cancel`],
      ['POST', '/api/workflows/note/runs'],
    ]) {
      const answer = await call(method, `${path}?access_token=${token}`);
      assert.equal(answer.status, 401, `${method} ${path} refuses the token in its query`);
      assert.equal(answer.body.error.code, 'UNAUTHORIZED');
      assert.match(answer.body.error.message, /Authorization: Bearer/, `${method} ${path} says to send the header`);
    }
  });

  it('counts an empty or blank token as no token, and ignores spaces around a presented one', async () => {
    for (const [path, headers] of [
      ['/api/stream?access_token=', {}],
      ['/api/stream?access_token=%20%20', {}],
      ['/api/stream', { authorization: 'Bearer ' }],
      ['/api/stream', { authorization: 'Bearer' }],
      ['/api/stream', { authorization: 'Bearer \t ' }],
      ['/api/sources', { authorization: 'Bearer ' }],
    ] as [string, Record<string, string>][]) {
      const answer = await openStream(path, headers);
      assert.equal(answer.status, 401, `${path} ${JSON.stringify(headers)}`);
      assert.equal(answer.body.error.code, 'UNAUTHORIZED');
      assert.match(answer.body.error.message, /^Send the admin token/, `${path} ${JSON.stringify(headers)} counts as no token`);
    }
    const padded = await openStream(`/api/stream?access_token=${encodeURIComponent(` ${hookflow.adminToken} `)}`);
    assert.equal(padded.status, 200);
    const paddedHeader = await call('GET', '/api/sources', { authorization: `Bearer   ${hookflow.adminToken}  ` });
    assert.equal(paddedHeader.status, 200);
  });

  it('answers 400 INVALID_CURSOR, not 500, to a cursor it did not give out, on every list that pages', async () => {
    const tampered = [
      cursorOf(['1', 'x']),
      'not-a-cursor',
      cursorOf(['2024-05-01 12:00:00+00', 'not-a-uuid']),
      cursorOf(['-100000-01-01T00:00:00Z', SOME_ID]),
      cursorOf(['2024-02-31T00:00:00.000000Z', SOME_ID]),
      cursorOf(['2024-05-01T12:00:00.000000Z']),
      cursorOf({ at: '2024-05-01T12:00:00.000000Z', id: SOME_ID }),
      cursorOf([20240501, SOME_ID]),
      Buffer.from([0xff, 0xfe, 0x00]).toString('base64url'),
    ];
    for (const path of ['/api/runs', '/api/events']) {
      const first = await hookflow.api('GET', `${path}?limit=1`);
      assert.equal(first.status, 200);
      const genuine = await hookflow.api('GET', `${path}?limit=1&cursor=${first.body.next_cursor}`);
      assert.equal(genuine.status, 200, 'a cursor it gave out still pages on');
      assert.notEqual(genuine.body.items[0].id, first.body.items[0].id);
      for (const cursor of tampered) {
        const answer = await hookflow.api('GET', `${path}?cursor=${encodeURIComponent(cursor)}`);
        assert.equal(answer.status, 400, `${path} with cursor ${cursor}: ${JSON.stringify(answer.body)}`);
        assert.equal(answer.body.error.code, 'INVALID_CURSOR');
        assert.match(answer.body.error.message, /cursor/);
      }
    }
  });

  it('answers every /api request with Cache-Control: no-store and X-Content-Type-Options: nosniff', async () => {
    const bearer = { authorization: `Bearer ${hookflow.adminToken}` };
    const answers = {
      'a list': await call('GET', '/api/runs', bearer),
      'a missing run': await call('GET', `/api/runs/${SOME_ID}`, bearer),
      'a bad filter': await call('GET', '/api/events?status=bogus', bearer),
      'no token': await call('GET', '/api/sources'),
      'an unknown route': await call('GET', '/api/nothing-here', bearer),
      'a URL that does not decode': await call('GET', '/api/runs/%zz', bearer),
      'a POST': await call('POST', '/api/runs/retry', bearer),
      'the stream': await openStream('/api/stream', bearer),
      'the OpenAPI page': await fetch(`${hookflow.baseUrl}/api/docs`),
      'the OpenAPI document': await call('GET', '/api/docs/openapi.json'),
    };
    for (const [what, answer] of Object.entries(answers)) {
      assert.match(answer.headers.get('cache-control') ?? '', /\bno-store\b/, `${what} is not stored`);
      assert.equal(answer.headers.get('x-content-type-options'), 'nosniff', `${what} is not sniffed`);
    }
  });
});
