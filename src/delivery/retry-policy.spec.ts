import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_RETRY, RetryDefinition } from '../workflows/workflow.types';
import { parseRetryAfter, RetryPolicy } from './retry-policy';

const HOUR = 3_600_000;
const exponential = (overrides: Partial<RetryDefinition> = {}): RetryDefinition => ({ ...DEFAULT_RETRY, ...overrides });

function schedule(policy: RetryPolicy, retry: RetryDefinition): (number | null)[] {
  return Array.from({ length: retry.attempts }, (_, index) => policy.nextDelayMs(retry, index + 1));
}

describe(RetryPolicy.name, () => {
  it('doubles the delay from the initial value, up to the attempts allowed', () => {
    assert.deepEqual(schedule(new RetryPolicy(() => 1), exponential()), [2_000, 4_000, 8_000, 16_000, 32_000, null]);
  });

  it('draws each exponential delay from [base / 2, base] (equal jitter)', () => {
    const retry = exponential({ attempts: 10 });
    assert.deepEqual(schedule(new RetryPolicy(() => 0), retry).slice(0, 3), [1_000, 2_000, 4_000]);
    assert.equal(new RetryPolicy(() => 0.5).nextDelayMs(retry, 3), 6_000);
    for (let sample = 0; sample < 200; sample++) {
      const delay = new RetryPolicy().nextDelayMs(retry, 4) as number;
      assert.ok(delay >= 8_000 && delay <= 16_000, `${delay}`);
    }
  });

  it('never waits longer than max, however many attempts failed', () => {
    const retry = exponential({ attempts: 100, initialMs: 5_000, maxMs: HOUR });
    assert.equal(new RetryPolicy(() => 1).nextDelayMs(retry, 11), HOUR);
    assert.equal(new RetryPolicy(() => 1).nextDelayMs(retry, 99), HOUR);
    assert.equal(new RetryPolicy(() => 0).nextDelayMs(retry, 99), HOUR / 2);
  });

  it('waits initial every time with fixed backoff', () => {
    const retry: RetryDefinition = { attempts: 4, backoff: 'fixed', initialMs: 3_000, maxMs: HOUR };
    assert.deepEqual(schedule(new RetryPolicy(() => 0.3), retry), [3_000, 3_000, 3_000, null]);
  });

  it('waits at least Retry-After before the next attempt', () => {
    const policy = new RetryPolicy(() => 0);
    assert.equal(policy.nextDelayMs(exponential(), 1, 7_000), 7_000);
    assert.equal(policy.nextDelayMs(exponential(), 1, 500), 1_000, 'a shorter Retry-After does not shorten the backoff');
    assert.equal(policy.nextDelayMs({ attempts: 3, backoff: 'fixed', initialMs: 1_000, maxMs: HOUR }, 1, 30_000), 30_000);
  });

  it('caps Retry-After at the step maximum', () => {
    assert.equal(new RetryPolicy(() => 0).nextDelayMs(exponential({ maxMs: 60_000 }), 1, 2 * HOUR), 60_000);
  });

  it('gives up once the attempts are used, whatever Retry-After says', () => {
    assert.equal(new RetryPolicy().nextDelayMs(exponential({ attempts: 2 }), 2, 1_000), null);
    assert.equal(new RetryPolicy().nextDelayMs(exponential({ attempts: 1 }), 1), null);
  });

  it('retries 408, 409, 425, 429 and 5xx but no other status', () => {
    const policy = new RetryPolicy();
    const retryable = [400, 401, 403, 404, 408, 409, 410, 422, 425, 429, 500, 502, 503, 599].filter((status) => policy.isRetryableStatus(status));
    assert.deepEqual(retryable, [408, 409, 425, 429, 500, 502, 503, 599]);
  });
});

describe('parseRetryAfter', () => {
  const now = new Date('2026-03-01T12:00:00Z');

  it('reads delta seconds', () => {
    assert.equal(parseRetryAfter('7', now), 7_000);
    assert.equal(parseRetryAfter(' 120 ', now), 120_000);
    assert.equal(parseRetryAfter('0', now), 0);
  });

  it('reads an HTTP date relative to now, and a past date as no wait', () => {
    assert.equal(parseRetryAfter('Sun, 01 Mar 2026 12:00:30 GMT', now), 30_000);
    assert.equal(parseRetryAfter('Sun, 01 Mar 2026 11:00:00 GMT', now), 0);
  });

  it('ignores missing and malformed values', () => {
    for (const value of [undefined, '', '-5', '1.5', 'soon', '10 seconds']) assert.equal(parseRetryAfter(value, now), undefined, String(value));
  });
});
