import addressparser from 'nodemailer/lib/addressparser';
import { InvalidStepInputError } from './invalid-step-input.error';

/** One mailbox as nodemailer takes it: given as an object, it is never parsed again. */
export interface Mailbox {
  name: string;
  address: string;
}

const ADDRESS = String.raw`[^\s@<>()[\]\\,;:"]+@[^\s@<>()\\,;:"]+`;
/** `ann@example.com`, `Ann Lee <ann@example.com>` or `"Lee, Ann" <ann@example.com>`, nothing around it. */
const MAILBOX = new RegExp(String.raw`^(?:(?:"((?:[^"\\\r\n]|\\[^\r\n])*)"|([^"<>@,;:\\\r\n]*?))[ \t]*<(${ADDRESS})>|(${ADDRESS}))$`);

/**
 * Reads `text` as exactly one mailbox, or throws naming `with.<field>`. nodemailer's own
 * parser is lenient (it reads `a@x, b@y` as two recipients and `Bob <evil@x> <a@x>` as one
 * to evil@x): a value from an event must not add or swap recipients, so anything but one
 * plainly written mailbox is refused; several recipients are a YAML list.
 */
export function parseMailbox(text: string, field: string): Mailbox {
  const match = MAILBOX.exec(text.trim());
  if (match) {
    const [, quoted, plain, angled, bare] = match;
    if (bare !== undefined) return { name: '', address: bare };
    const name = quoted !== undefined ? quoted.replace(/\\(.)/g, '$1') : (plain ?? '').trim();
    return { name, address: angled };
  }
  const found = addressparser(text, { flatten: true }).filter((entry) => entry.address);
  const shown = JSON.stringify(text.length > 60 ? `${text.slice(0, 60)}…` : text);
  if (found.length > 1) {
    throw new InvalidStepInputError(`\`with.${field}\` must be one e-mail address, got ${found.length} in ${shown} (a YAML list sends to several)`);
  }
  throw new InvalidStepInputError(`\`with.${field}\` must be an e-mail address such as ann@example.com or Ann Lee <ann@example.com>, got ${shown}`);
}
