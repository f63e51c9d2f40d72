import { DomainError } from '../common/domain-error';

const MAX_REASON_LENGTH = 500;

/** The other way out, whatever went wrong. */
export const USE_ANOTHER_SERVER = 'or set DATABASE_URL to use a PostgreSQL server of your own';

/**
 * The embedded PostgreSQL did not start. The message is one line that names the folder,
 * what went wrong and what to do, for `npm start` to print without a stack.
 */
export class EmbeddedPostgresError extends DomainError {
  constructor(
    readonly folder: string,
    reason: string,
    fix: string,
  ) {
    super('EMBEDDED_POSTGRES_FAILED', `Embedded PostgreSQL in ${folder} did not start: ${oneLine(reason)}. ${fix}.`);
  }
}

function oneLine(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim().replace(/[.:]$/, '');
  return line.length > MAX_REASON_LENGTH ? `${line.slice(0, MAX_REASON_LENGTH)}…` : line;
}
