import { randomBytes } from 'node:crypto';
import { Client } from 'pg';

/** The server the test run uses: the run's embedded PostgreSQL, or DATABASE_URL. */
export function testServerUrl(): string {
  const url = process.env.HOOKFLOW_TEST_DATABASE_URL;
  if (!url) throw new Error('HOOKFLOW_TEST_DATABASE_URL is not set: run the tests with `npm test`');
  return url;
}

/** A fresh, empty database on the test server, so that each test file starts clean. */
export async function createTestDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const server = new URL(testServerUrl());
  const name = `hookflow_test_${randomBytes(6).toString('hex')}`;
  await withClient(server.toString(), (client) => client.query(`CREATE DATABASE ${name}`));
  const url = new URL(server.toString());
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      await withClient(server.toString(), (client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
    },
  };
}

export async function withClient<T>(url: string, work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}
