import { createHmac } from 'node:crypto';
import { DomainError } from '../common/domain-error';

const PREFIX = 'whsec_';
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/**
 * The three Standard Webhooks headers for `body`: `webhook-id`, `webhook-timestamp` (Unix
 * seconds) and `webhook-signature` with one `v1,<base64 HMAC-SHA256>` per secret, space
 * separated, so a receiver can rotate keys. Secrets are `whsec_<base64>` or raw base64.
 */
export function signStandardWebhook(secrets: string[], id: string, timestamp: Date, body: string): Record<string, string> {
  if (secrets.length === 0) throw new DomainError('INVALID_SIGNING_SECRET', 'at least one signing secret is required');
  const seconds = Math.floor(timestamp.getTime() / 1000).toString();
  const content = `${id}.${seconds}.${body}`;
  const signatures = secrets.map((secret) => `v1,${createHmac('sha256', signingKey(secret)).update(content).digest('base64')}`);
  return { 'webhook-id': id, 'webhook-timestamp': seconds, 'webhook-signature': signatures.join(' ') };
}

function signingKey(secret: string): Buffer {
  const encoded = secret.startsWith(PREFIX) ? secret.slice(PREFIX.length) : secret;
  // Never echo the secret: the message ends up in attempt records.
  if (!BASE64.test(encoded)) {
    throw new DomainError('INVALID_SIGNING_SECRET', 'a signing secret is not base64 (expected whsec_<base64>)');
  }
  return Buffer.from(encoded, 'base64');
}
