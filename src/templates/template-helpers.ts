import { formatDate, toDate } from './template-date';
import { TemplateError } from './template-error';
import { describeKind } from './value-kind';

/**
 * A helper as templates see it: its argument count is checked when a template compiles.
 * `signature` and `description` are what the catalog (`GET /api/catalog`) shows.
 */
export interface HelperSpec {
  readonly min: number;
  readonly max: number;
  readonly fn: (...args: unknown[]) => unknown;
  readonly signature: string;
  readonly description: string;
}

type HelperBody = Pick<HelperSpec, 'min' | 'max' | 'fn'>;

function described(signature: string, description: string, body: HelperBody): HelperSpec {
  return { ...body, signature, description };
}

/** False for false, null, undefined, 0, NaN, '', 'false', '0' (after trimming) and []; true otherwise. */
export function isTruthy(value: unknown): boolean {
  if (value === false || value === null || value === undefined || value === 0 || value === 0n) return false;
  if (typeof value === 'number') return !Number.isNaN(value);
  if (typeof value === 'string') {
    const text = value.trim();
    return text !== '' && text !== 'false' && text !== '0';
  }
  if (Array.isArray(value)) return value.length > 0;
  return true;
}

const NUMERIC = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?$/i;

function numeric(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isNaN(value) ? undefined : value;
  if (typeof value === 'string' && NUMERIC.test(value.trim())) return Number(value.trim());
  return undefined;
}

function helperError(message: string): TemplateError {
  return new TemplateError('TEMPLATE_HELPER', message);
}

function numbers(helper: string, args: unknown[]): number[] {
  return args.map((arg, index) => {
    const value = numeric(arg);
    if (value === undefined) {
      throw helperError(`${helper}: argument ${index + 1} is not a number (got ${describeKind(arg)})`);
    }
    return value;
  });
}

function arithmetic(helper: string, min: number, max: number, apply: (values: number[]) => number): HelperBody {
  return {
    min,
    max,
    fn: (...args) => {
      const result = apply(numbers(helper, args));
      if (!Number.isFinite(result)) throw helperError(`${helper}: the result is not a finite number`);
      return result;
    },
  };
}

function divisor(helper: string, value: number): number {
  if (value === 0) throw helperError(`${helper}: division by zero`);
  return value;
}

/** Half away from zero, to `digits` decimals; `toPrecision` absorbs float noise (1.005 → 1.01). */
function round(value: number, digits: number): number {
  if (!Number.isInteger(digits) || digits < 0 || digits > 15) {
    throw helperError('round: decimals must be a whole number from 0 to 15');
  }
  const factor = 10 ** digits;
  return (Math.sign(value) * Math.round(Number((Math.abs(value) * factor).toPrecision(15)))) / factor;
}

/** Orders two numbers (or numeric strings), two strings, or two dates; anything else is not comparable. */
function order(a: unknown, b: unknown): number | undefined {
  const x = numeric(a);
  const y = numeric(b);
  if (x !== undefined && y !== undefined) return x < y ? -1 : x > y ? 1 : 0;
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  if (a instanceof Date && b instanceof Date) return Math.sign(a.getTime() - b.getTime());
  return undefined;
}

function comparison(test: (order: number) => boolean): HelperBody {
  return {
    min: 2,
    max: 2,
    fn: (a, b) => {
      const result = order(a, b);
      return result !== undefined && test(result);
    },
  };
}

function text(helper: string, value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  throw helperError(`${helper}: expected text, got ${describeKind(value)}`);
}

function length(value: unknown): number {
  if (value === null || value === undefined) return 0;
  if (typeof value === 'string' || Array.isArray(value)) return value.length;
  if (typeof value === 'object' && !(value instanceof Date)) return Object.keys(value).length;
  throw helperError(`length: expected text, a list or an object, got ${describeKind(value)}`);
}

function json(value: unknown, indent?: unknown): string {
  const spaces = indent === undefined ? undefined : numeric(indent);
  if (indent !== undefined && (spaces === undefined || !Number.isInteger(spaces) || spaces < 0 || spaces > 10)) {
    throw helperError('json: indent must be a whole number from 0 to 10');
  }
  try {
    return JSON.stringify(value ?? null, null, spaces) ?? 'null';
  } catch (error) {
    throw helperError(`json: cannot serialize the value (${(error as Error).message})`);
  }
}

function date(input: unknown, format?: unknown): string | number {
  if (format !== undefined && typeof format !== 'string') {
    throw helperError(`date: the format must be text, got ${describeKind(format)}`);
  }
  return formatDate(toDate(input), format);
}

