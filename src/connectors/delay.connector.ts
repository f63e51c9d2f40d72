import { Injectable } from '@nestjs/common';
import { parseDuration } from '../workflows/duration';
import { Connector, PlannedRequest, StepExecutionContext, StepOutcome } from './connector';
import { failOnInvalidInput, InvalidStepInputError } from './invalid-step-input.error';
import { describe } from './step-input';

/**
 * `delay`: `{ for: 10m }` (or a number of milliseconds) or `{ until: <ISO time> }`. The
 * engine stores the wake-up time, so the wait survives restarts; a time already past
 * means "continue now".
 */
@Injectable()
export class DelayConnector implements Connector {
  readonly kind = 'delay' as const;

  execute(input: Record<string, unknown>, _redacted: Record<string, unknown>, context: StepExecutionContext): Promise<StepOutcome> {
    return failOnInvalidInput(() => ({ kind: 'wait', until: wakeUpTime(input, context.now()) }));
  }

  plan(redactedInput: Record<string, unknown>, context: Pick<StepExecutionContext, 'now'>): PlannedRequest {
    const until = wakeUpTime(redactedInput, context.now());
    const duration = typeof redactedInput.for === 'number' ? `${redactedInput.for}ms` : String(redactedInput.for);
    const summary = redactedInput.for !== undefined && redactedInput.for !== null ? `wait ${duration}` : `wait until ${until.toISOString()}`;
    return { kind: 'delay', summary, detail: { until: until.toISOString() } };
  }
}

function wakeUpTime(input: Record<string, unknown>, now: Date): Date {
  const hasFor = input.for !== undefined && input.for !== null;
  const hasUntil = input.until !== undefined && input.until !== null;
  if (hasFor === hasUntil) throw new InvalidStepInputError('a delay step needs exactly one of `with.for` and `with.until`');
  if (hasFor) return new Date(now.getTime() + durationMs(input.for));
  const until = untilTime(input.until);
  return until.getTime() < now.getTime() ? now : until;
}

function durationMs(value: unknown): number {
  if (typeof value === 'number' && Number.isFinite(value) && value >= 0) return value;
  const parsed = typeof value === 'string' ? parseDuration(value) : undefined;
  if (parsed === undefined) {
    const got = typeof value === 'string' ? `"${value.slice(0, 40)}"` : describe(value);
    throw new InvalidStepInputError(`\`with.for\` must be a duration such as 500ms, 15s, 5m, 1h or 1d, or a number of milliseconds, got ${got}`);
  }
  return parsed;
}

function untilTime(value: unknown): Date {
  const time = typeof value === 'string' ? new Date(value) : value instanceof Date ? value : undefined;
  if (time === undefined || Number.isNaN(time.getTime())) {
    const got = typeof value === 'string' ? `"${value.slice(0, 40)}"` : describe(value);
    throw new InvalidStepInputError(`\`with.until\` must be an ISO 8601 time such as 2030-01-31T09:00:00Z, got ${got}`);
  }
  return time;
}
