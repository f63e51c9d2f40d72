import { lazy, Suspense, useMemo, useState } from 'react';
import { api } from '../api/client';
import type { WorkflowVersion, WorkflowVersionList } from '../api/types';
import { PageHeader } from '../components/Layout';
import { EmptyState, Loading, RecordNotLoaded } from '../components/States';
import { TriggerSummary } from '../components/TriggerSummary';
import { YamlView } from '../components/YamlView';
import { useApi } from '../hooks/useApi';
import { useDocumentTitle } from '../hooks/useDocumentTitle';
import { dateTime, timeAgo } from '../lib/format';
import { definitionNodeData } from '../lib/graph-data';
import { Link } from '../lib/router';
import { comparePath, shortRevision, versionApiPath } from '../lib/versions';

const WorkflowGraph = lazy(() => import('../components/WorkflowGraph'));

/** One version of a workflow as it ran: its graph beside its YAML, and links to what changed. */
export function WorkflowVersionPage({ name, revision }: { name: string; revision: string }) {
  useDocumentTitle(`${name} ${shortRevision(revision)}`);
  const version = useApi((signal) => api<WorkflowVersion>('GET', versionApiPath(name, revision), { signal }), [name, revision]);
  const list = useApi((signal) => api<WorkflowVersionList>('GET', `/api/workflows/${encodeURIComponent(name)}/versions`, { signal }), [name]);
  const [selected, setSelected] = useState<string | null>(null);

  const nodeData = useMemo(
    () => (version.data?.trigger ? definitionNodeData(version.data.trigger, [...version.data.steps, ...version.data.on_failure]) : {}),
    [version.data],
  );
  const focusLine = useMemo(() => {
    if (!version.data || !selected) return null;
    if (selected === 'trigger') return version.data.yaml.split('\n').findIndex((line) => /^on\s*:/.test(line)) + 1 || null;
    return version.data.steps.find((step) => step.id === selected)?.line ?? null;
  }, [version.data, selected]);

  if (version.loading) return <Loading label="Loading the version…" />;
  if (version.error || !version.data)
    return <RecordNotLoaded error={version.error} onRetry={version.reload} noun="version" id={revision} back={`/workflows/${encodeURIComponent(name)}`} />;
  const current = version.data;
  const items = list.data?.items ?? [];
  const index = items.findIndex((item) => item.revision === current.revision);
  const previous = index >= 0 ? items[index + 1] : undefined;
  const inForce = items.find((item) => item.in_force);
  const runs = index >= 0 ? items[index].runs : undefined;

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
            Version <span className="mono">{shortRevision(current.revision)}</span>{' '}
            {current.in_force ? <span className="badge badge--succeeded">in force</span> : <span className="badge">earlier version</span>}
          </>
        }
        actions={
          <>
            {previous && (
              <Link className="button" to={comparePath(name, previous.revision, current.revision)}>
                Changes from the previous version
              </Link>
            )}
            {inForce && !current.in_force && (
              <Link className="button" to={comparePath(name, current.revision, inForce.revision)}>
                Compare with the version in force
              </Link>
            )}
          </>
        }
      >
        <dl className="facts facts--inline">
          <div>
            <dt>Revision</dt>
            <dd className="mono">{current.revision}</dd>
          </div>
          <div>
            <dt>First seen</dt>
            <dd title={dateTime(current.first_seen)}>{timeAgo(current.first_seen)}</dd>
          </div>
          {runs !== undefined && (
            <div>
              <dt>Runs</dt>
              <dd>{runs}</dd>
            </div>
          )}
          <div>
            <dt>File</dt>
            <dd className="mono">{current.file}</dd>
          </div>
        </dl>
        {current.trigger && (
          <div className="meta-row">
            <TriggerSummary trigger={current.trigger} withCondition />
          </div>
        )}
      </PageHeader>

      <div className="split">
        <section className="card card--graph" aria-labelledby="graph-title">
          <div className="card__head">
            <h2 id="graph-title">Graph</h2>
            <span className="muted">{current.steps.length} steps · select a step to find it in the file</span>
          </div>
          {current.graph ? (
            <Suspense fallback={<Loading label="Loading the graph…" />}>
              <WorkflowGraph
                graph={current.graph}
                nodeData={nodeData}
                selectedId={selected}
                onSelect={setSelected}
                label={`Graph of workflow ${name}, version ${shortRevision(current.revision)}`}
              />
            </Suspense>
          ) : (
            <EmptyState title="No graph for this version">This file no longer validates with this server (a step kind it uses is gone).</EmptyState>
          )}
        </section>
        <section className="card card--yaml" aria-labelledby="yaml-title">
          <h2 id="yaml-title" className="visually-hidden">
            YAML
          </h2>
          <YamlView yaml={current.yaml} problems={[]} focusLine={focusLine} fileName={current.file} />
        </section>
      </div>
    </>
  );
}
