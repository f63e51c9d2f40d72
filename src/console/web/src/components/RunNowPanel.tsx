import { FormEvent, useEffect, useRef, useState } from 'react';
import { api } from '../api/client';
import type { EventDetail, EventSummary, ManualRunAnswer, Page, Trigger } from '../api/types';
import { navigate } from '../lib/router';

interface RunNowPanelProps {
  open: boolean;
  workflow: string;
  trigger: Trigger;
  onClose: () => void;
}

/** What the editor starts with: the body and type of the trigger's last event, or `{}` for a schedule. */
interface Prefill {
  body: string;
  type: string;
  from: string | null;
}

const EMPTY: Prefill = { body: '{}', type: '', from: null };

/**
 * "Run now": a modal with a JSON body and an optional type, sent to
 * `POST /api/workflows/:name/runs`; on success the new run opens.
 */
export function RunNowPanel({ open, workflow, trigger, onClose }: RunNowPanelProps) {
  const dialog = useRef<HTMLDialogElement>(null);
  const [bodyText, setBodyText] = useState(EMPTY.body);
  const [type, setType] = useState('');
  const [prefilledFrom, setPrefilledFrom] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    const element = dialog.current;
    if (!element) return;
    if (open && !element.open) element.showModal();
    if (!open && element.open) element.close();
  }, [open]);

  useEffect(() => {
    if (!open) return;
    const controller = new AbortController();
    setError(null);
    lastEventOf(trigger.webhook, trigger.event, controller.signal).then(
      (prefill) => {
        setBodyText(prefill.body);
        setType(prefill.type);
        setPrefilledFrom(prefill.from);
      },
      () => undefined,
    );
    return () => controller.abort();
    // Prefilled on opening only: the page reloads the workflow as runs come, which must not undo an edit.
  }, [open, trigger.webhook, trigger.event]);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    let body: unknown;
    try {
      body = JSON.parse(bodyText);
    } catch (failure) {
      setError(`The body is not valid JSON: ${(failure as Error).message}`);
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const answer = await api<ManualRunAnswer>('POST', `/api/workflows/${encodeURIComponent(workflow)}/runs`, {
        body: { body, ...(type.trim() ? { type: type.trim() } : {}) },
      });
      onClose();
      navigate(`/runs/${answer.run_id}`);
    } catch (failure) {
      setError((failure as Error).message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <dialog
      ref={dialog}
      className="dialog dialog--wide"
      aria-labelledby="run-now-title"
      onCancel={(event) => {
        event.preventDefault();
        onClose();
      }}
    >
      <form onSubmit={submit} aria-label={`Run ${workflow} now`}>
        <h2 id="run-now-title">Run {workflow} now</h2>
        <div className="dialog__body">
          <p>
            Starts a <strong>real run</strong> on the version in force, whatever the trigger says (its <code>if</code> is not checked): steps call their
            receivers, post messages and send e-mails for real. The body and type are stored as an event of source <code>manual</code>, listed on the Events
            page and replayable like any other.
          </p>
          <div className="form-grid">
            <label className="field field--wide">
              <span>
                Body (JSON){' '}
                <span className="muted">{prefilledFrom ? `from the last ${prefilledFrom} event` : trigger.webhook ? 'no event received yet' : ''}</span>
              </span>
              <textarea
                name="body"
                className="mono"
                rows={12}
                value={bodyText}
                onChange={(event) => setBodyText(event.target.value)}
                spellCheck={false}
                aria-invalid={error?.startsWith('The body is not valid JSON') ? true : undefined}
              />
            </label>
            <label className="field">
              <span>
                Event type <span className="muted">(optional)</span>
              </span>
              <input name="type" value={type} onChange={(event) => setType(event.target.value)} placeholder="manual" spellCheck={false} />
            </label>
          </div>
          {error && (
            <p className="field__error" role="alert">
              {error}
            </p>
          )}
        </div>
        <div className="dialog__actions">
          <button type="button" className="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="button button--primary" disabled={busy}>
            {busy ? 'Starting…' : 'Run'}
          </button>
        </div>
      </form>
    </dialog>
  );
}

/** The newest event of the trigger's source and type, as the editor's start; `{}` for a schedule or when none came yet. */
async function lastEventOf(source: string | null, type: string | null, signal: AbortSignal): Promise<Prefill> {
  if (!source) return EMPTY;
  const filter = new URLSearchParams({ source, limit: '1' });
  if (type) filter.set('type', type);
  const page = await api<Page<EventSummary>>('GET', `/api/events?${filter.toString()}`, { signal });
  const last = page.items[0];
  if (!last) return EMPTY;
  const event = await api<EventDetail>('GET', `/api/events/${last.id}`, { signal });
  const body = event.body_format === 'json' ? JSON.stringify(event.body_json, null, 2) : '{}';
  return { body, type: event.type, from: source };
}
