import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Type } from '@nestjs/common';
import { ChangeFeed } from '../src/api/change-feed';
import { Duty } from '../src/config/process-roles';
import { SchedulerService } from '../src/engine/scheduler.service';
import { WorkerService } from '../src/engine/worker.service';
import { RetentionService } from '../src/retention/retention.service';
import { startTestApp, TestApp } from './support/test-app';
import { createTestDatabase } from './support/test-database';

const FILES = {
  'sources.yaml': `
sources:
  orders:
    verify: { scheme: none }
`,
  'note.yaml': `
name: note
on: { webhook: orders }
steps:
  - id: note
    uses: set
    with: { type: "{{event.type}}" }
`,
};

interface Probe {
  method: string;
  path: string;
  /** The duty that serves the route; `null`: every role. */
  duty: Duty | null;
  status: number;
}

const PROBES: Probe[] = [
  { method: 'POST', path: '/hooks/orders', duty: 'ingress', status: 202 },
  { method: 'PUT', path: '/hooks/orders', duty: 'ingress', status: 202 },
  { method: 'GET', path: '/api/workflows', duty: 'api', status: 200 },
  { method: 'GET', path: '/api/runs', duty: 'api', status: 200 },
  { method: 'GET', path: '/api/docs/openapi.json', duty: 'api', status: 200 },
  { method: 'GET', path: '/', duty: 'api', status: 200 },
  { method: 'GET', path: '/healthz', duty: null, status: 200 },
  { method: 'GET', path: '/readyz', duty: null, status: 200 },
  { method: 'GET', path: '/metrics', duty: null, status: 200 },
];

/** Each role, and a comma-separated list, with the duties it stands for. */
const ROLES: { role: string; duties: Duty[] }[] = [
  { role: 'all', duties: ['ingress', 'worker', 'api'] },
  { role: 'ingress', duties: ['ingress'] },
  { role: 'worker', duties: ['worker'] },
  { role: 'api', duties: ['api'] },
  { role: 'ingress,api', duties: ['ingress', 'api'] },
];

async function call(app: TestApp, probe: Probe): Promise<{ status: number; body: unknown }> {
  const response = await fetch(`${app.baseUrl}${probe.path}`, {
    method: probe.method,
    headers: { authorization: `Bearer ${app.adminToken}`, 'content-type': 'application/json' },
    body: probe.method === 'GET' ? undefined : JSON.stringify({ type: 'order.paid' }),
  });
  const text = await response.text();
  const json = (response.headers.get('content-type') ?? '').includes('application/json');
  return { status: response.status, body: json ? JSON.parse(text) : text };
}

function mounted(app: TestApp, type: Type): boolean {
  try {
    app.app.get(type);
    return true;
  } catch {
    return false;
  }
}

describe('HOOKFLOW_ROLE', () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;

  before(async () => {
    database = await createTestDatabase();
  });
  after(() => database.drop());

  for (const { role, duties } of ROLES) {
    it(`${role}: answers the routes of ${duties.join(', ')} and 404 on the others`, async () => {
      const app = await startTestApp({ files: FILES, env: { HOOKFLOW_ROLE: role }, databaseUrl: database.url });
      try {
        for (const probe of PROBES) {
          const served = probe.duty === null || duties.includes(probe.duty);
          const answer = await call(app, probe);
          const route = `${probe.method} ${probe.path}`;
          if (served) {
            assert.equal(answer.status, probe.status, `${role} serves ${route}`);
          } else {
            assert.equal(answer.status, 404, `${role} does not serve ${route}`);
            assert.deepEqual(Object.keys(answer.body as object), ['error'], `${route}: the usual error shape`);
            assert.equal((answer.body as { error: { code: string } }).error.code, 'NOT_FOUND', route);
          }
        }
        assert.equal(mounted(app, WorkerService), duties.includes('worker'), 'queue workers only where the role runs workers');
        assert.equal(mounted(app, SchedulerService), duties.includes('worker'), 'the scheduler only where the role runs workers');
        assert.equal(mounted(app, RetentionService), duties.includes('worker'), 'retention only where the role runs workers');
        assert.equal(mounted(app, ChangeFeed), duties.includes('api'), 'the change feed only where the role serves /api');
      } finally {
        await app.close();
      }
    });
  }
});
