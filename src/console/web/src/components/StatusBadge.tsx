const LABELS: Record<string, string> = {
  no_runs: 'no runs',
  pending: 'pending',
  'would-run': 'would run',
  'would-fail': 'would fail',
};

/** Tone of a status, shared by runs, steps, events and dry-run steps. */
export function toneOf(status: string): string {
  switch (status) {
    case 'succeeded':
    case 'would-run':
      return 'succeeded';
    case 'failed':
    case 'would-fail':
      return 'failed';
    case 'running':
      return 'running';
    case 'cancelled':
      return 'cancelled';
    case 'paused':
      return 'paused';
    case 'skipped':
      return 'skipped';
    case 'pending':
      // An event with a run in progress is "pending"; a step not reached yet too.
      return 'queued';
    default:
      return 'queued';
  }
}

export function StatusBadge({ status, label }: { status: string; label?: string }) {
  return (
    <span className={`badge badge--${toneOf(status)}`} data-status={status}>
      <span className="badge__dot" aria-hidden="true" />
      {label ?? LABELS[status] ?? status}
    </span>
  );
}
