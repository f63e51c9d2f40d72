import { Controller, Get, Header } from '@nestjs/common';

/**
 * The console's front door. The visual console (workflow graphs, runs painted onto them)
 * is being built; until then this page points at what already answers.
 */
@Controller()
export class ConsoleController {
  @Get()
  @Header('content-type', 'text/html; charset=utf-8')
  home(): string {
    return CONSOLE_PLACEHOLDER;
  }
}

const CONSOLE_PLACEHOLDER = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Hookflow</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem;color:#1f2328}
code{background:#f6f8fa;padding:.1rem .3rem;border-radius:4px}</style></head>
<body>
<h1>Hookflow is running</h1>
<p>The visual console is not built yet. Meanwhile:</p>
<ul>
<li>Send webhooks to <code>POST /hooks/&lt;source&gt;</code> (sources are declared in <code>workflows/sources.yaml</code>).</li>
<li>Read runs with <code>GET /api/runs</code> and <code>GET /api/runs/&lt;id&gt;</code>, using the admin token as <code>Authorization: Bearer …</code>.</li>
<li>Health: <a href="/healthz">/healthz</a>, readiness: <a href="/readyz">/readyz</a>.</li>
</ul>
</body></html>`;
