/* The shapes of the management API, as the console reads them (see src/api and /api/docs). */

export type RunStatus = 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled';
export type StepStatus = 'pending' | 'running' | 'succeeded' | 'failed' | 'skipped';
export type EventStatus = 'no_runs' | 'pending' | 'failed' | 'succeeded';
/** A step kind's name; `GET /api/catalog` lists the kinds. */
export type StepKind = string;

export const RUN_STATUSES: RunStatus[] = ['queued', 'running', 'succeeded', 'failed', 'cancelled'];
export const EVENT_STATUSES: EventStatus[] = ['no_runs', 'pending', 'failed', 'succeeded'];

export interface Page<T> {
  items: T[];
  next_cursor: string | null;
}

export interface Trigger {
  webhook: string | null;
  event: string | null;
  if: string | null;
  schedule: string | null;
  timezone: string | null;
}

export interface WorkflowSummary {
  name: string;
  description: string | null;
  file: string;
  version: string;
  trigger: Trigger;
  steps: number;
  problems: number;
  last_run: RunBrief | null;
  /** The last 10 runs, newest first. */
  recent_runs: RunBrief[];
  runs_24h: { total: number; succeeded: number; failed: number };
  success_rate: number | null;
}

export interface RunBrief {
  id: string;
  status: RunStatus;
  created_at: string;
}

/** A workflow file that has never been valid: no workflow of it is in force. */
export interface InvalidWorkflowFile {
  file: string;
  problems: Problem[];
}

export interface WorkflowList extends Page<WorkflowSummary> {
  invalid_files: InvalidWorkflowFile[];
}

export interface Problem {
  message: string;
  line: number;
  column: number;
}

export interface RetryPolicy {
  attempts: number;
  backoff: 'exponential' | 'fixed';
  initial_ms: number;
  max_ms: number;
}

export interface WorkflowStep {
  id: string;
  name: string | null;
  uses: StepKind;
  if: string | null;
  needs: string[];
  timeout_ms: number | null;
  retry: RetryPolicy | null;
  continue_on_error: boolean;
  line: number;
}

export interface GraphNode {
  id: string;
  kind: string;
  label: string;
}

export interface Graph {
  nodes: GraphNode[];
  edges: { from: string; to: string }[];
}

export interface Workflow {
  name: string;
  description: string | null;
  file: string;
  version: string;
  yaml: string;
  problems: Problem[];
  trigger: Trigger;
  concurrency_key: string | null;
  steps: WorkflowStep[];
  graph: Graph;
}

export interface RunSummary {
  id: string;
  workflow: string;
  event_id: string;
  status: RunStatus;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  error: string | null;
}

export interface Attempt {
  n: number;
  status: 'succeeded' | 'failed';
  started_at: string;
  duration_ms: number;
  request: unknown;
  response: { status: number; headers: Record<string, string> | null; body: string | null } | null;
  error: string | null;
}

export interface StepRun {
  id: string;
  status: StepStatus;
  input: unknown;
  output: unknown;
  error: string | null;
  next_attempt_at: string | null;
  started_at: string | null;
  finished_at: string | null;
  attempts: Attempt[];
}

export interface Run extends RunSummary {
  workflow_version: string;
  concurrency_key: string | null;
  steps: StepRun[];
}

export interface EventSummary {
  id: string;
  source: string;
  type: string;
  received_at: string;
  runs_count: number;
  status: EventStatus;
}

export interface EventDetail {
  id: string;
  source: string;
  type: string;
  received_at: string;
  dedupe_key: string | null;
  headers: Record<string, string>;
  query: string;
  content_type: string | null;
  body: string;
  body_encoding: 'utf8' | 'base64';
  body_json?: unknown;
  body_format: string;
  match_notes: { workflow?: string; reason: string }[];
  runs: { id: string; workflow: string; status: RunStatus; created_at: string }[];
}

export interface SourceHealth {
  name: string;
  scheme: string;
  path: string;
  accepted_24h: number;
  rejected_24h: number;
  rejection_rate_24h: number | null;
  last_event_at: string | null;
  recent_failures: { reason: string; received_at: string }[];
}

export interface ReplayAnswer {
  event_id: string;
  runs: { id: string; workflow: string }[];
  notes: { workflow?: string; reason: string }[];
}

export interface PlannedRequest {
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
  status: 'would-run' | 'skipped' | 'would-fail';
  skipped?: true;
  condition?: { template: string; result: string; message?: string };
  summary?: string;
  request?: PlannedRequest;
  detail?: unknown;
  note?: string;
}

export interface WorkflowPreview {
  workflow: string;
  file: string;
  matched: boolean;
  reason?: string;
  notes: string[];
  secrets: { name: string; set: boolean }[];
  steps: StepPreview[];
}

export interface DryRunAnswer {
  event: { id: string | null; source: string; type: string | null };
  notes: string[];
  matches: WorkflowPreview[];
}

/** One message of `GET /api/stream`. */
export interface ChangeMessage {
  type: 'run.created' | 'run.updated' | 'step.updated' | 'event.received';
  run_id: string | null;
  workflow: string | null;
  status: string | null;
  event_id?: string;
  step_id?: string;
  attempts?: number;
  source?: string;
  event_type?: string;
}

export interface CatalogStepKind {
  kind: string;
  title: string;
  /** An icon name; the console draws a neutral icon for names it does not know. */
  icon: string;
  description: string;
  with_schema: Record<string, unknown>;
  output_schema: Record<string, unknown>;
  has_effects: boolean;
}

export interface CatalogScheme {
  scheme: string;
  options_schema: Record<string, unknown>;
  preset: { event_type: string; dedupe_key: string | null };
}

export interface Catalog {
  step_kinds: CatalogStepKind[];
  schemes: CatalogScheme[];
  helpers: { name: string; signature: string; description: string }[];
}
