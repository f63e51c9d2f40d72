import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { protectApiAnswer } from './api/api-answer-headers';
import { serveApiDocs } from './api/api-docs';
import { AppModule } from './app.module';
import { answerClientError, answerFrameworkError } from './common/fastify-errors';
import { ProcessRoles } from './config/process-roles';
import { Settings } from './config/settings';
import { TlsFiles } from './config/tls-files';
import { DatabaseConnection } from './database/database-connection';
import { IngressService } from './ingress/ingress.service';
import { registerBodyParsers } from './ingress/raw-body.parser';
import { Metrics } from './observability/metrics';
import { PinoLogger } from './observability/pino-logger';

/**
 * On shutdown, a keep-alive connection whose request was in flight becomes idle only after
 * its answer; without this it would hold the close for the whole keep-alive timeout.
 */
function closeConnectionsOnceAnswered(fastify: FastifyInstance): void {
  fastify.addHook('preClose', (done) => {
    const timer = setInterval(() => fastify.server.closeIdleConnections(), 50);
    fastify.server.once('close', () => clearInterval(timer));
    done();
  });
}

/** How long a client may take to send a request; Node would wait 60 s for headers and forever for a body. */
export interface HttpTimeouts {
  /** Until every request header has arrived (slow-loris clients). */
  headersMs: number;
  /** Until the whole request, body included, has arrived. */
  requestMs: number;
  /** How often open connections are checked against the two limits above. */
  checkIntervalMs: number;
}

export const HTTP_TIMEOUTS: HttpTimeouts = { headersMs: 15_000, requestMs: 30_000, checkIntervalMs: 2_000 };

/**
 * Builds the Nest application on Fastify, initialised but not yet listening. `timeouts`
 * exist for tests, which cannot wait for the real ones.
 */
export async function createApp(settings: Settings, connection: DatabaseConnection, timeouts: HttpTimeouts = HTTP_TIMEOUTS): Promise<NestFastifyApplication> {
  const server = { headersTimeout: timeouts.headersMs, connectionsCheckingInterval: timeouts.checkIntervalMs };
  const tls = TlsFiles.of(settings)?.read();
  const adapter = new FastifyAdapter({
    requestTimeout: timeouts.requestMs,
    // Fastify hands Node's https server the `https` options only: the timeouts go there too.
    ...(tls ? { https: { ...server, cert: tls.cert, key: tls.key } } : { http: server }),
    // Refused before any route runs (headers over Node's 16 KiB, slow or broken requests,
    // undecodable URLs), yet answered in Hookflow's error shape.
    clientErrorHandler: answerClientError,
    frameworkErrors: (error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
      protectApiAnswer(request, reply);
      answerFrameworkError(error, request, reply);
    },
    // Webhook senders keep connections open; answer fast and let idle ones go on shutdown.
    forceCloseConnections: 'idle',
    // Requests that arrive on open connections while draining are still served (the
    // database closes last), instead of Fastify's bare 503.
    return503OnClosing: false,
    // Hard ceiling for any request; sources enforce their own smaller limit while reading.
    bodyLimit: 25 * 1024 * 1024,
    trustProxy: false,
  });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(settings, connection), adapter, {
    bodyParser: false,
    logger: new PinoLogger(settings.LOG_LEVEL),
    abortOnError: false,
  });
  const ingress = app.get(IngressService);
  const fastify = app.getHttpAdapter().getInstance();
  const metrics = app.get(Metrics);
  registerBodyParsers(
    fastify,
    (source) => ingress.bodyLimitOf(source),
    (source) => metrics.eventReceived(source, 'too_large'),
  );
  closeConnectionsOnceAnswered(fastify);
  fastify.addHook('onRequest', (request, reply, done) => {
    protectApiAnswer(request, reply);
    done();
  });
  if (ProcessRoles.of(settings).serves('api')) serveApiDocs(app);
  app.enableShutdownHooks();
  await app.init();
  return app;
}
