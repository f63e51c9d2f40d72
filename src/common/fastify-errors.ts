import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { codeForStatus } from './error.filter';

/**
 * Answers what Node's HTTP parser refuses before Fastify sees a request — headers over the
 * size limit, a client too slow to send its request, bytes that are not HTTP — in
 * Hookflow's error shape, then closes the connection (the parser cannot go on with it).
 */
export function answerClientError(error: NodeJS.ErrnoException, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  if (socket.writable) {
    const { status, code, message } = describeClientError(error);
    const body = JSON.stringify({ error: { code, message } });
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy();
}

/** Answers what Fastify's router refuses before Nest runs (a URL that does not decode, an overlong parameter). */
export function answerFrameworkError(error: FastifyError, _request: FastifyRequest, reply: FastifyReply): void {
  const status = error.statusCode ?? 400;
  void reply.status(status).send({ error: { code: codeForStatus(status), message: error.message } });
}

function describeClientError(error: NodeJS.ErrnoException): { status: number; code: string; message: string } {
  switch (error.code) {
    case 'HPE_HEADER_OVERFLOW':
      return { status: 431, code: 'HEADERS_TOO_LARGE', message: 'The request line and headers are larger than the 16 KiB accepted' };
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return { status: 408, code: 'REQUEST_TIMEOUT', message: 'The request did not arrive in time' };
    default:
      return { status: 400, code: 'BAD_REQUEST', message: 'The request is not valid HTTP' };
  }
}
