import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { StepOutcome } from '../connectors/connector';
import { breakerVerdict, DestinationView, isBreakerFailure, openingReason, WAIT_BACKSTOP_MS } from './breaker';
import { DEFAULT_BREAKER } from './destination-policy';

const now = new Date('2026-12-03T12:00:00Z');
const ago = (ms: number) => new Date(now.getTime() - ms);
const view = (overrides: Partial<DestinationView>): DestinationView => ({
  id: 'https://api.example.com',
  state: 'closed',
  heldManually: false,
  consecutiveFailures: 0,
  openedAt: null,
  probeAt: null,
  probeUntil: null,
  version: 1,
  ...overrides,
});
const failed = (status: number | undefined, retryable = true): StepOutcome => ({
  kind: 'failed',
  error: status ? `HTTP ${status}` : 'connect ECONNREFUSED',
  retryable,
  attempt: { request: { method: 'POST', url: 'https://api.example.com/', headers: {} }, status, durationMs: 5 },
});

describe('breakerVerdict', () => {
  it('lets a step through a destination it knows nothing of, or a closed one', () => {
    assert.deepEqual(breakerVerdict(undefined, DEFAULT_BREAKER, now), { kind: 'pass' });
    assert.deepEqual(breakerVerdict(view({ consecutiveFailures: 4 }), DEFAULT_BREAKER, now), { kind: 'pass' });
  });

  it('holds a step while open, until a backstop, saying since when and when the probe is', () => {
    const verdict = breakerVerdict(
      view({ state: 'open', consecutiveFailures: 5, openedAt: ago(10_000), probeAt: new Date(now.getTime() + 20_000) }),
      DEFAULT_BREAKER,
      now,
    );
    assert.equal(verdict.kind, 'wait');
    assert.equal(verdict.kind === 'wait' && verdict.until.getTime(), now.getTime() + WAIT_BACKSTOP_MS);
    assert.match(
      verdict.kind === 'wait' ? verdict.reason : '',
      /circuit is open since 2026-12-03T11:59:50.000Z after 5 failures; next probe at 2026-12-03T12:00:20.000Z/,
    );
  });

  it('offers the probe once it is due, or once a half-open probe outlived its hold', () => {
    assert.deepEqual(breakerVerdict(view({ state: 'open', openedAt: ago(60_000), probeAt: now }), DEFAULT_BREAKER, now), { kind: 'probe' });
    assert.deepEqual(breakerVerdict(view({ state: 'half_open', openedAt: ago(60_000), probeUntil: ago(1) }), DEFAULT_BREAKER, now), { kind: 'probe' });
    assert.equal(
      breakerVerdict(view({ state: 'half_open', openedAt: ago(60_000), probeUntil: new Date(now.getTime() + 1) }), DEFAULT_BREAKER, now).kind,
      'wait',
    );
  });

  it('never probes a circuit opened by hand', () => {
    const verdict = breakerVerdict(
      view({ state: 'open', heldManually: true, openedAt: ago(DEFAULT_BREAKER.disableAfterMs * 2), probeAt: null }),
      DEFAULT_BREAKER,
      now,
    );
    assert.equal(verdict.kind, 'wait');
  });

  it('disables a destination open longer than disable_after, and fails steps for a disabled one', () => {
    const stale = view({ state: 'open', openedAt: ago(DEFAULT_BREAKER.disableAfterMs), probeAt: ago(1) });
    assert.deepEqual(breakerVerdict(stale, DEFAULT_BREAKER, now), { kind: 'disable' });
    const verdict = breakerVerdict(view({ state: 'disabled' }), DEFAULT_BREAKER, now);
    assert.equal(verdict.kind, 'fail');
    assert.match(verdict.kind === 'fail' ? verdict.reason : '', /is disabled.*POST \/api\/destinations\/:id\/enable/);
  });
});

describe('openingReason', () => {
  const policy = { ...DEFAULT_BREAKER, consecutiveFailures: 3, failureRate: 0.5, minimumAttempts: 10 };

  it('opens on the configured run of consecutive failures', () => {
    assert.equal(openingReason(view({ consecutiveFailures: 2 }), policy), undefined);
    assert.equal(openingReason(view({ consecutiveFailures: 3 }), policy), '3 consecutive failures');
  });

  it('opens on a failure rate once the window holds enough attempts', () => {
    assert.equal(openingReason(view({ consecutiveFailures: 1 }), policy, { successes: 4, failures: 5 }), undefined, 'too few attempts');
    assert.equal(openingReason(view({ consecutiveFailures: 1 }), policy, { successes: 6, failures: 5 }), undefined, 'under the rate');
    assert.equal(openingReason(view({ consecutiveFailures: 1 }), policy, { successes: 5, failures: 5 }), '5 of 10 attempts failed in the last 5 min');
  });
});

describe('isBreakerFailure', () => {
  it('counts no answer, 5xx and 408 against the destination; answers of a receiver that is up do not', () => {
    assert.equal(isBreakerFailure(failed(undefined)), true);
    assert.equal(isBreakerFailure(failed(503)), true);
    assert.equal(isBreakerFailure(failed(408)), true);
    assert.equal(isBreakerFailure(failed(429)), false);
    assert.equal(isBreakerFailure(failed(400, false)), false);
    assert.equal(isBreakerFailure(failed(409)), false);
    assert.equal(isBreakerFailure({ kind: 'succeeded', output: {} }), false);
    assert.equal(isBreakerFailure({ kind: 'failed', error: 'bad input', retryable: false }), false);
  });
});
