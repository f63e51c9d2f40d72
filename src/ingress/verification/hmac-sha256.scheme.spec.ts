import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { describe, it } from 'node:test';
import hmacSha256Scheme from './hmac-sha256.scheme';
import type { ResolvedVerify } from './verification-scheme';
import { assertRejected, inboundRequest, renderPreset, resolvedVerify, tampered } from './verification-test-kit';

describe('hmac-sha256 scheme', () => {
  const scheme = hmacSha256Scheme;
  const now = new Date();
  const secret = 'shop-webhook-secret';
  const body = JSON.stringify({ type: 'order.paid', order: { id: 42, total: 19.9 } });
  const hmac = (key: string, encoding: 'hex' | 'base64', payload: string | Buffer = body) => createHmac('sha256', key).update(payload).digest(encoding);
  const check = (headers: Record<string, string | undefined>, verify: Partial<ResolvedVerify> = {}, payload: string | Buffer = body) =>
    scheme.verify(inboundRequest(payload, headers), resolvedVerify('hmac-sha256', verify.secrets ?? [secret], verify), now);

  it('accepts a hex signature in x-signature by default', () => {
    assert.deepEqual(check({ 'x-signature': hmac(secret, 'hex') }), { ok: true });
  });

  it('accepts upper-case hex and a sha256= prefix', () => {
    const upper = hmac(secret, 'hex').toUpperCase();
    assert.deepEqual(check({ 'x-signature': upper }), { ok: true });
    assert.deepEqual(check({ 'x-signature': `sha256=${upper}` }), { ok: true });
  });

  it('reads the configured header and base64 encoding', () => {
    const verify: Partial<ResolvedVerify> = { header: 'X-Shop-Signature', encoding: 'base64' };
    assert.deepEqual(check({ 'x-shop-signature': hmac(secret, 'base64') }, verify), { ok: true });
    const hexInstead = check({ 'x-shop-signature': hmac(secret, 'hex') }, verify);
    assertRejected(hexInstead, 'signature mismatch');
    const notBase64 = check({ 'x-shop-signature': 'no-base64!' }, verify);
    assertRejected(notBase64, 'malformed x-shop-signature header');
  });

  it('verifies the raw bytes, even when they are not valid UTF-8', () => {
    const binary = Buffer.from([0x7b, 0xff, 0xfe, 0x00, 0xc3, 0x28, 0x7d]);
    const exact = check({ 'x-signature': hmac(secret, 'hex', binary) }, {}, binary);
    assert.deepEqual(exact, { ok: true });
    const reencoded = Buffer.from(binary.toString('utf8'));
    const result = check({ 'x-signature': hmac(secret, 'hex', reencoded) }, {}, binary);
    assertRejected(result, 'signature mismatch');
  });

  it('accepts a signature made with the second secret of a rotation list', () => {
    const result = check({ 'x-signature': hmac('next', 'hex') }, { secrets: [secret, 'next'] });
    assert.deepEqual(result, { ok: true });
  });

  it('rejects a signature made with another secret', () => {
    const result = check({ 'x-signature': hmac('wrong', 'hex') });
    assertRejected(result, 'signature mismatch', [secret, hmac(secret, 'hex')]);
  });

  it('rejects a body changed by one byte', () => {
    const result = check({ 'x-signature': hmac(secret, 'hex') }, {}, tampered(body));
    assertRejected(result, 'signature mismatch');
  });

  it('rejects a request without the signature header', () => {
    assertRejected(check({}), 'missing x-signature header', [secret]);
    const custom = check({ 'x-signature': hmac(secret, 'hex') }, { header: 'x-shop-signature' });
    assertRejected(custom, 'missing x-shop-signature header');
  });

  it('rejects a signature that is not hex', () => {
    const result = check({ 'x-signature': 'sha256=xyz' });
    assertRejected(result, 'malformed x-signature header', [secret]);
  });

  it('never accepts an empty secret, which anyone could sign with', () => {
    const result = check({ 'x-signature': hmac('', 'hex') }, { secrets: [''] });
    assertRejected(result, 'no secret configured');
  });

  it('presets the body type and no dedupe key', () => {
    const event = { headers: {}, body: { type: 'order.paid', id: 'o-1' } };
    assert.deepEqual(renderPreset(scheme.preset, event), { eventType: 'order.paid', dedupeKey: undefined });
  });

  it('redacts the header it reads the signature from', () => {
    assert.deepEqual(scheme.credentialHeaders({}), ['x-signature']);
    assert.deepEqual(scheme.credentialHeaders({ header: 'x-shop-signature' }), ['x-shop-signature']);
  });
});
