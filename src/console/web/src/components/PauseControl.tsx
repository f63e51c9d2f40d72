import { useState } from 'react';
import { api } from '../api/client';
import type { Pause } from '../api/types';
import { dateTime, timeAgo } from '../lib/format';
import { useToast } from './Toasts';

/** What a pause does, as the console explains it beside the button. */
const HELP = {
  workflow: {
    paused:
      'Its events are still accepted and stored, and its runs wait as paused: a run already going stops before its next step (an attempt in flight finishes). Resume queues them again in arrival order, one at a time per concurrency key.',
    active: 'Pausing keeps accepting and storing this workflow’s events; its runs wait as paused until you resume, and nothing is lost.',
  },
  source: {
    paused:
      'Requests to this source are answered 503 with Retry-After: 60 and nothing is stored, so senders keep their events and retry on their own schedule (some providers, such as GitHub, do not retry: redeliver from their settings).',
    active: 'Pausing makes this source answer 503 with Retry-After: 60 and store nothing, so that senders retry later.',
  },
};

/**
 * The Pause / Resume button of a workflow or a source, with what a pause does. `onChange`
 * reloads the page's record, which carries the pause.
 */
export function PauseButton({ kind, name, paused, onChange }: { kind: 'workflow' | 'source'; name: string; paused: Pause | null; onChange: () => unknown }) {
  const toast = useToast();
  const [busy, setBusy] = useState(false);
  const action = paused ? 'resume' : 'pause';
  const act = async () => {
    setBusy(true);
    try {
      const answer = await api<{ paused_runs?: number; resumed_runs?: number }>('POST', `/api/${kind}s/${encodeURIComponent(name)}/${action}`, {
        body: action === 'pause' ? { by: 'console' } : undefined,
      });
      toast(
        'success',
        action === 'pause'
          ? `${name} paused${answer.paused_runs ? `: ${answer.paused_runs} queued ${answer.paused_runs === 1 ? 'run waits' : 'runs wait'}` : ''}.`
          : `${name} resumed${answer.resumed_runs ? `: ${answer.resumed_runs} paused ${answer.resumed_runs === 1 ? 'run' : 'runs'} queued again` : ''}.`,
      );
      await onChange();
    } catch (error) {
      toast('error', `${action === 'pause' ? 'Pause' : 'Resume'} refused: ${(error as Error).message}`);
    } finally {
      setBusy(false);
    }
  };
  return (
    <button
      type="button"
      className={`button${paused ? ' button--primary' : ''}`}
      onClick={() => void act()}
      disabled={busy}
      title={paused ? undefined : HELP[kind].active}
      data-pause-action={action}
    >
      {paused ? 'Resume' : 'Pause'}
    </button>
  );
}

/** The notice of a paused workflow or source: since when, by whom, why, and what it means. */
export function PausedNotice({ kind, paused }: { kind: 'workflow' | 'source'; paused: Pause }) {
  return (
    <div className="callout callout--paused" role="status" data-paused-notice={kind}>
      <strong>
        Paused {timeAgo(paused.since)}
        <span className="muted" title={dateTime(paused.since)}>
          {' '}
          ({dateTime(paused.since)})
        </span>{' '}
        by {paused.by}
        {paused.reason ? `: ${paused.reason}` : ''}
      </strong>
      <p>{HELP[kind].paused}</p>
    </div>
  );
}
