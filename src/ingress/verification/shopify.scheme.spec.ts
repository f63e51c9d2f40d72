import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { describe, it } from 'node:test';
import shopifyScheme from './shopify.scheme';
import { assertRejected, inboundRequest, renderPreset, resolvedVerify, tampered } from './verification-test-kit';

describe('shopify scheme', () => {
  const scheme = shopifyScheme;
  const now = new Date();
  const secret = 'shpss_client_secret';
  const body = JSON.stringify({ id: 820982911946154500, email: 'jon@example.com' });
  // As Shopify documents it: base64 of the HMAC-SHA256 of the raw body with the app's secret.
  const shopifySign = (key: string, payload: string | Buffer = body) => createHmac('sha256', key).update(payload).digest('base64');
  const check = (header: string | undefined, secrets = [secret], payload: string | Buffer = body) =>
    scheme.verify(inboundRequest(payload, { 'x-shopify-hmac-sha256': header }), resolvedVerify('shopify', secrets), now);

  it('accepts a base64 HMAC of the body', () => {
    assert.deepEqual(check(shopifySign(secret)), { ok: true });
  });

  it('accepts a signature made with the second secret of a rotation list', () => {
    assert.deepEqual(check(shopifySign('new-secret'), [secret, 'new-secret']), { ok: true });
  });

  it('rejects a signature made with another secret', () => {
    const result = check(shopifySign('wrong-secret'));
    assertRejected(result, 'signature mismatch', [secret, shopifySign(secret)]);
  });

  it('rejects a body changed by one byte', () => {
    assertRejected(check(shopifySign(secret), [secret], tampered(body)), 'signature mismatch');
  });

  it('rejects a request without the signature header', () => {
    assertRejected(check(undefined), 'missing x-shopify-hmac-sha256 header', [secret]);
  });

  it('rejects a signature that is not base64', () => {
    assertRejected(check('not*base64!'), 'malformed x-shopify-hmac-sha256 header', [secret]);
  });

  it('rejects the hex form of a valid signature', () => {
    const hex = createHmac('sha256', secret).update(body).digest('hex');
    assertRejected(check(hex), 'signature mismatch');
  });

  it('rejects every request when no secret is configured', () => {
    assertRejected(check(shopifySign(secret), []), 'no secret configured');
  });

  it('presets the type and dedupe key from the topic and webhook id headers', () => {
    const headers = { 'x-shopify-topic': 'orders/create', 'x-shopify-webhook-id': 'w-1' };
    assert.deepEqual(renderPreset(scheme.preset, { headers, body: {} }), { eventType: 'orders/create', dedupeKey: 'w-1' });
  });

  it('redacts its signature header', () => {
    assert.deepEqual(scheme.credentialHeaders({}), ['x-shopify-hmac-sha256']);
  });
});
