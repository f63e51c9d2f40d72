import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { HOOKFLOW_MAIN } from './paths';
import type { BenchContext } from './scenario';
import type { ServerSpec } from './server-comparison';
import { BENCH_SOURCE, EVENT_ID_HEADER, SIGNATURE_HEADER } from './signed-order-requests';
import { auditCounts, countRows, databaseWorkPerWebhook, sequentialScans } from './stored-rows';

/** Source `bench`: HMAC-SHA256 (hex) of the raw body, deduplicated on `x-event-id`. */
export const BENCH_SOURCES_YAML = `sources:
  ${BENCH_SOURCE}:
    verify:
      scheme: hmac-sha256
      secret: "{{secrets.BENCH_SECRET}}"
      header: ${SIGNATURE_HEADER}
      encoding: hex
    event_type: "{{event.body.type}}"
    dedupe_key: "{{event.headers.${EVENT_ID_HEADER}}}"
`;

/** One workflow on `order.paid` with one cheap step: each accepted event makes one run and one job. */
export const ORDER_PAID_WORKFLOW_YAML = `name: bench-order-paid
description: One run per accepted order.paid event, with a single set step.
on:
  webhook: ${BENCH_SOURCE}
  event: order.paid
steps:
  - id: note
    uses: set
    with:
      order_id: "{{event.body.order.id}}"
`;

export interface HookflowServerOptions {
  name?: string;
  /** Workflow files (name → YAML) beside sources.yaml; defaults to the order-paid workflow. */
  workflows?: Record<string, string>;
  env?: Record<string, string>;
}

/**
 * `node dist/src/main.js` as `npm start` runs it, on its own database, in a temporary
 * working folder (so no `.env` of the repository leaks in), with LOG_LEVEL=warn.
 */
export async function hookflowServer(context: BenchContext, options: HookflowServerOptions = {}): Promise<ServerSpec> {
  const home = await context.tempDir('hookflow-bench-home-');
  const workflowsDir = join(home, 'workflows');
  const files = { 'sources.yaml': BENCH_SOURCES_YAML, ...(options.workflows ?? { 'bench-order-paid.yaml': ORDER_PAID_WORKFLOW_YAML }) };
  await mkdir(workflowsDir);
  for (const [file, yaml] of Object.entries(files)) await writeFile(join(workflowsDir, file), yaml);
  return {
    name: options.name ?? 'Hookflow ingress',
    entry: HOOKFLOW_MAIN,
    cwd: home,
    readyPath: '/readyz',
    needsDatabase: true,
    audit: auditOneRunPerEvent,
    env: {
      HOOKFLOW_WORKFLOWS_DIR: workflowsDir,
      HOOKFLOW_DATA_DIR: join(home, 'data'),
      HOOKFLOW_ADMIN_TOKEN: randomBytes(24).toString('hex'),
      BENCH_SECRET: context.requests.secret,
      LOG_LEVEL: 'warn',
      ...options.env,
    },
  };
}

/**
 * Every 202 must have left one event and (one matching workflow) one run; queue jobs are
 * listed as found, since workers may already have finished some.
 */
async function auditOneRunPerEvent(databaseUrl: string, accepted: number, inFlight: number): Promise<string> {
  const counts = await countRows(databaseUrl, ['events', 'runs', 'graphile_worker._private_jobs']);
  const stored = auditCounts(counts, { events: accepted, runs: accepted }, inFlight);
  const scans = await sequentialScans(databaseUrl, 'graphile_worker._private_jobs');
  return `${stored}; ${await databaseWorkPerWebhook(databaseUrl, accepted)}; ${scans}`;
}
