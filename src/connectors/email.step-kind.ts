import { Injectable, OnModuleDestroy } from '@nestjs/common';
import { createTransport } from 'nodemailer';
import { Settings } from '../config/settings';
import { AttemptRecord } from '../delivery/attempt-record';
import { Connector, PlannedRequest, StepExecutionContext, StepOutcome } from './connector';
import { DEFAULT_FROM, describeEmail, EmailMessage, formatMailbox, readEmailMessage } from './email-message';
import { failOnInvalidInput } from './invalid-step-input.error';
import { planDetail } from './plan-text';
import { classifySmtpFailure } from './smtp-failure';
import { declareStepKind, StepWithFields } from './step-kind';

type PooledTransport = ReturnType<typeof createPool>;

/**
 * `email`: one message over SMTP (`HOOKFLOW_SMTP_URL`) through one pooled transport,
 * opened on first use and closed with the module.
 */
@Injectable()
export class EmailConnector implements Connector, OnModuleDestroy {
  private transport?: PooledTransport;

  constructor(private readonly settings: Settings) {}

  execute(input: Record<string, unknown>, redactedInput: Record<string, unknown>, context: StepExecutionContext): Promise<StepOutcome> {
    return failOnInvalidInput(async () => {
      const message = readEmailMessage(input, context.idempotencyKey);
      const shown = describeEmail(readEmailMessage(redactedInput, context.idempotencyKey, 'show'));
      const smtpUrl = this.settings.HOOKFLOW_SMTP_URL;
      if (smtpUrl === undefined) return { kind: 'failed', error: 'HOOKFLOW_SMTP_URL is not set', retryable: false };
      const record: AttemptRecord = { request: { method: 'SMTP', url: publicSmtpUrl(smtpUrl), ...shown }, durationMs: 0 };
      const started = performance.now();
      try {
        const info = await untilAborted(this.pool(smtpUrl).sendMail(mailOptions(message)), context.signal);
        const output = { message_id: info.messageId, accepted: addresses(info.accepted), rejected: addresses(info.rejected) };
        const attempt = { ...record, ...answer(info.response), durationMs: elapsed(started) };
        return { kind: 'succeeded', output, attempt };
      } catch (error) {
        const failure = classifySmtpFailure(error);
        const attempt = { ...record, status: failure.responseCode, responseBody: failure.response, durationMs: elapsed(started), error: failure.error };
        return { kind: 'failed', error: failure.error, retryable: failure.retryable, attempt };
      }
    });
  }

  /** Every message goes through the one SMTP server. */
  destination(): string {
    return 'smtp';
  }

  plan(redactedInput: Record<string, unknown>, context: Pick<StepExecutionContext, 'idempotencyKey'>): PlannedRequest {
    const message = readEmailMessage(redactedInput, context.idempotencyKey, 'show');
    const { headers, body } = describeEmail(message);
    const smtpUrl = this.settings.HOOKFLOW_SMTP_URL;
    return {
      kind: 'email',
      summary: `SMTP to ${message.to.map(formatMailbox).join(', ')}`,
      detail: { server: smtpUrl === undefined ? null : publicSmtpUrl(smtpUrl), headers, text: message.text, html: message.html, body },
    };
  }

  onModuleDestroy(): void {
    this.transport?.close();
    this.transport = undefined;
  }

  private pool(smtpUrl: string): PooledTransport {
    this.transport ??= createPool(smtpUrl);
    return this.transport;
  }
}

function createPool(url: string) {
  return createTransport({ pool: true, url, connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 60_000 });
}

function mailOptions(message: EmailMessage) {
  return {
    from: message.from,
    to: message.to,
    cc: message.cc,
    bcc: message.bcc,
    replyTo: message.replyTo.length > 0 ? message.replyTo : undefined,
    subject: message.subject,
    text: message.text,
    html: message.html,
    messageId: message.messageId,
  };
}

/** The server as shown in records: scheme, host and port, never the credentials. */
export function publicSmtpUrl(smtpUrl: string): string {
  const url = new URL(smtpUrl);
  const port = url.port || (url.protocol === 'smtps:' ? '465' : '587');
  return `${url.protocol}//${url.hostname}:${port}`;
}

