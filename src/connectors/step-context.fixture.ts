import type { StepExecutionContext } from './connector';

/** A step context for connector tests; the clock is fixed unless `now` is given. */
export function stepContext(overrides: Partial<StepExecutionContext> = {}): StepExecutionContext {
  const now = new Date('2030-01-31T09:00:00.000Z');
  return {
    workflow: 'order-paid',
    runId: '7f1c2d9e-0000-4000-8000-000000000001',
    stepId: 'notify',
    attempt: 1,
    idempotencyKey: 'run-7f1c2d9e.notify',
    signal: new AbortController().signal,
    now: () => now,
    ...overrides,
  };
}
