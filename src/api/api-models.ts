import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { RUN_KINDS, RUN_STATUSES } from '../engine/run.entity';
import { EVENT_STATUSES } from './event-queries';

/*
 * The shapes of the management API's answers, for the OpenAPI document at /api/docs.
 * The query services build these objects; the classes only describe them.
 */

const STEP_STATUSES = ['pending', 'running', 'succeeded', 'failed', 'skipped'];
const nullableDate = { type: String, format: 'date-time', nullable: true } as const;
const date = { type: String, format: 'date-time' } as const;
const anyJson = { description: 'Any JSON value', nullable: true } as const;

export class ErrorDetail {
  @ApiProperty({ example: 'RUN_NOT_FOUND' }) code: string;
  @ApiProperty({ example: 'Run 0193… does not exist' }) message: string;
}

export class ErrorAnswer {
  @ApiProperty({ type: ErrorDetail }) error: ErrorDetail;
}

export class RunSummaryModel {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ example: 'order-paid' }) workflow: string;
  @ApiProperty({ format: 'uuid' }) event_id: string;
  @ApiProperty({ enum: RUN_STATUSES }) status: string;
  @ApiProperty({
    enum: RUN_KINDS,
    description:
      "`steps`: a run of the workflow's `steps`; `on_failure`: a run of its `on_failure` steps (or of on-failure.yaml's, workflow `on-failure`) for the failed run `failed_run_id`",
  })
  kind: string;
  @ApiProperty({ type: String, format: 'uuid', nullable: true, description: 'For an `on_failure` run: the run whose failure it handles' })
  failed_run_id: string | null;
  @ApiProperty(date) created_at: string;
  @ApiProperty(nullableDate) started_at: string | null;
  @ApiProperty(nullableDate) finished_at: string | null;
  @ApiProperty({ type: String, nullable: true }) error: string | null;
}

export class RunListModel {
  @ApiProperty({ type: [RunSummaryModel] }) items: RunSummaryModel[];
  @ApiProperty({ type: String, nullable: true, description: 'Pass as `cursor` for the next page; null on the last page' })
  next_cursor: string | null;
}

export class AttemptResponseModel {
  @ApiProperty({ example: 503 }) status: number;
  @ApiProperty({ type: 'object', additionalProperties: { type: 'string' } }) headers: Record<string, string>;
  @ApiProperty({ description: 'The first 16 KiB of the response body' }) body: string;
}

export class StepAttemptModel {
  @ApiProperty({ example: 1 }) n: number;
  @ApiProperty({ enum: ['succeeded', 'failed'] }) status: string;
  @ApiProperty(date) started_at: string;
  @ApiProperty() duration_ms: number;
  @ApiProperty({ ...anyJson, description: 'The request as sent, secrets shown as [secret]' }) request: unknown;
  @ApiProperty({ type: AttemptResponseModel, nullable: true }) response: AttemptResponseModel | null;
  @ApiProperty({ type: String, nullable: true }) error: string | null;
}

export class StepItemModel {
  @ApiProperty({ example: 0, description: 'The position of the item in the list of `for_each`' }) index: number;
  @ApiProperty({ enum: STEP_STATUSES }) status: string;
  @ApiProperty({ ...anyJson, description: 'The rendered input, secrets shown as [secret]' }) input: unknown;
  @ApiProperty(anyJson) output: unknown;
  @ApiProperty({ type: String, nullable: true }) error: string | null;
  @ApiProperty(nullableDate) next_attempt_at: string | null;
  @ApiProperty(nullableDate) started_at: string | null;
  @ApiProperty(nullableDate) finished_at: string | null;
  @ApiProperty({ type: [StepAttemptModel] }) attempts: StepAttemptModel[];
}

