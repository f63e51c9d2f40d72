/** A run a trigger starts, stored with its event (see EventWriter). */
export interface PendingRun {
  id: string;
  workflow: string;
  workflowVersion: string;
  concurrencyKey: string | null;
  /** For a run a `workflow` step starts: that step's run and id. */
  parent?: { runId: string; stepId: string };
}
