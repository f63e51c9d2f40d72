import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import basicScheme from './basic.scheme';
import { assertRejected, inboundRequest, renderPreset, resolvedVerify } from './verification-test-kit';

describe('basic scheme', () => {
  const scheme = basicScheme;
  const now = new Date();
  const credentials = 'hooks:s3cret-pässword';
  const basic = (value: string) => `Basic ${Buffer.from(value).toString('base64')}`;
  const check = (authorization: string | undefined, secrets = [credentials]) =>
    scheme.verify(inboundRequest('{}', { authorization }), resolvedVerify('basic', secrets), now);

  it('accepts matching user and password', () => {
    assert.deepEqual(check(basic(credentials)), { ok: true });
    assert.deepEqual(check(basic(credentials).replace('Basic', 'basic')), { ok: true });
  });

  it('accepts the second credentials of a rotation list', () => {
    assert.deepEqual(check(basic('hooks:new'), [credentials, 'hooks:new']), { ok: true });
  });

  it('rejects a wrong password or a wrong user', () => {
    const leaks = [credentials, 's3cret-pässword'];
    assertRejected(check(basic('hooks:wrong')), 'invalid credentials', leaks);
    assertRejected(check(basic('admin:s3cret-pässword')), 'invalid credentials', [credentials]);
  });

  it('rejects a request without an Authorization header', () => {
    assertRejected(check(undefined), 'missing authorization header', [credentials]);
  });

  it('rejects another scheme, bad base64 or credentials without a colon', () => {
    for (const header of [`Bearer ${credentials}`, 'Basic !!!', basic('hooks')]) {
      assertRejected(check(header), 'malformed authorization header', [credentials]);
    }
  });

  it('rejects every request when no credentials are configured', () => {
    assertRejected(check(basic(credentials), []), 'no secret configured');
  });

  it('presets the body type and no dedupe key', () => {
    const event = { headers: {}, body: { type: 'order.paid', id: 'o-1' } };
    assert.deepEqual(renderPreset(scheme.preset, event), { eventType: 'order.paid', dedupeKey: undefined });
  });

  it('redacts the Authorization header', () => {
    assert.deepEqual(scheme.credentialHeaders({}), ['authorization']);
  });
});
