/**
 * Placeholders for values a dry run cannot know (outputs of steps that would reach other
 * systems): they pass the template engine's own-property path resolver for any path, and
 * render as `<steps.label.output.body.tracking_number>`.
 */
const PLACEHOLDER_START = '\uE000';
const PLACEHOLDER_END = '\uE001';
/** A placeholder as text inside a rendered string, with the quotes JSON puts around it (HTML-escaped in `html` fields). */
const PLACEHOLDER_TEXT = /(?:"|&quot;)\uE000([^\uE001]*)\uE001(?:"|&quot;)|\uE000([^\uE001]*)\uE001/g;
const placeholderPaths = new WeakMap<object, string>();

/**
 * An unknown value: every property exists and is another placeholder, so the template
 * engine's own-property path resolver follows any path into it. As a lone expression it
 * stays this object (revealed as `<path>` after rendering); inside text it is written as
 * JSON, through `toJSON`, as the path between two private-use marks that `reveal` replaces.
 */
export function placeholder(path: string): object {
  const proxy = new Proxy(Object.create(null) as object, {
    get: (_target, key) => {
      if (key === 'toJSON') return () => `${PLACEHOLDER_START}${path}${PLACEHOLDER_END}`;
      return typeof key === 'string' ? placeholder(`${path}.${key}`) : undefined;
    },
    has: (_target, key) => typeof key === 'string',
    getOwnPropertyDescriptor: (_target, key) =>
      typeof key === 'string' ? { value: placeholder(`${path}.${key}`), writable: false, enumerable: false, configurable: true } : undefined,
    ownKeys: () => [],
  });
  placeholderPaths.set(proxy, path);
  return proxy;
}

export function isPlaceholder(value: unknown): boolean {
  return typeof value === 'object' && value !== null && placeholderPaths.has(value);
}

/** A rendered value with every placeholder, whole or inside text, written as `<path>`. */
export function reveal(value: unknown): unknown {
  if (typeof value === 'string') return value.replace(PLACEHOLDER_TEXT, (_match, quoted?: string, bare?: string) => `<${quoted ?? bare}>`);
  if (typeof value !== 'object' || value === null) return value;
  const path = placeholderPaths.get(value);
  if (path !== undefined) return `<${path}>`;
  if (Array.isArray(value)) return value.map(reveal);
  const result: Record<string, unknown> = {};
  for (const [key, entry] of Object.entries(value)) {
    Object.defineProperty(result, key, { value: reveal(entry), enumerable: true, writable: true, configurable: true });
  }
  return result;
}
