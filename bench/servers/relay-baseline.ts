// Baseline relay for the end-to-end scenario: a bare Fastify server that stores each webhook
// with one INSERT (durable commit) before answering 202, and, in the same process, a delivery
// loop that claims pending rows in batches (FOR UPDATE SKIP LOCKED), POSTs each stored body to
// RECEIVER_URL/deliver with undici, signed with Standard Webhooks like Hookflow's deliveries,
// and marks the batch done. No verification, no retries, no recovery of claimed rows.
// With RELAY_TARGET_FROM_BODY=1 each event goes to `<target>/deliver`, `target` read from its
// JSON body (the slow-receivers scenario routes events over many receivers that way).
import { createHmac, randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import Fastify from 'fastify';
import { Pool as PgPool } from 'pg';
import { Agent } from 'undici';
import { closeOnSignals } from './server-lifecycle';

const BATCH = 100;
/** Outbound sockets per receiver, as Hookflow's delivery client allows per origin. */
const DELIVERY_CONNECTIONS = 16;
/** Claim loops: while one waits for its batch to be delivered, another claims the next. */
const LOOPS = 4;
/** Fallback poll; inserts wake the loops directly since they live in the same process. */
const POLL_MS = 50;

class DeliveryLoop {
  private readonly receiver: Agent;
  private readonly key: Buffer;
  private waiters: (() => void)[] = [];
  private stopping = false;
  private running: Promise<void>[] = [];

  constructor(
    private readonly pool: PgPool,
    private readonly receiverUrl: URL,
    signingSecret: string,
    private readonly targetFromBody: boolean,
  ) {
    this.receiver = new Agent({ connections: DELIVERY_CONNECTIONS, pipelining: 1 });
    this.key = Buffer.from(signingSecret.replace(/^whsec_/, ''), 'base64');
  }

  start(): void {
    this.running = Array.from({ length: LOOPS }, () => this.loop());
  }

  wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.wake();
    await Promise.allSettled(this.running);
    await this.receiver.close();
  }

  private async loop(): Promise<void> {
    while (!this.stopping) {
      try {
        if ((await this.deliverBatch()) === 0) await this.idle();
      } catch (error) {
        process.stderr.write(`relay-baseline delivery error: ${(error as Error).message}\n`);
        await sleep(100);
      }
    }
  }

  private idle(): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, POLL_MS);
      this.waiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  private async deliverBatch(): Promise<number> {
    const { rows } = await this.pool.query<{ id: string; body: Buffer }>(
      `UPDATE relay_events SET status = 'delivering'
        WHERE id IN (SELECT id FROM relay_events WHERE status = 'pending' ORDER BY received_at LIMIT $1 FOR UPDATE SKIP LOCKED)
        RETURNING id, body`,
      [BATCH],
    );
    if (rows.length === 0) return 0;
    const outcomes = await Promise.all(rows.map((row) => this.deliver(row.id, row.body)));
    const done = rows.filter((_, index) => outcomes[index]).map((row) => row.id);
    const failed = rows.filter((_, index) => !outcomes[index]).map((row) => row.id);
    if (done.length > 0) await this.pool.query(`UPDATE relay_events SET status = 'done' WHERE id = ANY($1::uuid[])`, [done]);
    if (failed.length > 0) await this.pool.query(`UPDATE relay_events SET status = 'pending' WHERE id = ANY($1::uuid[])`, [failed]);
    return rows.length;
  }

  private async deliver(id: string, body: Buffer): Promise<boolean> {
    const timestamp = Math.floor(Date.now() / 1000).toString();
    const signature = createHmac('sha256', this.key).update(`${id}.${timestamp}.`).update(body).digest('base64');
    try {
      const url = this.targetFromBody ? new URL(`${(JSON.parse(body.toString('utf8')) as { target: string }).target}/deliver`) : this.receiverUrl;
      const response = await this.receiver.request({
        origin: url.origin,
        method: 'POST',
        path: url.pathname,
        headers: {
          'content-type': 'application/json',
          'webhook-id': id,
          'webhook-timestamp': timestamp,
          'webhook-signature': `v1,${signature}`,
        },
        body,
        headersTimeout: 10_000,
        bodyTimeout: 10_000,
      });
      await response.body.dump();
      return response.statusCode >= 200 && response.statusCode < 300;
    } catch {
      return false;
    }
  }
}

async function main(): Promise<void> {
  const receiverUrl = new URL(`${process.env.RECEIVER_URL ?? ''}/deliver`);
  const pool = new PgPool({ connectionString: process.env.DATABASE_URL, max: 20, application_name: 'relay-baseline' });
  pool.on('error', (error) => process.stderr.write(`idle database connection failed: ${error.message}\n`));
  await pool.query(
    `CREATE TABLE IF NOT EXISTS relay_events (
       id uuid PRIMARY KEY, source text NOT NULL, received_at timestamptz NOT NULL, body bytea NOT NULL, status text NOT NULL)`,
  );
  await pool.query(`CREATE INDEX IF NOT EXISTS relay_events_pending ON relay_events (received_at) WHERE status = 'pending'`);
  const delivery = new DeliveryLoop(pool, receiverUrl, process.env.SIGNING_SECRET ?? '', process.env.RELAY_TARGET_FROM_BODY === '1');

  const app = Fastify({ logger: false });
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
  app.get('/health', () => ({ status: 'ok' }));
  app.post<{ Params: { source: string }; Body: Buffer }>('/hooks/:source', async (request, reply) => {
    const id = randomUUID();
    await pool.query(`INSERT INTO relay_events (id, source, received_at, body, status) VALUES ($1, $2, $3, $4, 'pending')`, [
      id,
      request.params.source,
      new Date(),
      request.body,
    ]);
    delivery.wake();
    return reply.code(202).send({ id });
  });

  await app.listen({ host: process.env.HOST ?? '127.0.0.1', port: Number(process.env.PORT ?? 3000) });
  delivery.start();
  closeOnSignals(async () => {
    await app.close();
    await delivery.stop();
    await pool.end();
  });
}

main().catch((error: unknown) => {
  process.stderr.write(`relay-baseline could not start: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
