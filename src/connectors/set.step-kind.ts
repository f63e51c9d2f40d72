import { Injectable } from '@nestjs/common';
import { Connector, PlannedRequest, StepExecutionContext, StepOutcome } from './connector';
import { planDetail, prettyJson } from './plan-text';
import { declareStepKind } from './step-kind';

/**
 * `set`: the rendered map becomes the step's output. Later steps read it with its secrets;
 * the stored output is the map rendered with every secret as `[secret]`.
 */
@Injectable()
export class SetConnector implements Connector {
  execute(_input: Record<string, unknown>, redactedInput: Record<string, unknown>, _context: StepExecutionContext): Promise<StepOutcome> {
    return Promise.resolve({ kind: 'succeeded', output: redactedInput });
  }

  liveOutputOf(input: Record<string, unknown>): unknown {
    return input;
  }

  plan(redactedInput: Record<string, unknown>, _context?: Pick<StepExecutionContext, 'now'>): PlannedRequest {
    return { kind: 'set', summary: 'set', detail: redactedInput };
  }
}

export const setStepKind = declareStepKind({
  kind: 'set',
  article: 'a',
  title: 'Set values',
  icon: 'braces',
  description: "Makes its rendered map the step's output, for later steps to read.",
  order: 40,
  withSchema: { type: 'object', additionalProperties: true, description: 'Any map; each value may be a template.' },
  outputSchema: { type: 'object', additionalProperties: true, description: 'The rendered map.' },
  hasEffects: false,
  // Any key and any value: there is nothing to check beyond the templates themselves.
  validate: () => undefined,
  describePlan: (plan) => `output:\n${prettyJson(planDetail(plan.detail))}`,
  connector: SetConnector,
});
