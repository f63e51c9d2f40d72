/*
 * The shapes of the management API as the console reads them. The models come from the
 * OpenAPI document (api-models.generated.ts, `npm run api-types`); this file only gives
 * them the console's names and adds what the document does not describe.
 */
import type * as Api from './api-models.generated';

export type RunStatus = Api.RunSummaryModel['status'];
export type StepStatus = Api.StepRunModel['status'];
export type EventStatus = Api.EventSummaryModel['status'];
/** A step kind's name; `GET /api/catalog` lists the kinds. */
export type StepKind = string;

export const RUN_STATUSES: RunStatus[] = ['queued', 'running', 'paused', 'succeeded', 'failed', 'cancelled'];
export const EVENT_STATUSES: EventStatus[] = ['no_runs', 'pending', 'failed', 'succeeded'];

export interface Page<T> {
  items: T[];
  next_cursor: string | null;
}

export type Trigger = Api.TriggerModel;
export type WorkflowSummary = Api.WorkflowSummaryModel;
export type RunBrief = Api.LastRunModel;
/** A workflow file that has never been valid: no workflow of it is in force. */
export type InvalidWorkflowFile = Api.InvalidFileModel;
export type WorkflowList = Api.WorkflowListModel;
export type Problem = Api.ProblemModel;
export type RetryPolicy = Api.RetryPolicyModel;
export type WorkflowStep = Api.WorkflowStepModel;
export type GraphNode = Api.GraphNodeModel;
export type Graph = Api.GraphModel;
export type Workflow = Api.WorkflowModel;
/** A workflow's file as an editor opens it: as it is on disk, with its revision. */
export type WorkflowFile = Api.WorkflowFileModel;
export type WorkflowVersionSummary = Api.WorkflowVersionSummaryModel;
export type WorkflowVersionList = Api.WorkflowVersionListModel;
export type WorkflowVersion = Api.WorkflowVersionModel;
export type RunSummary = Api.RunSummaryModel;
export type Attempt = Api.StepAttemptModel;
export type StepRun = Api.StepRunModel;
export type Run = Api.RunModel;
export type EventSummary = Api.EventSummaryModel;
export type EventDetail = Api.EventModel;
export type SourceHealth = Api.SourceModel;
/** A workflow's or source's pause: since when, by whom, why. */
export type Pause = Api.PauseModel;
export type ReplayAnswer = Api.ReplayAnswer;
export type ManualRunAnswer = Api.ManualRunAnswer;
export type PlannedRequest = Api.PlannedRequestModel;
export type StepPreview = Api.StepPreviewModel;
export type WorkflowPreview = Api.WorkflowPreviewModel;
export type DryRunAnswer = Api.DryRunAnswer;
export type Catalog = Api.CatalogAnswer;
export type CatalogStepKind = Api.StepKindModel;

export type ChangeMessage = Api.ChangeMessageModel;

export type Destination = Api.DestinationModel;
export type DestinationState = Api.DestinationModel['state'];
export type DestinationHour = Api.DestinationHourModel;
export type DestinationPolicy = Api.DestinationPolicyModel;
/** One destination with the steps waiting for it (up to 100, longest waiting first). */
export type DestinationDetail = Api.DestinationDetailModel;
export type WaitingStep = Api.WaitingStepModel;
