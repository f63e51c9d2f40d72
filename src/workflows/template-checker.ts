import { isMap, isScalar, isSeq } from 'yaml';
import type { Node, Scalar } from 'yaml';
import { isHookflowSetting } from '../config/secret-names';
import type { RenderMode, TemplateEngine } from '../templates/template-engine';
import type { FilePosition } from './workflow.types';
import { ParsedYamlFile } from './workflow-file-parser';

/** A dotted path (`steps.label.output.body`) used by a template, and the node it was written in. */
export interface TemplateReference {
  node: Node;
  path: string;
}

/** Whether the template reads `root` (`steps`) or something under it (`steps.label.output`). */
export function readsRoot(reference: TemplateReference, root: string): boolean {
  return reference.path === root || reference.path.startsWith(`${root}.`);
}

/** What templates can read: the names of their context and the fields of `event`. */
const CONTEXT_ROOTS: ReadonlySet<string> = new Set(['event', 'steps', 'run', 'workflow', 'secrets']);
const EVENT_FIELDS: ReadonlySet<string> = new Set(['id', 'source', 'type', 'received_at', 'headers', 'query', 'body']);
/** What `on_failure:` steps read besides: the failed run (src/engine/failure-handoff.ts fills it). */
export const FAILURE_FIELDS: ReadonlySet<string> = new Set(['run_id', 'workflow', 'step', 'error', 'attempts']);
/** What the templates of a `for_each` step read besides: the item and its 0-based index. */
export const ITEM_ROOTS: ReadonlySet<string> = new Set(['item', 'index']);

/**
 * Compiles the templates of a file, reporting the ones that do not compile, and paths that
 * can never exist (`{{constructor.constructor}}`, `{{event.__proto__}}`, typos), at their place.
 */
export class TemplateChecker {
  private readsItem = false;

  constructor(
    private readonly engine: TemplateEngine,
    private readonly file: ParsedYamlFile,
    /** Set for `on_failure:` steps, which may read `failure` too. */
    private readonly readsFailure = false,
  ) {}

  /** The checker for the `on_failure:` steps of the same file. */
  forFailureSteps(): TemplateChecker {
    return new TemplateChecker(this.engine, this.file, true);
  }

  /** Checks `work` makes may read `item` and `index`: those of the `with` and `if` of a `for_each` step. */
  withItem<T>(work: () => T): T {
    this.readsItem = true;
    try {
      return work();
    } finally {
      this.readsItem = false;
    }
  }

  /** Whether `text` is one `{{expression}}` (a template that does not compile counts, for `check` to report). */
  isLoneExpression(text: string): boolean {
    if (!this.engine.isTemplate(text)) return false;
    try {
      return this.engine.compile(text).isLone;
    } catch {
      return true;
    }
  }

  /** The paths referenced by the template in `node`; none for plain strings or broken templates. */
  check(node: Node, text: string, what: string, mode: RenderMode = 'value'): TemplateReference[] {
    if (!this.engine.isTemplate(text)) return [];
    try {
      const paths = this.engine.compile(text, mode).paths;
      for (const path of paths) this.checkPath(node, path, what);
      return paths.map((path) => ({ node, path }));
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.file.report(this.errorPosition(node, text, error), `${what}: template does not compile: ${message}`);
      return [];
    }
  }

  private checkPath(node: Node, path: string, what: string): void {
    const [root, field] = path.split('.');
    if (root === 'failure' && this.readsFailure) {
      if (field !== undefined && !FAILURE_FIELDS.has(field)) {
        this.file.report(node, `${what}: \`failure.${field}\` does not exist (a failure has ${[...FAILURE_FIELDS].join(', ')})`);
      }
    } else if (root === 'failure') {
      this.file.report(node, `${what}: \`failure\` is only set for \`on_failure\` steps`);
    } else if (ITEM_ROOTS.has(root)) {
      if (!this.readsItem) this.file.report(node, `${what}: \`${root}\` is only set in a step with \`for_each\``);
    } else if (!CONTEXT_ROOTS.has(root)) {
      this.file.report(
        node,
        `${what}: \`${root}\` is not something templates can read (they read event, steps, run, workflow${this.readsFailure ? ', failure' : ''} and secrets)`,
      );
    } else if (root === 'event' && field !== undefined && !EVENT_FIELDS.has(field)) {
      this.file.report(node, `${what}: \`event.${field}\` does not exist (an event has ${[...EVENT_FIELDS].join(', ')})`);
    } else if (root === 'secrets' && field !== undefined && isHookflowSetting(field)) {
      this.file.report(
        node,
        `${what}: \`secrets.${field}\` is refused: ${field} is one of Hookflow's own settings (DATABASE_URL, PORT, HOST, LOG_LEVEL, HOOKFLOW_*, PG*), never a secret; give the value a variable of its own`,
      );
    }
  }

  /** Checks every string found under `node` (map values and list items, at any depth), compiled as the engine will. */
  checkTree(node: Node | null | undefined, what: string, mode: RenderMode = 'value'): TemplateReference[] {
    const resolved = this.file.resolve(node);
    if (isScalar(resolved)) {
      return typeof resolved.value === 'string' ? this.check(resolved, resolved.value, what, mode) : [];
    }
    if (isSeq(resolved)) return resolved.items.flatMap((item) => this.checkTree(item as Node, what, mode));
    if (isMap(resolved)) return resolved.items.flatMap((pair) => this.checkTree(pair.value as Node, what, mode));
    return [];
  }

  /**
   * The node's position, moved to the error's place inside the template when the scalar is
   * written on one line without escapes (so source columns and template columns line up).
   */
  private errorPosition(node: Node, text: string, error: unknown): FilePosition | undefined {
    const base = this.file.positionOf(node);
    const { line, column } = (error ?? {}) as { line?: unknown; column?: unknown };
    if (!isScalar(node) || !node.range || line !== 1 || typeof column !== 'number') return base;
    const start = node.range[0] + (quoted(node) ? 1 : 0);
    const raw = this.file.text.slice(start, start + text.length);
    if (raw !== text || text.includes('\n') || column < 1 || column > text.length + 1) return base;
    return this.file.positionAt(start + column - 1);
  }
}

function quoted(node: Scalar): boolean {
  return node.type === 'QUOTE_DOUBLE' || node.type === 'QUOTE_SINGLE';
}
