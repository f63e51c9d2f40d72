import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { describe, it } from 'node:test';
import { Webhook } from 'standardwebhooks';
import { verificationSchemes } from './scheme-registry';
import { SignatureVerifier } from './signature-verifier';
import { assertRejected, inboundRequest, resolvedVerify, unixSeconds } from './verification-test-kit';

describe(SignatureVerifier.name, () => {
  const verifier = new SignatureVerifier();
  const body = '{"type":"ping"}';

  it('dispatches to the scheme the source declares', () => {
    const signature = createHmac('sha256', 'k').update(body).digest('base64');
    const request = inboundRequest(body, { 'x-shopify-hmac-sha256': signature });
    assert.deepEqual(verifier.verify(request, resolvedVerify('shopify', ['k'])), { ok: true });
    const asGithub = verifier.verify(request, resolvedVerify('github', ['k']));
    assertRejected(asGithub, 'missing x-hub-signature-256 header');
  });

  it('checks timestamps against the current time when no time is given', () => {
    const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
    const sentAt = new Date();
    const headers = {
      'webhook-id': 'msg_1',
      'webhook-timestamp': String(unixSeconds(sentAt)),
      'webhook-signature': new Webhook(secret).sign('msg_1', sentAt, body),
    };
    const verify = resolvedVerify('standard-webhooks', [secret]);
    assert.deepEqual(verifier.verify(inboundRequest(body, headers), verify), { ok: true });
    const inAnHour = new Date(sentAt.getTime() + 3_600_000);
    const later = verifier.verify(inboundRequest(body, headers), verify, inAnHour);
    assertRejected(later, 'timestamp outside the 5-minute tolerance');
  });

  it('refuses every secret-based scheme when no usable secret is configured', () => {
    const secretBased = [...verificationSchemes().values()].filter((scheme) => scheme.optionsSchema.required.includes('secret'));
    assert.ok(
      secretBased.some(({ scheme }) => scheme === 'github'),
      'the schemes were discovered',
    );
    for (const { scheme } of secretBased) {
      for (const secrets of [[], [''], ['', '']]) {
        const result = verifier.verify(inboundRequest(body), resolvedVerify(scheme, secrets));
        assertRejected(result, 'no secret configured');
      }
    }
  });

  it('accepts any request for the none scheme', () => {
    const result = verifier.verify(inboundRequest(body), resolvedVerify('none', []));
    assert.deepEqual(result, { ok: true });
  });

  it('rejects a scheme it does not know', () => {
    const verify = resolvedVerify('toString', ['k']);
    const result = verifier.verify(inboundRequest(body), verify);
    assertRejected(result, 'unsupported verification scheme');
  });

  it('answers a handshake only with the scheme of the source', () => {
    const urlVerification = { type: 'url_verification', challenge: 'c-1' };
    assert.deepEqual(verifier.handshake(resolvedVerify('slack', ['k']), urlVerification), { challenge: 'c-1' });
    assert.equal(verifier.handshake(resolvedVerify('github', ['k']), urlVerification), undefined);
    assert.equal(verifier.handshake(resolvedVerify('toString', ['k']), urlVerification), undefined);
  });
});
