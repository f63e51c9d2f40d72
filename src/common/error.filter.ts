import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { DomainError } from './domain-error';
import { ERROR_STATUS } from './error-status';

/**
 * The one place errors become responses: `{ error: { code, message } }` with the status
 * mapped from the code. Unexpected errors are logged with their stack and answered 500
 * without internals.
 */
@Catch()
export class ErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  catch(exception: unknown, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    const { status, code, message } = this.describe(exception);
    if (status === 405) reply.header('allow', 'POST, PUT');
    const retryAfter = exception instanceof DomainError ? exception.details?.retryAfterSeconds : undefined;
    if (typeof retryAfter === 'number') reply.header('retry-after', String(retryAfter));
    reply.status(status).send({ error: { code, message, ...answerFieldsOf(exception) } });
  }

  private describe(exception: unknown): { status: number; code: string; message: string } {
    if (exception instanceof DomainError) {
      return { status: ERROR_STATUS[exception.code], code: exception.code, message: exception.message };
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      return { status, code: codeForStatus(status), message: messageOf(exception) };
    }
    const status = (exception as { statusCode?: unknown }).statusCode;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      // Errors Fastify raises before a handler runs: bad media type, malformed request.
      return { status, code: codeForStatus(status), message: (exception as Error).message };
    }
    this.logger.error((exception as Error)?.stack ?? String(exception));
    return { status: 500, code: 'INTERNAL', message: 'Something went wrong on our side' };
  }
}

function answerFieldsOf(exception: unknown): Record<string, unknown> {
  const answer = exception instanceof DomainError ? exception.details?.answer : undefined;
  return typeof answer === 'object' && answer !== null ? (answer as Record<string, unknown>) : {};
}

export function codeForStatus(status: number): string {
  const name = HttpStatus[status] as string | undefined;
  return name ?? (status >= 500 ? 'INTERNAL' : 'BAD_REQUEST');
}

function messageOf(exception: HttpException): string {
  const response = exception.getResponse();
  if (typeof response === 'object' && response !== null) {
    const { message } = response as { message?: unknown };
    if (Array.isArray(message)) return message.join('; ');
    if (typeof message === 'string') return message;
  }
  return exception.message;
}