function present(value: unknown): boolean {
  return value !== null && value !== undefined && value !== '';
}

/** Every helper a workflow template may call, by name. */
export const TEMPLATE_HELPERS: ReadonlyMap<string, HelperSpec> = new Map<string, HelperSpec>([
  ['eq', described('eq a b', 'Whether a and b are the same value (no conversion: 1 is not "1").', { min: 2, max: 2, fn: (a, b) => a === b })],
  ['ne', described('ne a b', 'Whether a and b are different values.', { min: 2, max: 2, fn: (a, b) => a !== b })],
  [
    'gt',
    described(
      'gt a b',
      'Whether a is greater than b; numbers (or numeric text), text or dates.',
      comparison((result) => result > 0),
    ),
  ],
  [
    'gte',
    described(
      'gte a b',
      'Whether a is greater than or equal to b.',
      comparison((result) => result >= 0),
    ),
  ],
  [
    'lt',
    described(
      'lt a b',
      'Whether a is less than b.',
      comparison((result) => result < 0),
    ),
  ],
  [
    'lte',
    described(
      'lte a b',
      'Whether a is less than or equal to b.',
      comparison((result) => result <= 0),
    ),
  ],
  ['and', described('and a b …', 'Whether every argument is truthy.', { min: 2, max: Infinity, fn: (...args) => args.every(isTruthy) })],
  ['or', described('or a b …', 'Whether any argument is truthy.', { min: 2, max: Infinity, fn: (...args) => args.some(isTruthy) })],
  ['not', described('not a', 'Whether a is falsy (false, null, 0, "", "false", "0" or []).', { min: 1, max: 1, fn: (value) => !isTruthy(value) })],
  [
    'default',
    described(
      'default value … fallback',
      'The first argument that is present (not null, missing or ""), else the last; a missing path inside it is no error.',
      {
        min: 1,
        max: Infinity,
        fn: (...args) => args.find(present) ?? args[args.length - 1],
      },
    ),
  ],
  ['json', described('json value [indent]', 'The value as JSON text, indented by 0 to 10 spaces when asked.', { min: 1, max: 2, fn: json })],
  ['upper', described('upper text', 'The text in upper case.', { min: 1, max: 1, fn: (value) => text('upper', value).toUpperCase() })],
  ['lower', described('lower text', 'The text in lower case.', { min: 1, max: 1, fn: (value) => text('lower', value).toLowerCase() })],
  ['length', described('length value', 'The length of text or a list, or the number of keys of an object.', { min: 1, max: 1, fn: length })],
  [
    'date',
    described(
      'date value [format]',
      'A date (ISO 8601 text or epoch milliseconds) formatted in UTC: iso (default), unix, ms, or tokens such as YYYY-MM-DD HH:mm.',
      {
        min: 1,
        max: 2,
        fn: date,
      },
    ),
  ],
  [
    'add',
    described(
      'add a b …',
      'The sum of the numbers.',
      arithmetic('add', 2, Infinity, (values) => values.reduce((sum, value) => sum + value)),
    ),
  ],
  [
    'sub',
    described(
      'sub a b',
      'a minus b.',
      arithmetic('sub', 2, 2, ([a, b]) => a - b),
    ),
  ],
  [
    'mul',
    described(
      'mul a b …',
      'The product of the numbers.',
      arithmetic('mul', 2, Infinity, (values) => values.reduce((product, value) => product * value)),
    ),
  ],
  [
    'div',
    described(
      'div a b',
      'a divided by b; dividing by zero is an error.',
      arithmetic('div', 2, 2, ([a, b]) => a / divisor('div', b)),
    ),
  ],
  [
    'mod',
    described(
      'mod a b',
      'The remainder of a divided by b.',
      arithmetic('mod', 2, 2, ([a, b]) => a % divisor('mod', b)),
    ),
  ],
  [
    'round',
    described(
      'round value [decimals]',
      'Rounded half away from zero, to 0 to 15 decimals.',
      arithmetic('round', 1, 2, ([value, digits]) => round(value, digits ?? 0)),
    ),
  ],
  [
    'floor',
    described(
      'floor value',
      'Rounded down to a whole number.',
      arithmetic('floor', 1, 1, ([value]) => Math.floor(value)),
    ),
  ],
  [
    'ceil',
    described(
      'ceil value',
      'Rounded up to a whole number.',
      arithmetic('ceil', 1, 1, ([value]) => Math.ceil(value)),
    ),
  ],
]);
