import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import Stripe from 'stripe';
import stripeScheme from './stripe.scheme';
import { assertRejected, inboundRequest, minutesFrom, renderPreset, resolvedVerify, tampered, unixSeconds } from './verification-test-kit';

describe('stripe scheme', () => {
  const scheme = stripeScheme;
  const stripe = new Stripe('sk_test_x');
  const now = new Date('2025-06-01T12:00:00Z');
  const secret = 'whsec_test_secret_one';
  const otherSecret = 'whsec_test_secret_two';
  const body = JSON.stringify({ id: 'evt_1', object: 'event', type: 'payment_intent.succeeded' });

  const signWith = (key: string, sentAt = now) =>
    stripe.webhooks.generateTestHeaderString({
      payload: body,
      secret: key,
      timestamp: unixSeconds(sentAt),
    });
  const check = (header: string | undefined, secrets = [secret], payload: string | Buffer = body) =>
    scheme.verify(inboundRequest(payload, { 'stripe-signature': header }), resolvedVerify('stripe', secrets), now);
  const v1Of = (header: string) => header.split(',v1=')[1];

  it('accepts a header made by the stripe library', () => {
    assert.deepEqual(check(signWith(secret)), { ok: true });
  });

  it('accepts a signature made with the second secret of a rotation list', () => {
    assert.deepEqual(check(signWith(otherSecret), [secret, otherSecret]), { ok: true });
  });

  it('accepts when any of several v1 signatures matches', () => {
    const header = `${signWith(otherSecret)},v0=abcdef,v1=${v1Of(signWith(secret))}`;
    assert.deepEqual(check(header), { ok: true });
  });

  it('rejects a signature made with another secret', () => {
    const expected = v1Of(signWith(secret));
    assertRejected(check(signWith(otherSecret)), 'signature mismatch', [secret, expected]);
  });

  it('rejects a body changed by one byte', () => {
    assertRejected(check(signWith(secret), [secret], tampered(body)), 'signature mismatch');
  });

  it('rejects a request without the stripe-signature header', () => {
    assertRejected(check(undefined), 'missing stripe-signature header', [secret]);
  });

  it('rejects a header without a timestamp or without a v1 signature', () => {
    const header = signWith(secret);
    assertRejected(check(`v1=${v1Of(header)}`), 'malformed stripe-signature header', [secret]);
    assertRejected(check(`t=${unixSeconds(now)},v0=abcd`), 'malformed stripe-signature header');
    assertRejected(check('garbage'), 'malformed stripe-signature header');
  });

  it('rejects a non-numeric timestamp', () => {
    const header = signWith(secret).replace(/^t=\d+/, 't=soon');
    assertRejected(check(header), 'malformed stripe-signature header');
  });

  it('rejects a header signed 6 minutes ago', () => {
    const result = check(signWith(secret, minutesFrom(now, -6)));
    assertRejected(result, 'timestamp outside the 5-minute tolerance');
  });

  it('rejects a header timestamped 6 minutes in the future', () => {
    const result = check(signWith(secret, minutesFrom(now, 6)));
    assertRejected(result, 'timestamp outside the 5-minute tolerance');
  });

  it('accepts a header signed 4 minutes ago', () => {
    assert.deepEqual(check(signWith(secret, minutesFrom(now, -4))), { ok: true });
  });

  it('rejects every request when no secret is configured', () => {
    assertRejected(check(signWith(secret), []), 'no secret configured');
  });

  it('presets the type and dedupe key from the event body', () => {
    const event = { headers: {}, body: { id: 'evt_1', type: 'charge.succeeded' } };
    assert.deepEqual(renderPreset(scheme.preset, event), { eventType: 'charge.succeeded', dedupeKey: 'evt_1' });
  });

  it('redacts its signature header', () => {
    assert.deepEqual(scheme.credentialHeaders({}), ['stripe-signature']);
  });
});
