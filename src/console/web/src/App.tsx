import { lazy, ReactNode, Suspense, useEffect, useSyncExternalStore } from 'react';
import { session } from './api/client';
import { CatalogReady } from './components/CatalogReady';
import { Layout } from './components/Layout';
import { ToastProvider } from './components/Toasts';
import { Loading } from './components/States';
import { LiveProvider } from './hooks/useLive';
import { matchPath, navigate, useLocation } from './lib/router';
import { parseRange } from './lib/versions';
import { DestinationPage } from './pages/DestinationPage';
import { DestinationsPage } from './pages/DestinationsPage';
import { DryRunPage } from './pages/DryRunPage';
import { EventPage } from './pages/EventPage';
import { EventsPage } from './pages/EventsPage';
import { LoginPage } from './pages/LoginPage';
import { NotFoundPage } from './pages/NotFoundPage';
import { RunPage } from './pages/RunPage';
import { RunsPage } from './pages/RunsPage';
import { SourcesPage } from './pages/SourcesPage';
import { VersionDiffPage } from './pages/VersionDiffPage';
import { WorkflowPage } from './pages/WorkflowPage';
import { WorkflowVersionPage } from './pages/WorkflowVersionPage';
import { WorkflowsPage } from './pages/WorkflowsPage';

// The editor carries the YAML library and its edits: loaded when a page needs it.
const WorkflowEditorPage = lazy(() => import('./pages/WorkflowEditorPage').then((module) => ({ default: module.WorkflowEditorPage })));

/** Console paths; the server answers index.html for the same list (src/console/console-page.ts). */
const ROUTES: [string, (params: Record<string, string>) => ReactNode][] = [
  ['/workflows', () => <WorkflowsPage />],
  ['/workflows/new', () => <Editor key="new" />],
  ['/workflows/:name', ({ name }) => <WorkflowPage key={name} name={name} />],
  ['/workflows/:name/edit', ({ name }) => <Editor key={name} name={name} />],
  // `<revision>` is one version; `<before>...<after>` the changes between two.
  ['/workflows/:name/versions/:revision', ({ name, revision }) => versionRoute(name, revision)],
  ['/runs', () => <RunsPage />],
  ['/runs/:id', ({ id }) => <RunPage key={id} id={id} />],
  ['/events', () => <EventsPage />],
  ['/events/:id', ({ id }) => <EventPage key={id} id={id} />],
  ['/sources', () => <SourcesPage />],
  ['/destinations', () => <DestinationsPage />],
  // The id is an origin, URL-encoded as one segment: `/destinations/https%3A%2F%2Fapi.example.com`.
  ['/destinations/:id', ({ id }) => <DestinationPage key={id} id={id} />],
  ['/dry-run', () => <DryRunPage />],
];

function versionRoute(name: string, segment: string): ReactNode {
  const range = parseRange(segment);
  if (range) return <VersionDiffPage key={`${name}/compare`} name={name} before={range.before} after={range.after} />;
  return <WorkflowVersionPage key={`${name}/${segment}`} name={name} revision={segment} />;
}

function Editor({ name }: { name?: string }) {
  return (
    <Suspense fallback={<Loading label="Loading the editor…" />}>
      <WorkflowEditorPage name={name} />
    </Suspense>
  );
}

function route(pathname: string): ReactNode {
  for (const [pattern, render] of ROUTES) {
    const params = matchPath(pattern, pathname);
    if (params) return render(params);
  }
  return <NotFoundPage />;
}

export function App() {
  const token = useSyncExternalStore(session.subscribe, () => session.token);
  const { pathname, search } = useLocation();

  // Signed out: the login page, then back where the user was going.
  useEffect(() => {
    if (!token && pathname !== '/login') navigate(`/login?next=${encodeURIComponent(pathname + (search.size ? `?${search}` : ''))}`, { replace: true });
    if (token && pathname === '/login') navigate(safeNext(search.get('next')), { replace: true });
    if (token && pathname === '/') navigate('/workflows', { replace: true });
  }, [token, pathname, search]);

  useEffect(() => {
    window.scrollTo(0, 0);
  }, [pathname]);

  if (!token || pathname === '/login') return <LoginPage />;
  return (
    <ToastProvider>
      <LiveProvider token={token}>
        <Layout>
          <CatalogReady>{route(pathname)}</CatalogReady>
        </Layout>
      </LiveProvider>
    </ToastProvider>
  );
}

/** Only a console path, never another origin. */
function safeNext(next: string | null): string {
  return next && next.startsWith('/') && !next.startsWith('//') && !next.startsWith('/login') ? next : '/workflows';
}
