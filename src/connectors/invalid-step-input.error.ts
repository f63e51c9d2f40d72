import { DomainError } from '../common/domain-error';
import { StepOutcome } from './connector';

/**
 * A rendered `with:` value of the wrong type or shape (a `url` that is not a string, say).
 * Rendering again gives the same value, so it is never worth another attempt.
 */
export class InvalidStepInputError extends DomainError {
  constructor(message: string) {
    super('INVALID_STEP_INPUT', message);
  }
}

/** Runs `attempt`, turning an `InvalidStepInputError` into a failed, non-retryable outcome. */
export async function failOnInvalidInput(attempt: () => Promise<StepOutcome> | StepOutcome): Promise<StepOutcome> {
  try {
    return await attempt();
  } catch (error) {
    if (error instanceof InvalidStepInputError) return { kind: 'failed', error: error.message, retryable: false };
    throw error;
  }
}
