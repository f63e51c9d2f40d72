import type { DeliveryResult } from '../delivery/delivery-result';
import type { StepOutcome } from './connector';

/** Maps what the delivery client saw onto the step: delivered succeeds, anything else fails. */
export function outcomeFromDelivery(result: DeliveryResult, output: unknown): StepOutcome {
  if (result.outcome === 'delivered') return { kind: 'succeeded', output, attempt: result.record };
  return {
    kind: 'failed',
    error: result.error ?? (result.status === undefined ? 'request failed' : `HTTP ${result.status}`),
    retryable: result.retryable,
    retryAfterMs: result.retryAfterMs,
    attempt: result.record,
  };
}
