import { Controller, Get, HttpCode, Param, Post, Put, Req, Res } from '@nestjs/common';
import { RouteConfig } from '@nestjs/platform-fastify';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Clock } from '../common/clock';
import { Metrics } from '../observability/metrics';
import { IngressService, InboundHttpRequest } from './ingress.service';
import { MethodNotAllowedError } from './ingress.errors';
import { ingestOutcomeOf } from './ingest-outcome';
import { WEBHOOK_ROUTE } from './raw-body.parser';

@Controller('hooks')
export class IngressController {
  constructor(
    private readonly ingress: IngressService,
    private readonly metrics: Metrics,
    private readonly clock: Clock,
  ) {}

  @Post(':source')
  @RouteConfig(WEBHOOK_ROUTE)
  @HttpCode(202)
  receive(@Param('source') source: string, @Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    return this.answer(source, request, reply);
  }

  @Put(':source')
  @RouteConfig(WEBHOOK_ROUTE)
  @HttpCode(202)
  receiveByPut(@Param('source') source: string, @Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    return this.answer(source, request, reply);
  }

  /** None of the supported providers shakes hands with GET; a known source says so. */
  @Get(':source')
  handshake(@Param('source') source: string): never {
    this.ingress.assertKnownSource(source);
    throw new MethodNotAllowedError('GET');
  }

  private async answer(source: string, request: FastifyRequest, reply: FastifyReply) {
    try {
      const response = await this.ingress.receive(source, toInbound(request, this.clock.now()));
      this.metrics.eventReceived(source, response.outcome);
      reply.status(response.status);
      if (response.headers) reply.headers(response.headers);
      return response.body;
    } catch (error) {
      this.metrics.eventReceived(source, ingestOutcomeOf(error));
      throw error;
    }
  }
}

function toInbound(request: FastifyRequest, receivedAt: Date): InboundHttpRequest {
  const queryStart = request.url.indexOf('?');
  return {
    rawBody: Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0),
    headers: request.headers,
    query: queryStart === -1 ? '' : request.url.slice(queryStart + 1),
    remoteAddress: request.ip ?? null,
    receivedAt,
  };
}
