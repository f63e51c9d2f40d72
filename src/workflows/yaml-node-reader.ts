import { isMap, isScalar, isSeq } from 'yaml';
import type { Node, Scalar, YAMLMap } from 'yaml';
import { DurationLimit, parseDuration } from './duration';
import { FORBIDDEN_KEYS, ParsedYamlFile } from './workflow-file-parser';

/** One key of a YAML map with its value node (aliases already followed). */
export interface MapEntry {
  key: Scalar;
  value: Node | null;
}

/** A YAML map read as string keys, remembering where it stands for "missing key" problems. */
export class MapView {
  constructor(
    readonly node: YAMLMap,
    /** Where problems about the whole map point: the key that holds it, or the map itself. */
    readonly at: Node,
    private readonly entries: ReadonlyMap<string, MapEntry>,
  ) {}

  has(key: string): boolean {
    return this.entries.has(key);
  }

  /** The value node, `null` for a key without value, `undefined` when the key is absent. */
  get(key: string): Node | null | undefined {
    return this.entries.get(key)?.value;
  }

  entry(key: string): MapEntry | undefined {
    return this.entries.get(key);
  }

  keys(): string[] {
    return [...this.entries.keys()];
  }
}

/**
 * Reads typed values out of YAML nodes. Every read that fails reports a problem at the
 * offending node and returns `undefined`, so validators can carry on and report more.
 */
export class YamlNodeReader {
  constructor(readonly file: ParsedYamlFile) {}

  /** `allowed` unset means any key is fine; otherwise other keys are problems. */
  map(node: Node | null | undefined, what: string, allowed?: readonly string[], at?: Node): MapView | undefined {
    const resolved = this.file.resolve(node);
    if (!isMap(resolved)) {
      this.file.report(resolved ?? at, `${what} must be a map`);
      return undefined;
    }
    const entries = new Map<string, MapEntry>();
    for (const pair of resolved.items) {
      const key = pair.key;
      if (!isScalar(key) || key.value === null || typeof key.value === 'object') {
        this.file.report((pair.key as Node | null) ?? resolved, `keys in ${what} must be plain strings`);
        continue;
      }
      const name = String(key.value);
      // Already reported by the parser; skipping keeps them out of every converted object.
      if (FORBIDDEN_KEYS.has(name)) continue;
      entries.set(name, { key, value: this.file.resolve(pair.value) });
    }
    const view = new MapView(resolved, at ?? resolved, entries);
    return allowed ? this.onlyKeys(view, allowed, what) : view;
  }

  /** Reports the keys of `view` that are not `allowed` and leaves them out of the view it returns. */
  onlyKeys(view: MapView, allowed: readonly string[], what: string): MapView {
    const entries = new Map<string, MapEntry>();
    for (const name of view.keys()) {
      const entry = view.entry(name) as MapEntry;
      if (allowed.includes(name)) entries.set(name, entry);
      else this.file.report(entry.key, `unknown key \`${name}\` in ${what} (expected ${allowed.join(', ')})`);
    }
    return new MapView(view.node, view.at, entries);
  }

  list(node: Node | null | undefined, what: string): Node[] | undefined {
    const resolved = this.file.resolve(node);
    if (!isSeq(resolved)) {
      this.file.report(resolved, `${what} must be a list`);
      return undefined;
    }
    return resolved.items.map((item) => this.file.resolve(item)).filter((item): item is Node => item !== null);
  }

  scalar(node: Node | null | undefined): unknown {
    return isScalar(node) ? node.value : undefined;
  }

  string(node: Node | null | undefined, what: string): string | undefined {
    const value = this.scalar(node);
    if (typeof value === 'string') return value;
    this.file.report(node, `${what} must be a string`);
    return undefined;
  }

  boolean(node: Node | null | undefined, what: string): boolean | undefined {
    const value = this.scalar(node);
    if (typeof value === 'boolean') return value;
    this.file.report(node, `${what} must be true or false`);
    return undefined;
  }

  integer(node: Node | null | undefined, what: string, min: number, max: number): number | undefined {
    const value = this.scalar(node);
    if (typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max) return value;
    this.file.report(node, `${what} must be a whole number from ${min} to ${max}`);
    return undefined;
  }

  /** A literal duration (`500ms`, `15s`, `5m`, `1h`, `1d`) in milliseconds, at most `limit`. */
  duration(node: Node | null | undefined, what: string, limit: DurationLimit): number | undefined {
    const value = this.scalar(node);
    const ms = typeof value === 'string' ? parseDuration(value) : undefined;
    if (ms === undefined) this.file.report(node, `${what} must be a duration such as 500ms, 15s, 5m, 1h or 1d`);
    else if (ms > limit.ms) this.file.report(node, `${what} must be at most ${limit.text}`);
    return ms !== undefined && ms <= limit.ms ? ms : undefined;
  }

  /** Plain JavaScript data for a node. Objects are built so no key can reach a prototype. */
  plain(node: Node | null | undefined): unknown {
    const resolved = this.file.resolve(node);
    if (isScalar(resolved)) return resolved.value;
    if (isSeq(resolved)) return resolved.items.map((item) => this.plain(item as Node));
    if (!isMap(resolved)) return null;
    const result: Record<string, unknown> = {};
    for (const pair of resolved.items) {
      const key = isScalar(pair.key) ? String(pair.key.value) : undefined;
      if (key === undefined || FORBIDDEN_KEYS.has(key)) continue;
      Object.defineProperty(result, key, {
        value: this.plain(pair.value as Node | null),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    return result;
  }
}