export class StepRunModel {
  @ApiProperty({ example: 'label' }) id: string;
  @ApiProperty({ enum: STEP_STATUSES }) status: string;
  @ApiProperty({ ...anyJson, description: 'The rendered input, secrets shown as [secret]' }) input: unknown;
  @ApiProperty(anyJson) output: unknown;
  @ApiProperty({ type: String, nullable: true }) error: string | null;
  @ApiProperty(nullableDate) next_attempt_at: string | null;
  @ApiProperty(nullableDate) started_at: string | null;
  @ApiProperty(nullableDate) finished_at: string | null;
  @ApiProperty({ type: [StepAttemptModel] }) attempts: StepAttemptModel[];
  @ApiProperty({
    type: [StepItemModel],
    nullable: true,
    description: 'For a `for_each` step: its items that started, in item order, each with its own attempts; null for other steps',
  })
  items: StepItemModel[] | null;
}

export class FailureModel {
  @ApiProperty({ format: 'uuid' }) run_id: string;
  @ApiProperty({ example: 'order-paid' }) workflow: string;
  @ApiProperty({ type: String, nullable: true, example: 'label', description: 'The first step that failed the run' }) step: string | null;
  @ApiProperty({ type: String, nullable: true, example: 'HTTP 503' }) error: string | null;
  @ApiProperty({ example: 6, description: 'Attempts that step made' }) attempts: number;
}

export class RunParentModel {
  @ApiProperty({ format: 'uuid' }) run_id: string;
  @ApiProperty({ example: 'ship' }) step_id: string;
  @ApiProperty({ type: String, nullable: true, example: 'order-paid', description: 'Null once retention pruned that run' }) workflow: string | null;
}

export class RunChildModel {
  @ApiProperty({ format: 'uuid' }) run_id: string;
  @ApiProperty({ example: 'ship-order' }) workflow: string;
  @ApiProperty({ enum: RUN_STATUSES }) status: string;
  @ApiProperty({ example: 'ship', description: 'The `workflow` step that started it' }) step_id: string;
}

export class RunModel extends RunSummaryModel {
  @ApiProperty({ description: 'The workflow version the run executes' }) workflow_version: string;
  @ApiProperty({ type: FailureModel, nullable: true, description: 'For an `on_failure` run: its template context `failure`' })
  failure: FailureModel | null;
  @ApiProperty({
    type: [String],
    description: 'The `on_failure` runs this run started, one per time it failed (a retried run that fails again starts another)',
  })
  failure_run_ids: string[];
  @ApiProperty({ type: String, nullable: true }) concurrency_key: string | null;
  @ApiProperty({ ...anyJson, description: "A succeeded run's rendered `output:` (secrets shown as [secret]); null when the workflow declares none" })
  output: unknown;
  @ApiProperty({ type: RunParentModel, nullable: true, description: 'For a run a `workflow` step started: that step and its run' })
  parent: RunParentModel | null;
  @ApiProperty({ type: [RunChildModel], description: "The runs this run's `workflow` steps started, oldest first" })
  children: RunChildModel[];
  @ApiProperty({
    ...date,
    nullable: true,
    description: "When the run is cancelled if unfinished (the workflow's `timeout:`, from its creation or last retry); null without a timeout",
  })
  deadline: string | null;
  @ApiProperty({ type: [StepRunModel] }) steps: StepRunModel[];
}

export class RunCommandAnswer {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ enum: RUN_STATUSES }) status: string;
}

export class RetriedAnswer {
  @ApiProperty({ description: 'How many failed runs were queued again' }) retried: number;
}

export class CancelledAnswer {
  @ApiProperty({ description: 'How many unfinished runs were cancelled' }) cancelled: number;
}

export class ManualRunAnswer {
  @ApiProperty({ example: 'order-paid' }) workflow: string;
  @ApiProperty({ format: 'uuid', description: 'The stored event, of source manual' }) event_id: string;
  @ApiProperty({ format: 'uuid', description: 'The run it started' }) run_id: string;
}

export class EventSummaryModel {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ example: 'shop' }) source: string;
  @ApiProperty({ example: 'order.paid' }) type: string;
  @ApiProperty(date) received_at: string;
  @ApiProperty() runs_count: number;
  @ApiProperty({ enum: EVENT_STATUSES }) status: string;
}

export class EventListModel {
  @ApiProperty({ type: [EventSummaryModel] }) items: EventSummaryModel[];
  @ApiProperty({ type: String, nullable: true }) next_cursor: string | null;
}

