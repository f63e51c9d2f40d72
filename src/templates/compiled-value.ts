import { TemplateError } from './template-error';
import type { CompiledValue, TemplateScope } from './template.types';

type Key = string | number;

/** Compiles one string found at `path` (keys and list indexes from the top of the value). */
type CompileString = (text: string, path: readonly Key[]) => CompiledValue;

/**
 * Compiles a value deeply: strings through `compileString`, lists and plain objects walked
 * (keys are never templates), anything else kept. Rendering builds new lists and objects
 * from the rendered parts, so a value coming from an event stays one value and can never
 * change the structure it is placed in.
 */
export function compileValueTree(value: unknown, compileString: CompileString, path: readonly Key[] = []): CompiledValue {
  if (typeof value === 'string') return compileString(value, path);
  if (Array.isArray(value)) {
    const items = compileChildren(
      value.map((item, index): [Key, unknown] => [index, item]),
      compileString,
      path,
    );
    return {
      paths: unionOfPaths(items),
      render: (context, scope) => items.map(([index, item]) => renderChild(item, index, context, scope)),
    };
  }
  if (isPlainObject(value)) {
    const entries = compileChildren(Object.entries(value), compileString, path);
    return {
      paths: unionOfPaths(entries),
      render: (context, scope) => {
        const result: Record<string, unknown> = {};
        for (const [key, entry] of entries) {
          // defineProperty so that a key named "__proto__" stays a plain key.
          Object.defineProperty(result, key, {
            value: renderChild(entry, key, context, scope),
            enumerable: true,
            writable: true,
            configurable: true,
          });
        }
        return result;
      },
    };
  }
  return { paths: [], render: () => value };
}

function compileChildren(children: [Key, unknown][], compileString: CompileString, path: readonly Key[]): [Key, CompiledValue][] {
  return children.map(([key, child]) => {
    try {
      return [key, compileValueTree(child, compileString, [...path, key])];
    } catch (error) {
      throw error instanceof TemplateError ? error.with({ fieldKey: key }) : error;
    }
  });
}

function renderChild(child: CompiledValue, key: Key, context: object, scope: TemplateScope | undefined): unknown {
  try {
    return child.render(context, childScope(scope, key));
  } catch (error) {
    throw error instanceof TemplateError ? error.with({ fieldKey: key }) : error;
  }
}

/** Names the nested field in messages, but only when the caller named a field to start from. */
function childScope(scope: TemplateScope | undefined, key: Key): TemplateScope | undefined {
  if (scope?.field === undefined) return scope;
  return { ...scope, field: typeof key === 'number' ? `${scope.field}[${key}]` : `${scope.field}.${key}` };
}

function unionOfPaths(children: [Key, CompiledValue][]): string[] {
  return [...new Set(children.flatMap(([, child]) => child.paths))];
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object') return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}
