/* Generated from the OpenAPI document (/api/docs/openapi.json) by `npm run api-types`: do not edit.
   test/console-api-types.e2e-spec.ts fails when it is out of date. */

export interface ErrorDetail {
  code: string;
  message: string;
}

export interface ErrorAnswer {
  error: ErrorDetail;
}

export interface RunSummaryModel {
  id: string;
  workflow: string;
  event_id: string;
  status: 'queued' | 'running' | 'paused' | 'succeeded' | 'failed' | 'cancelled';
  /** `steps`: a run of the workflow's `steps`; `on_failure`: a run of its `on_failure` steps (or of on-failure.yaml's, workflow `on-failure`) for the failed run `failed_run_id` */
  kind: 'steps' | 'on_failure';
  /** For an `on_failure` run: the run whose failure it handles */
  failed_run_id: string | null;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  error: string | null;
}

export interface RunListModel {
  items: RunSummaryModel[];
  /** Pass as `cursor` for the next page; null on the last page */
  next_cursor: string | null;
}

export interface FailureModel {
  run_id: string;
  workflow: string;
  /** The first step that failed the run */
  step: string | null;
  error: string | null;
  /** Attempts that step made */
  attempts: number;
}

export interface RunParentModel {
  run_id: string;
  step_id: string;
  /** Null once retention pruned that run */
  workflow: string | null;
}

export interface RunChildModel {
  run_id: string;
  workflow: string;
  status: 'queued' | 'running' | 'paused' | 'succeeded' | 'failed' | 'cancelled';
  /** The `workflow` step that started it */
  step_id: string;
}

export interface AttemptResponseModel {
  status: number;
  headers: Record<string, string>;
  /** The first 16 KiB of the response body */
  body: string;
}

export interface StepAttemptModel {
  n: number;
  status: 'succeeded' | 'failed';
  started_at: string;
  duration_ms: number;
  /** The request as sent, secrets shown as [secret] */
  request: unknown;
  response: AttemptResponseModel | null;
  error: string | null;
}

export interface StepItemModel {
  /** The position of the item in the list of `for_each` */
  index: number;
  status: 'pending' | 'running' | 'succeeded' | 'failed' | 'skipped';
  /** The rendered input, secrets shown as [secret] */
  input: unknown;
  /** Any JSON value */
  output: unknown;
  error: string | null;
  next_attempt_at: string | null;
  started_at: string | null;
  finished_at: string | null;
  attempts: StepAttemptModel[];
}

export interface StepRunModel {
  id: string;
  status: 'pending' | 'running' | 'succeeded' | 'failed' | 'skipped';
  /** The rendered input, secrets shown as [secret] */
  input: unknown;
  /** Any JSON value */
  output: unknown;
  error: string | null;
  next_attempt_at: string | null;
  started_at: string | null;
  finished_at: string | null;
  attempts: StepAttemptModel[];
  /** For a `for_each` step: its items that started, in item order, each with its own attempts; null for other steps */
  items: StepItemModel[] | null;
}

export interface RunModel {
  id: string;
  workflow: string;
  event_id: string;
  status: 'queued' | 'running' | 'paused' | 'succeeded' | 'failed' | 'cancelled';
  /** `steps`: a run of the workflow's `steps`; `on_failure`: a run of its `on_failure` steps (or of on-failure.yaml's, workflow `on-failure`) for the failed run `failed_run_id` */
  kind: 'steps' | 'on_failure';
  /** For an `on_failure` run: the run whose failure it handles */
  failed_run_id: string | null;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  error: string | null;
  /** The workflow version the run executes */
  workflow_version: string;
  /** For an `on_failure` run: its template context `failure` */
  failure: FailureModel | null;
  /** The `on_failure` runs this run started, one per time it failed (a retried run that fails again starts another) */
  failure_run_ids: string[];
  concurrency_key: string | null;
  /** A succeeded run's rendered `output:` (secrets shown as [secret]); null when the workflow declares none */
  output: unknown;
  /** For a run a `workflow` step started: that step and its run */
  parent: RunParentModel | null;
  /** The runs this run's `workflow` steps started, oldest first */
  children: RunChildModel[];
  /** When the run is cancelled if unfinished (the workflow's `timeout:`, from its creation or last retry); null without a timeout */
  deadline: string | null;
  steps: StepRunModel[];
}

