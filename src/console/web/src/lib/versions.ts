/* Where a workflow's versions live in the console, and how a revision reads. */

/** The first 8 of a revision's 16 hex digits, as a reader tells versions apart. */
export function shortRevision(revision: string): string {
  return `${revision.slice(0, 8)}…`;
}

export function versionPath(workflow: string, revision: string): string {
  return `/workflows/${encodeURIComponent(workflow)}/versions/${revision}`;
}

/** The changes from `before` to `after`, as `/workflows/<name>/versions/<before>...<after>`. */
export function comparePath(workflow: string, before: string, after: string): string {
  return `/workflows/${encodeURIComponent(workflow)}/versions/${before}...${after}`;
}

/** `a...b` of a compare path, or null for a single revision. */
export function parseRange(segment: string): { before: string; after: string } | null {
  const parts = segment.split('...');
  return parts.length === 2 && parts[0] && parts[1] ? { before: parts[0], after: parts[1] } : null;
}

export function versionApiPath(workflow: string, revision: string): string {
  return `/api/workflows/${encodeURIComponent(workflow)}/versions/${encodeURIComponent(revision)}`;
}
