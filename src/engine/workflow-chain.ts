import { DomainError } from '../common/domain-error';
import type { EventContext } from '../events/inbound-event';

/** Source of the synthetic events that `workflow` steps start other workflows with. */
export const WORKFLOW_STEP_SOURCE = 'workflow';

/**
 * How many runs deep `workflow` steps may start one another below the run an event or a
 * schedule started. A workflow that starts itself, directly or through others, with a name
 * from a template (validation refuses literal cycles) stops there.
 */
export const MAX_WORKFLOW_CHAIN_DEPTH = 8;

/** Header of a synthetic event: the workflows whose runs led to it, outermost first, comma-separated. */
export const WORKFLOW_CHAIN_HEADER = 'x-hookflow-workflow-chain';

/** Header of a synthetic event: the idempotency key of the step attempt that started it (`<run>:<step>`). */
export const WORKFLOW_STARTED_BY_HEADER = 'x-hookflow-started-by';

/**
 * Where a run stands in a chain of `workflow` steps: the workflows whose runs led to it,
 * outermost first. The chain travels with the stored event, so a replay or a retry of the
 * run keeps its depth.
 */
export class WorkflowChain {
  private constructor(
    private readonly above: readonly string[],
    /** The workflow of the run itself. */
    readonly workflow: string,
  ) {}

  /** The chain of a run of `workflow` for `event` (nothing above a run that an inbound event or a schedule started). */
  static of(event: Pick<EventContext, 'source' | 'headers'>, workflow: string): WorkflowChain {
    const header = event.source === WORKFLOW_STEP_SOURCE ? event.headers[WORKFLOW_CHAIN_HEADER] : undefined;
    return new WorkflowChain(header ? header.split(',') : [], workflow);
  }

  /** How many runs started by `workflow` steps lead from the top of the chain to this one. */
  get depth(): number {
    return this.above.length;
  }

  /** The header for a run of `next` that this run starts; throws WORKFLOW_CHAIN_TOO_DEEP past the limit. */
  headerFor(next: string): string {
    const names = [...this.above, this.workflow];
    if (names.length > MAX_WORKFLOW_CHAIN_DEPTH) {
      throw new DomainError(
        'WORKFLOW_CHAIN_TOO_DEEP',
        `cannot start workflow ${next}: workflow steps may start runs at most ${MAX_WORKFLOW_CHAIN_DEPTH} deep ` +
          `(MAX_WORKFLOW_CHAIN_DEPTH) and this run is ${this.depth} deep: ${[...names, next].join(' → ')}`,
      );
    }
    return names.join(',');
  }
}
