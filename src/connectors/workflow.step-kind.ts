import { Injectable } from '@nestjs/common';
import { Connector, PlannedRequest, StepExecutionContext, StepOutcome } from './connector';
import { failOnInvalidInput, InvalidStepInputError } from './invalid-step-input.error';
import { planDetail, prettyJson } from './plan-text';
import { declareStepKind, StepWithFields } from './step-kind';
import { StepInput } from './step-input';

/**
 * `workflow`: asks the engine to start another workflow with a synthetic event. That event is
 * stored like any other, so it is made from the redacted input: a secret reaches the child
 * as `[secret]`, and the child reads the secrets it needs itself.
 */
@Injectable()
export class WorkflowConnector implements Connector {
  execute(input: Record<string, unknown>, redactedInput: Record<string, unknown>, _context: StepExecutionContext): Promise<StepOutcome> {
    return failOnInvalidInput(() => {
      const { name } = readTarget(input);
      return { kind: 'start-workflow', workflow: name, event: readTarget(redactedInput).event };
    });
  }

  plan(redactedInput: Record<string, unknown>, _context?: Pick<StepExecutionContext, 'now'>): PlannedRequest {
    const { name, event } = readTarget(redactedInput);
    return { kind: 'workflow', summary: `start workflow ${name}`, detail: { workflow: name, event } };
  }
}

function readTarget(input: Record<string, unknown>): { name: string; event: unknown } {
  const name = new StepInput(input).string('name');
  if (name.trim() === '') throw new InvalidStepInputError('`with.name` is empty');
  return { name, event: input.event ?? {} };
}

const NAME = /^[a-z0-9_-]{1,64}$/;

function validate(fields: StepWithFields): void {
  const name = fields.require('name') ? fields.string('name') : undefined;
  if (name !== undefined && !fields.isTemplate(name) && !NAME.test(name)) {
    fields.report('name', '`with.name` must be a workflow name (lower-case letters, digits, - and _)');
  }
}

export const workflowStepKind = declareStepKind({
  kind: 'workflow',
  article: 'a',
  title: 'Start workflow',
  icon: 'workflow',
  description: 'Starts another workflow with a synthetic event made from `event`.',
  order: 60,
  withSchema: {
    type: 'object',
    additionalProperties: false,
    required: ['name'],
    properties: {
      name: { type: 'string', description: 'The workflow to start.', examples: ['ship-order'] },
      event: { default: {}, description: 'The body of the event it starts with; secrets reach it as [secret].' },
    },
  },
  outputSchema: {
    type: 'object',
    properties: {
      workflow: { type: 'string', description: 'The workflow started.' },
      event_id: { type: 'string', format: 'uuid', description: 'The synthetic event it started with.' },
      run_id: { type: ['string', 'null'], format: 'uuid', description: 'The run it started; null when its trigger did not match.' },
    },
  },
  hasEffects: false,
  validate,
  describePlan: (plan) => `${plan.summary} with the event body:\n${prettyJson(planDetail(plan.detail).event)}`,
  connector: WorkflowConnector,
});
