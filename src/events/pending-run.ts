/** A run a trigger starts, stored with its event (see EventWriter). */
export interface PendingRun {
  id: string;
  workflow: string;
  workflowVersion: string;
  concurrencyKey: string | null;
}
