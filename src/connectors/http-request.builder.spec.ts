import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { buildHttpRequest } from './http-request.builder';
import { InvalidStepInputError } from './invalid-step-input.error';

const URL_ = 'https://api.example.com/labels';

describe('buildHttpRequest', () => {
  it('posts an object as JSON unless told otherwise', () => {
    const request = buildHttpRequest({ url: URL_, body: { id: 1, tags: ['a'] } }, 'strict');

    assert.equal(request.method, 'POST');
    assert.equal(request.body, '{"id":1,"tags":["a"]}');
    assert.deepEqual(request.headers, { 'content-type': 'application/json' });
  });

  it('sends a string as plain text, or with the content type the step gives', () => {
    assert.equal(buildHttpRequest({ url: URL_, body: 'hi' }, 'strict').headers['content-type'], 'text/plain; charset=utf-8');
    const xml = buildHttpRequest({ url: URL_, body: '<a/>', headers: { 'Content-Type': 'application/xml' } }, 'strict');
    assert.deepEqual(xml.headers, { 'Content-Type': 'application/xml' });
  });

  it('appends query values to a URL that already has some, encoded, keeping the fragment', () => {
    const request = buildHttpRequest({ method: 'get', url: 'https://x.example/a?b=1#top', query: { q: 'a b&c', id: [1, 2] } }, 'strict');

    assert.equal(request.method, 'GET');
    assert.equal(request.url, 'https://x.example/a?b=1&q=a+b%26c&id=1&id=2#top');
  });

  it('builds the redacted copy even when a secret hides the whole URL', () => {
    const request = buildHttpRequest({ url: '[secret]/labels', query: { key: '[secret]' } }, 'lenient');

    assert.equal(request.url, '[secret]/labels?key=%5Bsecret%5D');
  });

  it('reads a signing secret or a list of them', () => {
    assert.deepEqual(buildHttpRequest({ url: URL_, sign: { secret: 'whsec_a' } }, 'strict').signingSecrets, ['whsec_a']);
    assert.deepEqual(buildHttpRequest({ url: URL_, sign: { secret: ['old', 'new'] } }, 'strict').signingSecrets, ['old', 'new']);
  });

  it('refuses values of the wrong type or shape', () => {
    const cases: Array<[Record<string, unknown>, RegExp]> = [
      [{ url: 42 }, /`with\.url` must be a string, got a number/],
      [{ url: 'ftp://files.example/x' }, /http:\/\/ or https:\/\//],
      [{ url: 'not a url' }, /`with\.url` is not a valid URL/],
      [{ url: URL_, method: 'FETCH' }, /`with\.method` must be one of/],
      [{ url: URL_, method: 'GET', body: { a: 1 } }, /a GET request cannot have a body/],
      [{ url: URL_, headers: { 'X-Note': 'a\r\nInjected: yes' } }, /contains a line break/],
      [{ url: URL_, headers: { 'X-Obj': { a: 1 } } }, /`with\.headers\.X-Obj` must be a plain value/],
      [{ url: URL_, query: 'a=1' }, /`with\.query` must be a map, got a string/],
      [{ url: URL_, sign: { secret: '' } }, /`with\.sign\.secret` is empty/],
    ];
    for (const [input, message] of cases) {
      assert.throws(
        () => buildHttpRequest(input, 'strict'),
        (error: unknown) => error instanceof InvalidStepInputError && message.test(error.message),
      );
    }
  });
});
