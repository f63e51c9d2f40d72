import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import noneScheme from './none.scheme';
import { inboundRequest, renderPreset, resolvedVerify } from './verification-test-kit';

describe('none scheme', () => {
  const scheme = noneScheme;

  it('accepts a request with no signature and no secret', () => {
    const verify = resolvedVerify('none', []);
    const result = scheme.verify(inboundRequest('anything'), verify, new Date());
    assert.deepEqual(result, { ok: true });
  });

  it('presets the body type and no dedupe key', () => {
    const event = { headers: {}, body: { type: 'order.paid', id: 'o-1' } };
    assert.deepEqual(renderPreset(scheme.preset, event), { eventType: 'order.paid', dedupeKey: undefined });
  });

  it('takes no secret and redacts nothing of its own', () => {
    assert.deepEqual(Object.keys(scheme.optionsSchema.properties), []);
    assert.deepEqual(scheme.credentialHeaders({}), []);
  });
});
