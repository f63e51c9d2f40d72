import { useState } from 'react';
import { api } from '../api/client';
import { Page, RUN_STATUSES, RunStatus, WorkflowSummary } from '../api/types';
import { ConfirmDialog } from '../components/ConfirmDialog';
import { LoadMore } from '../components/LoadMore';
import { PageHeader } from '../components/Layout';
import { RunsTable } from '../components/RunsTable';
import { EmptyState, ErrorState, Loading } from '../components/States';
import { useToast } from '../components/Toasts';
import { useApi } from '../hooks/useApi';
import { useDocumentTitle } from '../hooks/useDocumentTitle';
import { useRunList } from '../hooks/useRunList';
import { useSearchParams } from '../lib/router';

/** How many runs one bulk retry or cancel takes, newest first. */
const BULK_LIMIT = 100;

const isUnfinished = (status: RunStatus) => status === 'queued' || status === 'running' || status === 'paused';

export function RunsPage() {
  useDocumentTitle('Runs');
  const [params, setParams] = useSearchParams();
  const workflow = params.get('workflow') ?? undefined;
  const status = (params.get('status') as RunStatus | null) ?? undefined;
  const runs = useRunList({ workflow, status });
  const workflows = useApi((signal) => api<Page<WorkflowSummary>>('GET', '/api/workflows', { signal }), []);
  const toast = useToast();
  const [confirming, setConfirming] = useState<'retry' | 'cancel' | null>(null);
  const [busy, setBusy] = useState(false);

  const retryFailed = async () => {
    setBusy(true);
    try {
      const answer = await api<{ retried: number }>('POST', '/api/runs/retry', { body: { status: 'failed', workflow, limit: BULK_LIMIT } });
      toast('success', answer.retried === 0 ? 'No failed run to retry.' : `${answer.retried} failed ${answer.retried === 1 ? 'run' : 'runs'} queued again.`);
      setConfirming(null);
    } catch (error) {
      toast('error', `Retry failed: ${(error as Error).message}`);
    } finally {
      setBusy(false);
    }
  };

  const cancelUnfinished = async () => {
    setBusy(true);
    try {
      const answer = await api<{ cancelled: number }>('POST', '/api/runs/cancel', { body: { workflow, status, limit: BULK_LIMIT } });
      toast('success', answer.cancelled === 0 ? 'No unfinished run to cancel.' : `${answer.cancelled} ${answer.cancelled === 1 ? 'run' : 'runs'} cancelled.`);
      setConfirming(null);
    } catch (error) {
      toast('error', `Cancel failed: ${(error as Error).message}`);
    } finally {
      setBusy(false);
    }
  };

  const filtered = workflow !== undefined || status !== undefined;
  const retryable = status === 'failed' && runs.items.length > 0;
  const cancellable = (status === undefined || isUnfinished(status)) && runs.items.some((run) => isUnfinished(run.status));
  return (
    <>
      <PageHeader
        title="Runs"
        actions={
          retryable || cancellable ? (
            <>
              {retryable && (
                <button type="button" className="button" onClick={() => setConfirming('retry')}>
                  Retry failed runs…
                </button>
              )}
              {cancellable && (
                <button type="button" className="button" onClick={() => setConfirming('cancel')}>
                  Cancel runs…
                </button>
              )}
            </>
          ) : undefined
        }
      >
        Every run, newest first. New runs and status changes appear live.
      </PageHeader>
      <form className="filters" role="search" aria-label="Filter runs" onSubmit={(event) => event.preventDefault()}>
        <label className="field field--inline">
          <span>Workflow</span>
          <select value={workflow ?? ''} onChange={(event) => setParams({ workflow: event.target.value })} name="workflow">
            <option value="">All workflows</option>
            {workflows.data?.items.map((item) => (
              <option key={item.name} value={item.name}>
                {item.name}
              </option>
            ))}
            {workflow && !workflows.data?.items.some((item) => item.name === workflow) && <option value={workflow}>{workflow}</option>}
          </select>
        </label>
        <label className="field field--inline">
          <span>Status</span>
          <select value={status ?? ''} onChange={(event) => setParams({ status: event.target.value })} name="status">
            <option value="">Any status</option>
            {RUN_STATUSES.map((value) => (
              <option key={value} value={value}>
                {value}
              </option>
            ))}
          </select>
        </label>
        {filtered && (
          <button type="button" className="link-button" onClick={() => setParams({ workflow: undefined, status: undefined })}>
            Clear filters
          </button>
        )}
      </form>
      {runs.loading ? (
        <Loading label="Loading runs…" />
      ) : runs.error ? (
        <ErrorState error={runs.error} onRetry={runs.reload} />
      ) : runs.items.length === 0 ? (
        <EmptyState title={filtered ? 'No run matches these filters' : 'No runs yet'}>
          {filtered ? 'Change or clear the filters.' : 'A run starts when an event matches a workflow. Runs appear here live.'}
        </EmptyState>
      ) : (
        <>
          <RunsTable runs={runs.items} fresh={runs.fresh} caption="Runs" />
          <LoadMore hasMore={runs.hasMore} loading={runs.loadingMore} onClick={runs.loadMore} count={runs.items.length} noun="runs" />
        </>
      )}
      <ConfirmDialog
        open={confirming === 'retry'}
        title="Retry failed runs?"
        confirmLabel="Retry them"
        busy={busy}
        onConfirm={retryFailed}
        onCancel={() => setConfirming(null)}
      >
        <p>
          The newest {BULK_LIMIT} failed runs{workflow ? ` of ${workflow}` : ''} run again from the steps that did not succeed, keeping earlier outputs. Their
          receivers will be called again.
        </p>
      </ConfirmDialog>
      <ConfirmDialog
        open={confirming === 'cancel'}
        title="Cancel unfinished runs?"
        confirmLabel="Cancel them"
        busy={busy}
        onConfirm={cancelUnfinished}
        onCancel={() => setConfirming(null)}
      >
        <p>
          The newest {BULK_LIMIT} {status ?? 'queued, running or paused'} runs{workflow ? ` of ${workflow}` : ''} are cancelled: steps already sending finish,
          no further step starts. Finished runs are not touched; a cancelled run can be retried later.
        </p>
      </ConfirmDialog>
    </>
  );
}
