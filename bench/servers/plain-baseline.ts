// Reference without a database: a bare Fastify server that reads the body and answers 202.
// It shows what HTTP and the load generator alone cost on this machine.
import { randomUUID } from 'node:crypto';
import Fastify from 'fastify';
import { closeOnSignals } from './server-lifecycle';

async function main(): Promise<void> {
  const app = Fastify({ logger: false });
  // The raw bytes, whatever the content type (Fastify would otherwise parse JSON).
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
  app.get('/health', () => ({ status: 'ok' }));
  app.post('/hooks/:source', async (_request, reply) => reply.code(202).send({ id: randomUUID() }));

  await app.listen({ host: process.env.HOST ?? '127.0.0.1', port: Number(process.env.PORT ?? 3000) });
  closeOnSignals(() => app.close());
}

main().catch((error: unknown) => {
  process.stderr.write(`plain-baseline could not start: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
