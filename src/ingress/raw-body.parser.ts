import type { FastifyInstance, FastifyRequest } from 'fastify';
import { DomainError } from '../common/domain-error';
import { PayloadTooLargeError } from './ingress.errors';

/** Bodies of the management API and of sources' requests before a source is known. */
export const DEFAULT_BODY_LIMIT = 1024 * 1024;
const HOOK_PATH = /^\/hooks\/([^/?#]+)/;

/**
 * Replaces Fastify's body parsers. Webhooks get their exact bytes (verification needs
 * them; parsing waits until after it), read against the source's own limit so that an
 * oversized body is refused while it streams. Other routes get JSON as usual.
 */
export function registerBodyParsers(fastify: FastifyInstance, bodyLimitOf: (source: string) => number | undefined): void {
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser('*', (request, payload, done) => {
    const hook = HOOK_PATH.exec(request.url);
    const limit = hook ? (bodyLimitOf(safeDecode(hook[1])) ?? DEFAULT_BODY_LIMIT) : DEFAULT_BODY_LIMIT;
    readLimited(request, payload, limit).then(
      (raw) => {
        if (hook) return done(null, raw);
        try {
          done(null, parseApiBody(request, raw));
        } catch (error) {
          done(error as Error, undefined);
        }
      },
      (error: Error) => done(error, undefined),
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
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch (error) {
    throw new DomainError('INVALID_JSON', `The body is not valid JSON: ${(error as Error).message}`);
  }
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
