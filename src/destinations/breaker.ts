import { StepOutcome } from '../connectors/connector';
import { BreakerPolicy } from './destination-policy';
import { DestinationState } from './destination.entity';

/** What a process knows of a destination's shared state (see `INTERESTING_DESTINATIONS`). */
export interface DestinationView {
  id: string;
  state: DestinationState;
  heldManually: boolean;
  consecutiveFailures: number;
  openedAt: Date | null;
  probeAt: Date | null;
  probeUntil: Date | null;
  version: number;
}

/**
 * How long a step held back by an open circuit sleeps at most. It is woken sooner when the
 * circuit closes, or, when it has waited longest, to make the probe; this only bounds the
 * wait should those wake-ups be lost.
 */
export const WAIT_BACKSTOP_MS = 5 * 60_000;

export type BreakerVerdict =
  | { kind: 'pass' }
  /** The probe is due: the step may take it (`TAKE_PROBE`), or waits if another process did. */
  | { kind: 'probe' }
  | { kind: 'wait'; until: Date; reason: string }
  /** Open past `disable_after`: to be disabled, and the step fails. */
  | { kind: 'disable' }
  | { kind: 'fail'; reason: string };

const PASS: BreakerVerdict = Object.freeze({ kind: 'pass' });

/** Whether a step for the destination may make its attempt now, by the circuit breaker alone. */
export function breakerVerdict(view: DestinationView | undefined, policy: BreakerPolicy | undefined, now: Date): BreakerVerdict {
  if (!view || view.state === 'closed') return PASS;
  if (view.state === 'disabled') {
    return {
      kind: 'fail',
      reason: `${view.id} is disabled: its circuit stayed open too long. Enable it in the console or with POST /api/destinations/:id/enable`,
    };
  }
  const until = new Date(now.getTime() + WAIT_BACKSTOP_MS);
  if (view.heldManually) return { kind: 'wait', until, reason: `waiting for ${view.id}: its circuit was opened by hand` };
  // `breaker: off` since it opened: it no longer holds anything back, once a probe closes it.
  if (policy && view.openedAt && now.getTime() - view.openedAt.getTime() >= policy.disableAfterMs) return { kind: 'disable' };
  const probeDue = view.state === 'open' ? view.probeAt !== null && view.probeAt <= now : view.probeUntil !== null && view.probeUntil < now;
  if (probeDue) return { kind: 'probe' };
  const since = view.openedAt ? ` since ${view.openedAt.toISOString()}` : '';
  const next = view.state === 'open' && view.probeAt ? `; next probe at ${view.probeAt.toISOString()}` : '; a probe is in flight';
  return { kind: 'wait', until, reason: `waiting for ${view.id}: its circuit is open${since} after ${view.consecutiveFailures} failures${next}` };
}

/** Why a closed destination should open after a failure, or undefined. */
export function openingReason(view: DestinationView, policy: BreakerPolicy, window?: { successes: number; failures: number }): string | undefined {
  if (view.consecutiveFailures >= policy.consecutiveFailures) return `${view.consecutiveFailures} consecutive failures`;
  if (!window) return undefined;
  const attempts = window.successes + window.failures;
  if (attempts >= policy.minimumAttempts && window.failures / attempts >= policy.failureRate) {
    return `${window.failures} of ${attempts} attempts failed in the last ${policy.windowMs / 60_000} min`;
  }
  return undefined;
}

/**
 * Whether an attempt says the destination is unwell: no answer (refused, reset, timed out)
 * or a 5xx or 408. Other answers — 4xx, and 429, which the rate limit handles — come from
 * a receiver that is up.
 */
export function isBreakerFailure(outcome: StepOutcome): boolean {
  if (outcome.kind !== 'failed' || !outcome.retryable || !outcome.attempt) return false;
  const status = outcome.attempt.status;
  return status === undefined || status >= 500 || status === 408;
}
