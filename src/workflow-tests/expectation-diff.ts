/** One place where what a test expects and what happened differ. `undefined` on a side: the key is absent there. */
export interface Difference {
  /** Where, e.g. `steps.label.request.body.order_id`. */
  path: string;
  expected: unknown;
  actual: unknown;
  /** When the values alone do not say it (a workflow that did not match, a missing step). */
  note?: string;
}

/**
 * Compares an expected value with the actual one. Partial (the default): only the keys an
 * expected map lists are compared, at every depth; lists compare item by item and must be as
 * long. Exact: every key on both sides. Scalars compare strictly (`1001` is not `"1001"`).
 */
export function differences(expected: unknown, actual: unknown, path: string, exact: boolean): Difference[] {
  if (isRecord(expected) && isRecord(actual)) {
    const keys = exact ? [...new Set([...Object.keys(expected), ...Object.keys(actual)])] : Object.keys(expected);
    return keys.flatMap((key) => {
      const child = `${path}.${key}`;
      if (!Object.hasOwn(actual, key)) return [{ path: child, expected: expected[key], actual: undefined }];
      if (!Object.hasOwn(expected, key)) return [{ path: child, expected: undefined, actual: actual[key] }];
      return differences(expected[key], actual[key], child, exact);
    });
  }
  if (Array.isArray(expected) && Array.isArray(actual) && expected.length === actual.length) {
    return expected.flatMap((item, index) => differences(item, actual[index], `${path}[${index}]`, exact));
  }
  return sameValue(expected, actual) ? [] : [{ path, expected, actual }];
}

function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  return JSON.stringify(a) === JSON.stringify(b);
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
