import { benchServer } from './paths';
import type { ServerSpec } from './server-comparison';
import { auditCounts, countRows, databaseWorkPerWebhook } from './stored-rows';

/** Every 2xx answer of a one-row-per-request server must have left one row in `webhooks`. */
export async function auditWebhookRows(databaseUrl: string, accepted: number, inFlight: number): Promise<string> {
  const stored = auditCounts(await countRows(databaseUrl, ['webhooks']), { webhooks: accepted }, inFlight);
  return `${stored}; ${await databaseWorkPerWebhook(databaseUrl, accepted)}`;
}

/** Bare Fastify + pg: one INSERT per request, durable commit, then 202. The reference row. */
export function insertBaselineServer(): ServerSpec {
  return {
    name: 'Baseline: Fastify + INSERT',
    entry: benchServer('insert-baseline'),
    readyPath: '/health',
    needsDatabase: true,
    baseline: true,
    audit: auditWebhookRows,
  };
}

/** Bare Fastify answering 202 without a database: the HTTP and load-generator ceiling. */
export function plainBaselineServer(): ServerSpec {
  return { name: 'Reference: Fastify, no database', entry: benchServer('plain-baseline'), readyPath: '/health', needsDatabase: false };
}