export interface RetryRunsBody {
  /** Only runs of this workflow */
  workflow?: string;
  status: 'failed';
  limit?: unknown;
}

export interface RetriedAnswer {
  /** How many failed runs were queued again */
  retried: number;
}

export interface CancelRunsBody {
  /** Only runs of this workflow */
  workflow?: string;
  /** Only runs in this status; default every unfinished status */
  status?: 'queued' | 'running' | 'paused';
  /** Only runs started by this event */
  event?: string;
  limit?: unknown;
}

export interface CancelledAnswer {
  /** How many unfinished runs were cancelled */
  cancelled: number;
}

export interface RunCommandAnswer {
  id: string;
  status: 'queued' | 'running' | 'paused' | 'succeeded' | 'failed' | 'cancelled';
}

export interface EventSummaryModel {
  id: string;
  source: string;
  type: string;
  received_at: string;
  runs_count: number;
  status: 'no_runs' | 'pending' | 'failed' | 'succeeded';
}

export interface EventListModel {
  items: EventSummaryModel[];
  next_cursor: string | null;
}

export interface MatchNoteModel {
  /** The workflow it is about; absent for the event as a whole */
  workflow?: string;
  reason: string;
}

export interface WebhookAnswerModel {
  status: number;
  headers: Record<string, string>;
  /** The body as sent; empty for none */
  body: string;
}

export interface EventRunModel {
  id: string;
  workflow: string;
  status: 'queued' | 'running' | 'paused' | 'succeeded' | 'failed' | 'cancelled';
  created_at: string;
}

export interface EventModel {
  id: string;
  source: string;
  type: string;
  received_at: string;
  dedupe_key: string | null;
  /** Credential headers shown as [secret] */
  headers: Record<string, string>;
  /** The query string, without the leading ? */
  query: string;
  content_type: string | null;
  /** How workflows read the body: parsed JSON, a url-encoded form, text (not valid JSON), or no body */
  body_format: 'json' | 'form' | 'text' | 'empty';
  /** Why workflows did not match (a failing `if`, …) */
  match_notes: MatchNoteModel[];
  /** The HTTP answer a source's or trigger's `respond:` gave (and gives again to repeated deliveries); null for the usual 202 JSON */
  answer: WebhookAnswerModel | null;
  /** The body exactly as received */
  body: string;
  body_encoding: 'utf8' | 'base64';
  /** Any JSON value */
  body_json?: unknown;
  runs: EventRunModel[];
}

export interface ReplayEventsBody {
  source?: string;
  /** An exact type or a glob with * */
  type?: string;
  status?: 'no_runs' | 'pending' | 'failed' | 'succeeded';
  /** Text in the body, case-insensitive */
  q?: string;
  limit?: unknown;
}

export interface BulkReplayAnswer {
  /** Events replayed */
  replayed: number;
  /** Runs started by the replays */
  runs: number;
}

export interface ReplayedRunModel {
  id: string;
  workflow: string;
}

export interface ReplayAnswer {
  event_id: string;
  runs: ReplayedRunModel[];
  notes: MatchNoteModel[];
}

export interface TriggerModel {
  /** The source, for webhook triggers */
  webhook: string | null;
  event: string | null;
  if: string | null;
  schedule: string | null;
  timezone: string | null;
}

export interface LastRunModel {
  id: string;
  status: 'queued' | 'running' | 'paused' | 'succeeded' | 'failed' | 'cancelled';
  created_at: string;
}

export interface RunCountsModel {
  total: number;
  succeeded: number;
  failed: number;
}

export interface PauseModel {
  since: string;
  /** Who paused it, as the caller named itself (`api` by default) */
  by: string;
  reason: string | null;
}

export interface WorkflowSummaryModel {
  name: string;
  description: string | null;
  file: string;
  version: string;
  trigger: TriggerModel;
  /** Number of steps */
  steps: number;
  /** Validation problems of the file on disk */
  problems: number;
  last_run: LastRunModel | null;
  /** The last 10 runs, newest first (at any time, not only the last 24 h) */
  recent_runs: LastRunModel[];
  runs_24h: RunCountsModel;
  /** Succeeded ÷ finished in the last 24 h */
  success_rate: number | null;
  /** Set while the workflow is paused: its runs wait as paused */
  paused: PauseModel | null;
}

