import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import githubScheme from './github.scheme';
import { assertRejected, inboundRequest, renderPreset, resolvedVerify, tampered } from './verification-test-kit';

type Sign = (secret: string, payload: string) => Promise<string>;

describe('github scheme', () => {
  const scheme = githubScheme;
  const now = new Date();
  const secret = 'github-webhook-secret';
  const body = JSON.stringify({ action: 'opened', number: 7 });
  let sign: Sign;
  let signature: string;

  before(async () => {
    // GitHub's own library is ESM-only, so it is loaded with a dynamic import.
    ({ sign } = await import('@octokit/webhooks-methods'));
    signature = await sign(secret, body);
  });

  const check = (payload: string | Buffer, header: string | undefined, secrets = [secret]) =>
    scheme.verify(inboundRequest(payload, { 'x-hub-signature-256': header }), resolvedVerify('github', secrets), now);

  it('accepts GitHub documented test vector', () => {
    const result = scheme.verify(
      inboundRequest('Hello, World!', {
        'x-hub-signature-256': 'sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17',
      }),
      resolvedVerify('github', ["It's a Secret to Everybody"]),
      now,
    );
    assert.deepEqual(result, { ok: true });
  });

  it('accepts a signature made by @octokit/webhooks-methods', () => {
    assert.deepEqual(check(body, signature), { ok: true });
  });

  it('accepts a signature made with the second secret of a rotation list', async () => {
    const rotated = await sign('new-secret', body);
    assert.deepEqual(check(body, rotated, [secret, 'new-secret']), { ok: true });
  });

  it('rejects a signature made with another secret', async () => {
    const forged = await sign('not-the-secret', body);
    assertRejected(check(body, forged), 'signature mismatch', [secret, signature]);
  });

  it('rejects a body changed by one byte', () => {
    assertRejected(check(tampered(body), signature), 'signature mismatch', [secret, signature]);
  });

  it('rejects a request without the signature header', () => {
    assertRejected(check(body, undefined), 'missing x-hub-signature-256 header', [secret]);
  });

  it('rejects a header without the sha256= prefix or with non-hex digits', () => {
    const hex = signature.slice('sha256='.length);
    assertRejected(check(body, hex), 'malformed x-hub-signature-256 header', [secret, hex]);
    assertRejected(check(body, 'sha256=zz'), 'malformed x-hub-signature-256 header', [secret]);
  });

  it('rejects every request when no secret is configured', () => {
    assertRejected(check(body, signature, []), 'no secret configured');
  });

  it('presets the type and dedupe key from the X-GitHub-Event and X-GitHub-Delivery headers', () => {
    const event = { headers: { 'x-github-event': 'push', 'x-github-delivery': 'd-1' }, body: {} };
    assert.deepEqual(renderPreset(scheme.preset, event), { eventType: 'push', dedupeKey: 'd-1' });
  });

  it('redacts its signature header', () => {
    assert.deepEqual(scheme.credentialHeaders({}), ['x-hub-signature-256']);
  });
});
