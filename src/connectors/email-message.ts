import { EXCERPT_BYTES } from '../delivery/attempt-record';
import { InvalidStepInputError } from './invalid-step-input.error';
import { StepInput } from './step-input';

export const DEFAULT_FROM = 'hookflow@localhost';

/** The fields of one e-mail, read from a rendered `with:`. */
export interface EmailMessage {
  from: string;
  to: string[];
  cc: string[];
  bcc: string[];
  replyTo: string[];
  subject: string;
  text?: string;
  html?: string;
  /** `<key@hookflow>`: the same for every attempt, so a repeat can be recognised. */
  messageId: string;
}

export function readEmailMessage(input: Record<string, unknown>, idempotencyKey: string): EmailMessage {
  const fields = new StepInput(input);
  const message: EmailMessage = {
    from: fields.optionalString('from') ?? DEFAULT_FROM,
    to: fields.stringList('to').filter((address) => address.trim() !== ''),
    cc: fields.stringList('cc'),
    bcc: fields.stringList('bcc'),
    replyTo: fields.stringList('reply_to'),
    subject: fields.optionalString('subject') ?? '',
    text: fields.optionalString('text'),
    html: fields.optionalString('html'),
    messageId: messageIdFor(idempotencyKey),
  };
  if (message.to.length === 0) throw new InvalidStepInputError('`with.to` has no address');
  if (message.text === undefined && message.html === undefined) {
    throw new InvalidStepInputError('an email step needs `with.text` or `with.html`');
  }
  return message;
}

/** A Message-ID's left part may only hold "atom" characters; anything else becomes `.`. */
export function messageIdFor(idempotencyKey: string): string {
  const local = idempotencyKey.replace(/[^A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]/g, '.');
  return `<${local}@hookflow>`;
}

/** The part of a message shown in attempt records and plans (from the redacted input). */
export function describeEmail(message: EmailMessage): { headers: Record<string, string>; body: string } {
  const headers: Record<string, string> = { from: message.from, to: message.to.join(', '), subject: message.subject };
  if (message.cc.length > 0) headers.cc = message.cc.join(', ');
  if (message.bcc.length > 0) headers.bcc = message.bcc.join(', ');
  if (message.replyTo.length > 0) headers['reply-to'] = message.replyTo.join(', ');
  headers['message-id'] = message.messageId;
  return { headers, body: excerpt(message.text ?? message.html ?? '') };
}

function excerpt(text: string): string {
  const bytes = Buffer.from(text, 'utf8');
  return bytes.length <= EXCERPT_BYTES ? text : bytes.subarray(0, EXCERPT_BYTES).toString('utf8');
}
