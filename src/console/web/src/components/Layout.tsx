import type { ReactNode } from 'react';
import { session } from '../api/client';
import { BrandMark } from './BrandMark';
import { useLiveStatus } from '../hooks/useLive';
import { Link, useLocation } from '../lib/router';

const NAV = [
  { to: '/workflows', label: 'Workflows', icon: 'M4 5h6v5H4zM14 14h6v5h-6zM7 10v4a2 2 0 0 0 2 2h5' },
  { to: '/runs', label: 'Runs', icon: 'M5 4l14 8-14 8z' },
  { to: '/events', label: 'Events', icon: 'M4 6h16M4 12h16M4 18h10' },
  { to: '/sources', label: 'Sources', icon: 'M12 3v8m0 0 4-4m-4 4-4-4M5 14v5h14v-5' },
  { to: '/destinations', label: 'Destinations', icon: 'M4 12h12m0 0-4-4m4 4-4 4M20 5v14' },
  { to: '/dry-run', label: 'Test an event', icon: 'M9 3h6M10 3v6l-5 9a2 2 0 0 0 2 3h10a2 2 0 0 0 2-3l-5-9V3' },
];

const LIVE_LABELS = { live: 'Live', connecting: 'Connecting…', offline: 'Offline — retrying' };

export function Layout({ children }: { children: ReactNode }) {
  const { pathname } = useLocation();
  const live = useLiveStatus();
  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <aside className="sidebar">
        <Link to="/workflows" className="brand" aria-label="Hookflow home">
          <BrandMark />
          Hookflow
        </Link>
        <nav aria-label="Main">
          <ul className="nav">
            {NAV.map((item) => {
              const active = pathname === item.to || pathname.startsWith(`${item.to}/`);
              return (
                <li key={item.to}>
                  <Link to={item.to} className={`nav__link${active ? ' nav__link--active' : ''}`} aria-current={active ? 'page' : undefined}>
                    <svg viewBox="0 0 24 24" aria-hidden="true">
                      <path d={item.icon} />
                    </svg>
                    {item.label}
                  </Link>
                </li>
              );
            })}
          </ul>
        </nav>
        <div className="sidebar__foot">
          <span className={`live live--${live}`} role="status" aria-live="polite" data-live={live}>
            <span className="live__dot" aria-hidden="true" />
            {LIVE_LABELS[live]}
          </span>
          <button type="button" className="link-button" onClick={() => session.signOut()}>
            Sign out
          </button>
        </div>
      </aside>
      <main id="main" className="main" tabIndex={-1}>
        {children}
      </main>
    </div>
  );
}

/** The title row of a page: breadcrumb, heading, what it is, and its actions. */
export function PageHeader({ title, crumbs, children, actions }: { title: ReactNode; crumbs?: ReactNode; children?: ReactNode; actions?: ReactNode }) {
  return (
    <header className="page-header">
      <div className="page-header__text">
        {crumbs && <div className="crumbs">{crumbs}</div>}
        <h1>{title}</h1>
        {children && <div className="page-header__meta">{children}</div>}
      </div>
      {actions && <div className="page-header__actions">{actions}</div>}
    </header>
  );
}