/** A send that the pool cannot cancel still stops counting once the step's time is up. */
function untilAborted<T>(sending: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) {
    sending.catch(() => undefined);
    return Promise.reject(abortError(signal));
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(abortError(signal));
    signal.addEventListener('abort', onAbort, { once: true });
    sending.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

function abortError(signal: AbortSignal): Error & { code: string } {
  const reason = signal.reason instanceof Error ? signal.reason.message : 'aborted';
  return Object.assign(new Error(`sending stopped before the server answered (${reason})`), { code: 'ETIMEDOUT' });
}

function answer(response: string | undefined): Pick<AttemptRecord, 'status' | 'responseBody'> {
  const code = /^(\d{3})\b/.exec(response ?? '')?.[1];
  return { status: code === undefined ? undefined : Number(code), responseBody: response };
}

function addresses(list: Array<string | { address: string }> | undefined): string[] {
  return (list ?? []).map((entry) => (typeof entry === 'string' ? entry : entry.address));
}

function elapsed(started: number): number {
  return Math.round(performance.now() - started);
}

function validate(fields: StepWithFields): void {
  ['to', 'cc', 'bcc'].forEach((key) => fields.stringOrList(key));
  ['from', 'subject', 'text', 'html', 'reply_to'].forEach((key) => fields.string(key));
  fields.require('to');
  fields.require('subject');
  if (!fields.has('text') && !fields.has('html')) fields.report(undefined, 'an email step needs `with.text` or `with.html`');
}

function describePlan(plan: PlannedRequest): string {
  const detail = planDetail(plan.detail);
  const server = typeof detail.server === 'string' ? `via ${detail.server}` : '(HOOKFLOW_SMTP_URL is not set: a real run would fail)';
  const headers = (detail.headers ?? {}) as Record<string, string>;
  const lines = [`${plan.summary} ${server}`, ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`)];
  if (typeof detail.text === 'string') lines.push('', detail.text);
  if (typeof detail.html === 'string') lines.push('', 'html:', detail.html);
  return lines.join('\n');
}

const ADDRESSES = { type: ['string', 'array'], items: { type: 'string' } } as const;

export const emailStepKind = declareStepKind({
  kind: 'email',
  article: 'an',
  title: 'E-mail',
  icon: 'mail',
  description: 'Sends one message over SMTP (HOOKFLOW_SMTP_URL).',
  order: 30,
  withSchema: {
    type: 'object',
    additionalProperties: false,
    required: ['to', 'subject'],
    properties: {
      to: { ...ADDRESSES, description: 'One address, or a list of them.', examples: ['{{event.body.order.email}}'] },
      cc: { ...ADDRESSES, description: 'One address, or a list of them.' },
      bcc: { ...ADDRESSES, description: 'One address, or a list of them.' },
      from: { type: 'string', default: DEFAULT_FROM, description: 'The sender.' },
      subject: { type: 'string', description: 'The subject line.' },
      text: { type: 'string', description: 'The plain-text body (this or `html`, or both).' },
      html: { type: 'string', description: 'The HTML body; `{{ }}` escapes what it places, `{{{ }}}` does not.' },
      reply_to: { type: 'string', description: 'The address answers go to.' },
    },
  },
  outputSchema: {
    type: 'object',
    properties: {
      message_id: { type: 'string', description: 'The Message-ID, the same for every attempt.' },
      accepted: { type: 'array', items: { type: 'string' }, description: 'Recipients the server accepted.' },
      rejected: { type: 'array', items: { type: 'string' }, description: 'Recipients the server refused.' },
    },
  },
  hasEffects: true,
  validate,
  // An address is text, so that an event cannot turn one into a list of recipients; an HTML
  // body escapes what `{{ }}` places in it (`{{{ }}}` opts out).
  renderModes: { to: 'text', cc: 'text', bcc: 'text', reply_to: 'text', from: 'text', html: 'html' },
  describePlan,
  connector: EmailConnector,
});
