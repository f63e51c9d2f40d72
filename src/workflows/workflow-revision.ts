import { createHash } from 'node:crypto';

/**
 * The revision of a workflow file: the first 16 hex digits of the SHA-256 of its bytes. A
 * workflow's `version` is the revision of the file it was loaded from.
 */
export function revisionOf(content: string | Buffer): string {
  return createHash('sha256').update(content).digest('hex').slice(0, 16);
}
