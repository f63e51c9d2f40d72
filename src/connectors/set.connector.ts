import { Injectable } from '@nestjs/common';
import { Connector, PlannedRequest, StepExecutionContext, StepOutcome } from './connector';

/** `set`: the rendered map becomes the step's output. */
@Injectable()
export class SetConnector implements Connector {
  readonly kind = 'set' as const;

  async execute(input: Record<string, unknown>, _redacted: Record<string, unknown>, _context: StepExecutionContext): Promise<StepOutcome> {
    return { kind: 'succeeded', output: input };
  }

  plan(redactedInput: Record<string, unknown>, _context?: Pick<StepExecutionContext, 'now'>): PlannedRequest {
    return { kind: 'set', summary: 'set', detail: redactedInput };
  }
}
