/** Errors that say nothing about the message itself: the next attempt may well get through. */
const TRANSIENT_CODES = new Set([
  'ECONNECTION',
  'ETIMEDOUT',
  'ESOCKET',
  'EDNS',
  'EMAXLIMIT',
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
]);

export interface SmtpFailure {
  error: string;
  retryable: boolean;
  /** The SMTP reply code, when the server answered. */
  responseCode?: number;
  response?: string;
}

/**
 * SMTP's own rule: a 4xx reply is temporary, a 5xx reply permanent. Without a reply,
 * connection problems and timeouts are temporary, anything else (bad credentials,
 * configuration) is not.
 */
export function classifySmtpFailure(error: unknown): SmtpFailure {
  const fields = (typeof error === 'object' && error !== null ? error : {}) as {
    code?: unknown;
    responseCode?: unknown;
    response?: unknown;
    message?: unknown;
  };
  const message = typeof fields.message === 'string' ? fields.message : String(error);
  const response = typeof fields.response === 'string' ? fields.response : undefined;
  if (typeof fields.responseCode === 'number') {
    const code = fields.responseCode;
    const text = response !== undefined && response.startsWith(String(code)) ? response : `${code} ${response ?? message}`;
    return { error: `SMTP ${text}`, retryable: code >= 400 && code < 500, responseCode: code, response };
  }
  const code = typeof fields.code === 'string' ? fields.code : undefined;
  return { error: `smtp: ${message}`, retryable: code !== undefined && TRANSIENT_CODES.has(code) };
}