export class EventRunModel {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() workflow: string;
  @ApiProperty({ enum: RUN_STATUSES }) status: string;
  @ApiProperty(date) created_at: string;
}

export class MatchNoteModel {
  @ApiPropertyOptional({ example: 'order-paid', description: 'The workflow it is about; absent for the event as a whole' }) workflow?: string;
  @ApiProperty({ example: 'on.if could not be evaluated: …' }) reason: string;
}

export class WebhookAnswerModel {
  @ApiProperty({ example: 200 }) status: number;
  @ApiProperty({ type: 'object', additionalProperties: { type: 'string' }, example: { 'content-type': 'application/json; charset=utf-8' } })
  headers: Record<string, string>;
  @ApiProperty({ description: 'The body as sent; empty for none' }) body: string;
}

export class EventModel {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() source: string;
  @ApiProperty() type: string;
  @ApiProperty(date) received_at: string;
  @ApiProperty({ type: String, nullable: true }) dedupe_key: string | null;
  @ApiProperty({ type: 'object', additionalProperties: { type: 'string' }, description: 'Credential headers shown as [secret]' })
  headers: Record<string, string>;
  @ApiProperty({ description: 'The query string, without the leading ?' }) query: string;
  @ApiProperty({ type: String, nullable: true }) content_type: string | null;
  @ApiProperty({
    enum: ['json', 'form', 'text', 'empty'],
    description: 'How workflows read the body: parsed JSON, a url-encoded form, text (not valid JSON), or no body',
  })
  body_format: string;
  @ApiProperty({ type: [MatchNoteModel], description: 'Why workflows did not match (a failing `if`, …)' })
  match_notes: MatchNoteModel[];
  @ApiProperty({
    type: WebhookAnswerModel,
    nullable: true,
    description: "The HTTP answer a source's or trigger's `respond:` gave (and gives again to repeated deliveries); null for the usual 202 JSON",
  })
  answer: WebhookAnswerModel | null;
  @ApiProperty({ description: 'The body exactly as received' }) body: string;
  @ApiProperty({ enum: ['utf8', 'base64'] }) body_encoding: string;
  @ApiPropertyOptional(anyJson) body_json?: unknown;
  @ApiProperty({ type: [EventRunModel] }) runs: EventRunModel[];
}

export class ReplayedRunModel {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() workflow: string;
}

export class ReplayAnswer {
  @ApiProperty({ format: 'uuid' }) event_id: string;
  @ApiProperty({ type: [ReplayedRunModel] }) runs: ReplayedRunModel[];
  @ApiProperty({ type: [MatchNoteModel] }) notes: MatchNoteModel[];
}

export class BulkReplayAnswer {
  @ApiProperty({ description: 'Events replayed' }) replayed: number;
  @ApiProperty({ description: 'Runs started by the replays' }) runs: number;
}

export class TriggerModel {
  @ApiProperty({ type: String, nullable: true, description: 'The source, for webhook triggers' }) webhook: string | null;
  @ApiProperty({ type: String, nullable: true, example: 'order.*' }) event: string | null;
  @ApiProperty({ type: String, nullable: true }) if: string | null;
  @ApiProperty({ type: String, nullable: true, example: '0 9 * * 1-5' }) schedule: string | null;
  @ApiProperty({ type: String, nullable: true, example: 'Europe/Paris' }) timezone: string | null;
}

export class LastRunModel {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ enum: RUN_STATUSES }) status: string;
  @ApiProperty(date) created_at: string;
}

export class RunCountsModel {
  @ApiProperty() total: number;
  @ApiProperty() succeeded: number;
  @ApiProperty() failed: number;
}

export class PauseModel {
  @ApiProperty(date) since: string;
  @ApiProperty({ example: 'console', description: 'Who paused it, as the caller named itself (`api` by default)' }) by: string;
  @ApiProperty({ type: String, nullable: true }) reason: string | null;
}

