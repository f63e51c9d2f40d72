import type { FastifyInstance, FastifyRequest } from 'fastify';
import { DomainError } from '../common/domain-error';
import { jsonNestedDeeperThan, MAX_JSON_DEPTH } from '../events/inbound-body';
import { PayloadTooLargeError } from './ingress.errors';

/** Bodies of the management API and of sources' requests before a source is known. */
export const DEFAULT_BODY_LIMIT = 1024 * 1024;

/**
 * Fastify route config of the webhook routes (`@RouteConfig(WEBHOOK_ROUTE)`): their body is
 * read raw, against the limit of the source in the `:source` parameter.
 */
export const WEBHOOK_ROUTE = { webhookBody: true } as const;

/**
 * Replaces Fastify's body parsers. Webhooks get their exact bytes (verification needs
 * them; parsing waits until after it), read against the source's own limit so that an
 * oversized body is refused while it streams. Other routes get JSON as usual.
 */
export function registerBodyParsers(
  fastify: FastifyInstance,
  bodyLimitOf: (source: string) => number | undefined,
  onTooLarge: (source: string) => void = () => undefined,
): void {
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser('*', (request, payload, done) => {
    // The route Fastify matched, not the URL's text: an absolute-form request line
    // (`POST http://host/hooks/x`) reaches the same route with a URL that starts otherwise.
    const hook = (request.routeOptions.config as { webhookBody?: boolean }).webhookBody === true;
    const source = hook ? (request.params as { source?: string }).source : undefined;
    const limit = source !== undefined ? (bodyLimitOf(source) ?? DEFAULT_BODY_LIMIT) : DEFAULT_BODY_LIMIT;
    readLimited(request, payload, limit).then(
      (raw) => {
        if (hook) return done(null, raw);
        try {
          done(null, parseApiBody(request, raw));
        } catch (error) {
          done(error as Error, undefined);
        }
      },
      (error: Error) => {
        // Refused while streaming, before any handler runs: counted here.
        if (source !== undefined && error instanceof PayloadTooLargeError) onTooLarge(source);
        done(error, undefined);
      },
    );
  });
}

function readLimited(request: FastifyRequest, payload: NodeJS.ReadableStream, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(request.headers['content-length']);
    if (Number.isFinite(declared) && declared > limit) {
      payload.resume();
      return reject(new PayloadTooLargeError(limit));
    }
    const chunks: Buffer[] = [];
    let size = 0;
    payload.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        payload.removeAllListeners('data');
        payload.resume();
        reject(new PayloadTooLargeError(limit));
        return;
      }
      chunks.push(chunk);
    });
    payload.on('end', () => resolve(Buffer.concat(chunks, size)));
    payload.on('error', reject);
  });
}

function parseApiBody(request: FastifyRequest, raw: Buffer): unknown {
  const type = (request.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
  if (raw.length === 0) return undefined;
  if (type !== 'application/json' && !type.endsWith('+json')) return raw;
  const text = raw.toString('utf8');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new DomainError('INVALID_JSON', `The body is not valid JSON: ${(error as Error).message}`);
  }
  // Validation walks the body recursively: a deep one would overflow the stack (a 500).
  if (jsonNestedDeeperThan(text, MAX_JSON_DEPTH)) throw new DomainError('INVALID_JSON', `The body is nested deeper than ${MAX_JSON_DEPTH} levels`);
  if (PROTOTYPE_KEY_TEXT.test(text)) JSON.parse(text, refusePrototypeKeys);
  return value;
}

const PROTOTYPE_KEY_TEXT = /"(?:__proto__|constructor)"|\\u/;

/**
 * Refuses `__proto__` and `constructor.prototype` keys, as Fastify's own JSON parser does:
 * request bodies are copied into objects, where such keys would reach a prototype.
 */
function refusePrototypeKeys(key: string, value: unknown): unknown {
  if (key === '__proto__' || (key === 'constructor' && typeof value === 'object' && value !== null && Object.hasOwn(value, 'prototype'))) {
    throw new DomainError('INVALID_JSON', `The body must not have a ${key === '__proto__' ? '__proto__' : 'constructor.prototype'} key`);
  }
  return value;
}
