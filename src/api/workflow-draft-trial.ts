import { Buffer } from 'node:buffer';
import { Injectable } from '@nestjs/common';
import { DomainError } from '../common/domain-error';
import { ConnectorRegistry } from '../connectors/connector.registry';
import { stepKind } from '../connectors/step-kind-catalog';
import { EXCERPT_BYTES } from '../delivery/attempt-record';
import { RunQueries, RunRecordForReplay } from '../engine/run-queries';
import { SKIPPED_BY_FAILURE } from '../engine/run-plan';
import { RunStatus } from '../engine/run.entity';
import { WorkflowVersions } from '../engine/workflow-versions';
import { WorkflowEditor } from '../workflows/workflow-editor';
import { StepDefinition, WorkflowDefinition } from '../workflows/workflow.types';
import { EventDryRun, PastedEvent, StepPreview, WorkflowPreview } from './event-dry-run';
import { ComparedStep, RequestComparison, StepComparison } from './request-comparison';

export type PreviewTarget = { event_id: string } | { event: PastedEvent };

export interface WorkflowComparison {
  workflow: string;
  event_id: string;
  /** The run compared with: the event's latest run of this workflow. */
  run_id: string;
  /** The revision of the workflow that run ran. */
  run_version: string;
  run_status: RunStatus;
  /** Whether the edited trigger matches the event; when not, no step of the edit would send anything. */
  matched: boolean;
  reason?: string;
  steps: StepComparison[];
}

/**
 * The editor's "Test": an unsaved workflow tried with an event (preview), and compared with
 * what a stored event's real run sent (time travel). Nothing is sent, stored or loaded.
 */
@Injectable()
export class WorkflowDraftTrial {
  private readonly comparison = new RequestComparison();

  constructor(
    private readonly editor: WorkflowEditor,
    private readonly dryRun: EventDryRun,
    private readonly runs: RunQueries,
    private readonly versions: WorkflowVersions,
    private readonly connectors: ConnectorRegistry,
  ) {}

  async preview(yaml: string, target: PreviewTarget): Promise<WorkflowPreview> {
    const workflow = this.editor.draft(yaml);
    if ('event' in target) return this.dryRun.workflowWithPastedEvent(workflow, target.event);
    return this.dryRun.workflowWithStoredEvent(workflow, await this.dryRun.storedEvent(target.event_id)).preview;
  }

  async compare(yaml: string, eventId: string): Promise<WorkflowComparison> {
    const workflow = this.editor.draft(yaml);
    const event = await this.dryRun.storedEvent(eventId);
    const run = await this.runs.latestForEvent(workflow.name, eventId);
    if (!run) throw new DomainError('NO_RUN_TO_COMPARE', `Event ${eventId} has no run of workflow ${workflow.name} to compare with`);
    // Replayed as that run: its id (in idempotency keys and `run.id`), its time, and what its steps output.
    const outputs = new Map([...run.steps].filter(([, step]) => step.status === 'succeeded').map(([id, step]) => [id, step.output]));
    const replay = { runId: run.id, outputs, now: run.created_at };
    const { preview } = this.dryRun.workflowWithStoredEvent(workflow, event, replay);
    const ran = (await this.versions.get(workflow.name, run.version)) ?? workflow;
    const before = this.runSides(ran, run, replay.now);
    const after = preview.matched ? preview.steps.map(editSide) : unmatchedSides(workflow, preview.reason ?? '');
    return {
      workflow: workflow.name,
      event_id: eventId,
      run_id: run.id,
      run_version: run.version,
      run_status: run.status,
      matched: preview.matched,
      ...(preview.reason !== undefined && { reason: preview.reason }),
      steps: this.comparison.compare(before, after),
    };
  }

  /** What each step of the run did: the request of its last attempt, or the plan of its stored input for kinds that send nothing. */
  private runSides(ran: WorkflowDefinition, run: RunRecordForReplay, now: Date): ComparedStep[] {
    return ran.steps.map((step) => ({ id: step.id, kind: step.uses, ...this.runSide(step, run, now) }));
  }

  private runSide(step: StepDefinition, run: RunRecordForReplay, now: Date): Omit<ComparedStep, 'id' | 'kind'> {
    const record = run.steps.get(step.id);
    if (!record) return { state: 'not-sent', request: null, note: 'the run did not reach it' };
    if (record.status === 'skipped') {
      const byFailure = record.error?.startsWith(SKIPPED_BY_FAILURE) ?? false;
      return { state: byFailure ? 'not-sent' : 'skipped', request: null, ...(record.error && { note: record.error }) };
    }
    if (record.last_request !== null) {
      const request = { body: null, ...(record.last_request as object) };
      return { state: 'sent', request, ...(record.status === 'failed' && record.error && { note: `its last attempt failed: ${record.error}` }) };
    }
    if (record.status === 'succeeded' && !stepKind(step.uses).hasEffects && isRecord(record.input)) {
      const plan = this.connectors.get(step.uses).plan(record.input, { idempotencyKey: `${run.id}:${step.id}`, now: () => now });
      return { state: 'sent', request: plan.detail };
    }
    return { state: 'not-sent', request: null, note: record.error ?? `it is ${record.status}` };
  }
}

/** What the edit would do with a step, in the shape its attempt would be stored in. */
function editSide(step: StepPreview): ComparedStep {
  const side = { id: step.id, kind: step.kind };
  if (step.status === 'skipped') return { ...side, state: 'skipped', request: null, ...(step.note && { note: step.note }) };
  if (step.status === 'would-fail') return { ...side, state: 'not-sent', request: null, ...(step.note && { note: step.note }) };
  const request = step.request ? { ...step.request, body: excerpt(step.request.body) } : (smtpRequestOf(step.detail) ?? step.detail ?? null);
  return { ...side, state: 'sent', request, ...(step.note && { note: step.note }) };
}

function unmatchedSides(workflow: WorkflowDefinition, reason: string): ComparedStep[] {
  const note = `the edited trigger does not match this event: ${reason}`;
  return workflow.steps.map((step) => ({ id: step.id, kind: step.uses, state: 'not-sent', request: null, note }));
}

/** An e-mail's plan (`server`, `headers`, `body`…) as its attempts are stored: `{ method: 'SMTP', url, headers, body }`. */
function smtpRequestOf(detail: unknown): object | undefined {
  if (!isRecord(detail) || !('server' in detail) || !isRecord(detail.headers)) return undefined;
  return { method: 'SMTP', url: detail.server, headers: detail.headers, body: detail.body ?? null };
}

/** Attempts store the first 16 KiB of a body; a longer planned body is cut the same way before it is compared. */
function excerpt(body: unknown): unknown {
  if (typeof body !== 'string') return body;
  const bytes = Buffer.from(body, 'utf8');
  return bytes.length <= EXCERPT_BYTES ? body : bytes.subarray(0, EXCERPT_BYTES).toString('utf8');
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
