/** SQL: the deadline of a run stored now whose timeout is the bigint expression `timeoutMs` (NULL: none). */
export const deadlineAfter = (timeoutMs: string) => `now() + ${timeoutMs} * interval '1 millisecond'`;

/** A run a trigger starts, stored with its event (see EventWriter). */
export interface PendingRun {
  id: string;
  workflow: string;
  workflowVersion: string;
  concurrencyKey: string | null;
  /** For a run a `workflow` step starts: that step's run and id. */
  parent?: { runId: string; stepId: string };
  /** The workflow's `timeout:`; the run's deadline is counted from when it is stored. */
  timeoutMs: number | null;
}
