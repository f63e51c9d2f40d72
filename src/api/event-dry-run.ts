import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { DomainError } from '../common/domain-error';
import { DryRun, DryRunCondition, DryRunEventInput, DryRunReplay, DryRunReport, DryRunStep } from '../engine/dry-run';
import { InboundEvent, storedEvent, StoredEventRow } from '../events/inbound-event';
import { WorkflowRegistry } from '../workflows/workflow-registry';
import { StepKind, WorkflowDefinition } from '../workflows/workflow.types';

/** An event typed or pasted in the console: only `source` and `body` are required. */
export interface PastedEvent {
  source: string;
  body: unknown;
  headers?: Record<string, unknown>;
  query?: string;
  type?: string;
}

export interface PlannedHttpRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: unknown;
}

export interface StepPreview {
  id: string;
  name?: string;
  kind: StepKind;
  needs: string[];
  status: DryRunStep['status'];
  skipped?: true;
  condition?: DryRunCondition;
  /** One line: `POST https://…`, `SMTP to a@b.c`, `wait 10m`. */
  summary?: string;
  /** What an `http` or `slack` step would send. */
  request?: PlannedHttpRequest;
  /** What any other kind would do (the e-mail, the rendered map, the workflow it starts). */
  detail?: unknown;
  /** Why it is skipped or would fail, and what a dry run cannot know. */
  note?: string;
  /** For a `for_each` step: each item's preview (`index` set). */
  items?: StepPreview[];
  index?: number;
}

export interface WorkflowPreview {
  workflow: string;
  file: string;
  matched: boolean;
  /** Why the trigger does not match. */
  reason?: string;
  notes: string[];
  /** The secrets the workflow reads and whether each is set; never their values. */
  secrets: { name: string; set: boolean }[];
  /** Empty when the trigger does not match. */
  steps: StepPreview[];
}

export interface DryRunPreview {
  event: { id: string | null; source: string; type: string | null };
  notes: string[];
  matches: WorkflowPreview[];
}

/**
 * The console's "Test an event": runs every workflow of the event's source through `DryRun`,
 * for a stored event or one pasted in the browser. Secrets render as `[secret]`; nothing is
 * sent and nothing is stored.
 */
@Injectable()
export class EventDryRun {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly registry: WorkflowRegistry,
    private readonly dryRun: DryRun,
  ) {}

  async ofStoredEvent(eventId: string): Promise<DryRunPreview> {
    const event = await this.storedEvent(eventId);
    const workflows = this.workflowsOf(event.source);
    const reports = workflows.map((workflow) => this.dryRun.runWithEvent(workflow, event));
    return this.preview(event.source, { id: event.id, type: event.type }, reports);
  }

  ofPastedEvent(pasted: PastedEvent): DryRunPreview {
    if (!this.registry.getSource(pasted.source)) {
      const names = this.registry
        .sources()
        .map((source) => source.name)
        .sort();
      throw new DomainError('VALIDATION_FAILED', `source ${pasted.source} is not declared (sources: ${names.join(', ') || 'none'})`);
    }
    const reports = this.workflowsOf(pasted.source).map((workflow) => this.pastedReport(workflow, pasted));
    return this.preview(pasted.source, { id: null, type: reports[0]?.event.type ?? pasted.type ?? null }, reports);
  }

  /** A stored event as ingress built it; NOT_FOUND when there is none. */
  async storedEvent(eventId: string): Promise<InboundEvent> {
    const rows = await this.dataSource.query<StoredEventRow[]>(
      `SELECT id, source, type, received_at AS "receivedAt", headers, query, content_type AS "contentType", body FROM events WHERE id = $1`,
      [eventId],
    );
    if (rows.length === 0) throw new DomainError('NOT_FOUND', `No event ${eventId}`);
    return storedEvent(rows[0]);
  }

  /** One workflow, in force or not, tried with a stored event (`replay`: as one of its runs). */
  workflowWithStoredEvent(workflow: WorkflowDefinition, event: InboundEvent, replay?: DryRunReplay): { preview: WorkflowPreview; report: DryRunReport } {
    const report = this.dryRun.runWithEvent(workflow, event, replay);
    return { preview: workflowPreviewOf(withSourceOf(report, workflow, event.source)), report };
  }

  /** One workflow, in force or not, tried with an event pasted in the browser. */
  workflowWithPastedEvent(workflow: WorkflowDefinition, pasted: PastedEvent): WorkflowPreview {
    return workflowPreviewOf(withSourceOf(this.pastedReport(workflow, pasted), workflow, pasted.source));
  }

  private pastedReport(workflow: WorkflowDefinition, pasted: PastedEvent): DryRunReport {
    const input: DryRunEventInput = { headers: pasted.headers, query: pasted.query, body: pasted.body };
    const sources = new Map(this.registry.sources().map((definition) => [definition.name, definition]));
    return this.dryRun.run(workflow, input, { sources, type: pasted.type });
  }

  private workflowsOf(source: string): WorkflowDefinition[] {
    return [...this.registry.workflowsForSource(source)].sort((a, b) => a.name.localeCompare(b.name));
  }

  private preview(source: string, event: { id: string | null; type: string | null }, reports: DryRunReport[]): DryRunPreview {
    const notes: string[] = [];
    if (!this.registry.getSource(source)) notes.push(`source ${source} is not declared in sources.yaml (any more), so no workflow runs on it`);
    else if (reports.length === 0) notes.push(`no workflow listens on source ${source}`);
    return { event: { id: event.id, source, type: event.type }, notes, matches: reports.map(workflowPreviewOf) };
  }
}

