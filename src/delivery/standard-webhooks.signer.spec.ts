import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Webhook } from 'standardwebhooks';
import { DomainError } from '../common/domain-error';
import { signStandardWebhook } from './standard-webhooks.signer';

const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const OTHER = 'whsec_c2Vjb25kIHNpZ25pbmcga2V5IGZvciByb3RhdGlvbg==';
const BODY = '{"type":"order.paid","order":{"id":42}}';

describe('signStandardWebhook', () => {
  it('produces headers the standardwebhooks library verifies', () => {
    const headers = signStandardWebhook([SECRET], 'msg_1', new Date(), BODY);
    assert.deepEqual(new Webhook(SECRET).verify(BODY, headers), JSON.parse(BODY));
  });

  it('matches the library signature byte for byte, with Unix seconds as the timestamp', () => {
    const at = new Date('2026-03-01T12:00:00.900Z');
    const headers = signStandardWebhook([SECRET], 'msg_1', at, BODY);
    assert.equal(headers['webhook-timestamp'], String(Math.floor(at.getTime() / 1000)));
    assert.equal(headers['webhook-signature'], new Webhook(SECRET).sign('msg_1', at, BODY));
    assert.equal(headers['webhook-id'], 'msg_1');
  });

  it('accepts a raw base64 secret as well as whsec_', () => {
    const at = new Date();
    assert.deepEqual(signStandardWebhook([SECRET.slice(6)], 'msg_1', at, BODY), signStandardWebhook([SECRET], 'msg_1', at, BODY));
  });

  it('signs once per secret, space separated, so either key verifies during rotation', () => {
    const headers = signStandardWebhook([SECRET, OTHER], 'msg_1', new Date(), BODY);
    assert.equal(headers['webhook-signature'].split(' ').length, 2);
    new Webhook(SECRET).verify(BODY, headers);
    new Webhook(OTHER).verify(BODY, headers);
    assert.throws(() => new Webhook('whsec_dW5yZWxhdGVkIGtleQ==').verify(BODY, headers));
  });

  it('rejects a secret that is not base64 without echoing it', () => {
    assert.throws(
      () => signStandardWebhook(['hunter2 is my password'], 'msg_1', new Date(), BODY),
      (error: unknown) => error instanceof DomainError && error.code === 'INVALID_SIGNING_SECRET' && !error.message.includes('hunter2'),
    );
    assert.throws(() => signStandardWebhook([], 'msg_1', new Date(), BODY), DomainError);
  });
});
