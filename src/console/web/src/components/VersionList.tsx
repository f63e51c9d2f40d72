import type { WorkflowVersionSummary } from '../api/types';
import { dateTime, plural, timeAgo } from '../lib/format';
import { Link } from '../lib/router';
import { comparePath, shortRevision, versionPath } from '../lib/versions';

export interface VersionListProps {
  workflow: string;
  /** Newest first, as the API lists them. */
  versions: WorkflowVersionSummary[];
}

/** The versions of a workflow that were in force, newest first, each with its runs and a link to what it changed. */
export function VersionList({ workflow, versions }: VersionListProps) {
  return (
    <div className="table-wrap">
      <table className="table table--versions" aria-label={`Versions of ${workflow}`}>
        <thead>
          <tr>
            <th scope="col">Version</th>
            <th scope="col">First seen</th>
            <th scope="col" className="num">
              Runs
            </th>
            <th scope="col">
              <span className="visually-hidden">Changes</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {versions.map((version, index) => {
            const previous = versions[index + 1];
            return (
              <tr key={version.revision} data-revision={version.revision} data-in-force={version.in_force || undefined}>
                <td>
                  <Link to={versionPath(workflow, version.revision)} className="strong-link mono" aria-label={`Version ${shortRevision(version.revision)}`}>
                    {shortRevision(version.revision)}
                  </Link>
                  {version.in_force && <span className="badge badge--succeeded badge--in-force">in force</span>}
                </td>
                <td title={dateTime(version.first_seen)}>{timeAgo(version.first_seen)}</td>
                <td className="num">{version.runs}</td>
                <td className="table__action">
                  {previous && (
                    <Link
                      to={comparePath(workflow, previous.revision, version.revision)}
                      aria-label={`Changes from ${shortRevision(previous.revision)} to ${shortRevision(version.revision)}`}
                    >
                      Changes
                    </Link>
                  )}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      <p className="table__foot muted">
        {plural(versions.length, 'version')} kept; runs count those retention keeps.{' '}
        {versions.length > 1 && <Link to={comparePath(workflow, versions[versions.length - 1].revision, versions[0].revision)}>Compare any two</Link>}
      </p>
    </div>
  );
}
