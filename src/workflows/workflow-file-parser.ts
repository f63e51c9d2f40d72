import { Document, LineCounter, isAlias, isNode, isScalar, parseDocument, visit } from 'yaml';
import type { Node, YAMLError } from 'yaml';
import type { FilePosition, WorkflowProblem } from './workflow.types';

export const MAX_WORKFLOW_FILE_BYTES = 256 * 1024;
/** Passed to yaml's `toJS`: bounds how far aliases may expand (the "billion laughs" shape). */
export const MAX_ALIAS_COUNT = 100;
/** Keys that could reach an object's prototype once the file becomes JavaScript objects. */
export const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

const START: FilePosition = { line: 1, column: 1 };

/**
 * One YAML file with its positions and the problems found in it so far. Validators add their
 * problems here, so that every problem of a file ends up in one list.
 */
export class ParsedYamlFile {
  readonly problems: WorkflowProblem[] = [];

  constructor(
    readonly file: string,
    readonly text: string,
    private readonly lineCounter: LineCounter,
    private readonly doc: Document | undefined,
    /** The document's top node, unset when the file could not be read as YAML at all. */
    readonly root: Node | null | undefined,
  ) {}

  positionOf(node: Node | null | undefined): FilePosition | undefined {
    const offset = node?.range?.[0];
    if (offset === undefined) return undefined;
    const { line, col } = this.lineCounter.linePos(offset);
    return { line, column: col };
  }

  positionAt(offset: number): FilePosition {
    const { line, col } = this.lineCounter.linePos(offset);
    return { line, column: col };
  }

  report(at: Node | FilePosition | null | undefined, message: string): void {
    const position = isNode(at) ? this.positionOf(at) : (at ?? undefined);
    const { line, column } = position ?? START;
    this.problems.push({ file: this.file, line, column, message });
  }

  /** Follows an alias to the node it names; anything else is returned as is. */
  resolve(node: unknown): Node | null {
    if (isAlias(node)) return (this.doc && (node.resolve(this.doc) as Node | undefined)) ?? null;
    return isNode(node) ? node : null;
  }
}

/**
 * Parses YAML text keeping positions. Never throws: syntax errors, duplicate keys, oversized
 * files, alias bombs and prototype keys all become problems. `root` is left unset when the
 * file cannot be validated further.
 */
export function parseWorkflowFile(file: string, text: string): ParsedYamlFile {
  const lineCounter = new LineCounter();
  if (Buffer.byteLength(text, 'utf8') > MAX_WORKFLOW_FILE_BYTES) {
    return oversizeFile(file, Buffer.byteLength(text, 'utf8'));
  }
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const fatal = doc.errors.some((error) => error.code !== 'DUPLICATE_KEY');
  const parsed = new ParsedYamlFile(file, text, lineCounter, doc, fatal ? undefined : doc.contents);
  for (const error of doc.errors) parsed.report(parsed.positionAt(error.pos[0]), problemOf(error));
  if (fatal) return parsed;

  if (!aliasesAreBounded(doc)) {
    const bomb = new ParsedYamlFile(file, text, lineCounter, doc, undefined);
    bomb.report(firstAlias(doc, bomb), `aliases expand too far (more than ${MAX_ALIAS_COUNT}): refused`);
    return bomb;
  }
  reportForbiddenKeys(doc, parsed);
  return parsed;
}

function problemOf(error: YAMLError): string {
  if (error.code === 'DUPLICATE_KEY') return 'duplicate key';
  // yaml reports the stack overflow of a collection nested hundreds of levels deep.
  if (error.code === 'RESOURCE_EXHAUSTION') return 'collections are nested too deeply to read: refused';
  return error.message;
}

/** A file refused before reading it: `size` is its length in bytes. */
export function oversizeFile(file: string, size: number): ParsedYamlFile {
  const parsed = new ParsedYamlFile(file, '', new LineCounter(), undefined, undefined);
  parsed.report(START, `file is ${size} bytes, larger than the ${MAX_WORKFLOW_FILE_BYTES} allowed: refused`);
  return parsed;
}

function aliasesAreBounded(doc: Document): boolean {
  try {
    doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
    return true;
  } catch (error) {
    if (error instanceof ReferenceError) return false;
    throw error;
  }
}

function firstAlias(doc: Document, parsed: ParsedYamlFile): FilePosition | undefined {
  let found: FilePosition | undefined;
  visit(doc, {
    Alias(_key, node) {
      found = parsed.positionOf(node);
      return visit.BREAK;
    },
  });
  return found;
}

function reportForbiddenKeys(doc: Document, parsed: ParsedYamlFile): void {
  visit(doc, {
    Pair(_key, pair) {
      const key = pair.key;
      if (isScalar(key) && FORBIDDEN_KEYS.has(String(key.value))) {
        parsed.report(key, `key \`${String(key.value)}\` is not allowed`);
      }
    },
  });
}
