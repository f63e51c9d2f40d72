import { Injectable } from '@nestjs/common';
import { MAX_WAIT, parseDuration } from '../workflows/duration';
import { parseIsoTime } from '../workflows/iso-time';
import { Connector, PlannedRequest, StepExecutionContext, StepOutcome } from './connector';
import { failOnInvalidInput, InvalidStepInputError } from './invalid-step-input.error';
import { planDetail } from './plan-text';
import { declareStepKind, StepWithFields } from './step-kind';
import { describe } from './step-input';

/**
 * `delay`: `{ for: 10m }` (or a number of milliseconds) or `{ until: <ISO time> }`, at most
 * `MAX_WAIT` ahead. The engine stores the wake-up time, so the wait survives restarts; a
 * time already past means "continue now". Both may come from an event, so every other
 * value (negative, not finite, too far, unreadable) fails the step.
 */
@Injectable()
export class DelayConnector implements Connector {
  execute(input: Record<string, unknown>, _redacted: Record<string, unknown>, context: StepExecutionContext): Promise<StepOutcome> {
    return failOnInvalidInput(() => ({ kind: 'wait', until: wakeUpTime(input, context.now()) }));
  }

  plan(redactedInput: Record<string, unknown>, context: Pick<StepExecutionContext, 'now'>): PlannedRequest {
    const until = wakeUpTime(redactedInput, context.now());
    const duration = typeof redactedInput.for === 'number' ? `${redactedInput.for}ms` : String(redactedInput.for);
    const summary = redactedInput.for !== undefined ? `wait ${duration}` : `wait until ${until.toISOString()}`;
    return { kind: 'delay', summary, detail: { until: until.toISOString() } };
  }
}

/** The workflow has exactly one of the two keys (validated at load); null is what a template rendered. */
function wakeUpTime(input: Record<string, unknown>, now: Date): Date {
  const given = (['for', 'until'] as const).filter((key) => input[key] !== undefined);
  if (given.length !== 1) throw new InvalidStepInputError('a delay step needs exactly one of `with.for` and `with.until`');
  return given[0] === 'for' ? new Date(now.getTime() + durationMs(input.for)) : untilTime(input.until, now);
}

function durationMs(value: unknown): number {
  const ms = typeof value === 'number' ? value : typeof value === 'string' ? parseDuration(value) : undefined;
  if (ms === undefined || !Number.isFinite(ms) || ms < 0) {
    throw new InvalidStepInputError(`\`with.for\` must be a duration such as 500ms, 15s, 5m, 1h or 1d, or a number of milliseconds, got ${shown(value)}`);
  }
  if (ms > MAX_WAIT.ms) throw new InvalidStepInputError(`\`with.for\` must be at most ${MAX_WAIT.text}, got ${shown(value)}`);
  return ms;
}

function untilTime(value: unknown, now: Date): Date {
  const time = typeof value === 'string' ? parseIsoTime(value) : value instanceof Date && !Number.isNaN(value.getTime()) ? value : undefined;
  if (time === undefined) {
    throw new InvalidStepInputError(`\`with.until\` must be an ISO 8601 time such as 2030-01-31T09:00:00Z, got ${shown(value)}`);
  }
  if (time.getTime() - now.getTime() > MAX_WAIT.ms) {
    throw new InvalidStepInputError(`\`with.until\` must be at most ${MAX_WAIT.text} from now, got ${shown(value)}`);
  }
  return time.getTime() < now.getTime() ? now : time;
}

function shown(value: unknown): string {
  if (typeof value === 'string') return `"${value.slice(0, 40)}"`;
  return typeof value === 'number' ? String(value) : describe(value);
}

function validate(fields: StepWithFields): void {
  if (fields.has('for') === fields.has('until')) {
    fields.report(fields.has('until') ? 'until' : undefined, 'a delay step needs exactly one of `with.for` and `with.until`');
  }
  const duration = fields.string('for');
  if (duration !== undefined && !fields.isTemplate(duration)) {
    const ms = parseDuration(duration);
    if (ms === undefined) fields.report('for', '`with.for` must be a duration such as 500ms, 15s, 5m, 1h or 1d');
    else if (ms > MAX_WAIT.ms) fields.report('for', `\`with.for\` must be at most ${MAX_WAIT.text}`);
  }
  const until = fields.string('until');
  if (until !== undefined && !fields.isTemplate(until) && parseIsoTime(until) === undefined) {
    fields.report('until', '`with.until` must be an ISO 8601 time such as 2030-01-31T09:00:00Z');
  }
}

export const delayStepKind = declareStepKind({
  kind: 'delay',
  article: 'a',
  title: 'Delay',
  icon: 'clock',
  description: `Waits for a duration or until a time (at most ${MAX_WAIT.text} ahead); the wait survives restarts.`,
  order: 50,
  withSchema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      for: { type: 'string', description: 'How long to wait, such as 500ms, 15s, 5m, 1h or 1d. Not with `until`.', examples: ['10m'] },
      until: { type: 'string', format: 'date-time', description: 'An ISO 8601 time to wait for. Not with `for`.', examples: ['2030-01-31T09:00:00Z'] },
    },
  },
  outputSchema: {
    type: 'object',
    properties: { until: { type: 'string', format: 'date-time', description: 'When the wait ended.' } },
  },
  hasEffects: false,
  validate,
  describePlan: (plan) => `${plan.summary} (until ${String(planDetail(plan.detail).until)})`,
  connector: DelayConnector,
});
