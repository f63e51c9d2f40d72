import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';

/** Where `npm run build:console` writes the console: `dist/console`, beside the compiled server in `dist/src`. */
export const CONSOLE_DIR = resolve(__dirname, '..', '..', 'console');

/**
 * Paths the console's router owns (history routing): each answers `index.html`, so a
 * reload or a shared link opens the right page. Everything else stays the server's.
 */
export const CONSOLE_ROUTES = [
  '',
  'login',
  'workflows',
  'workflows/:name',
  'workflows/:name/edit',
  'workflows/:name/versions/:revision',
  'runs',
  'runs/:id',
  'events',
  'events/:id',
  'sources',
  'destinations',
  'destinations/:id',
  'dry-run',
];

/** What the browser may load and send: the console's own files and the API, nothing inline but styles. */
export const CONSOLE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  // Style attributes set from script (xyflow's positions) are not inline styles to CSP.
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * The console's `index.html`, read on every request so that a console built while the
 * server runs is served at once; before the first build, a page saying how to build it.
 */
export class ConsolePage {
  constructor(private readonly dir: string = CONSOLE_DIR) {}

  async html(): Promise<{ built: boolean; html: string }> {
    try {
      return { built: true, html: await readFile(join(this.dir, 'index.html'), 'utf8') };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      return { built: false, html: NOT_BUILT };
    }
  }
}

const NOT_BUILT = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Hookflow — console not built</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem;color:#1f2328}
code{background:#f6f8fa;padding:.1rem .3rem;border-radius:4px}</style></head>
<body>
<h1>Hookflow is running</h1>
<p>The web console has not been built yet. Build it once with <code>npm run build</code>
(or <code>npm run build:console</code>) and reload this page; <code>npm start</code> builds it when it is missing.</p>
<p>Meanwhile the management API answers under <code>/api</code> (documented at <a href="/api/docs">/api/docs</a>),
and webhooks are received at <code>POST /hooks/&lt;source&gt;</code>.</p>
</body></html>`;