/** What pausing or resuming a workflow or source answers. */
export class PauseAnswer {
  @ApiProperty() name: string;
  @ApiProperty({ type: PauseModel, nullable: true, description: 'The pause in force; null once resumed' }) paused: PauseModel | null;
  @ApiPropertyOptional({ description: 'Pausing a workflow: how many queued runs became paused at once (runs under way follow before their next step)' })
  paused_runs?: number;
  @ApiPropertyOptional({ description: 'Resuming a workflow: how many paused runs were queued again' }) resumed_runs?: number;
}

export class WorkflowSummaryModel {
  @ApiProperty() name: string;
  @ApiProperty({ type: String, nullable: true }) description: string | null;
  @ApiProperty({ example: 'order-paid.yaml' }) file: string;
  @ApiProperty() version: string;
  @ApiProperty({ type: TriggerModel }) trigger: TriggerModel;
  @ApiProperty({ description: 'Number of steps' }) steps: number;
  @ApiProperty({ description: 'Validation problems of the file on disk' }) problems: number;
  @ApiProperty({ type: LastRunModel, nullable: true }) last_run: LastRunModel | null;
  @ApiProperty({ type: [LastRunModel], description: 'The last 10 runs, newest first (at any time, not only the last 24 h)' })
  recent_runs: LastRunModel[];
  @ApiProperty({ type: RunCountsModel }) runs_24h: RunCountsModel;
  @ApiProperty({ type: Number, nullable: true, description: 'Succeeded ÷ finished in the last 24 h' }) success_rate: number | null;
  @ApiProperty({ type: PauseModel, nullable: true, description: 'Set while the workflow is paused: its runs wait as paused' }) paused: PauseModel | null;
}

export class ProblemModel {
  @ApiProperty() message: string;
  @ApiProperty() line: number;
  @ApiProperty() column: number;
}

export class InvalidFileModel {
  @ApiProperty({ example: 'refunds.yaml' }) file: string;
  @ApiProperty({ type: [ProblemModel] }) problems: ProblemModel[];
}

export class WorkflowListModel {
  @ApiProperty({ type: [WorkflowSummaryModel] }) items: WorkflowSummaryModel[];
  @ApiProperty({ type: String, nullable: true }) next_cursor: string | null;
  @ApiProperty({ type: [InvalidFileModel], description: 'Workflow files that have never been valid, so no workflow of theirs is in force' })
  invalid_files: InvalidFileModel[];
}

export class GraphNodeModel {
  @ApiProperty({ description: '`trigger` or a step id' }) id: string;
  @ApiProperty({ example: 'http', description: '`trigger`, `on_failure` (head of the failure lane) or the step kind' }) kind: string;
  @ApiProperty() label: string;
  @ApiPropertyOptional({ enum: ['on_failure'], description: 'Set on the failure lane: its head node `#on_failure` and the `on_failure` steps' })
  group?: 'on_failure';
}

export class GraphEdgeModel {
  @ApiProperty() from: string;
  @ApiProperty() to: string;
}

export class GraphModel {
  @ApiProperty({ type: [GraphNodeModel] }) nodes: GraphNodeModel[];
  @ApiProperty({ type: [GraphEdgeModel] }) edges: GraphEdgeModel[];
}

export class RetryPolicyModel {
  @ApiProperty() attempts: number;
  @ApiProperty({ enum: ['exponential', 'fixed'] }) backoff: string;
  @ApiProperty() initial_ms: number;
  @ApiProperty() max_ms: number;
}

export class ForEachModel {
  @ApiProperty({ description: 'The template giving the list, or the list written out', oneOf: [{ type: 'string' }, { type: 'array', items: {} }] })
  items: string | unknown[];
  @ApiProperty({ example: 1 }) max_parallel: number;
  @ApiProperty({ example: 1000 }) max_items: number;
}

export class WorkflowStepModel {
  @ApiProperty() id: string;
  @ApiProperty({ type: String, nullable: true }) name: string | null;
  @ApiProperty({ example: 'http' }) uses: string;
  @ApiProperty({ type: String, nullable: true }) if: string | null;
  @ApiProperty({ type: [String] }) needs: string[];
  @ApiProperty({ type: Number, nullable: true }) timeout_ms: number | null;
  @ApiProperty({ type: RetryPolicyModel }) retry: RetryPolicyModel;
  @ApiProperty() continue_on_error: boolean;
  @ApiProperty({ type: ForEachModel, nullable: true, description: 'Set when the step runs once per item of a list' })
  for_each: ForEachModel | null;
  @ApiProperty({ description: 'Line of the step in the file' }) line: number;
}

