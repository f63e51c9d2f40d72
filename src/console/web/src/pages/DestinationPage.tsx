import { useEffect, useState } from 'react';
import { api } from '../api/client';
import type { DestinationDetail } from '../api/types';
import { ConfirmDialog } from '../components/ConfirmDialog';
import {
  DESTINATION_POLL_MS,
  DestinationHelp,
  DestinationStateBadge,
  DestinationStats,
  HourChart,
  nextStep,
  PolicySummary,
} from '../components/DestinationParts';
import { PageHeader } from '../components/Layout';
import { Loading, RecordNotLoaded } from '../components/States';
import { useToast } from '../components/Toasts';
import { useApi } from '../hooks/useApi';
import { useDebouncedCallback } from '../hooks/useDebouncedCallback';
import { useDocumentTitle } from '../hooks/useDocumentTitle';
import { useLiveMessages } from '../hooks/useLive';
import { clockTime, dateTime, shortId, timeAgo } from '../lib/format';
import { Link } from '../lib/router';

type Action = 'open' | 'close' | 'enable';

const DONE: Record<Action, string> = {
  open: 'Circuit opened: steps for this destination wait until you close it.',
  close: 'Circuit closed: the waiting steps go out in the order they came.',
  enable: 'Destination enabled: steps for it are attempted again.',
};

