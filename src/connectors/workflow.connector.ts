import { Injectable } from '@nestjs/common';
import { Connector, PlannedRequest, StepExecutionContext, StepOutcome } from './connector';
import { failOnInvalidInput, InvalidStepInputError } from './invalid-step-input.error';
import { StepInput } from './step-input';

/**
 * `workflow`: asks the engine to start another workflow with a synthetic event. That event is
 * stored like any other, so it is made from the redacted input: a secret reaches the child
 * as `[secret]`, and the child reads the secrets it needs itself.
 */
@Injectable()
export class WorkflowConnector implements Connector {
  readonly kind = 'workflow' as const;

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
