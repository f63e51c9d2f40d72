import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Webhook } from 'standardwebhooks';
import standardWebhooksScheme from './standard-webhooks.scheme';
import { assertRejected, inboundRequest, minutesFrom, renderPreset, resolvedVerify, tampered, unixSeconds } from './verification-test-kit';

describe('standard-webhooks scheme', () => {
  const scheme = standardWebhooksScheme;
  const now = new Date('2025-06-01T12:00:00Z');
  const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
  const otherSecret = `whsec_${Buffer.from('another key of enough length!!').toString('base64')}`;
  const id = 'msg_2KWPBgLlAfxdpx2AI54pPJ85f4W';
  const body = JSON.stringify({ type: 'invoice.paid', data: { id: 'in_1' } });

  const headersFor = (signature: string | undefined, sentAt = now) => ({
    'webhook-id': id,
    'webhook-timestamp': String(unixSeconds(sentAt)),
    'webhook-signature': signature,
  });
  const signWith = (key: string, sentAt = now, payload = body) => new Webhook(key).sign(id, sentAt, payload);
  const check = (headers: Record<string, string | undefined>, secrets = [secret], payload: string | Buffer = body) =>
    scheme.verify(inboundRequest(payload, headers), resolvedVerify('standard-webhooks', secrets), now);

  it('accepts a signature made by the standardwebhooks library', () => {
    assert.deepEqual(check(headersFor(signWith(secret))), { ok: true });
  });

  it('accepts a secret given without the whsec_ prefix', () => {
    const unprefixed = secret.slice('whsec_'.length);
    assert.deepEqual(check(headersFor(signWith(secret)), [unprefixed]), { ok: true });
  });

  it('accepts a signature made with the second secret of a rotation list', () => {
    assert.deepEqual(check(headersFor(signWith(otherSecret)), [secret, otherSecret]), { ok: true });
  });

  it('accepts when any of several space-separated signatures matches', () => {
    const header = `v1a,c2lnbmVk ${signWith(otherSecret)} ${signWith(secret)}`;
    assert.deepEqual(check(headersFor(header)), { ok: true });
  });

  it('rejects a signature made with another secret', () => {
    const expected = signWith(secret).slice(3);
    const result = check(headersFor(signWith(otherSecret)));
    assertRejected(result, 'signature mismatch', [secret, secret.slice(6), expected]);
  });

  it('rejects a body changed by one byte', () => {
    const result = check(headersFor(signWith(secret)), [secret], tampered(body));
    assertRejected(result, 'signature mismatch');
  });

  it('rejects a signature whose webhook-id was changed', () => {
    const headers = { ...headersFor(signWith(secret)), 'webhook-id': 'msg_other' };
    assertRejected(check(headers), 'signature mismatch');
  });

  it('names each missing header', () => {
    const complete = headersFor(signWith(secret));
    for (const name of ['webhook-id', 'webhook-timestamp', 'webhook-signature'] as const) {
      assertRejected(check({ ...complete, [name]: undefined }), `missing ${name} header`, [secret]);
    }
  });

  it('rejects a signature header without a v1 entry', () => {
    const v1 = signWith(secret);
    assertRejected(check(headersFor(v1.slice(3))), 'malformed webhook-signature header', [secret]);
    assertRejected(check(headersFor('v1,%%%')), 'malformed webhook-signature header');
  });

  it('rejects a non-numeric timestamp', () => {
    const headers = {
      ...headersFor(signWith(secret)),
      'webhook-timestamp': '2025-06-01T12:00:00Z',
    };
    assertRejected(check(headers), 'malformed webhook-timestamp header');
  });

  it('rejects a message signed 6 minutes ago', () => {
    const sentAt = minutesFrom(now, -6);
    const result = check(headersFor(signWith(secret, sentAt), sentAt));
    assertRejected(result, 'timestamp outside the 5-minute tolerance');
  });

  it('rejects a message timestamped 6 minutes in the future', () => {
    const sentAt = minutesFrom(now, 6);
    const result = check(headersFor(signWith(secret, sentAt), sentAt));
    assertRejected(result, 'timestamp outside the 5-minute tolerance');
  });

  it('accepts a message signed 4 minutes ago', () => {
    const sentAt = minutesFrom(now, -4);
    assert.deepEqual(check(headersFor(signWith(secret, sentAt), sentAt)), { ok: true });
  });

  it('rejects every request when no secret is configured', () => {
    assertRejected(check(headersFor(signWith(secret)), ['']), 'no secret configured');
  });

  it('rejects every request when the secret is not base64', () => {
    const result = check(headersFor(signWith(secret)), ['whsec_not base64!']);
    assertRejected(result, 'secret is not a valid whsec_ base64 key', ['not base64!']);
  });

  it('presets the body type and the webhook-id header', () => {
    const event = { headers: { 'webhook-id': 'msg_1' }, body: { type: 'invoice.paid' } };
    assert.deepEqual(renderPreset(scheme.preset, event), { eventType: 'invoice.paid', dedupeKey: 'msg_1' });
  });

  it('redacts its signature header', () => {
    assert.deepEqual(scheme.credentialHeaders({}), ['webhook-signature']);
  });
});