export interface ProblemModel {
  message: string;
  line: number;
  column: number;
}

export interface InvalidFileModel {
  file: string;
  problems: ProblemModel[];
}

export interface WorkflowListModel {
  items: WorkflowSummaryModel[];
  next_cursor: string | null;
  /** Workflow files that have never been valid, so no workflow of theirs is in force */
  invalid_files: InvalidFileModel[];
}

export interface ValidateWorkflowBody {
  /** The text of the file */
  yaml: string;
  file?: unknown;
}

export interface GraphNodeModel {
  /** `trigger` or a step id */
  id: string;
  /** `trigger`, `on_failure` (head of the failure lane) or the step kind */
  kind: string;
  label: string;
  /** Set on the failure lane: its head node `#on_failure` and the `on_failure` steps */
  group?: 'on_failure';
}

export interface GraphEdgeModel {
  from: string;
  to: string;
}

export interface GraphModel {
  nodes: GraphNodeModel[];
  edges: GraphEdgeModel[];
}

export interface ValidationAnswer {
  valid: boolean;
  problems: ProblemModel[];
  /** null when the file does not validate */
  graph: GraphModel | null;
}

export interface PastedEventBody {
  source: string;
  /** Any JSON value, or the raw body as a string */
  body: unknown;
  headers?: Record<string, string>;
  query?: string;
  type?: string;
}

export interface PreviewWorkflowBody {
  /** The text of the workflow file as edited; it is not saved */
  yaml: string;
  /** A stored event; give this or `event` */
  event_id?: string;
  /** An event typed or pasted; give this or `event_id` */
  event?: PastedEventBody;
}

export interface SecretUseModel {
  name: string;
  set: boolean;
}

export interface DryRunConditionModel {
  template: string;
  result: 'true' | 'false' | 'missing' | 'unknown' | 'error';
  message?: string;
}

export interface PlannedRequestModel {
  method: string;
  url: string;
  /** Secrets shown as [secret] */
  headers: Record<string, string>;
  /** The body as it would be sent (JSON text, form or text) */
  body: unknown;
}

export interface StepPreviewModel {
  id: string;
  name?: string;
  /** The step kind; GET /api/catalog lists them */
  kind: string;
  needs: string[];
  status: 'would-run' | 'skipped' | 'would-fail';
  skipped?: true;
  condition?: DryRunConditionModel;
  summary?: string;
  /** What an http or slack step would send */
  request?: PlannedRequestModel;
  /** What another kind would do: the e-mail, the map, the delay, the workflow started */
  detail?: unknown;
  /** Why it is skipped or would fail, and what only a real run knows */
  note?: string;
  /** For a `for_each` step whose items are known: each item, as it would run */
  items?: StepPreviewModel[];
  /** For an item of a `for_each` step: its position in the list */
  index?: number;
}

export interface WorkflowPreviewModel {
  workflow: string;
  file: string;
  matched: boolean;
  reason?: string;
  notes: string[];
  secrets: SecretUseModel[];
  /** Empty when the trigger does not match */
  steps: StepPreviewModel[];
}

export interface InvalidWorkflowDetail {
  code: string;
  message: string;
  problems: ProblemModel[];
}

export interface InvalidWorkflowAnswer {
  error: InvalidWorkflowDetail;
}

export interface CompareWorkflowBody {
  /** The text of the workflow file as edited; it is not saved */
  yaml: string;
  /** A stored event with a run of the workflow the YAML names */
  event_id: string;
}

export interface FieldChangeModel {
  /** A leaf field: headers.<name> (lower case), body.<field> of a JSON body, body[0]…, url, method */
  path: string;
  /** Absent when the field exists only in the edit */
  before?: unknown;
  /** Absent when the field exists only in the run */
  after?: unknown;
}

