// Baseline: a bare Fastify server that stores each webhook with one INSERT (its own
// transaction, durable commit) before answering 202. No verification, no framework on top.
import { randomUUID } from 'node:crypto';
import Fastify from 'fastify';
import { Pool } from 'pg';
import { closeOnSignals } from './server-lifecycle';

async function main(): Promise<void> {
  const pool = new Pool({ connectionString: process.env.DATABASE_URL, max: 20, application_name: 'insert-baseline' });
  pool.on('error', (error) => process.stderr.write(`idle database connection failed: ${error.message}\n`));
  await pool.query(
    `CREATE TABLE IF NOT EXISTS webhooks (
       id uuid PRIMARY KEY, source text NOT NULL, received_at timestamptz NOT NULL, body bytea NOT NULL)`,
  );

  const app = Fastify({ logger: false });
  // The raw bytes, whatever the content type (Fastify would otherwise parse JSON).
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
  app.get('/health', () => ({ status: 'ok' }));
  app.post<{ Params: { source: string }; Body: Buffer }>('/hooks/:source', async (request, reply) => {
    const id = randomUUID();
    await pool.query('INSERT INTO webhooks (id, source, received_at, body) VALUES ($1, $2, $3, $4)', [id, request.params.source, new Date(), request.body]);
    return reply.code(202).send({ id });
  });

  await app.listen({ host: process.env.HOST ?? '127.0.0.1', port: Number(process.env.PORT ?? 3000) });
  closeOnSignals(async () => {
    await app.close();
    await pool.end();
  });
}

main().catch((error: unknown) => {
  process.stderr.write(`insert-baseline could not start: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