export class WorkflowModel {
  @ApiProperty() name: string;
  @ApiProperty({ type: String, nullable: true }) description: string | null;
  @ApiProperty() file: string;
  @ApiProperty() version: string;
  @ApiProperty({ description: 'The file as it is on disk' }) yaml: string;
  @ApiProperty({ type: [ProblemModel] }) problems: ProblemModel[];
  @ApiProperty({ type: TriggerModel }) trigger: TriggerModel;
  @ApiProperty({ type: String, nullable: true }) concurrency_key: string | null;
  @ApiProperty({ type: [WorkflowStepModel] }) steps: WorkflowStepModel[];
  @ApiProperty({ type: [WorkflowStepModel], description: 'The `on_failure` steps: run as a run of their own when a run fails' })
  on_failure: WorkflowStepModel[];
  @ApiProperty({ type: GraphModel }) graph: GraphModel;
  @ApiProperty({ example: '3f2a9c01d4e5b6a7', description: 'Hash of the bytes of `yaml` (equal to `version`): the `base_revision` of a save' })
  revision: string;
  @ApiProperty({ description: 'Whether the file may be saved or deleted through the API' }) editable: boolean;
  @ApiProperty({ type: String, nullable: true, example: 'HOOKFLOW_EDITOR is off', description: 'Why not, when not editable' })
  read_only_reason: string | null;
  @ApiProperty({ type: PauseModel, nullable: true, description: 'Set while the workflow is paused: its runs wait as paused' }) paused: PauseModel | null;
}

export class WorkflowFileModel {
  @ApiProperty({ example: 'order-paid' }) name: string;
  @ApiProperty({ example: 'order-paid.yaml' }) file: string;
  @ApiProperty({ description: 'The file as it is on disk, which may differ from the version in force while it has problems' }) yaml: string;
  @ApiProperty({ example: '3f2a9c01d4e5b6a7', description: 'Hash of the bytes of `yaml`: the `base_revision` of a save' }) revision: string;
  @ApiProperty({ type: [ProblemModel] }) problems: ProblemModel[];
  @ApiProperty({ description: 'Whether the file on disk is the version in force' }) in_force: boolean;
  @ApiProperty({ description: 'Whether the file may be saved or deleted through the API' }) editable: boolean;
  @ApiProperty({ type: String, nullable: true, example: 'HOOKFLOW_EDITOR is off', description: 'Why not, when not editable' })
  read_only_reason: string | null;
}

export class WorkflowVersionSummaryModel {
  @ApiProperty({ example: '3f2a9c01d4e5b6a7', description: 'Hash of the bytes of the file: the `workflow_version` of the runs made from it' })
  revision: string;
  @ApiProperty({ ...date, description: 'When a Hookflow process first put this version in force' }) first_seen: string;
  @ApiProperty({ description: 'Runs created from this version, of those retention keeps' }) runs: number;
  @ApiProperty({ description: 'Whether this is the version in force now' }) in_force: boolean;
}

export class WorkflowVersionListModel {
  @ApiProperty({ type: [WorkflowVersionSummaryModel], description: 'Newest first' }) items: WorkflowVersionSummaryModel[];
}

export class WorkflowVersionModel {
  @ApiProperty({ example: 'order-paid' }) name: string;
  @ApiProperty({ example: '3f2a9c01d4e5b6a7' }) revision: string;
  @ApiProperty({ example: 'order-paid.yaml' }) file: string;
  @ApiProperty({ description: 'The file as it was' }) yaml: string;
  @ApiProperty(date) first_seen: string;
  @ApiProperty() in_force: boolean;
  @ApiProperty({ type: TriggerModel, nullable: true, description: 'null when the file no longer validates (a step kind since removed)' })
  trigger: TriggerModel | null;
  @ApiProperty({ type: [WorkflowStepModel], description: 'Empty when the file no longer validates' }) steps: WorkflowStepModel[];
  @ApiProperty({ type: [WorkflowStepModel], description: 'The `on_failure` steps; empty when the file no longer validates' })
  on_failure: WorkflowStepModel[];
  @ApiProperty({ type: GraphModel, nullable: true, description: 'null when the file no longer validates' }) graph: GraphModel | null;
}