export interface StepComparisonModel {
  id: string;
  /** The step kind in the edit (in the run, for a removed step) */
  kind: string;
  status: 'same' | 'changed' | 'added' | 'removed';
  /** What the run sent: its last attempt’s request { method, url, headers, body }, or the plan of its stored input for kinds that send nothing; null when it sent nothing */
  before: unknown;
  /** What the edit would send, in the same shape; null when it would send nothing */
  after: unknown;
  /** Empty unless both sides sent something */
  changes: FieldChangeModel[];
  /** Why a side sent nothing, what changed besides fields */
  note?: string;
}

export interface WorkflowComparisonAnswer {
  workflow: string;
  event_id: string;
  /** The event’s latest run of this workflow */
  run_id: string;
  /** The revision that run ran */
  run_version: string;
  run_status: 'queued' | 'running' | 'paused' | 'succeeded' | 'failed' | 'cancelled';
  /** Whether the edited trigger matches the event */
  matched: boolean;
  /** Why the edited trigger does not match */
  reason?: string;
  /** The edit’s steps in order, removed ones where they stood */
  steps: StepComparisonModel[];
}

export interface TestWorkflowBody {
  /** The text of the workflow file, unsaved; its `name` picks the test files (tests/<name>.test.yaml, or `workflow: <name>`) */
  yaml: string;
}

export interface TestFileProblemModel {
  line: number;
  column: number;
  message: string;
}

export interface TestDifferenceModel {
  /** Where the test and the edit differ */
  path: string;
  /** What the test expects; absent when it expects the key not to be there */
  expected?: unknown;
  /** What the edit does; absent when the key is not there */
  actual?: unknown;
  note?: string;
}

export interface WorkflowTestResultModel {
  name: string;
  /** Where the test starts in its file */
  line: number;
  column: number;
  passed: boolean;
  differences: TestDifferenceModel[];
}

export interface WorkflowTestFileModel {
  /** Relative to the workflows folder */
  file: string;
  /** Why the file cannot be run; its tests are then empty */
  problems: TestFileProblemModel[];
  tests: WorkflowTestResultModel[];
}

export interface WorkflowTestsAnswer {
  workflow: string;
  passed: number;
  failed: number;
  /** The test files of this workflow; empty when it has none */
  files: WorkflowTestFileModel[];
}

export interface RetryPolicyModel {
  attempts: number;
  backoff: 'exponential' | 'fixed';
  initial_ms: number;
  max_ms: number;
}

export interface ForEachModel {
  /** The template giving the list, or the list written out */
  items: unknown;
  max_parallel: number;
  max_items: number;
}

export interface WorkflowStepModel {
  id: string;
  name: string | null;
  uses: string;
  if: string | null;
  needs: string[];
  timeout_ms: number | null;
  retry: RetryPolicyModel;
  continue_on_error: boolean;
  /** Set when the step runs once per item of a list */
  for_each: ForEachModel | null;
  /** Line of the step in the file */
  line: number;
}

export interface WorkflowModel {
  name: string;
  description: string | null;
  file: string;
  version: string;
  /** The file as it is on disk */
  yaml: string;
  problems: ProblemModel[];
  trigger: TriggerModel;
  concurrency_key: string | null;
  steps: WorkflowStepModel[];
  /** The `on_failure` steps: run as a run of their own when a run fails */
  on_failure: WorkflowStepModel[];
  graph: GraphModel;
  /** Hash of the bytes of `yaml` (equal to `version`): the `base_revision` of a save */
  revision: string;
  /** Whether the file may be saved or deleted through the API */
  editable: boolean;
  /** Why not, when not editable */
  read_only_reason: string | null;
  /** Set while the workflow is paused: its runs wait as paused */
  paused: PauseModel | null;
}

export interface StartRunBody {
  /** The event body: any JSON value */
  body: unknown;
  /** Event headers as templates read them (event.headers, names lower-cased, credentials stored as [secret]); at most 50, 16384 bytes; x-hookflow-* names are refused */
  headers?: Record<string, string>;
  /** The event type (event.type); default manual */
  type?: string;
}

export interface ManualRunAnswer {
  workflow: string;
  /** The stored event, of source manual */
  event_id: string;
  /** The run it started */
  run_id: string;
}

