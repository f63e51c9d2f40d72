import type { LoggerService } from '@nestjs/common';
import { Client } from 'pg';
import { DatabaseConnection } from './database-connection';

/** Between attempts: quick at first (a database starting alongside), then every 5 s. */
const RETRY_DELAYS_MS = [500, 1_000, 2_000, 5_000];
const CONNECT_TIMEOUT_MS = 5_000;

/**
 * Waits until the database named by DATABASE_URL answers, for as long as it takes: a
 * process started before its database (a fresh deployment, a database restarting) stays
 * unready and says why, one log line per attempt, instead of exiting and being restarted
 * in a loop. Stopping it meanwhile (SIGTERM) ends it at once.
 */
export async function waitForDatabase(
  connection: DatabaseConnection,
  logger: LoggerService,
  /** Called after every failed attempt, with why it failed. */
  onUnreachable: (reason: string, attempt: number) => void | Promise<void> = () => undefined,
): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    const failure = await tryToConnect(connection.url);
    if (failure === undefined) {
      if (attempt > 1) logger.log(`Database ${connection.address} answers (attempt ${attempt})`, 'Database');
      return;
    }
    await onUnreachable(failure, attempt);
    const delayMs = RETRY_DELAYS_MS[Math.min(attempt - 1, RETRY_DELAYS_MS.length - 1)];
    logger.error(
      `Database ${connection.address} is not reachable (${failure}); retrying in ${delayMs / 1000} s (attempt ${attempt}; Hookflow keeps trying until it answers)`,
      'Database',
    );
    await new Promise((done) => setTimeout(done, delayMs));
  }
}

/** Connects once; answers why that failed, or undefined when the database answered. */
async function tryToConnect(url: string): Promise<string | undefined> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: CONNECT_TIMEOUT_MS, application_name: 'hookflow' });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('SELECT 1');
    return undefined;
  } catch (error) {
    // Connecting to "localhost" tries each address; Node then reports an AggregateError without a message.
    const { message, code } = error as { message?: string; code?: string };
    return message || code || String(error);
  } finally {
    await client.end().catch(() => undefined);
  }
}
