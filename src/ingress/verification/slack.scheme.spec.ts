import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { describe, it } from 'node:test';
import slackScheme from './slack.scheme';
import { assertRejected, inboundRequest, minutesFrom, renderPreset, resolvedVerify, tampered, unixSeconds } from './verification-test-kit';

// Slack's documented example (https://api.slack.com/authentication/verifying-requests-from-slack);
// the slash command in the published body is /webhook-collect.
const SECRET = '8f742231b10e8888abcd99yyyzzz85a5';
const TIMESTAMP = '1531420618';
const BODY =
  'token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V' +
  '&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=' +
  '&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554' +
  '%2F96rGlfmibIGlgcZRskXaIFfN' +
  '&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c';
const SIGNATURE = 'v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503';

describe('slack scheme', () => {
  const scheme = slackScheme;
  const sentAt = new Date(Number(TIMESTAMP) * 1000);
  const now = minutesFrom(sentAt, 1);

  const check = (headers: Record<string, string | undefined>, options: { secrets?: string[]; body?: string | Buffer; at?: Date } = {}) =>
    scheme.verify(inboundRequest(options.body ?? BODY, headers), resolvedVerify('slack', options.secrets ?? [SECRET]), options.at ?? now);
  const headersFor = (signature: string | undefined, timestamp = TIMESTAMP) => ({
    'x-slack-signature': signature,
    'x-slack-request-timestamp': timestamp,
  });
  // As Slack documents it, for timestamps other than the published example.
  const slackSign = (secret: string, timestamp: string) => `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${BODY}`).digest('hex')}`;

  it("accepts Slack's documented example", () => {
    assert.deepEqual(check(headersFor(SIGNATURE)), { ok: true });
  });

  it('accepts a signature made with the second secret of a rotation list', () => {
    const result = check(headersFor(SIGNATURE), { secrets: ['old-secret', SECRET] });
    assert.deepEqual(result, { ok: true });
  });

  it('rejects a signature made with another secret', () => {
    const result = check(headersFor(SIGNATURE), { secrets: ['another-signing-secret'] });
    assertRejected(result, 'signature mismatch', ['another-signing-secret', SIGNATURE.slice(3)]);
  });

  it('rejects a body changed by one byte', () => {
    assertRejected(check(headersFor(SIGNATURE), { body: tampered(BODY) }), 'signature mismatch');
  });

  it('rejects a signature replayed with another timestamp', () => {
    const later = String(Number(TIMESTAMP) + 30);
    assertRejected(check(headersFor(SIGNATURE, later)), 'signature mismatch');
  });

  it('names each missing header', () => {
    assertRejected(check(headersFor(undefined)), 'missing x-slack-signature header', [SECRET]);
    const noTimestamp = { ...headersFor(SIGNATURE), 'x-slack-request-timestamp': undefined };
    assertRejected(check(noTimestamp), 'missing x-slack-request-timestamp header', [SECRET]);
  });

  it('rejects a signature without the v0= prefix', () => {
    assertRejected(check(headersFor(SIGNATURE.slice(3))), 'malformed x-slack-signature header');
  });

  it('rejects a non-numeric timestamp', () => {
    const result = check(headersFor(SIGNATURE, 'yesterday'));
    assertRejected(result, 'malformed x-slack-request-timestamp header');
  });

  it('rejects a request signed 6 minutes ago', () => {
    const result = check(headersFor(SIGNATURE), { at: minutesFrom(sentAt, 6) });
    assertRejected(result, 'timestamp outside the 5-minute tolerance');
  });

  it('rejects a request timestamped 6 minutes in the future', () => {
    const future = String(unixSeconds(minutesFrom(now, 6)));
    const result = check(headersFor(slackSign(SECRET, future), future));
    assertRejected(result, 'timestamp outside the 5-minute tolerance');
  });

  it('accepts a request signed 4 minutes ago', () => {
    assert.deepEqual(check(headersFor(SIGNATURE), { at: minutesFrom(sentAt, 4) }), { ok: true });
  });

  it('rejects every request when no secret is configured', () => {
    assertRejected(check(headersFor(SIGNATURE), { secrets: [] }), 'no secret configured');
  });

  it('presets the inner event type, falling back to the envelope type, and the event id', () => {
    const body = { type: 'event_callback', event_id: 'Ev1', event: { type: 'app_mention' } };
    assert.deepEqual(renderPreset(scheme.preset, { headers: {}, body }), { eventType: 'app_mention', dedupeKey: 'Ev1' });
    const handshake = { headers: {}, body: { type: 'url_verification', challenge: 'c' } };
    assert.deepEqual(renderPreset(scheme.preset, handshake), { eventType: 'url_verification', dedupeKey: '' });
  });

  it('answers url_verification with its challenge, and nothing else', () => {
    assert.deepEqual(scheme.handshake?.({ type: 'url_verification', challenge: 'c-1', token: 't' }), { challenge: 'c-1' });
    assert.equal(scheme.handshake?.({ type: 'url_verification' }), undefined);
    assert.equal(scheme.handshake?.({ type: 'event_callback', challenge: 'c-1' }), undefined);
    assert.equal(scheme.handshake?.('url_verification'), undefined);
    assert.equal(scheme.handshake?.(null), undefined);
  });

  it('redacts its signature header', () => {
    assert.deepEqual(scheme.credentialHeaders({}), ['x-slack-signature']);
  });
});
