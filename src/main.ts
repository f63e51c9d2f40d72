import 'reflect-metadata';
import { resolve } from 'node:path';
import ipaddr from 'ipaddr.js';
import { AdminToken } from './api/admin-token';
import { AdminTokenHolder } from './api/admin-token.holder';
import { createApp } from './app.factory';
import { DomainError } from './common/domain-error';
import { limitHeapGrowth } from './config/heap-growth';
import { SettingsError, loadSettings } from './config/load-settings';
import { Duty, ProcessRoles } from './config/process-roles';
import { Settings } from './config/settings';
import { describeCertificate, TlsFiles, TlsPair } from './config/tls-files';
import { TlsReloader } from './config/tls-reloader';
import { DatabaseConnection } from './database/database-connection';
import { EmbeddedPostgresServer } from './database/embedded-postgres.server';
import { waitForDatabase } from './database/wait-for-database';
import { PinoLogger } from './observability/pino-logger';
import { StartupProbes } from './observability/startup-probes';
import { WorkflowRegistry } from './workflows/workflow-registry';

/**
 * `npm start`: settings, then the database (embedded unless DATABASE_URL), then the app.
 * SIGTERM/SIGINT drain in-flight requests and stored writes before the database stops.
 */
async function main(): Promise<void> {
  const startedAt = Date.now();
  limitHeapGrowth();
  const settings = readSettingsOrExit();
  const embedded = settings.DATABASE_URL ? undefined : new EmbeddedPostgresServer(settings.HOOKFLOW_DATA_DIR);
  const connection = new DatabaseConnection(settings.DATABASE_URL ?? (await embedded!.start()));
  if (!embedded) await waitForDatabaseAnsweringProbes(settings, connection);

  const app = await createApp(settings, connection).catch(async (error: unknown) => {
    await embedded?.stop();
    throw error;
  });
  await app.listen({ port: settings.PORT, host: settings.HOST });
  const roles = ProcessRoles.of(settings);
  // The admin token guards /api only: processes without it neither read nor generate one.
  const adminToken = roles.serves('api') ? app.get(AdminTokenHolder).details : undefined;

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(`Hookflow received ${signal}: finishing in-flight requests…\n`);
    let clean = true;
    try {
      await app.close();
    } catch (error) {
      clean = false;
      process.stderr.write(`Hookflow did not stop cleanly: ${(error as Error)?.stack ?? String(error)}\n`);
    }
    await embedded?.stop();
    process.stdout.write('Hookflow stopped.\n');
    process.exit(clean ? 0 : 1);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));

  printBanner(settings, roles, app.get(WorkflowRegistry), connection, embedded, adminToken, app.get(TlsReloader).serving, Date.now() - startedAt);
}

/** A late database keeps Hookflow waiting; meanwhile its port answers the health probes. */
async function waitForDatabaseAnsweringProbes(settings: Settings, connection: DatabaseConnection): Promise<void> {
  let probes: StartupProbes | undefined;
  try {
    await waitForDatabase(connection, new PinoLogger(settings.LOG_LEVEL), async (reason, attempt) => {
      if (attempt === 1) probes = await StartupProbes.listen(settings.HOST, settings.PORT, connection.address, TlsFiles.of(settings)?.read());
      probes?.waitingBecause(reason);
    });
  } finally {
    await probes?.close();
  }
}

function readSettingsOrExit(): Settings {
  try {
    return loadSettings();
  } catch (error) {
    if (error instanceof SettingsError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
}

const DUTY_SUMMARY: Record<Duty, string> = {
  ingress: 'receives webhooks',
  worker: 'runs workflows and schedules',
  api: 'serves the API and console',
};

/** What this process serves, with only the URLs its role answers. */
function printBanner(
  settings: Settings,
  roles: ProcessRoles,
  registry: WorkflowRegistry,
  connection: DatabaseConnection,
  embedded: EmbeddedPostgresServer | undefined,
  adminToken: AdminToken | undefined,
  tls: TlsPair | undefined,
  elapsedMs: number,
): void {
  const host = settings.HOST === '0.0.0.0' || settings.HOST === '::' ? 'localhost' : settings.HOST;
  const base = `${tls ? 'https' : 'http'}://${host}:${settings.PORT}`;
  const sources = registry.sources().map((source) => `    ${base}/hooks/${source.name}   (${source.verify.scheme})`);
  const problems = registry.problems();
  const lines = [
    '',
    `Hookflow is running (${elapsedMs} ms)`,
    `  Role:       ${roles.toString()} (${roles
      .list()
      .map((duty) => DUTY_SUMMARY[duty])
      .join(', ')})`,
    ...(roles.serves('api') ? [`  Console:    ${base}/`, `  API:        ${base}/api   (OpenAPI: ${base}/api/docs)`] : []),
    ...(roles.serves('ingress') ? [`  Inbound URLs:`, ...(sources.length ? sources : ['    (no sources: declare them in workflows/sources.yaml)'])] : []),
    ...(tls ? [`  HTTPS:      ${describeCertificate(tls.certificate)} (from ${resolve(settings.HOOKFLOW_TLS_CERT!)}; reloaded when its files change)`] : []),
    // The API's bearer token travels as openly as the webhooks do.
    ...(!tls && !isLoopback(settings.HOST) && (roles.serves('ingress') || roles.serves('api'))
      ? [`  Warning:    plain HTTP on ${settings.HOST}: webhooks and tokens cross the network in clear. Serve HTTPS or use a TLS proxy: docs/https.md`]
      : []),
    `  Workflows:  ${registry.workflows().length} loaded from ${resolve(settings.HOOKFLOW_WORKFLOWS_DIR)}` +
      (problems.length ? `, ${problems.length} problem(s) — run: npx hookflow validate` : ''),
    `  Database:   ${embedded?.description ?? connection.safeUrl}`,
    ...(adminToken ? [`  Admin token: ${adminToken.generated ? 'generated and stored in ' : 'in '}${adminToken.location}`] : []),
    `  Health:     ${base}/healthz  ${base}/readyz  ${base}/metrics`,
    '',
  ];
  process.stdout.write(lines.join('\n') + '\n');
}

/** `localhost` or an address in 127.0.0.0/8 or ::1: traffic that never leaves the machine. */
function isLoopback(host: string): boolean {
  if (host.toLowerCase() === 'localhost') return true;
  return ipaddr.isValid(host) && ipaddr.process(host).range() === 'loopback';
}

main().catch((error: unknown) => {
  // A failure Hookflow can name (a bad admin token, the embedded database) is one line; anything else keeps its stack.
  const description = error instanceof DomainError ? error.message : ((error as Error)?.stack ?? String(error));
  process.stderr.write(`Hookflow could not start: ${description}\n`);
  process.exit(1);
});