export class SavedWorkflowModel {
  @ApiProperty({ example: 'order-paid' }) name: string;
  @ApiProperty({ example: '3f2a9c01d4e5b6a7', description: 'Hash of the bytes written' }) revision: string;
  @ApiProperty({ example: 'order-paid.yaml' }) file: string;
  @ApiProperty({ description: 'Whether this process runs this revision now; false only when a change made by hand at the same moment got in the way' })
  in_force: boolean;
}

export class CurrentWorkflowFileModel {
  @ApiProperty() yaml: string;
  @ApiProperty({ example: '3f2a9c01d4e5b6a7' }) revision: string;
}

export class WorkflowConflictDetail extends ErrorDetail {
  @ApiProperty({ type: CurrentWorkflowFileModel, nullable: true, description: 'The file as it is now; null when it was deleted' })
  current: CurrentWorkflowFileModel | null;
}

export class WorkflowConflictAnswer {
  @ApiProperty({ type: WorkflowConflictDetail }) error: WorkflowConflictDetail;
}

export class InvalidWorkflowDetail extends ErrorDetail {
  @ApiProperty({ type: [ProblemModel] }) problems: ProblemModel[];
}

export class InvalidWorkflowAnswer {
  @ApiProperty({ type: InvalidWorkflowDetail }) error: InvalidWorkflowDetail;
}

export class ValidationAnswer {
  @ApiProperty() valid: boolean;
  @ApiProperty({ type: [ProblemModel] }) problems: ProblemModel[];
  @ApiProperty({ type: GraphModel, nullable: true, description: 'null when the file does not validate' }) graph: GraphModel | null;
}

export class SignatureFailureModel {
  @ApiProperty({ example: 'signature does not match' }) reason: string;
  @ApiProperty(date) received_at: string;
}

export class SourceModel {
  @ApiProperty() name: string;
  @ApiProperty({ example: 'stripe' }) scheme: string;
  @ApiProperty({ example: '/hooks/stripe' }) path: string;
  @ApiProperty() accepted_24h: number;
  @ApiProperty({ description: 'Requests refused for their signature in the last 24 h' }) rejected_24h: number;
  @ApiProperty({ type: Number, nullable: true }) rejection_rate_24h: number | null;
  @ApiProperty(nullableDate) last_event_at: string | null;
  @ApiProperty({ type: [SignatureFailureModel] }) recent_failures: SignatureFailureModel[];
  @ApiProperty({ type: PauseModel, nullable: true, description: 'Set while the source is paused: it answers 503 with Retry-After and stores nothing' })
  paused: PauseModel | null;
}

export class SourceListModel {
  @ApiProperty({ type: [SourceModel] }) items: SourceModel[];
  @ApiProperty({ type: String, nullable: true }) next_cursor: string | null;
}

/** One message of `GET /api/stream` (server-sent events), in the document so that the console's types come from it. */
export class ChangeMessageModel {
  @ApiProperty({ enum: ['run.created', 'run.updated', 'step.updated', 'event.received'] })
  type: 'run.created' | 'run.updated' | 'step.updated' | 'event.received';
  @ApiProperty({ type: String, nullable: true }) run_id: string | null;
  @ApiProperty({ type: String, nullable: true }) workflow: string | null;
  @ApiProperty({ type: String, nullable: true }) status: string | null;
  @ApiPropertyOptional({ description: 'event.received' }) event_id?: string;
  @ApiPropertyOptional({ description: 'step.updated' }) step_id?: string;
  @ApiPropertyOptional({ description: 'step.updated' }) attempts?: number;
  @ApiPropertyOptional({ description: 'event.received' }) source?: string;
  @ApiPropertyOptional({ description: 'event.received' }) event_type?: string;
}
