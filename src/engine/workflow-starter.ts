import { Injectable } from '@nestjs/common';
import { Clock } from '../common/clock';
import { DomainError } from '../common/domain-error';
import { Settings } from '../config/settings';
import { EventWriter } from '../events/event-writer';
import { syntheticEvent } from '../events/inbound-event';
import { TriggerMatcher } from '../events/trigger-matcher';
import { WorkflowRegistry } from '../workflows/workflow-registry';
import { WORKFLOW_CHAIN_HEADER, WORKFLOW_STEP_SOURCE, WorkflowChain } from './workflow-chain';

/**
 * Starts another workflow from a `workflow` step: a synthetic event and its run, stored
 * like an inbound event. The dedupe key is the calling step, so a repeated attempt of the
 * step never starts a second run. The event carries the chain of workflows above the new
 * run, which may be at most MAX_WORKFLOW_CHAIN_DEPTH deep.
 */
@Injectable()
export class WorkflowStarter {
  constructor(
    private readonly registry: WorkflowRegistry,
    private readonly matcher: TriggerMatcher,
    private readonly writer: EventWriter,
    private readonly settings: Settings,
    private readonly clock: Clock,
  ) {}

  async start(name: string, body: unknown, dedupeKey: string, chain: WorkflowChain): Promise<{ workflow: string; event_id: string; run_id: string | null }> {
    const workflow = this.registry.getWorkflow(name);
    if (!workflow) throw new DomainError('UNKNOWN_WORKFLOW', `No workflow named "${name}" is loaded`);
    const headers = { [WORKFLOW_CHAIN_HEADER]: chain.headerFor(name) };
    const event = syntheticEvent({ source: WORKFLOW_STEP_SOURCE, type: `workflow.${chain.workflow}`, headers, body, receivedAt: this.clock.now() });
    const run = this.matcher.startRun(event, workflow, this.settings.secrets);
    const outcome = await this.writer.write({ event, dedupeKey, matchNotes: [], runs: [run] });
    return { workflow: name, event_id: outcome.eventId, run_id: outcome.duplicate ? null : run.id };
  }
}
