import { Controller, Get, HttpCode, Param, Post, Put, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { IngressService, InboundHttpRequest } from './ingress.service';
import { MethodNotAllowedError } from './ingress.errors';

@Controller('hooks')
export class IngressController {
  constructor(private readonly ingress: IngressService) {}

  @Post(':source')
  @HttpCode(202)
  receive(@Param('source') source: string, @Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    return this.answer(source, request, reply);
  }

  @Put(':source')
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
    const response = await this.ingress.receive(source, toInbound(request));
    reply.status(response.status);
    return response.body;
  }
}

function toInbound(request: FastifyRequest): InboundHttpRequest {
  const queryStart = request.url.indexOf('?');
  return {
    rawBody: Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0),
    headers: request.headers,
    query: queryStart === -1 ? '' : request.url.slice(queryStart + 1),
    remoteAddress: request.ip ?? null,
    receivedAt: new Date(),
  };
}
