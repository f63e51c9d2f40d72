import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { hmacHex, post } from './support/http';
import { eventually, json, Receiver } from './support/receiver';
import { startTestApp, TestApp } from './support/test-app';

const SLACK_SECRET = '8f742231b10e8888abcd99yyyzzz85a5';

const SOURCES = `
sources:
  slack:
    verify: { scheme: slack, secret: "{{secrets.SLACK_SECRET}}" }
    event_type: "{{default event.body.command (default event.body.type '')}}"
    dedupe_key: "{{default event.body.trigger_id ''}}"
    respond:
      status: 200
      headers: { X-Signature-Seen: "{{event.headers.x-slack-signature}}" }
      body:
        response_type: ephemeral
        text: "Deploying {{default event.body.text (default event.body.actions.[0].value '?')}} for {{default event.body.user_name (default event.body.user.username '?')}}"
  provider:
    verify: { scheme: none }
    dedupe_key: "{{default event.body.id ''}}"
`;

/** Runs for every slash command: the run must happen beside the answer. */
const DEPLOY = `
name: deploy
on: { webhook: slack }
steps:
  - id: start
    uses: http
    with: { url: "{{secrets.RECEIVER}}/deploys", body: { what: "{{default event.body.text ''}}", by: "{{default event.body.user_name ''}}" } }
`;

/** Three workflows on one source: the first by name that matched and declares a respond answers. */
const triggerWorkflow = (name: string, respond: string) => `
name: ${name}
on:
  webhook: provider
  event: ping
${respond}
steps:
  - { id: noted, uses: set, with: { id: "{{event.body.id}}" } }
`;

describe('respond: a source or trigger answers the webhook itself', () => {
  let hookflow: TestApp;
  const receiver = new Receiver();

  before(async () => {
    receiver.route('/deploys', (_request, response) => json(response, 200, { ok: true }));
    await receiver.start();
    hookflow = await startTestApp({
      files: {
        'sources.yaml': SOURCES,
        'deploy.yaml': DEPLOY,
        'a-quiet.yaml': triggerWorkflow('a-quiet', ''),
        'b-answers.yaml': triggerWorkflow('b-answers', '  respond: { status: 201, headers: { X-Ping: "{{event.body.id}}" }, body: "pong {{event.body.id}}" }'),
        'c-answers.yaml': triggerWorkflow('c-answers', '  respond: { status: 299, body: "not me" }'),
      },
      env: { SLACK_SECRET, RECEIVER: receiver.url, HOOKFLOW_OUTBOUND_ALLOW: '127.0.0.1' },
    });
  });

  after(async () => {
    await hookflow.close();
    await receiver.stop();
  });

  /** POSTs a form as Slack does: `v0=` HMAC-SHA256 of `v0:<timestamp>:<body>` with the signing secret. */
  function postAsSlack(form: Record<string, string>, secret = SLACK_SECRET) {
    const body = new URLSearchParams(form).toString();
    const timestamp = String(Math.floor(Date.now() / 1000));
    const signature = `v0=${hmacHex(secret, `v0:${timestamp}:${body}`)}`;
    return post(`${hookflow.baseUrl}/hooks/slack`, body, {
      'content-type': 'application/x-www-form-urlencoded',
      'x-slack-request-timestamp': timestamp,
      'x-slack-signature': signature,
    });
  }

  const slashCommand = (triggerId: string, text: string) => ({
    token: 'legacy-verification-token',
    team_id: 'T0001',
    channel_id: 'C2147483705',
    user_id: 'U2147483697',
    user_name: 'ada',
    command: '/deploy',
    text,
    response_url: 'https://hooks.slack.com/commands/1234/5678',
    trigger_id: triggerId,
  });

  it('answers a signed, form-encoded slash command with its templated status and body, and still runs the workflow', async () => {
    const answer = await postAsSlack(slashCommand('13345224609.738474920.8088930838d88f008e0', 'api v42'));

    assert.equal(answer.status, 200);
    assert.match(answer.headers.get('content-type') ?? '', /^application\/json/);
    assert.deepEqual(answer.body, { response_type: 'ephemeral', text: 'Deploying api v42 for ada' });
    assert.equal(answer.headers.get('x-signature-seen'), '[secret]', 'credential headers render as stored, redacted');

    const request = await eventually(async () => receiver.received('/deploys')[0], 10_000, 'the deploy run to call out');
    assert.deepEqual(JSON.parse(request.body), { what: 'api v42', by: 'ada' });
    const [event] = await hookflow.query<{ type: string; runs_count: number }>(`SELECT type, runs_count FROM events WHERE source = 'slack'`);
    assert.deepEqual(event, { type: '/deploy', runs_count: 1 });
  });

  it('gives a repeated delivery the answer the first one got, and starts nothing', async () => {
    const first = await postAsSlack(slashCommand('trigger-2', 'web v7'));
    const again = await postAsSlack(slashCommand('trigger-2', 'something else'));

    assert.deepEqual([again.status, again.body], [first.status, first.body]);
    const stored = (
      await hookflow.api('GET', `/api/events/${(await hookflow.query<{ id: string }>(`SELECT id FROM events WHERE dedupe_key = 'trigger-2'`))[0].id}`)
    ).body;
    assert.deepEqual({ ...stored.answer, headers: undefined }, { status: 200, headers: undefined, body: JSON.stringify(first.body) });
    assert.deepEqual(again.body, { response_type: 'ephemeral', text: 'Deploying web v7 for ada' });
    const events = await hookflow.query(`SELECT id FROM events WHERE dedupe_key = 'trigger-2'`);
    assert.equal(events.length, 1);
  });

  it('reads an interactive payload (JSON in the form field `payload`)', async () => {
    const payload = { type: 'block_actions', trigger_id: 'trigger-3', user: { id: 'U1', username: 'grace' }, actions: [{ action_id: 'go', value: 'db v3' }] };
    const answer = await postAsSlack({ payload: JSON.stringify(payload) });
    assert.equal(answer.status, 200);
    assert.deepEqual(answer.body, { response_type: 'ephemeral', text: 'Deploying db v3 for grace' });
  });

  it('still refuses a bad signature with its error, not the respond', async () => {
    const answer = await postAsSlack(slashCommand('trigger-4', 'x'), 'not-the-secret');
    assert.equal(answer.status, 401);
    assert.equal(answer.body.error.code, 'SIGNATURE_INVALID');
  });

  it('answers with the respond of the first matched workflow by name that declares one, when the source has none', async () => {
    const answer = await post(`${hookflow.baseUrl}/hooks/provider`, JSON.stringify({ type: 'ping', id: 'p-7' }));
    assert.equal(answer.status, 201);
    assert.equal(answer.body, 'pong p-7');
    assert.match(answer.headers.get('content-type') ?? '', /^text\/plain/);
    assert.equal(answer.headers.get('x-ping'), 'p-7');
    const [event] = await hookflow.query<{ runs_count: number }>(`SELECT runs_count FROM events WHERE dedupe_key = 'p-7'`);
    assert.equal(event.runs_count, 3);

    const again = await post(`${hookflow.baseUrl}/hooks/provider`, JSON.stringify({ type: 'ping', id: 'p-7' }));
    assert.deepEqual([again.status, again.body], [201, 'pong p-7']);
  });

  it('answers the usual 202 JSON when no matched workflow declares a respond', async () => {
    const answer = await post(`${hookflow.baseUrl}/hooks/provider`, JSON.stringify({ type: 'other', id: 'p-8' }));
    assert.equal(answer.status, 202);
    assert.deepEqual(Object.keys(answer.body).sort(), ['event_id', 'runs']);
  });
});
