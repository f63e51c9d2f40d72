/* Pieces of the dry-run text that several step kinds' `describePlan` share. */

/** An HTTP request as `hookflow run --dry-run` prints it: request line, headers, body, signing. */
export function httpPlanText(summary: string, detail: Record<string, unknown>): string {
  const headers = (detail.headers ?? {}) as Record<string, string>;
  const lines = [summary, ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`)];
  if (typeof detail.body === 'string') lines.push('', prettyBody(detail.body));
  if ('webhook-signature' in headers) lines.push('', 'Signed (Standard Webhooks): webhook-timestamp and webhook-signature are computed when sent.');
  if (typeof detail.expect === 'string' && detail.expect !== '2xx') lines.push(`Counts as success: ${detail.expect}`);
  return lines.join('\n');
}

/** A plan's detail as a map, whatever the kind put there. */
export function planDetail(detail: unknown): Record<string, unknown> {
  return (detail ?? {}) as Record<string, unknown>;
}

/** JSON bodies indented; anything else as it would be sent. */
function prettyBody(body: string): string {
  try {
    return prettyJson(JSON.parse(body));
  } catch {
    return body;
  }
}

export function prettyJson(value: unknown): string {
  return JSON.stringify(value, null, 2) ?? 'null';
}
