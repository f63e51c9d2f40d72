import { createHmac } from 'node:crypto';

export interface Answer {
  status: number;
  headers: Headers;
  body: any;
}

/** POSTs raw bytes and reads the JSON answer (or text when it is not JSON). */
export async function post(url: string, body: string | Buffer, headers: Record<string, string> = {}, method = 'POST'): Promise<Answer> {
  const response = await fetch(url, { method, body, headers: { 'content-type': 'application/json', ...headers } });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // keep the text
  }
  return { status: response.status, headers: response.headers, body: parsed };
}

export function hmacHex(secret: string, payload: string | Buffer): string {
  return createHmac('sha256', secret).update(payload).digest('hex');
}
