import { TemplateError } from './template-error';
import { describeKind } from './value-kind';

const TIMEZONE_LESS_ISO = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)$/;
const INTEGER = /^-?\d+$/;
const TOKENS = /\[([^\]]*)]|YYYY|YY|MMMM|MMM|MM|M|dddd|ddd|DD|D|HH|H|hh|h|mm|m|ss|s|SSS|A|a|ZZ|Z|X|x/g;
const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

/**
 * Reads a date from an ISO string, a Date or epoch milliseconds (number or digit string).
 * An ISO date-time without offset is read as UTC so that rendering never depends on the
 * server's time zone.
 */
export function toDate(input: unknown): Date {
  let date: Date | undefined;
  if (input instanceof Date) date = new Date(input.getTime());
  else if (typeof input === 'number') date = new Date(input);
  else if (typeof input === 'string') date = parseDateString(input.trim());
  if (!date || Number.isNaN(date.getTime())) {
    const what = input instanceof Date ? 'an invalid Date' : describeKind(input);
    throw new TemplateError('TEMPLATE_HELPER', `date: cannot read ${what} as a date (expected an ISO 8601 string, a Date or epoch milliseconds)`);
  }
  return date;
}

/** `iso` (default), `unix` (seconds, a number), `ms` (a number) or tokens such as `YYYY-MM-DD HH:mm:ss`, in UTC. */
export function formatDate(date: Date, format = 'iso'): string | number {
  if (format === 'iso') return date.toISOString();
  if (format === 'unix') return Math.floor(date.getTime() / 1000);
  if (format === 'ms') return date.getTime();
  return format.replace(TOKENS, (token: string, literal: string | undefined) => (literal !== undefined ? literal : formatToken(date, token)));
}

function parseDateString(text: string): Date | undefined {
  if (text === '') return undefined;
  if (INTEGER.test(text)) return new Date(Number(text));
  const local = TIMEZONE_LESS_ISO.exec(text);
  return new Date(local ? `${local[1]}T${local[2]}Z` : text);
}

function formatToken(date: Date, token: string): string {
  const hours = date.getUTCHours();
  switch (token) {
    case 'YYYY':
      return String(date.getUTCFullYear()).padStart(4, '0');
    case 'YY':
      return pad(date.getUTCFullYear() % 100);
    case 'MMMM':
      return MONTHS[date.getUTCMonth()];
    case 'MMM':
      return MONTHS[date.getUTCMonth()].slice(0, 3);
    case 'MM':
      return pad(date.getUTCMonth() + 1);
    case 'M':
      return String(date.getUTCMonth() + 1);
    case 'dddd':
      return DAYS[date.getUTCDay()];
    case 'ddd':
      return DAYS[date.getUTCDay()].slice(0, 3);
    case 'DD':
      return pad(date.getUTCDate());
    case 'D':
      return String(date.getUTCDate());
    case 'HH':
      return pad(hours);
    case 'H':
      return String(hours);
    case 'hh':
      return pad(hours % 12 || 12);
    case 'h':
      return String(hours % 12 || 12);
    case 'mm':
      return pad(date.getUTCMinutes());
    case 'm':
      return String(date.getUTCMinutes());
    case 'ss':
      return pad(date.getUTCSeconds());
    case 's':
      return String(date.getUTCSeconds());
    case 'SSS':
      return String(date.getUTCMilliseconds()).padStart(3, '0');
    case 'A':
      return hours < 12 ? 'AM' : 'PM';
    case 'a':
      return hours < 12 ? 'am' : 'pm';
    case 'ZZ':
      return '+0000';
    case 'Z':
      return '+00:00';
    case 'X':
      return String(Math.floor(date.getTime() / 1000));
    default:
      return String(date.getTime()); // 'x'
  }
}

function pad(value: number): string {
  return String(value).padStart(2, '0');
}
