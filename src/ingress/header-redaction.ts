import { REDACTED } from '../templates/template-engine';

const ALWAYS_SECRET = new Set(['authorization', 'proxy-authorization', 'cookie', 'x-api-key']);

/**
 * Headers as stored and shown: lower-case names, one string each, and credentials
 * replaced by `[secret]` (including the header an `api-key` source reads its key from).
 * Signatures stay: they prove nothing without the secret and help debugging.
 */
export function storableHeaders(
  headers: Readonly<Record<string, string | string[] | undefined>>,
  secretHeader?: string,
): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    const key = name.toLowerCase();
    if (key === '__proto__') continue;
    result[key] = ALWAYS_SECRET.has(key) || key === secretHeader ? REDACTED : Array.isArray(value) ? value.join(', ') : value;
  }
  return result;
}
