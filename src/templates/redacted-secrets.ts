/** What a secret renders as wherever inputs are stored, shown or logged. */
export const REDACTED = '[secret]';

const DESCRIPTOR = { value: REDACTED, writable: false, enumerable: true, configurable: true };

/**
 * A `secrets` context in which every name exists and reads `[secret]`: rendering a step's
 * inputs with it gives the copy that may be stored and shown, and never fails on a secret.
 */
export function redactedSecrets(): Record<string, string> {
  return new Proxy(Object.create(null) as Record<string, string>, {
    get: (_target, name) => (typeof name === 'string' ? REDACTED : undefined),
    has: (_target, name) => typeof name === 'string',
    getOwnPropertyDescriptor: (_target, name) => (typeof name === 'string' ? { ...DESCRIPTOR } : undefined),
  });
}