export interface WorkflowFileModel {
  name: string;
  file: string;
  /** The file as it is on disk, which may differ from the version in force while it has problems */
  yaml: string;
  /** Hash of the bytes of `yaml`: the `base_revision` of a save */
  revision: string;
  problems: ProblemModel[];
  /** Whether the file on disk is the version in force */
  in_force: boolean;
  /** Whether the file may be saved or deleted through the API */
  editable: boolean;
  /** Why not, when not editable */
  read_only_reason: string | null;
}

export interface CreateWorkflowBody {
  /** The text of the file, saved byte for byte */
  yaml: string;
}

export interface SavedWorkflowModel {
  name: string;
  /** Hash of the bytes written */
  revision: string;
  file: string;
  /** Whether this process runs this revision now; false only when a change made by hand at the same moment got in the way */
  in_force: boolean;
}

export interface SaveWorkflowBody {
  /** The text of the file, saved byte for byte */
  yaml: string;
  /** The revision the edit started from */
  base_revision: string;
}

export interface CurrentWorkflowFileModel {
  yaml: string;
  revision: string;
}

export interface WorkflowConflictDetail {
  code: string;
  message: string;
  /** The file as it is now; null when it was deleted */
  current: CurrentWorkflowFileModel | null;
}

export interface WorkflowConflictAnswer {
  error: WorkflowConflictDetail;
}

export interface PauseBody {
  /** Who or what pauses, as the caller names itself (up to 100 characters) */
  by?: string;
  /** Up to 500 characters */
  reason?: string;
}

export interface PauseAnswer {
  name: string;
  /** The pause in force; null once resumed */
  paused: PauseModel | null;
  /** Pausing a workflow: how many queued runs became paused at once (runs under way follow before their next step) */
  paused_runs?: number;
  /** Resuming a workflow: how many paused runs were queued again */
  resumed_runs?: number;
}

export interface WorkflowVersionSummaryModel {
  /** Hash of the bytes of the file: the `workflow_version` of the runs made from it */
  revision: string;
  /** When a Hookflow process first put this version in force */
  first_seen: string;
  /** Runs created from this version, of those retention keeps */
  runs: number;
  /** Whether this is the version in force now */
  in_force: boolean;
}

export interface WorkflowVersionListModel {
  /** Newest first */
  items: WorkflowVersionSummaryModel[];
}

export interface WorkflowVersionModel {
  name: string;
  revision: string;
  file: string;
  /** The file as it was */
  yaml: string;
  first_seen: string;
  in_force: boolean;
  /** null when the file no longer validates (a step kind since removed) */
  trigger: TriggerModel | null;
  /** Empty when the file no longer validates */
  steps: WorkflowStepModel[];
  /** The `on_failure` steps; empty when the file no longer validates */
  on_failure: WorkflowStepModel[];
  /** null when the file no longer validates */
  graph: GraphModel | null;
}

export interface SignatureFailureModel {
  reason: string;
  received_at: string;
}

export interface SourceModel {
  name: string;
  scheme: string;
  path: string;
  accepted_24h: number;
  /** Requests refused for their signature in the last 24 h */
  rejected_24h: number;
  rejection_rate_24h: number | null;
  last_event_at: string | null;
  recent_failures: SignatureFailureModel[];
  /** Set while the source is paused: it answers 503 with Retry-After and stores nothing */
  paused: PauseModel | null;
}

export interface SourceListModel {
  items: SourceModel[];
  next_cursor: string | null;
}

export interface ChangeMessageModel {
  type: 'run.created' | 'run.updated' | 'step.updated' | 'event.received';
  run_id: string | null;
  workflow: string | null;
  status: string | null;
  /** event.received */
  event_id?: string;
  /** step.updated */
  step_id?: string;
  /** step.updated */
  attempts?: number;
  /** event.received */
  source?: string;
  /** event.received */
  event_type?: string;
}

export interface DryRunBody {
  /** A stored event, tried again as it was received */
  event_id?: string;
  /** Required without event_id */
  source?: string;
  /** Required without event_id: any JSON value, or the raw body as a string */
  body?: unknown;
  headers?: Record<string, string>;
  query?: string;
  type?: string;
}

export interface DryRunEventModel {
  /** The stored event, when one was tried */
  id: string | null;
  source: string;
  type: string | null;
}

