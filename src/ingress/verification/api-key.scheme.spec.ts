import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import apiKeyScheme from './api-key.scheme';
import type { ResolvedVerify } from './verification-scheme';
import { assertRejected, inboundRequest, renderPreset, resolvedVerify } from './verification-test-kit';

describe('api-key scheme', () => {
  const scheme = apiKeyScheme;
  const now = new Date();
  const key = 'ak_live_8c1f0a7e';
  const check = (headers: Record<string, string | undefined>, verify: Partial<ResolvedVerify> = {}) =>
    scheme.verify(inboundRequest('{}', headers), resolvedVerify('api-key', verify.secrets ?? [key], verify), now);

  it('accepts the key in x-api-key by default', () => {
    assert.deepEqual(check({ 'x-api-key': key }), { ok: true });
  });

  it('reads a configured header', () => {
    assert.deepEqual(check({ 'x-token': key }, { header: 'x-token' }), { ok: true });
    assertRejected(check({ 'x-api-key': key }, { header: 'x-token' }), 'missing x-token header');
  });

  it('strips Bearer from an Authorization header', () => {
    const verify = { header: 'authorization' };
    assert.deepEqual(check({ authorization: `Bearer ${key}` }, verify), { ok: true });
    assert.deepEqual(check({ authorization: key }, verify), { ok: true });
  });

  it('keeps a Bearer prefix in any other header as part of the key', () => {
    assertRejected(check({ 'x-api-key': `Bearer ${key}` }), 'invalid api key', [key]);
  });

  it('accepts the second key of a rotation list', () => {
    const result = check({ 'x-api-key': 'ak_next' }, { secrets: [key, 'ak_next'] });
    assert.deepEqual(result, { ok: true });
  });

  it('rejects another key, a longer one and a prefix of the key', () => {
    for (const wrong of ['ak_live_00000000', `${key}x`, key.slice(0, -1)]) {
      assertRejected(check({ 'x-api-key': wrong }), 'invalid api key', [key]);
    }
  });

  it('rejects a request without the key header or with a blank one', () => {
    assertRejected(check({}), 'missing x-api-key header', [key]);
    assertRejected(check({ 'x-api-key': '  ' }), 'missing x-api-key header', [key]);
  });

  it('rejects every request when no key is configured', () => {
    assertRejected(check({ 'x-api-key': '' }, { secrets: [''] }), 'no secret configured');
    assertRejected(check({ 'x-api-key': key }, { secrets: [] }), 'no secret configured');
  });

  it('presets the body type and no dedupe key', () => {
    const event = { headers: {}, body: { type: 'order.paid', id: 'o-1' } };
    assert.deepEqual(renderPreset(scheme.preset, event), { eventType: 'order.paid', dedupeKey: undefined });
  });

  it('redacts the header it reads the key from', () => {
    assert.deepEqual(scheme.credentialHeaders({}), ['x-api-key']);
    assert.deepEqual(scheme.credentialHeaders({ header: 'x-token' }), ['x-token']);
  });
});
