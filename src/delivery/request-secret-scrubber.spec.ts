import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { hiddenValues, RequestSecretScrubber } from './request-secret-scrubber';

describe('hiddenValues', () => {
  it('recovers what each [secret] stood for', () => {
    assert.deepEqual(hiddenValues('Bearer abc123', 'Bearer [secret]'), ['abc123']);
    assert.deepEqual(hiddenValues('https://h/x?user=u1&key=k2&z=1', 'https://h/x?user=[secret]&key=[secret]&z=1'), ['u1', 'k2']);
  });

  it('treats adjacent placeholders as one value', () => {
    assert.deepEqual(hiddenValues('prefix-ab12cd34-end', 'prefix-[secret][secret]-end'), ['ab12cd34']);
  });

  it('counts the whole value as secret when the copies do not line up', () => {
    assert.deepEqual(hiddenValues('token-1234', '[redacted]'), ['token-1234']);
    assert.deepEqual(hiddenValues('abc', 'xyz [secret]'), ['abc']);
  });

  it('finds nothing when the copies are equal', () => {
    assert.deepEqual(hiddenValues('same', 'same'), []);
  });
});

describe(RequestSecretScrubber.name, () => {
  it('replaces raw, JSON-escaped and URL-encoded forms of a secret', () => {
    const scrubber = new RequestSecretScrubber(['p@ss"w/rd']);
    assert.equal(scrubber.text('a p@ss"w/rd b p@ss\\"w/rd c p%40ss%22w%2Frd'), 'a [secret] b [secret] c [secret]');
  });

  it('scrubs strings and keys inside parsed JSON', () => {
    const scrubber = new RequestSecretScrubber(['s3cr3t-value']);
    assert.deepEqual(scrubber.value({ echo: ['x s3cr3t-value'], 's3cr3t-value': 1, n: 2 }), { echo: ['x [secret]'], '[secret]': 1, n: 2 });
  });

  it('leaves values too short to be secrets alone', () => {
    assert.equal(new RequestSecretScrubber(['on']).text('done'), 'done');
  });

  it('collects secrets from the headers, URL and body a request redacts, plus its signing secrets', () => {
    const scrubber = RequestSecretScrubber.forRequest(
      {
        method: 'POST',
        url: 'https://h/hook/AAAA1111',
        headers: { 'X-Token': 'tok-5555', Accept: 'text/plain' },
        body: '{"p":"pw-9999"}',
        idempotencyKey: 'k',
        signingSecrets: ['whsec_c2VjcmV0LWtleQ=='],
      },
      { url: 'https://h/hook/[secret]', headers: { 'x-token': '[secret]', Accept: 'text/plain' }, body: '{"p":"[secret]"}' },
    );
    assert.equal(
      scrubber.text('AAAA1111 tok-5555 pw-9999 whsec_c2VjcmV0LWtleQ== c2VjcmV0LWtleQ== text/plain'),
      '[secret] [secret] [secret] [secret] [secret] text/plain',
    );
  });

  it('reuses the scrubber built for the same secrets, and never one built for others', () => {
    const first = RequestSecretScrubber.hiding(['token-one', 'token-two']);
    assert.equal(RequestSecretScrubber.hiding(['token-one', 'token-two']), first);
    const joined = RequestSecretScrubber.hiding(['token-one\u0000token-two']);
    assert.notEqual(joined, first);
    assert.equal(joined.text('a token-one b'), 'a token-one b');
    assert.equal(first.text('a token-one b token-two'), 'a [secret] b [secret]');
  });
});
