import { InvalidStepInputError } from './invalid-step-input.error';

export type Scalar = string | number | boolean;

/**
 * Typed reads of one rendered `with:` map. Keys were checked when the workflow loaded, but
 * values come from templates and are only known now; a wrong type throws
 * `InvalidStepInputError` naming `with.<key>`.
 */
export class StepInput {
  constructor(private readonly values: Record<string, unknown>) {}

  has(key: string): boolean {
    return this.values[key] !== undefined && this.values[key] !== null;
  }

  raw(key: string): unknown {
    return this.values[key];
  }

  string(key: string): string {
    const value = this.optionalString(key);
    if (value === undefined) throw new InvalidStepInputError(`\`with.${key}\` is missing`);
    return value;
  }

  optionalString(key: string): string | undefined {
    const value = this.values[key];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'string') throw this.wrongType(key, 'a string', value);
    return value;
  }

  /** A string or a list of strings, as a list (empty when absent). */
  stringList(key: string): string[] {
    const value = this.values[key];
    if (value === undefined || value === null) return [];
    const items = Array.isArray(value) ? value : [value];
    for (const item of items) {
      if (typeof item !== 'string') throw this.wrongType(key, 'a string or a list of strings', value);
    }
    return items as string[];
  }

  optionalList(key: string): unknown[] | undefined {
    const value = this.values[key];
    if (value === undefined || value === null) return undefined;
    if (!Array.isArray(value)) throw this.wrongType(key, 'a list', value);
    return value as unknown[];
  }

  /** A map of plain values; with `lists`, a value may also be a list of plain values. */
  scalarMap(key: string, lists: boolean): Array<[string, Scalar[]]> {
    const value = this.values[key];
    if (value === undefined || value === null) return [];
    if (!isPlainObject(value)) throw this.wrongType(key, 'a map', value);
    const entries: Array<[string, Scalar[]]> = [];
    for (const [name, entry] of Object.entries(value)) {
      if (entry === undefined || entry === null) continue;
      const items = lists && Array.isArray(entry) ? entry : [entry];
      if (!items.every(isScalar)) {
        throw new InvalidStepInputError(`\`with.${key}.${name}\` must be a plain value${lists ? ' or a list of them' : ''}, got ${describe(entry)}`);
      }
      entries.push([name, items]);
    }
    return entries;
  }

  private wrongType(key: string, expected: string, value: unknown): InvalidStepInputError {
    return new InvalidStepInputError(`\`with.${key}\` must be ${expected}, got ${describe(value)}`);
  }
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isScalar(value: unknown): value is Scalar {
  return typeof value === 'string' || (typeof value === 'number' && Number.isFinite(value)) || typeof value === 'boolean';
}

/** A short description of a rendered value for error messages; never its content. */
export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a map';
  return `a ${typeof value}`;
}
