// The adapter comparison: one minimal NestJS app (verify the HMAC of the raw body, insert
// one row, answer 202) run on Express or on Fastify, chosen by the first argument.
import 'reflect-metadata';
import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import {
  Controller,
  Get,
  HttpCode,
  Injectable,
  Module,
  OnApplicationShutdown,
  OnModuleInit,
  Param,
  Post,
  RawBodyRequest,
  Req,
  UnauthorizedException,
} from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ExpressAdapter } from '@nestjs/platform-express';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { Pool } from 'pg';
import { closeOnSignals } from './server-lifecycle';

@Injectable()
class WebhookStore implements OnModuleInit, OnApplicationShutdown {
  private readonly pool = new Pool({ connectionString: process.env.DATABASE_URL, max: 20, application_name: 'nest-adapter' });

  async onModuleInit(): Promise<void> {
    this.pool.on('error', (error) => process.stderr.write(`idle database connection failed: ${error.message}\n`));
    await this.pool.query(
      `CREATE TABLE IF NOT EXISTS webhooks (
         id uuid PRIMARY KEY, source text NOT NULL, received_at timestamptz NOT NULL, body bytea NOT NULL)`,
    );
  }

  async insert(source: string, body: Buffer): Promise<string> {
    const id = randomUUID();
    await this.pool.query('INSERT INTO webhooks (id, source, received_at, body) VALUES ($1, $2, $3, $4)', [id, source, new Date(), body]);
    return id;
  }

  async onApplicationShutdown(): Promise<void> {
    await this.pool.end();
  }
}

@Controller()
class WebhookController {
  private readonly secret = Buffer.from(process.env.BENCH_SECRET ?? '');

  constructor(private readonly store: WebhookStore) {}

  @Get('health')
  health() {
    return { status: 'ok' };
  }

  @Post('hooks/:source')
  @HttpCode(202)
  async receive(@Param('source') source: string, @Req() request: RawBodyRequest<{ headers: IncomingHttpHeaders }>) {
    const body = request.rawBody ?? Buffer.alloc(0);
    if (!this.signatureMatches(body, request.headers['x-signature'])) throw new UnauthorizedException('signature mismatch');
    return { id: await this.store.insert(source, body) };
  }

  private signatureMatches(body: Buffer, header: string | string[] | undefined): boolean {
    if (typeof header !== 'string') return false;
    const expected = createHmac('sha256', this.secret).update(body).digest();
    const given = Buffer.from(header, 'hex');
    return given.length === expected.length && timingSafeEqual(given, expected);
  }
}

@Module({ controllers: [WebhookController], providers: [WebhookStore] })
class WebhookModule {}

async function main(): Promise<void> {
  const kind = process.argv[2];
  if (kind !== 'express' && kind !== 'fastify') throw new Error('usage: nest-adapter.js express|fastify');
  const adapter = kind === 'express' ? new ExpressAdapter() : new FastifyAdapter();
  const app = await NestFactory.create(WebhookModule, adapter, { rawBody: true, logger: ['error', 'warn'] });
  await app.listen(Number(process.env.PORT ?? 3000), process.env.HOST ?? '127.0.0.1');
  closeOnSignals(() => app.close());
}

main().catch((error: unknown) => {
  process.stderr.write(`nest-adapter could not start: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