/** The registry only offers a source's own workflows; a single workflow tried with any event must say when the source is not its. */
function withSourceOf(report: DryRunReport, workflow: WorkflowDefinition, source: string): DryRunReport {
  const listensOn = workflow.on.webhook;
  if (listensOn === undefined || listensOn === source) return report;
  const reason = `the workflow listens on source ${listensOn}, the event came from ${source}`;
  return { ...report, trigger: { ...report.trigger, matches: false, reasons: [reason, ...report.trigger.reasons] } };
}

export function workflowPreviewOf(report: DryRunReport): WorkflowPreview {
  const { matches, reasons, notes } = report.trigger;
  return {
    workflow: report.workflow,
    file: report.file,
    matched: matches,
    ...(matches ? {} : { reason: reasons.join('; ') }),
    notes,
    secrets: report.secrets,
    steps: matches ? report.steps.map(stepPreviewOf) : [],
  };
}

function stepPreviewOf(step: DryRunStep): StepPreview {
  const preview: StepPreview = { id: step.id, kind: step.uses, needs: step.needs, status: step.status };
  if (step.name !== undefined) preview.name = step.name;
  if (step.status === 'skipped') preview.skipped = true;
  if (step.condition) preview.condition = step.condition;
  if (step.plan) {
    preview.summary = step.plan.summary;
    const request = httpRequestOf(step.plan.detail);
    if (request) preview.request = request;
    else preview.detail = step.plan.detail;
  }
  const note = noteOf(step);
  if (note) preview.note = note;
  if (step.index !== undefined) preview.index = step.index;
  if (step.items) preview.items = step.items.map(stepPreviewOf);
  return preview;
}

function httpRequestOf(detail: unknown): PlannedHttpRequest | undefined {
  if (typeof detail !== 'object' || detail === null) return undefined;
  const { method, url, headers, body } = detail as Record<string, unknown>;
  if (typeof method !== 'string' || typeof url !== 'string') return undefined;
  return { method, url, headers: (headers ?? {}) as Record<string, string>, body: body ?? null };
}

function noteOf(step: DryRunStep): string | undefined {
  const parts: string[] = [];
  if (step.reason) parts.push(step.reason);
  if (step.blocked_by) parts.push(`a real run would not reach it: step ${step.blocked_by} would fail first`);
  if (step.unknown_outputs.length > 0) {
    parts.push(`reads the output of ${step.unknown_outputs.join(', ')}, which only a real run knows (shown as <steps.…>)`);
  }
  return parts.length > 0 ? parts.join('; ') : undefined;
}
