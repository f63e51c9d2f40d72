import { insertBaselineServer, plainBaselineServer } from '../support/baseline-servers';
import { hookflowServer } from '../support/hookflow-server';
import type { Scenario } from '../support/scenario';

/**
 * Accepted webhooks per second: Hookflow's `POST /hooks/bench` (HMAC verified, event +
 * run + queue job committed before the 202) against a bare Fastify that inserts one row.
 * Hookflow runs twice: as `npm start` runs it (HOOKFLOW_ROLE=all, workers included) and as
 * an ingress-only process (HOOKFLOW_ROLE=ingress), which isolates the cost of ingress.
 */
export const scenario: Scenario = {
  name: 'ingress',
  description: 'Hookflow ingress vs a bare Fastify + INSERT baseline (and a no-database reference)',
  order: 10,
  async run(context) {
    await context.compare('Ingress: accepted webhooks per second', [
      plainBaselineServer(),
      insertBaselineServer(),
      await hookflowServer(context, { name: 'Hookflow (role all, default)' }),
      await hookflowServer(context, { name: 'Hookflow (role ingress)', env: { HOOKFLOW_ROLE: 'ingress' } }),
    ]);
  },
};
