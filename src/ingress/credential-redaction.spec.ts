import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CredentialRedaction } from './credential-redaction';

const CREDENTIAL_HEADERS = [
  'authorization',
  'proxy-authorization',
  'cookie',
  'x-api-key',
  'x-shop-access-token',
  'x-gitlab-token',
  'x-hook-secret',
  'x-hub-signature-256',
  'stripe-signature',
  'webhook-signature',
  'x-shopify-hmac-sha256',
  'x-slack-signature',
  'x-amz-security-token',
  'x-auth',
  'x-csrf-token',
  'x-session-id',
  'x-client-credential',
  'x-private-key',
];
const HARMLESS_HEADERS = [
  'content-type',
  'user-agent',
  'x-github-event',
  'x-github-delivery',
  'x-shopify-topic',
  'x-shopify-webhook-id',
  'x-event-key',
  'idempotency-key',
  'webhook-id',
  'webhook-timestamp',
  'x-slack-request-timestamp',
  'x-request-id',
  'x-author',
];

describe(CredentialRedaction.name, () => {
  it('redacts headers whose names look like credentials and keeps the others', () => {
    const headers = Object.fromEntries([...CREDENTIAL_HEADERS, ...HARMLESS_HEADERS].map((name) => [name, `value of ${name}`]));
    const stored = new CredentialRedaction().headers(headers);
    for (const name of CREDENTIAL_HEADERS) assert.equal(stored[name], '[secret]', name);
    for (const name of HARMLESS_HEADERS) assert.equal(stored[name], `value of ${name}`, name);
  });

  it('redacts query parameters by the same rule, in any spelling, and keeps the rest of the string byte for byte', () => {
    const redaction = new CredentialRedaction();
    assert.equal(
      redaction.query('token=t0k&page=2&api_key=k&accessToken=a&sig=s%2F1&author=me&flag&access%5Ftoken=x&q=a+b%20c&client+secret=c'),
      'token=[secret]&page=2&api_key=[secret]&accessToken=[secret]&sig=[secret]&author=me&flag&access%5Ftoken=[secret]&q=a+b%20c&client+secret=[secret]',
    );
    assert.equal(redaction.query('TOKEN=1&token=2&pwd=3&password=4'), 'TOKEN=[secret]&token=[secret]&pwd=[secret]&password=[secret]');
    assert.equal(redaction.query(''), '');
    assert.equal(redaction.query('%E0%A4%A=1&x=%ff'), '%E0%A4%A=1&x=%ff', 'names that do not decode are kept as they are');
  });

  it('redacts the names a source lists, in any case, in headers and the query string', () => {
    const redaction = new CredentialRedaction(['X-Shop-Id', 'ORDER_REF']);
    assert.deepEqual(redaction.headers({ 'x-shop-id': '123', 'x-shop-topic': 'orders' }), { 'x-shop-id': '[secret]', 'x-shop-topic': 'orders' });
    assert.equal(redaction.query('order_ref=R-1&Order_Ref=R-2&x-shop-id=5&order=1'), 'order_ref=[secret]&Order_Ref=[secret]&x-shop-id=[secret]&order=1');
  });

  it('drops a __proto__ header instead of setting a prototype', () => {
    const stored = new CredentialRedaction().headers(JSON.parse('{"__proto__":"polluted","a":"1"}'));
    assert.deepEqual(Object.keys(stored), ['a']);
    assert.equal(Object.getPrototypeOf(stored), Object.prototype);
  });
});