export interface DryRunAnswer {
  event: DryRunEventModel;
  notes: string[];
  /** Every workflow of the source, matching or not */
  matches: WorkflowPreviewModel[];
}

export interface StepKindModel {
  /** What `uses:` names */
  kind: string;
  title: string;
  /** An icon name; a client draws a neutral icon for names it does not know */
  icon: string;
  description: string;
  /** JSON Schema of the step's `with:`, with descriptions and defaults */
  with_schema: Record<string, unknown>;
  /** JSON Schema of the step's output, as later steps read it */
  output_schema: Record<string, unknown>;
  /** Whether an attempt reaches another system (and so is retried, signed, rate limited) */
  has_effects: boolean;
}

export interface SchemePresetModel {
  /** Template of the event type when a source sets no `event_type` */
  event_type: string;
  /** Template of the dedupe key when a source sets no `dedupe_key`; null: no dedupe */
  dedupe_key: string | null;
}

export interface SchemeModel {
  scheme: string;
  /** JSON Schema of the options under `verify:` besides `scheme` */
  options_schema: Record<string, unknown>;
  preset: SchemePresetModel;
}

export interface HelperModel {
  name: string;
  signature: string;
  description: string;
}

export interface CatalogAnswer {
  step_kinds: StepKindModel[];
  schemes: SchemeModel[];
  /** Helpers a template may call */
  helpers: HelperModel[];
}

export interface BreakerPolicyModel {
  /** Consecutive failed attempts that open the circuit */
  failures: number;
  /** Share of failed attempts (0–1) over the window that opens it… */
  failure_rate: number;
  /** …once the window holds at least this many attempts */
  min_attempts: number;
  window_ms: number;
  /** Open this long before one probe attempt goes through */
  cool_down_ms: number;
  /** Open this long: disabled, and its waiting steps fail */
  disable_after_ms: number;
}

export interface DestinationPolicyModel {
  /** null: `breaker: off` */
  breaker: BreakerPolicyModel | null;
  rate_limit: string | null;
}

export interface DestinationHourModel {
  hour: string;
  successes: number;
  /** Attempts without an answer, or answered 5xx or 408 */
  failures: number;
  average_ms: number | null;
  max_ms: number;
}

export interface DestinationModel {
  /** An HTTP origin, or `smtp` */
  id: string;
  state: 'closed' | 'open' | 'half_open' | 'disabled';
  /** Opened through the API: open until closed the same way */
  held_manually: boolean;
  consecutive_failures: number;
  opened_at: string | null;
  next_probe_at: string | null;
  disabled_at: string | null;
  /** The last failure (secrets removed) */
  last_error: string | null;
  last_failure_at: string | null;
  /** Steps waiting for the circuit to close or for their rate limit slot */
  waiting_steps: number;
  policy: DestinationPolicyModel;
  attempts_24h: number;
  success_rate_24h: number | null;
  average_ms_24h: number | null;
  /** Hours of the last 24 with attempts, oldest first */
  hours: DestinationHourModel[];
}

export interface DestinationListModel {
  items: DestinationModel[];
  next_cursor: string | null;
}

export interface WaitingStepModel {
  run_id: string;
  step_id: string;
  workflow: string;
  since: string;
  /** The rate limit slot reserved for it */
  slot: string | null;
}

export interface DestinationDetailModel {
  /** An HTTP origin, or `smtp` */
  id: string;
  state: 'closed' | 'open' | 'half_open' | 'disabled';
  /** Opened through the API: open until closed the same way */
  held_manually: boolean;
  consecutive_failures: number;
  opened_at: string | null;
  next_probe_at: string | null;
  disabled_at: string | null;
  /** The last failure (secrets removed) */
  last_error: string | null;
  last_failure_at: string | null;
  /** Steps waiting for the circuit to close or for their rate limit slot */
  waiting_steps: number;
  policy: DestinationPolicyModel;
  attempts_24h: number;
  success_rate_24h: number | null;
  average_ms_24h: number | null;
  /** Hours of the last 24 with attempts, oldest first */
  hours: DestinationHourModel[];
  /** Up to 100, longest waiting first */
  waiting: WaitingStepModel[];
}
