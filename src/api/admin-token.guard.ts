import { createHash, timingSafeEqual } from 'node:crypto';
import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { DomainError } from '../common/domain-error';
import { AdminTokenHolder } from './admin-token.holder';
import { QUERY_TOKEN_ALLOWED } from './query-token.decorator';

/**
 * `Authorization: Bearer <admin token>` (or `?access_token=` on a GET handler marked
 * `@QueryTokenAllowed()`), compared in constant time. An empty or blank token counts as none.
 */
@Injectable()
export class AdminTokenGuard implements CanActivate {
  constructor(
    private readonly holder: AdminTokenHolder,
    private readonly reflector: Reflector,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const fromQuery = nonBlank((request.query as Record<string, unknown> | undefined)?.access_token);
    const queryAllowed = request.method === 'GET' && this.reflector.get<boolean>(QUERY_TOKEN_ALLOWED, context.getHandler()) === true;
    const presented = bearerToken(request.headers.authorization) ?? (queryAllowed ? fromQuery : undefined);
    if (presented === undefined) {
      const hint = fromQuery !== undefined && !queryAllowed ? ' (access_token in the query is taken by GET /api/stream only)' : '';
      throw new DomainError('UNAUTHORIZED', `Send the admin token as Authorization: Bearer <token>${hint}`);
    }
    if (!sameSecret(presented, this.holder.token)) throw new DomainError('UNAUTHORIZED', 'The admin token is not valid');
    return true;
  }
}

function bearerToken(header: string | undefined): string | undefined {
  const match = typeof header === 'string' ? /^bearer\s(.*)$/is.exec(header.trim()) : null;
  return match ? nonBlank(match[1]) : undefined;
}

function nonBlank(value: unknown): string | undefined {
  const trimmed = typeof value === 'string' ? value.trim() : '';
  return trimmed === '' ? undefined : trimmed;
}

function sameSecret(a: string, b: string): boolean {
  const digest = (value: string) => createHash('sha256').update(value).digest();
  return timingSafeEqual(digest(a), digest(b));
}
