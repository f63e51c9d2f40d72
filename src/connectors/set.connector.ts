import { Injectable } from '@nestjs/common';
import { Connector, PlannedRequest, StepExecutionContext, StepOutcome } from './connector';

/**
 * `set`: the rendered map becomes the step's output. Later steps read it with its secrets;
 * the stored output is the map rendered with every secret as `[secret]`.
 */
@Injectable()
export class SetConnector implements Connector {
  readonly kind = 'set' as const;

  async execute(_input: Record<string, unknown>, redactedInput: Record<string, unknown>, _context: StepExecutionContext): Promise<StepOutcome> {
    return { kind: 'succeeded', output: redactedInput };
  }

  liveOutputOf(input: Record<string, unknown>): unknown {
    return input;
  }

  plan(redactedInput: Record<string, unknown>, _context?: Pick<StepExecutionContext, 'now'>): PlannedRequest {
    return { kind: 'set', summary: 'set', detail: redactedInput };
  }
}
