import 'reflect-metadata';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createApp, HttpTimeouts } from '../../src/app.factory';
import { loadSettings } from '../../src/config/load-settings';
import { ProcessRoles } from '../../src/config/process-roles';
import { DatabaseConnection } from '../../src/database/database-connection';
import { AdminTokenHolder } from '../../src/api/admin-token.holder';
import { WorkflowRegistry } from '../../src/workflows/workflow-registry';
import { createTestDatabase, withClient } from './test-database';

export interface TestApp {
  app: NestFastifyApplication;
  /** `http://127.0.0.1:<port>` */
  baseUrl: string;
  databaseUrl: string;
  workflowsDir: string;
  /** Writes (or replaces) a file in the workflows folder and reloads the registry. */
  writeWorkflowFile(name: string, content: string): Promise<void>;
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  /** Calls the management API with the admin token. */
  api(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }>;
  adminToken: string;
  /** Stops the app but keeps its database, for a restart on it. */
  stop(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Boots the real application (real migrations, real PostgreSQL) on a fresh database and a
 * free port, with the given workflow files and environment.
 */
export async function startTestApp(options: {
  files: Record<string, string>;
  env?: Record<string, string>;
  /** Reuse a database (a restart); it is then not dropped on close. */
  databaseUrl?: string;
  /** Shorter HTTP timeouts than production's, for tests of slow clients. */
  httpTimeouts?: HttpTimeouts;
}): Promise<TestApp> {
  const workDir = await mkdtemp(join(tmpdir(), 'hookflow-e2e-'));
  const workflowsDir = join(workDir, 'workflows');
  await import('node:fs/promises').then((fs) => fs.mkdir(workflowsDir));
  for (const [name, content] of Object.entries(options.files)) await writeFile(join(workflowsDir, name), content);

  const database = options.databaseUrl ? { url: options.databaseUrl, drop: async () => undefined } : await createTestDatabase();
  const settings = loadSettings(
    {
      HOST: '127.0.0.1',
      PORT: '0',
      HOOKFLOW_WORKFLOWS_DIR: workflowsDir,
      HOOKFLOW_DATA_DIR: join(workDir, 'data'),
      LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
      DATABASE_URL: database.url,
      ...options.env,
    },
    workDir,
  );
  const app = await createApp(settings, new DatabaseConnection(database.url), options.httpTimeouts);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const registry = app.get(WorkflowRegistry);
  // Only roles serving /api have an admin token.
  const adminToken = ProcessRoles.of(settings).serves('api') ? app.get(AdminTokenHolder).token : '';
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await app.close();
  };

  return {
    app,
    baseUrl: `http://127.0.0.1:${port}`,
    databaseUrl: database.url,
    workflowsDir,
    async writeWorkflowFile(name, content) {
      await writeFile(join(workflowsDir, name), content);
      await registry.reload();
    },
    query: (sql, params) => withClient(database.url, async (client) => (await client.query(sql, params)).rows),
    adminToken,
    async api(method, path, body) {
      const response = await fetch(`http://127.0.0.1:${port}${path}`, {
        method,
        headers: { authorization: `Bearer ${adminToken}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await response.text();
      return { status: response.status, body: text ? JSON.parse(text) : null };
    },
    stop,
    async close() {
      await stop();
      await database.drop();
      await rm(workDir, { recursive: true, force: true });
    },
  };
}
