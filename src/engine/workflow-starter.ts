import { Injectable } from '@nestjs/common';
import { Clock } from '../common/clock';
import { DomainError } from '../common/domain-error';
import { Settings } from '../config/settings';
import { EventWriter } from '../events/event-writer';
import { syntheticEvent } from '../events/inbound-event';
import { TriggerMatcher } from '../events/trigger-matcher';
import { WorkflowRegistry } from '../workflows/workflow-registry';
import { ChildRuns, ChildRunState } from './child-runs';
import { WORKFLOW_CHAIN_HEADER, WORKFLOW_STARTED_BY_HEADER, WORKFLOW_STEP_SOURCE, WorkflowChain } from './workflow-chain';

/** What a `workflow` step asks for. */
export interface ChildStart {
  workflow: string;
  body: unknown;
  /** The step's idempotency key: a repeated attempt of the step never starts a second run. */
  idempotencyKey: string;
  /** The step's `dedupe_key`: nothing starts when the workflow has seen it. */
  dedupeKey: string | null;
  parent: { runId: string; stepId: string };
  chain: WorkflowChain;
}

export type ChildStarted =
  { workflow: string; started: true; event_id: string; run_id: string | null } | { workflow: string; started: false; duplicate_of: string };

/**
 * Starts another workflow from a `workflow` step: a synthetic event and its run, stored like
 * an inbound event, the run linked to the step that started it. The event's dedupe key is the
 * step's idempotency key, or with a `dedupe_key` that key under the workflow's name, so that
 * one key starts the workflow once whichever step asks; a key already among the events of the
 * workflow's own source starts nothing either. The event carries the chain of workflows above
 * the new run, which may be at most MAX_WORKFLOW_CHAIN_DEPTH deep, and the step attempt that
 * started it, so that a repeated attempt finds its own run rather than a duplicate.
 */
@Injectable()
export class WorkflowStarter {
  constructor(
    private readonly registry: WorkflowRegistry,
    private readonly matcher: TriggerMatcher,
    private readonly writer: EventWriter,
    private readonly children: ChildRuns,
    private readonly settings: Settings,
    private readonly clock: Clock,
  ) {}

  async start(start: ChildStart): Promise<ChildStarted> {
    const { workflow: name, dedupeKey, idempotencyKey } = start;
    const workflow = this.registry.getWorkflow(name);
    if (!workflow) throw new DomainError('UNKNOWN_WORKFLOW', `No workflow named "${name}" is loaded`);
    if (dedupeKey !== null) {
      const seen = await this.children.sourceEventWithKey(workflow.on.webhook === undefined ? [] : [workflow.on.webhook], dedupeKey);
      if (seen !== undefined) return { workflow: name, started: false, duplicate_of: seen };
    }
    const headers = { [WORKFLOW_CHAIN_HEADER]: start.chain.headerFor(name), [WORKFLOW_STARTED_BY_HEADER]: idempotencyKey };
    const event = syntheticEvent({
      source: WORKFLOW_STEP_SOURCE,
      type: `workflow.${start.chain.workflow}`,
      headers,
      body: start.body,
      receivedAt: this.clock.now(),
    });
    const run = { ...this.matcher.startRun(event, workflow, this.settings.secrets), parent: start.parent };
    const eventDedupeKey = dedupeKey === null ? idempotencyKey : `${name}/${dedupeKey}`;
    const outcome = await this.writer.write({ event, dedupeKey: eventDedupeKey, matchNotes: [], runs: [run] });
    if (!outcome.duplicate) return { workflow: name, started: true, event_id: outcome.eventId, run_id: run.id };
    const earlier = await this.children.startOf(outcome.eventId, WORKFLOW_STARTED_BY_HEADER);
    if (dedupeKey === null || earlier?.startedBy === idempotencyKey) {
      return { workflow: name, started: true, event_id: outcome.eventId, run_id: earlier?.runId ?? null };
    }
    return { workflow: name, started: false, duplicate_of: outcome.eventId };
  }

  /** How a run a step started stands now, for a step waiting for it. */
  stateOf(runId: string): Promise<ChildRunState | undefined> {
    return this.children.stateOf(runId);
  }
}