export function DestinationPage({ id }: { id: string }) {
  useDocumentTitle(id);
  const destination = useApi((signal) => api<DestinationDetail>('GET', `/api/destinations/${encodeURIComponent(id)}`, { signal }), [id]);
  const { reload } = destination;
  const refresh = useDebouncedCallback(() => void reload(), 300);
  useEffect(() => {
    const timer = setInterval(() => void reload(), DESTINATION_POLL_MS);
    return () => clearInterval(timer);
  }, [reload]);
  useLiveMessages((message) => {
    if (message.type === 'step.updated' || message.type === 'run.updated') refresh();
  });

  const toast = useToast();
  const [acting, setActing] = useState<Action | null>(null);
  const [confirmingOpen, setConfirmingOpen] = useState(false);
  const [actionError, setActionError] = useState<{ action: Action; message: string } | null>(null);
  const act = async (action: Action) => {
    setActing(action);
    setActionError(null);
    try {
      await api('POST', `/api/destinations/${encodeURIComponent(id)}/${action}`);
      toast('success', DONE[action]);
      setConfirmingOpen(false);
      await destination.reload();
    } catch (error) {
      setConfirmingOpen(false);
      setActionError({ action, message: (error as Error).message });
      await destination.reload();
    } finally {
      setActing(null);
    }
  };

  if (destination.loading) return <Loading label="Loading the destination…" />;
  if (destination.error || !destination.data) {
    return <RecordNotLoaded error={destination.error} onRetry={destination.reload} noun="destination" id={id} back="/destinations" />;
  }
  const current = destination.data;
  const next = nextStep(current);
  const canOpen = current.state !== 'disabled' && !(current.state === 'open' && current.held_manually);
  const canClose = current.state === 'open' || current.state === 'half_open';

  return (
    <>
      <PageHeader
        crumbs={
          <>
            <Link to="/destinations">Destinations</Link> / <span className="mono">{current.id}</span>
          </>
        }
        title={
          <>
            <span className="mono destination__title">{current.id}</span> <DestinationStateBadge destination={current} />
          </>
        }
        actions={
          <>
            {canOpen && (
              <button type="button" className="button button--danger" onClick={() => setConfirmingOpen(true)} disabled={acting !== null}>
                Open circuit…
              </button>
            )}
            {canClose && (
              <button type="button" className="button button--primary" onClick={() => act('close')} disabled={acting !== null}>
                {acting === 'close' ? 'Closing…' : 'Close circuit'}
              </button>
            )}
            {current.state === 'disabled' && (
              <button type="button" className="button button--primary" onClick={() => act('enable')} disabled={acting !== null}>
                {acting === 'enable' ? 'Enabling…' : 'Enable'}
              </button>
            )}
          </>
        }
      >
        <dl className="facts facts--inline">
          <div>
            <dt>Failures in a row</dt>
            <dd>{current.consecutive_failures}</dd>
          </div>
          {current.opened_at && (
            <div>
              <dt>Opened</dt>
              <dd title={dateTime(current.opened_at)}>{timeAgo(current.opened_at)}</dd>
            </div>
          )}
          {current.next_probe_at && (
            <div>
              <dt>Next probe</dt>
              <dd title={dateTime(current.next_probe_at)}>{clockTime(current.next_probe_at)}</dd>
            </div>
          )}
          {current.disabled_at && (
            <div>
              <dt>Disabled</dt>
              <dd title={dateTime(current.disabled_at)}>{timeAgo(current.disabled_at)}</dd>
            </div>
          )}
        </dl>
      </PageHeader>

      {actionError && (
        <div className="callout callout--error" role="alert" data-action-error={actionError.action}>
          <strong>Could not {actionError.action === 'enable' ? 'enable the destination' : `${actionError.action} the circuit`}:</strong> {actionError.message}
        </div>
      )}
      {next && <p className={`callout ${current.state === 'disabled' ? 'callout--error' : 'callout--warning'}`}>{next}</p>}

      <div className="grid-2">
        <section className="card card__pad destination-panel" aria-labelledby="destination-health-title">
          <h2 id="destination-health-title">Last 24 hours</h2>
          <DestinationStats destination={current} />
          <HourChart hours={current.hours} label={`Attempts to ${current.id} per hour`} />
          {current.last_error && (
            <p className="destination__error">
              <span className="muted">Last error{current.last_failure_at ? `, ${timeAgo(current.last_failure_at)}` : ''}:</span> {current.last_error}
            </p>
          )}
        </section>
        <section className="card card__pad destination-panel" aria-labelledby="destination-policy-title">
          <h2 id="destination-policy-title">Policy</h2>
          <PolicySummary policy={current.policy} />
          <p className="muted">
            From <code>workflows/destinations.yaml</code>, or the defaults.
          </p>
        </section>
      </div>

      <section className="section" aria-labelledby="waiting-title">
        <div className="section__head">
          <h2 id="waiting-title">Waiting steps</h2>
          <span className="muted">
            {current.waiting_steps > current.waiting.length
              ? `the ${current.waiting.length} waiting longest of ${current.waiting_steps}`
              : 'longest waiting first'}
          </span>
        </div>
        {current.waiting.length === 0 ? (
          <p className="muted" data-waiting="none">
            No step is waiting for this destination.
          </p>
        ) : (
          <div className="table-wrap">
            <table className="table" aria-label="Waiting steps">
              <thead>
                <tr>
                  <th scope="col">Run</th>
                  <th scope="col">Workflow</th>
                  <th scope="col">Step</th>
                  <th scope="col">Waiting since</th>
                  <th scope="col">Rate limit slot</th>
                </tr>
              </thead>
              <tbody>
                {current.waiting.map((step) => (
                  <tr key={`${step.run_id}/${step.step_id}`} data-run-id={step.run_id} data-step={step.step_id}>
                    <td>
                      <Link to={`/runs/${step.run_id}?step=${encodeURIComponent(step.step_id)}`} className="mono strong-link" title={step.run_id}>
                        {shortId(step.run_id)}
                      </Link>
                    </td>
                    <td>
                      <Link to={`/workflows/${encodeURIComponent(step.workflow)}`}>{step.workflow}</Link>
                    </td>
                    <td className="mono">{step.step_id}</td>
                    <td title={dateTime(step.since)}>{timeAgo(step.since)}</td>
                    <td>{step.slot ? clockTime(step.slot) : <span className="muted">—</span>}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>

      <DestinationHelp />

      <ConfirmDialog
        open={confirmingOpen}
        title="Open this circuit?"
        confirmLabel="Open circuit"
        busy={acting === 'open'}
        onConfirm={() => act('open')}
        onCancel={() => setConfirmingOpen(false)}
      >
        <p>
          Steps for <code>{current.id}</code> will wait, spending none of their attempts, until you close the circuit. No probe goes while it is held open by
          hand.
        </p>
      </ConfirmDialog>
    </>
  );
}
