import type { FastifyReply, FastifyRequest } from 'fastify';

/** `/api…` in origin form, and in absolute form (`http://host/api…`), which Fastify routes the same way. */
const API_PATH = /^(?:[a-z][a-z0-9+.-]*:\/\/[^/?#]*)?\/api(?:[/?#]|$)/i;

/**
 * Marks an answer under /api as private to the token holder: no cache may keep it, and no
 * browser may sniff a JSON answer into something it runs. Called as each request arrives (an
 * `onRequest` hook, so that errors, 401s and the change stream keep it) and for the requests
 * Fastify refuses before any hook runs.
 */
export function protectApiAnswer(request: FastifyRequest, reply: FastifyReply): void {
  if (API_PATH.test(request.url)) void reply.header('cache-control', 'no-store').header('x-content-type-options', 'nosniff');
}
