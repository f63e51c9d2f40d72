import type { RunSummary } from '../api/types';
import { useNow } from '../hooks/useNow';
import { dateTime, duration, elapsed, shortId, timeAgo } from '../lib/format';
import { Link } from '../lib/router';
import { StatusBadge } from './StatusBadge';

interface RunsTableProps {
  runs: RunSummary[];
  showWorkflow?: boolean;
  /** Ids that just arrived live, flashed once. */
  fresh?: ReadonlySet<string>;
  caption: string;
}

export function RunsTable({ runs, showWorkflow = true, fresh, caption }: RunsTableProps) {
  const now = useNow(runs.some((run) => run.status === 'running'));
  return (
    <div className="table-wrap">
      <table className="table" aria-label={caption}>
        <thead>
          <tr>
            <th scope="col">Status</th>
            <th scope="col">Run</th>
            {showWorkflow && <th scope="col">Workflow</th>}
            <th scope="col">Event</th>
            <th scope="col">Started</th>
            <th scope="col" className="num">
              Duration
            </th>
          </tr>
        </thead>
        <tbody>
          {runs.map((run) => (
            <tr key={run.id} className={fresh?.has(run.id) ? 'row--fresh' : undefined} data-run-id={run.id} data-status={run.status}>
              <td>
                <StatusBadge status={run.status} />
              </td>
              <td>
                <Link to={`/runs/${run.id}`} className="mono strong-link" title={run.id}>
                  {shortId(run.id)}
                </Link>
                {run.error && (
                  <div className="cell-note" title={run.error}>
                    {run.error}
                  </div>
                )}
              </td>
              {showWorkflow && (
                <td>
                  <Link to={`/workflows/${encodeURIComponent(run.workflow)}`}>{run.workflow}</Link>{' '}
                  {run.kind === 'on_failure' && (
                    <span className="chip chip--failure-run" title="A run of the on_failure steps, for a run that failed">
                      on failure
                    </span>
                  )}
                </td>
              )}
              <td>
                <Link to={`/events/${run.event_id}`} className="mono muted-link" title={run.event_id}>
                  {shortId(run.event_id)}
                </Link>
              </td>
              <td title={dateTime(run.started_at ?? run.created_at)}>{timeAgo(run.started_at ?? run.created_at)}</td>
              <td className="num">{run.status === 'queued' || run.status === 'paused' ? '—' : duration(elapsed(run.started_at, run.finished_at, now))}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
