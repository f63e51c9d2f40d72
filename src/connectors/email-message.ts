import { EXCERPT_BYTES } from '../delivery/attempt-record';
import { REDACTED } from '../templates/redacted-secrets';
import { Mailbox, parseMailbox } from './email-address';
import { InvalidStepInputError } from './invalid-step-input.error';
import { StepInput } from './step-input';

export const DEFAULT_FROM = 'hookflow@localhost';

/** The fields of one e-mail, read from a rendered `with:`. */
export interface EmailMessage {
  from: Mailbox;
  to: Mailbox[];
  cc: Mailbox[];
  bcc: Mailbox[];
  replyTo: Mailbox[];
  subject: string;
  text?: string;
  html?: string;
  /** `<key@hookflow>`: the same for every attempt, so a repeat can be recognised. */
  messageId: string;
}

/**
 * `send` reads the input a message is sent from; `show` the redacted input that records and
 * plans show, where an address holding a secret (or, in a dry run, an output only a real run
 * knows) cannot be checked and is shown as it is.
 */
export type EmailReading = 'send' | 'show';

const NOT_KNOWN = new RegExp(`${REDACTED.replace(/[[\]]/g, '\\$&')}|<[^<>@\\s]*>`);

/**
 * Each of `to`, `cc`, `bcc`, `reply_to` and `from` item is exactly one address; several come
 * only from a YAML list. Blank items (a template that rendered nothing) are left out.
 */
export function readEmailMessage(input: Record<string, unknown>, idempotencyKey: string, reading: EmailReading = 'send'): EmailMessage {
  const fields = new StepInput(input);
  const mailbox = (text: string, field: string): Mailbox =>
    reading === 'show' && NOT_KNOWN.test(text) ? { name: '', address: text.trim() } : parseMailbox(text, field);
  const mailboxes = (field: string) =>
    fields
      .stringList(field)
      .filter((text) => text.trim() !== '')
      .map((text) => mailbox(text, field));
  const message: EmailMessage = {
    from: mailbox(fields.optionalString('from')?.trim() || DEFAULT_FROM, 'from'),
    to: mailboxes('to'),
    cc: mailboxes('cc'),
    bcc: mailboxes('bcc'),
    replyTo: mailboxes('reply_to'),
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
  const list = (mailboxes: Mailbox[]) => mailboxes.map(formatMailbox).join(', ');
  const headers: Record<string, string> = { from: formatMailbox(message.from), to: list(message.to), subject: message.subject };
  if (message.cc.length > 0) headers.cc = list(message.cc);
  if (message.bcc.length > 0) headers.bcc = list(message.bcc);
  if (message.replyTo.length > 0) headers['reply-to'] = list(message.replyTo);
  headers['message-id'] = message.messageId;
  return { headers, body: excerpt(message.text ?? message.html ?? '') };
}

/** `ann@example.com`, `Ann Lee <ann@example.com>`, or with a quoted name when it holds a separator. */
export function formatMailbox({ name, address }: Mailbox): string {
  if (name === '') return address;
  const shown = /["\\,;:<>@()[\]]/.test(name) ? `"${name.replace(/["\\]/g, '\\$&')}"` : name;
  return `${shown} <${address}>`;
}

function excerpt(text: string): string {
  const bytes = Buffer.from(text, 'utf8');
  return bytes.length <= EXCERPT_BYTES ? text : bytes.subarray(0, EXCERPT_BYTES).toString('utf8');
}
