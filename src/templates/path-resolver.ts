import { isHookflowSetting } from '../config/secret-names';
import { TemplateError } from './template-error';
import { describeKind } from './value-kind';

const INDEX = /^(?:0|[1-9]\d*)$/;
const MISSING = Symbol('missing');

/**
 * Follows `segments` from `base` over own properties only (list items by index, and a list's
 * `length`), so nothing on a prototype (`constructor`, `__proto__`, `toString`) is ever
 * reached. `undefined` and functions count as missing: templates only see data. `prefix`
 * is how the base reads in messages (`''` for the context, `item.` for a block parameter).
 */
export function resolvePath(base: unknown, prefix: string, segments: readonly string[], optional: boolean): unknown {
  let current = base;
  for (let index = 0; index < segments.length; index++) {
    const next = ownValue(current, segments[index]);
    if (next === MISSING) {
      if (optional) return undefined;
      throw missingPath(prefix, segments, index, current);
    }
    current = next;
  }
  return current;
}

function ownValue(container: unknown, key: string): unknown {
  if (container === null || typeof container !== 'object') return MISSING;
  if (Array.isArray(container)) {
    if (key === 'length') return container.length;
    if (!INDEX.test(key) || Number(key) >= container.length) return MISSING;
  } else if (!Object.prototype.hasOwnProperty.call(container, key)) {
    return MISSING;
  }
  const value: unknown = (container as Record<string, unknown>)[key];
  return value === undefined || typeof value === 'function' ? MISSING : value;
}

function missingPath(prefix: string, segments: readonly string[], index: number, container: unknown): TemplateError {
  const path = prefix + segments.join('.');
  return new TemplateError('TEMPLATE_MISSING_PATH', `${path} does not exist${reason(prefix, segments, index, container)}`, {
    path,
  });
}

function reason(prefix: string, segments: readonly string[], index: number, container: unknown): string {
  if (prefix === '' && segments[0] === 'secrets' && index === 1) {
    const name = segments[1];
    return isHookflowSetting(name) ? ` (${name} is one of Hookflow's own settings, never a secret)` : ` (environment variable ${name} is not set)`;
  }
  const reached = prefix + segments.slice(0, index).join('.');
  if (index > 0 && (container === null || typeof container !== 'object')) {
    return ` (${reached} is ${describeKind(container)})`;
  }
  if (index < segments.length - 1) {
    return index > 0 ? ` (${reached} has no ${segments[index]})` : ` (no ${prefix}${segments[0]})`;
  }
  return '';
}
