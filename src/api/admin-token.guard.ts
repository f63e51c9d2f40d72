import { createHash, timingSafeEqual } from 'node:crypto';
import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { DomainError } from '../common/domain-error';
import { AdminTokenHolder } from './admin-token.holder';

/** `Authorization: Bearer <admin token>` (or `?access_token=` for EventSource), compared in constant time. */
@Injectable()
export class AdminTokenGuard implements CanActivate {
  constructor(private readonly holder: AdminTokenHolder) {}

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const header = request.headers.authorization;
    const fromHeader = typeof header === 'string' && /^bearer /i.test(header) ? header.slice(7).trim() : undefined;
    const fromQuery = (request.query as Record<string, unknown> | undefined)?.access_token;
    const presented = fromHeader ?? (typeof fromQuery === 'string' ? fromQuery : undefined);
    if (presented === undefined) throw new DomainError('UNAUTHORIZED', 'Send the admin token as Authorization: Bearer <token>');
    if (!sameSecret(presented, this.holder.token)) throw new DomainError('UNAUTHORIZED', 'The admin token is not valid');
    return true;
  }
}

function sameSecret(a: string, b: string): boolean {
  const digest = (value: string) => createHash('sha256').update(value).digest();
  return timingSafeEqual(digest(a), digest(b));
}
