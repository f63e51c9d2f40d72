import type { ReactNode } from 'react';
import { ApiError } from '../api/client';
import { Link } from '../lib/router';

export function Loading({ label = 'Loading…' }: { label?: string }) {
  return (
    <div className="state state--loading" role="status" aria-live="polite">
      <span className="spinner" aria-hidden="true" />
      {label}
    </div>
  );
}

export function ErrorState({ error, onRetry, title = 'Could not load this' }: { error: Error; onRetry?: () => void; title?: string }) {
  const code = error instanceof ApiError ? error.code : undefined;
  return (
    <div className="state state--error" role="alert">
      <strong>{title}</strong>
      <p>
        {error.message}
        {code && <code className="state__code">{code}</code>}
      </p>
      {onRetry && (
        <button type="button" className="button" onClick={onRetry}>
          Try again
        </button>
      )}
    </div>
  );
}

export function EmptyState({ title, children, action }: { title: string; children?: ReactNode; action?: ReactNode }) {
  return (
    <div className="state state--empty">
      <svg className="state__icon" viewBox="0 0 24 24" aria-hidden="true">
        <path d="M4 7h16M4 12h10M4 17h7" />
      </svg>
      <strong>{title}</strong>
      {children && <div className="state__text">{children}</div>}
      {action}
    </div>
  );
}

/** A page's record did not load: "no such …" when the API answered 404, the error and a retry otherwise. */
export function RecordNotLoaded({ error, onRetry, noun, id, back }: { error: Error | undefined; onRetry: () => void; noun: string; id: string; back: string }) {
  if (error instanceof ApiError && error.status === 404) {
    return (
      <EmptyState title={`No such ${noun}`} action={<Link to={back}>Back to the {noun}s</Link>}>
        There is no {noun} <code>{id}</code>.
      </EmptyState>
    );
  }
  return <ErrorState error={error ?? new Error(`No ${noun}`)} onRetry={onRetry} title={`Could not load this ${noun}`} />;
}
