import { Injectable, Logger } from '@nestjs/common';
import { Clock } from '../common/clock';
import { DomainError } from '../common/domain-error';
import { Settings } from '../config/settings';
import { MatchNote } from '../events/event.entity';
import { EventWriter } from '../events/event-writer';
import { syntheticEvent } from '../events/inbound-event';
import { TriggerMatcher } from '../events/trigger-matcher';
import { CredentialRedaction } from '../ingress/credential-redaction';
import { WorkflowRegistry } from '../workflows/workflow-registry';

/** Source (and default type) of the events an operator starts a run with ("Run now"). */
export const MANUAL_SOURCE = 'manual';

/**
 * Header names Hookflow gives meaning to on its own events (the workflow chain of a
 * `workflow` step, say): nobody may set them by hand, so that a manual event never poses
 * as one Hookflow made.
 */
const RESERVED_HEADER_PREFIX = 'x-hookflow-';

/** What an operator gives to start a run by hand. */
export interface ManualEventRequest {
  /** Any JSON value. */
  body: unknown;
  /** Names in any case; stored lower-case with credentials redacted, as ingress stores a request's. */
  headers?: Record<string, string>;
  /** Default `manual`. */
  type?: string;
}

export interface ManualRunStarted {
  workflow: string;
  event_id: string;
  run_id: string;
}

/**
 * "Run now": stores a synthetic event of source `manual` and one run of the named workflow
 * on the version in force, whatever its trigger (a schedule-only workflow too), through the
 * same writer as inbound events. The event is in the event log like any other and replays
 * into the workflows it ran. No dedupe key: each call is a new run.
 */
@Injectable()
export class ManualRuns {
  private readonly logger = new Logger(ManualRuns.name);

  constructor(
    private readonly registry: WorkflowRegistry,
    private readonly matcher: TriggerMatcher,
    private readonly writer: EventWriter,
    private readonly settings: Settings,
    private readonly clock: Clock,
  ) {}

  async start(name: string, request: ManualEventRequest): Promise<ManualRunStarted> {
    const workflow = this.registry.getWorkflow(name);
    if (!workflow) throw new DomainError('UNKNOWN_WORKFLOW', `No workflow named "${name}" is loaded`);
    const headers = manualEventHeaders(request.headers ?? {});
    const type = request.type ?? MANUAL_SOURCE;
    const event = syntheticEvent({ source: MANUAL_SOURCE, type, headers, body: request.body, receivedAt: this.clock.now() });
    const notes: MatchNote[] = [];
    const run = this.matcher.startRun(event, workflow, this.settings.secrets, notes);
    const outcome = await this.writer.write({ event, dedupeKey: null, matchNotes: notes, runs: [run] });
    this.logger.log({ msg: `Started run ${run.id} of ${workflow.name} by hand`, run_id: run.id, event_id: outcome.eventId, workflow: workflow.name });
    return { workflow: workflow.name, event_id: outcome.eventId, run_id: run.id };
  }
}

const redaction = new CredentialRedaction();

/**
 * The headers of a manual event as stored and as templates read them: lower-case names,
 * credentials as `[secret]` (as ingress stores a request's). Throws RESERVED_HEADER for a
 * name of Hookflow's own, in any case.
 */
export function manualEventHeaders(headers: Readonly<Record<string, string>>): Record<string, string> {
  const reserved = Object.keys(headers).filter((name) => name.toLowerCase().startsWith(RESERVED_HEADER_PREFIX));
  if (reserved.length > 0) {
    throw new DomainError(
      'RESERVED_HEADER',
      `Headers starting with ${RESERVED_HEADER_PREFIX} are Hookflow's own and cannot be set on a manual run: ${reserved.join(', ')}`,
    );
  }
  return redaction.headers(headers);
}
