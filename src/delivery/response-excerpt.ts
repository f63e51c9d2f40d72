import type { Readable } from 'node:stream';
import { EXCERPT_BYTES } from './attempt-record';

export interface ResponseExcerpt {
  /** The first EXCERPT_BYTES of the body, decoded as UTF-8. */
  text: string;
  /** False when the body was longer and the rest was discarded unread. */
  complete: boolean;
}

/**
 * Reads at most EXCERPT_BYTES (plus the chunk that crosses the line) and then destroys the
 * stream, so a large or endless answer is never buffered; its connection is closed.
 */
export async function readExcerpt(body: Readable & AsyncIterable<Buffer>): Promise<ResponseExcerpt> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    chunks.push(chunk);
    size += chunk.length;
    if (size > EXCERPT_BYTES) break; // leaving the loop destroys the stream
  }
  const bytes = Buffer.concat(chunks, size);
  return { text: bytes.subarray(0, EXCERPT_BYTES).toString('utf8'), complete: size <= EXCERPT_BYTES };
}

/** JSON when the answer says it is JSON and arrived whole; otherwise the text ('' when empty). */
export function parseBody(excerpt: ResponseExcerpt, contentType: string | undefined): unknown {
  if (!excerpt.complete || excerpt.text === '' || !isJson(contentType)) return excerpt.text;
  try {
    return JSON.parse(excerpt.text);
  } catch {
    return excerpt.text;
  }
}

function isJson(contentType: string | undefined): boolean {
  return /^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i.test(contentType?.trim() ?? '');
}
