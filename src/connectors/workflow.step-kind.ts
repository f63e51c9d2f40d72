import { Injectable } from '@nestjs/common';
import { Connector, PlannedRequest, StepExecutionContext, StepOutcome } from './connector';
import { failOnInvalidInput, InvalidStepInputError } from './invalid-step-input.error';
import { planDetail, prettyJson } from './plan-text';
import { declareStepKind, StepWithFields } from './step-kind';
import { StepInput } from './step-input';

/**
 * `workflow`: asks the engine to start another workflow with a synthetic event, and with
 * `wait: true` to wait for that run's `output`. The event is stored like any other, so it and
 * its `dedupe_key` are made from the redacted input: a secret reaches the child as `[secret]`,
 * and the child reads the secrets it needs itself.
 */
@Injectable()
export class WorkflowConnector implements Connector {
  execute(input: Record<string, unknown>, redactedInput: Record<string, unknown>, context: StepExecutionContext): Promise<StepOutcome> {
    return failOnInvalidInput(() => {
      const { name } = readTarget(input);
      const { event, wait, dedupeKey } = readTarget(redactedInput);
      return { kind: 'start-workflow', workflow: name, event, wait, dedupeKey, idempotencyKey: context.idempotencyKey };
    });
  }

  plan(redactedInput: Record<string, unknown>, _context?: Pick<StepExecutionContext, 'now'>): PlannedRequest {
    const { name, event, wait, dedupeKey } = readTarget(redactedInput);
    const summary = `start workflow ${name}${dedupeKey === null ? '' : ` unless key ${dedupeKey} was seen`}${wait ? ' and wait for its output' : ''}`;
    return { kind: 'workflow', summary, detail: { workflow: name, event, ...(wait && { wait }), ...(dedupeKey !== null && { dedupe_key: dedupeKey }) } };
  }
}

function readTarget(input: Record<string, unknown>): { name: string; event: unknown; wait: boolean; dedupeKey: string | null } {
  const values = new StepInput(input);
  const name = values.string('name');
  if (name.trim() === '') throw new InvalidStepInputError('`with.name` is empty');
  return { name, event: input.event ?? {}, wait: input.wait === true, dedupeKey: dedupeKeyOf(values.raw('dedupe_key')) };
}

function dedupeKeyOf(value: unknown): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string' && !(typeof value === 'number' && Number.isFinite(value))) {
    throw new InvalidStepInputError(`\`with.dedupe_key\` must render a string, got ${Array.isArray(value) ? 'a list' : typeof value}`);
  }
  const key = String(value);
  if (key.trim() === '') throw new InvalidStepInputError('`with.dedupe_key` rendered empty');
  return key;
}

const NAME = /^[a-z0-9_-]{1,64}$/;

function validate(fields: StepWithFields): void {
  const name = fields.require('name') ? fields.string('name') : undefined;
  if (name !== undefined && !fields.isTemplate(name) && !NAME.test(name)) {
    fields.report('name', '`with.name` must be a workflow name (lower-case letters, digits, - and _)');
  }
  // Whether the step waits decides how the run is planned: it is never a template.
  for (const { value, at } of fields.has('wait') ? fields.scalars('wait') : []) {
    if (typeof value !== 'boolean') fields.reportAt(at, '`with.wait` must be true or false (not a template)');
  }
  fields.string('dedupe_key');
}

export const workflowStepKind = declareStepKind({
  kind: 'workflow',
  article: 'a',
  title: 'Start workflow',
  icon: 'workflow',
  description: 'Starts another workflow with a synthetic event made from `event`; with `wait`, answers its output.',
  order: 60,
  withSchema: {
    type: 'object',
    additionalProperties: false,
    required: ['name'],
    properties: {
      name: { type: 'string', description: 'The workflow to start.', examples: ['ship-order'] },
      event: { default: {}, description: 'The body of the event it starts with; secrets reach it as [secret].' },
      wait: {
        type: 'boolean',
        default: false,
        description: "Wait (holding no worker) for the run to end; the step's output is then that run's `output`, and the step fails if the run fails.",
      },
      dedupe_key: {
        type: 'string',
        description: "Start nothing when an event of the workflow's own source, or an earlier start of it, has this key.",
        examples: ['order-{{event.body.order.id}}'],
      },
    },
  },
  outputSchema: {
    type: 'object',
    description: "Without `wait`; with `wait`, the started run's `output` once it succeeds (this, when the workflow declares no `output`).",
    properties: {
      workflow: { type: 'string', description: 'The workflow started.' },
      started: { type: 'boolean', description: 'False when `dedupe_key` was seen before: nothing started.' },
      event_id: { type: 'string', format: 'uuid', description: 'The synthetic event it started with.' },
      run_id: { type: ['string', 'null'], format: 'uuid', description: 'The run it started; null when its trigger did not match.' },
      duplicate_of: { type: 'string', format: 'uuid', description: 'When nothing started: the event that had the same dedupe key.' },
    },
  },
  hasEffects: false,
  validate,
  describePlan: (plan) => {
    const detail = planDetail(plan.detail);
    const waits = detail.wait === true ? "\nIts output is unknown in a dry run: only the started run's `output` gives it." : '';
    return `${plan.summary} with the event body:\n${prettyJson(detail.event)}${waits}`;
  },
  connector: WorkflowConnector,
});
