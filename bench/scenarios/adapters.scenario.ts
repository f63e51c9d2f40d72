import { auditWebhookRows, insertBaselineServer } from '../support/baseline-servers';
import { benchServer } from '../support/paths';
import type { Scenario } from '../support/scenario';
import type { ServerSpec } from '../support/server-comparison';

/** The same minimal NestJS app (HMAC of the raw body + one INSERT) on Express and on Fastify. */
export const scenario: Scenario = {
  name: 'adapters',
  description: 'NestJS on Express vs NestJS on Fastify, HMAC verify + one INSERT per request (the adapter decision)',
  order: 20,
  runByDefault: false,
  async run(context) {
    const nestOn = (adapter: 'express' | 'fastify', label: string): ServerSpec => ({
      name: `NestJS on ${label} (HMAC + INSERT)`,
      entry: benchServer('nest-adapter'),
      args: [adapter],
      readyPath: '/health',
      needsDatabase: true,
      env: { BENCH_SECRET: context.requests.secret },
      audit: auditWebhookRows,
    });
    await context.compare('HTTP adapter: NestJS on Express vs Fastify', [insertBaselineServer(), nestOn('express', 'Express'), nestOn('fastify', 'Fastify')]);
  },
};
