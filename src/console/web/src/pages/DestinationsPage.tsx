import { useEffect } from 'react';
import { api } from '../api/client';
import type { Destination, Page } from '../api/types';
import {
  DESTINATION_POLL_MS,
  DestinationHelp,
  destinationPath,
  DestinationStateBadge,
  DestinationStats,
  HourChart,
  nextStep,
  PolicySummary,
} from '../components/DestinationParts';
import { PageHeader } from '../components/Layout';
import { EmptyState, ErrorState, Loading } from '../components/States';
import { useApi } from '../hooks/useApi';
import { useDebouncedCallback } from '../hooks/useDebouncedCallback';
import { useDocumentTitle } from '../hooks/useDocumentTitle';
import { useLiveMessages } from '../hooks/useLive';
import { Link } from '../lib/router';
import { timeAgo } from '../lib/format';

export function DestinationsPage() {
  useDocumentTitle('Destinations');
  const { data, error, loading, reload } = useApi((signal) => api<Page<Destination>>('GET', '/api/destinations', { signal }), []);
  const refresh = useDebouncedCallback(() => void reload(), 1000);
  useEffect(() => {
    const timer = setInterval(() => void reload(), DESTINATION_POLL_MS);
    return () => clearInterval(timer);
  }, [reload]);
  useLiveMessages((message) => {
    if (message.type === 'step.updated' || message.type === 'run.updated') refresh();
  });

  return (
    <>
      <PageHeader title="Destinations">
        Where steps send to — HTTP origins and the SMTP server — with their circuit breaker, rate limit and the last 24 hours of attempts.
      </PageHeader>
      {loading ? (
        <Loading label="Loading destinations…" />
      ) : error ? (
        <ErrorState error={error} onRetry={reload} />
      ) : data!.items.length === 0 ? (
        <>
          <EmptyState title="No destinations yet">
            A destination appears here once a step has sent to it (an HTTP request, a Slack message, an e-mail) in the last 24 hours, or once its circuit has a
            state.
          </EmptyState>
          <DestinationHelp open />
        </>
      ) : (
        <>
          <div className="cards">
            {data!.items.map((destination, index) => (
              <DestinationCard key={destination.id} destination={destination} headingId={`destination-${index}`} />
            ))}
          </div>
          <DestinationHelp />
        </>
      )}
    </>
  );
}

function DestinationCard({ destination, headingId }: { destination: Destination; headingId: string }) {
  const next = nextStep(destination);
  return (
    <article className={`card destination destination--${destination.state}`} aria-labelledby={headingId} data-destination={destination.id}>
      <header className="destination__head">
        <h2 id={headingId}>
          <Link to={destinationPath(destination.id)} className="strong-link mono">
            {destination.id}
          </Link>
        </h2>
        <DestinationStateBadge destination={destination} />
      </header>
      <DestinationStats destination={destination} />
      <HourChart hours={destination.hours} label={`Attempts to ${destination.id} per hour`} />
      {next && <p className="destination__next">{next}</p>}
      {destination.last_error && (
        <p className="destination__error" title={destination.last_error}>
          <span className="muted">Last error{destination.last_failure_at ? `, ${timeAgo(destination.last_failure_at)}` : ''}:</span> {destination.last_error}
        </p>
      )}
      <PolicySummary policy={destination.policy} />
    </article>
  );
}
