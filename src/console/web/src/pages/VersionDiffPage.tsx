import { lazy, Suspense } from 'react';
import { api } from '../api/client';
import type { WorkflowVersion, WorkflowVersionList, WorkflowVersionSummary } from '../api/types';
import { PageHeader } from '../components/Layout';
import { ErrorState, Loading, RecordNotLoaded } from '../components/States';
import { useApi } from '../hooks/useApi';
import { useDocumentTitle } from '../hooks/useDocumentTitle';
import { dateTime, timeAgo } from '../lib/format';
import { Link, navigate } from '../lib/router';
import { comparePath, shortRevision, versionApiPath, versionPath } from '../lib/versions';

const YamlDiff = lazy(() => import('../components/YamlDiff'));

/** The YAML of two versions of a workflow side by side; either can be swapped for any other version. */
export function VersionDiffPage({ name, before, after }: { name: string; before: string; after: string }) {
  useDocumentTitle(`${name} ${shortRevision(before)} → ${shortRevision(after)}`);
  const list = useApi((signal) => api<WorkflowVersionList>('GET', `/api/workflows/${encodeURIComponent(name)}/versions`, { signal }), [name]);
  const older = useApi((signal) => api<WorkflowVersion>('GET', versionApiPath(name, before), { signal }), [name, before]);
  const newer = useApi((signal) => api<WorkflowVersion>('GET', versionApiPath(name, after), { signal }), [name, after]);

  if (older.loading || newer.loading) return <Loading label="Loading the two versions…" />;
  const failed = older.error ? { state: older, id: before } : newer.error ? { state: newer, id: after } : undefined;
  if (failed || !older.data || !newer.data) {
    return (
      <RecordNotLoaded
        error={failed?.state.error}
        onRetry={() => void Promise.all([older.reload(), newer.reload()])}
        noun="version"
        id={failed?.id ?? `${before}...${after}`}
        back={`/workflows/${encodeURIComponent(name)}`}
      />
    );
  }
  const items = list.data?.items ?? [];
  const label = (version: WorkflowVersion) => `Version ${shortRevision(version.revision)}${version.in_force ? ' (in force)' : ''}`;

  return (
    <>
      <PageHeader
        crumbs={
          <>
            <Link to="/workflows">Workflows</Link> / <Link to={`/workflows/${encodeURIComponent(name)}`}>{name}</Link> / Versions
          </>
        }
        title={
          <>
            Changes in <span className="mono">{name}</span>
          </>
        }
        actions={
          <Link className="button" to={comparePath(name, after, before)}>
            Swap sides
          </Link>
        }
      >
        {list.error ? (
          <ErrorState error={list.error} onRetry={list.reload} title="Could not list the versions to choose from" />
        ) : (
          <div className="version-pick">
            <VersionSelect label="From" name={name} value={before} versions={items} onPick={(revision) => navigate(comparePath(name, revision, after))} />
            <span aria-hidden="true" className="version-pick__arrow">
              →
            </span>
            <VersionSelect label="To" name={name} value={after} versions={items} onPick={(revision) => navigate(comparePath(name, before, revision))} />
          </div>
        )}
      </PageHeader>

      <section className="card card--diff" aria-labelledby="diff-title">
        <div className="card__head">
          <h2 id="diff-title">YAML</h2>
          <span className="muted">
            <Link to={versionPath(name, before)}>{shortRevision(before)}</Link> first seen {timeAgo(older.data.first_seen)} ·{' '}
            <Link to={versionPath(name, after)}>{shortRevision(after)}</Link> first seen {timeAgo(newer.data.first_seen)}
          </span>
        </div>
        <Suspense fallback={<Loading label="Loading the diff…" />}>
          <YamlDiff before={older.data.yaml} after={newer.data.yaml} beforeLabel={label(older.data)} afterLabel={label(newer.data)} />
        </Suspense>
      </section>
    </>
  );
}

function VersionSelect({
  label,
  name,
  value,
  versions,
  onPick,
}: {
  label: string;
  name: string;
  value: string;
  versions: WorkflowVersionSummary[];
  onPick: (revision: string) => void;
}) {
  const id = `version-${label.toLowerCase()}`;
  // The chosen revision stays choosable even before the list has answered.
  const options = versions.some((version) => version.revision === value)
    ? versions
    : [{ revision: value, first_seen: '', runs: 0, in_force: false }, ...versions];
  return (
    <div className="field field--inline">
      <label htmlFor={id}>{label}</label>
      <select id={id} value={value} onChange={(event) => onPick(event.target.value)} aria-describedby={`${id}-hint`}>
        {options.map((version) => (
          <option key={version.revision} value={version.revision}>
            {shortRevision(version.revision)}
            {version.first_seen ? ` · ${dateTime(version.first_seen)}` : ''}
            {version.in_force ? ' · in force' : ''}
          </option>
        ))}
      </select>
      <span id={`${id}-hint`} className="visually-hidden">
        a version of {name}
      </span>
    </div>
  );
}
