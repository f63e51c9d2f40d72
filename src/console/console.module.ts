import { join } from 'node:path';
import { Module, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import { CONSOLE_DIR, ConsolePage } from './console-page';
import { ConsoleController } from './console.controller';

/** Long enough to count as forever: asset names carry a hash of their content. */
const ASSET_MAX_AGE = '365d';

/** The web console at `/`: its pages from `ConsoleController`, its hashed assets from `dist/console/assets`. */
@Module({
  controllers: [ConsoleController],
  providers: [{ provide: ConsolePage, useValue: new ConsolePage(CONSOLE_DIR) }],
})
export class ConsoleModule implements OnModuleInit {
  constructor(private readonly adapterHost: HttpAdapterHost) {}

  onModuleInit(): void {
    const adapter = this.adapterHost.httpAdapter;
    if (adapter?.getType() !== 'fastify') return;
    const fastify = adapter.getInstance<FastifyInstance>();
    // Registered even before the first build, so that a build made while running is served.
    void fastify.register(fastifyStatic, {
      root: join(CONSOLE_DIR, 'assets'),
      prefix: '/assets/',
      decorateReply: false,
      immutable: true,
      // The build writes `.gz` beside each script and stylesheet.
      preCompressed: true,
      maxAge: ASSET_MAX_AGE,
      suppressWarning: true,
      index: false,
    });
  }
}
