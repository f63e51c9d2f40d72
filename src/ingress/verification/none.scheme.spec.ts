import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { NoneScheme } from './none.scheme';
import type { VerificationScheme } from './verification-scheme';
import { inboundRequest, resolvedVerify } from './verification-test-kit';

describe(NoneScheme.name, () => {
  it('accepts a request with no signature and no secret', () => {
    const scheme: VerificationScheme = new NoneScheme();
    const verify = resolvedVerify('none', []);
    const result = scheme.verify(inboundRequest('anything'), verify, new Date());
    assert.deepEqual(result, { ok: true });
  });
});
