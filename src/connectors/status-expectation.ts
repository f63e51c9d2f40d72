import { InvalidStepInputError } from './invalid-step-input.error';
import { describe } from './step-input';

const CLASS = /^([1-5])xx$/i;
const RANGE = /^([1-5]\d\d)(?:-([1-5]\d\d))?$/;

/** The statuses an `http` step counts as success: `expect:` as 200, "2xx", "200-299" or a list. */
export interface StatusExpectation {
  matches(status: number): boolean;
  /** As written, e.g. `2xx` or `200, 404`, for plans. */
  text: string;
}

export const DEFAULT_EXPECTATION = parseExpectation(undefined);

export function parseExpectation(value: unknown): StatusExpectation {
  if (value === undefined || value === null) return { matches: (status) => status >= 200 && status < 300, text: '2xx' };
  const items = Array.isArray(value) ? value : [value];
  if (items.length === 0) throw invalid(value);
  const tests = items.map((item) => parseItem(item, value));
  return { matches: (status) => tests.some((test) => test(status)), text: items.map(String).join(', ') };
}

function parseItem(item: unknown, whole: unknown): (status: number) => boolean {
  if (typeof item === 'number') {
    if (!Number.isInteger(item) || item < 100 || item > 599) throw invalid(whole);
    return (status) => status === item;
  }
  if (typeof item !== 'string') throw invalid(whole);
  const text = item.trim();
  const statusClass = CLASS.exec(text);
  if (statusClass) return (status) => Math.floor(status / 100) === Number(statusClass[1]);
  const range = RANGE.exec(text);
  if (!range) throw invalid(whole);
  const low = Number(range[1]);
  const high = Number(range[2] ?? range[1]);
  if (high < low) throw invalid(whole);
  return (status) => status >= low && status <= high;
}

function invalid(value: unknown): InvalidStepInputError {
  const got = typeof value === 'string' ? `"${value.slice(0, 40)}"` : describe(value);
  return new InvalidStepInputError(`\`with.expect\` must be statuses such as 200, 404, 2xx or 200-299, got ${got}`);
}
