import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_BREAKER, DestinationPolicies } from './destination-policy';

const perSecond = (attempts: number) => ({ attempts, perMs: 1_000, text: `${attempts}/s` });

describe(DestinationPolicies.name, () => {
  it('gives every destination the default breaker and no rate limit without settings', () => {
    assert.deepEqual(new DestinationPolicies().of('https://api.example.com'), { breaker: DEFAULT_BREAKER, rateLimit: undefined });
  });

  it('layers the file defaults and the first matching rule over the built-in defaults, key by key', () => {
    const policies = new DestinationPolicies({
      defaults: { breaker: { coolDownMs: 5_000 }, rateLimit: perSecond(100) },
      rules: [
        { match: 'https://*.example.com', breaker: { consecutiveFailures: 9 }, rateLimit: perSecond(2) },
        { match: 'https://api.example.com', rateLimit: perSecond(1) },
        { match: 'smtp', breaker: 'off' },
      ],
    });
    assert.deepEqual(policies.of('https://api.example.com'), {
      breaker: { ...DEFAULT_BREAKER, coolDownMs: 5_000, consecutiveFailures: 9 },
      rateLimit: perSecond(2),
    });
    assert.deepEqual(policies.of('http://127.0.0.1:8080'), { breaker: { ...DEFAULT_BREAKER, coolDownMs: 5_000 }, rateLimit: perSecond(100) });
    assert.deepEqual(policies.of('smtp'), { breaker: undefined, rateLimit: perSecond(100) });
  });

  it('matches an origin exactly, a trailing slash aside, and globs port by port', () => {
    const policies = new DestinationPolicies({
      defaults: {},
      rules: [
        { match: 'https://hooks.slack.com', rateLimit: perSecond(1) },
        { match: 'http://127.0.0.1:*', rateLimit: perSecond(5) },
      ],
    });
    assert.equal(policies.of('https://hooks.slack.com').rateLimit?.attempts, 1);
    assert.equal(policies.of('https://hooks.slack.com.evil.example').rateLimit, undefined);
    assert.equal(policies.of('http://127.0.0.1:9000').rateLimit?.attempts, 5);
    assert.equal(policies.of('http://127.0.0.2:9000').rateLimit, undefined);
  });

  it('turns a breaker that the defaults switch off back on for a rule that sets it', () => {
    const policies = new DestinationPolicies({ defaults: { breaker: 'off' }, rules: [{ match: 'smtp', breaker: { consecutiveFailures: 2 } }] });
    assert.equal(policies.of('https://api.example.com').breaker, undefined);
    assert.deepEqual(policies.of('smtp').breaker, { ...DEFAULT_BREAKER, consecutiveFailures: 2 });
  });
});
