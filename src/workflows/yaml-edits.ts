import { isAlias, isMap, isPair, isScalar, isSeq, parseDocument, visit } from 'yaml';
import type { Document, Node, Pair, Scalar, YAMLMap, YAMLSeq } from 'yaml';

/*
 * The console's visual editor changes a workflow through these functions. Each one takes the
 * whole YAML text and returns it with the smallest text splice that makes the change, so that
 * comments, key order, quoting, flow or block style, indentation and blank lines of everything
 * it does not change stay byte for byte what the author wrote. Nothing is regenerated from a
 * model. Browser-safe: it imports nothing but `yaml`, because the console bundles it too.
 */

/** An edit that cannot apply; the message is meant for the person editing. */
export class YamlEditError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'YamlEditError';
  }
}

export interface StepDraft {
  id: string;
  uses: string;
  name?: string;
  with?: Record<string, unknown>;
  needs?: string[];
}

/** A template that still reads a removed step: 1-based line and the template text. */
export interface StepReference {
  stepId: string;
  line: number;
  text: string;
}

type Path = (string | number)[];

const STEP_ID = /^[a-z0-9_-]{1,64}$/;
const RESERVED_IDS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);
const TRIGGER = 'trigger';

// ---------------------------------------------------------------------------------------------
// Public operations

/** The step ids in file order; items without an id are left out. */
export function stepIds(yaml: string): string[] {
  return readSteps(load(yaml)).steps.flatMap((step) => (step.id === undefined ? [] : [step.id]));
}

/** `base` made into a valid step id, with `_2`, `_3` … appended until no step has it. */
export function freeStepId(yaml: string, base: string): string {
  const taken = new Set([...stepIds(yaml), TRIGGER]);
  let stem = base
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9_-]+/g, '_')
    .replace(/^[_-]+|[_-]+$/g, '')
    .slice(0, 56);
  if (stem === '' || RESERVED_IDS.has(stem)) stem = stem === '' ? 'step' : `${stem}_step`;
  if (!taken.has(stem)) return stem;
  for (let n = 2; ; n++) {
    const candidate = `${stem}_${n}`;
    if (!taken.has(candidate)) return candidate;
  }
}

/** Appends a step at the end of `steps:` (created when missing), in the style of the steps already there. */
export function addStep(yaml: string, step: StepDraft): string {
  checkNewId(yaml, step.id);
  if (typeof step.uses !== 'string' || step.uses === '') throw new YamlEditError('a step needs a kind (`uses`)');
  const doc = load(yaml);
  const { steps, seq } = readSteps(doc);
  for (const need of step.needs ?? []) {
    if (!steps.some((other) => other.id === need)) throw new YamlEditError(`step \`${need}\` does not exist`);
  }
  const value: Record<string, unknown> = { id: step.id };
  if (step.name !== undefined) value.name = step.name;
  value.uses = step.uses;
  if (step.needs !== undefined) value.needs = [...step.needs];
  if (step.with !== undefined) value.with = step.with;
  if (doc.contents === null) return verified(insertAfterLine(yaml, yaml.length, pairLines('steps', [value], 0, 2).join('\n')));
  if (!seq) return verified(setAt(yaml, ['steps'], [value]));
  if (seq.flow && seq.items.length === 0) {
    const contents = doc.contents as YAMLMap;
    return verified(replaceWhole(yaml, doc, contents, contents.items.findIndex((pair) => keyIs(pair, 'steps')), [value], false));
  }
  return verified(appendItem(yaml, doc, seq, value, { separateLikeSiblings: true }));
}

/**
 * Removes a step, its own comment lines and one blank line that separated it. Steps that
 * waited for it wait for what it waited for instead, so the order of the others is kept: a
 * `needs` list left empty by the removal, and the step right below it when that one has no
 * `needs`, take over the removed step's needs. Templates still reading it are reported.
 */
export function removeStep(yaml: string, id: string): { yaml: string; references: StepReference[] } {
  const { steps } = readSteps(load(yaml));
  const index = findStep(steps, id);
  const inherited = effectiveNeeds(steps, index);
  // The other steps change first, while the positions of all steps are still those read above.
  let text = yaml;
  for (const step of steps) {
    if (step.id === id || !step.needs?.includes(id)) continue;
    text = removeFromNeeds(text, step.seqIndex, id);
    if (step.needs.length === 1) {
      for (const need of inherited) text = appendToNeeds(text, step.seqIndex, need);
    }
  }
  const below = steps[index + 1];
  if (below && below.needs === undefined) {
    const above = index > 0 ? steps[index - 1].id : undefined;
    if (!sameList(above === undefined ? [] : [above], inherited)) text = setAt(text, ['steps', below.seqIndex, 'needs'], inherited);
  }
  const doc = load(text);
  text = deleteItem(text, doc, readSteps(doc).seq as YAMLSeq, steps[index].seqIndex, { withComments: true });
  return { yaml: verified(text), references: findReferences(text, id) };
}

/** Adds the edge `needId` → `stepId`, keeping the step's implicit order when it had no `needs`. */
export function addNeed(yaml: string, stepId: string, needId: string): string {
  const { steps } = readSteps(load(yaml));
  const index = findStep(steps, stepId);
  if (needId === TRIGGER) throw new YamlEditError('every step already runs after the trigger');
  findStep(steps, needId);
  if (needId === stepId) throw new YamlEditError(`step \`${stepId}\` cannot wait for itself`);
  const current = effectiveNeeds(steps, index);
  if (current.includes(needId)) throw new YamlEditError(`step \`${stepId}\` already waits for \`${needId}\``);
  if (dependsOn(steps, needId, stepId)) {
    throw new YamlEditError(`\`${stepId}\` cannot wait for \`${needId}\`: \`${needId}\` already runs after \`${stepId}\`, which would make a cycle`);
  }
  if (steps[index].needs === undefined) return verified(setStepField(yaml, stepId, ['needs'], [...current, needId]));
  return verified(appendToNeeds(yaml, steps[index].seqIndex, needId));
}

/** Removes the edge `needId` → `stepId`; a step left without needs gets `needs: []` (it runs after the trigger). */
export function removeNeed(yaml: string, stepId: string, needId: string): string {
  const { steps } = readSteps(load(yaml));
  const index = findStep(steps, stepId);
  if (needId === TRIGGER) {
    throw new YamlEditError(`step \`${stepId}\` runs after the trigger because it waits for no step; make it wait for a step instead`);
  }
  const step = steps[index];
  if (!effectiveNeeds(steps, index).includes(needId)) throw new YamlEditError(`step \`${stepId}\` does not wait for \`${needId}\``);
  if (step.needs === undefined) return verified(setStepField(yaml, stepId, ['needs'], []));
  return verified(removeFromNeeds(yaml, step.seqIndex, needId));
}

/** Renames a step: its id, every `needs` entry and every `steps.<from>` template reference follow. */
export function renameStep(yaml: string, from: string, to: string): string {
  const doc = load(yaml);
  const { steps } = readSteps(doc);
  const index = findStep(steps, from);
  if (from === to) return yaml;
  checkNewId(yaml, to);
  const splices: Splice[] = [];
  const idNode = steps[index].map.items.find((pair) => keyIs(pair, 'id'))?.value as Scalar;
  splices.push(scalarSplice(yaml, idNode, to, inFlow(doc, idNode)));
  for (const step of steps) {
    const needs = step.map.items.find((pair) => keyIs(pair, 'needs'))?.value;
    if (!isSeq(needs)) continue;
    for (const item of needs.items) {
      if (isScalar(item) && item.value === from) splices.push(scalarSplice(yaml, item, to, inFlow(doc, item)));
    }
  }
  const pattern = referencePattern(from);
  const reads = new RegExp(pattern.source);
  visit(doc, {
    Scalar(key, node) {
      if (key === 'key' || typeof node.value !== 'string' || !node.range || node === idNode) return;
      if (!reads.test(node.value)) return;
      const value = node.value.replace(pattern, `steps.${to}`);
      const [start, end] = node.range;
      const source = yaml.slice(start, end).replace(pattern, `steps.${to}`);
      // Replacing in the source keeps every quote, escape and line break; the check catches a reference split by an escape.
      splices.push(readsAs(source, value, inFlow(doc, node)) ? { start, end, text: source } : scalarSplice(yaml, node, value, inFlow(doc, node)));
    },
  });
  return verified(applySplices(yaml, splices));
}

/**
 * Sets the value at `path` (keys and sequence indexes from the top of the document);
 * `undefined` deletes it, and a map left empty by that goes with it. A scalar is replaced
 * in place in its quoting style when the new value can be written in it; maps and lists are
 * updated key by key and item by item so that the comments inside them stay.
 */
export function setField(yaml: string, path: Path, value: unknown): string {
  load(yaml);
  return verified(setAt(yaml, path, value));
}

/** `setField` on the step with that id, e.g. `['with', 'url']` or `['name']`. */
export function setStepField(yaml: string, stepId: string, path: Path, value: unknown): string {
  const { steps } = readSteps(load(yaml));
  const index = findStep(steps, stepId);
  if (path.length === 0) throw new YamlEditError('give the field of the step to set');
  if (path[0] === 'id') {
    if (path.length === 1 && typeof value === 'string') return renameStep(yaml, stepId, value);
    throw new YamlEditError('a step id can only be changed to another id');
  }
  return verified(setAt(yaml, ['steps', steps[index].seqIndex, ...path], value));
}

// ---------------------------------------------------------------------------------------------
// Reading the document

interface StepInfo {
  id?: string;
  seqIndex: number;
  map: YAMLMap;
  needs?: string[];
}

function load(text: string): Document.Parsed {
  const doc = parseDocument(text, { keepSourceTokens: true });
  const error = doc.errors[0];
  if (error) throw new YamlEditError(`the YAML does not parse: ${error.message.split('\n')[0].replace(/:$/, '')}`);
  if (doc.contents !== null && !isMap(doc.contents)) throw new YamlEditError('a workflow file is a map of keys (`name`, `on`, `steps` …)');
  return doc;
}

function verified(text: string): string {
  const doc = parseDocument(text);
  const error = doc.errors[0];
  if (error) throw new YamlEditError(`this edit cannot be written without breaking the YAML: ${error.message.split('\n')[0].replace(/:$/, '')}`);
  return text;
}

function readSteps(doc: Document.Parsed): { seq?: YAMLSeq; steps: StepInfo[] } {
  const contents = doc.contents as YAMLMap | null;
  const value = contents?.items.find((pair) => keyIs(pair, 'steps'))?.value;
  if (value === undefined || value === null || (isScalar(value) && value.value === null)) return { steps: [] };
  if (!isSeq(value)) throw new YamlEditError('`steps` is not a list');
  const steps: StepInfo[] = [];
  value.items.forEach((item, seqIndex) => {
    if (!isMap(item)) return;
    const idNode = item.items.find((pair) => keyIs(pair, 'id'))?.value;
    const needsNode = item.items.find((pair) => keyIs(pair, 'needs'))?.value;
    const info: StepInfo = { seqIndex, map: item };
    if (isScalar(idNode) && idNode.value !== null) info.id = String(idNode.value);
    if (isSeq(needsNode)) info.needs = needsNode.items.map((need) => (isScalar(need) ? String(need.value) : ''));
    else if (needsNode !== undefined && needsNode !== null && !(isScalar(needsNode) && needsNode.value === null)) {
      throw new YamlEditError(`\`needs\` of step \`${info.id ?? seqIndex + 1}\` is not a list`);
    }
    steps.push(info);
  });
  return { seq: value, steps };
}

function findStep(steps: StepInfo[], id: string): number {
  const index = steps.findIndex((step) => step.id === id);
  if (index === -1) throw new YamlEditError(`step \`${id}\` does not exist`);
  return index;
}

function checkNewId(yaml: string, id: string): void {
  if (typeof id !== 'string' || !STEP_ID.test(id)) throw new YamlEditError(`step id \`${id}\` must be 1 to 64 lower-case letters, digits, - or _`);
  if (RESERVED_IDS.has(id)) throw new YamlEditError(`step id \`${id}\` is reserved`);
  if (id === TRIGGER) throw new YamlEditError('`trigger` names the start of every workflow; choose another id');
  if (stepIds(yaml).includes(id)) throw new YamlEditError(`a step \`${id}\` already exists`);
}

/** What the step waits for: its `needs`, else the step above it (none for the first step). */
function effectiveNeeds(steps: StepInfo[], index: number): string[] {
  const needs = steps[index].needs;
  if (needs !== undefined) return needs;
  const above = index > 0 ? steps[index - 1].id : undefined;
  return above === undefined ? [] : [above];
}

/** Whether step `from` (transitively) waits for step `to`. */
function dependsOn(steps: StepInfo[], from: string, to: string): boolean {
  const seen = new Set<string>();
  const queue = [from];
  while (queue.length > 0) {
    const id = queue.pop() as string;
    if (id === to) return true;
    if (seen.has(id)) continue;
    seen.add(id);
    const index = steps.findIndex((step) => step.id === id);
    if (index !== -1) queue.push(...effectiveNeeds(steps, index));
  }
  return false;
}

function sameList(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((item, index) => item === b[index]);
}

function referencePattern(id: string): RegExp {
  const escaped = id.replace(/[-]/g, '\\-');
  return new RegExp(`(?<![\\w.])steps\\.${escaped}(?=[.}\\s)|]|$)`, 'g');
}

function findReferences(text: string, id: string): StepReference[] {
  const doc = parseDocument(text);
  const pattern = referencePattern(id);
  const references: StepReference[] = [];
  visit(doc, {
    Scalar(key, node) {
      if (key === 'key' || typeof node.value !== 'string' || !node.range) return;
      if (!new RegExp(pattern.source).test(node.value)) return;
      // The line of the reference itself, which for a block scalar is below the scalar's first line.
      const inSource = text.slice(node.range[0], node.range[1]).search(new RegExp(pattern.source));
      references.push({ stepId: id, line: lineOf(text, node.range[0] + Math.max(inSource, 0)), text: node.value });
    },
  });
  return references;
}

function keyIs(pair: Pair, key: string | number): boolean {
  return isScalar(pair.key) ? pair.key.value === key || String(pair.key.value) === String(key) : false;
}

// ---------------------------------------------------------------------------------------------
// Text positions

interface Splice {
  start: number;
  end: number;
  text: string;
}

function applySplices(text: string, splices: Splice[]): string {
  const sorted = [...splices].sort((a, b) => b.start - a.start);
  let result = text;
  for (const splice of sorted) result = result.slice(0, splice.start) + splice.text + result.slice(splice.end);
  return result;
}

function lineStart(text: string, pos: number): number {
  return text.lastIndexOf('\n', pos - 1) + 1;
}

/** Just after the line break ending the line of `pos` (or the end of the text). */
function nextLine(text: string, pos: number): number {
  const index = text.indexOf('\n', pos);
  return index === -1 ? text.length : index + 1;
}

function column(text: string, pos: number): number {
  return pos - lineStart(text, pos);
}

function lineOf(text: string, pos: number): number {
  let line = 1;
  for (let i = text.indexOf('\n'); i !== -1 && i < pos; i = text.indexOf('\n', i + 1)) line++;
  return line;
}

function startOf(node: Node): number {
  return (node.range as [number, number, number])[0];
}

function scalarEnd(text: string, node: Scalar): number {
  const end = (node.range as [number, number, number])[1];
  if (node.type !== 'BLOCK_LITERAL' && node.type !== 'BLOCK_FOLDED') return end;
  // With `|+` the trailing blank lines are part of the value.
  if (/^[|>][1-9]?\+/.test(text.slice(node.range![0]))) return text[end - 1] === '\n' ? end - 1 : end;
  let trimmed = end;
  while (trimmed > node.range![0] && /\s/.test(text[trimmed - 1])) trimmed--;
  return trimmed;
}

/** Where the last character of a node's content is, before trailing comments and blank lines. */
function contentEnd(text: string, node: unknown): number {
  if (isScalar(node)) return scalarEnd(text, node);
  if (isAlias(node)) return node.range![1];
  if (isPair(node)) {
    const value = node.value as Node | null;
    return value && value.range && !(isScalar(value) && value.range[0] === value.range[1]) ? contentEnd(text, value) : contentEnd(text, node.key);
  }
  if (isMap(node) || isSeq(node)) {
    if (node.flow || node.items.length === 0) return node.range![1];
    return contentEnd(text, node.items[node.items.length - 1]);
  }
  throw new YamlEditError('unexpected YAML node');
}

function isFirstOnLine(text: string, pos: number): boolean {
  return text.slice(lineStart(text, pos), pos).trim() === '';
}

function inFlow(doc: Document.Parsed, target: Node): boolean {
  let flow = false;
  visit(doc, {
    Node(_key, node, path) {
      if (node !== target) return undefined;
      flow = path.some((ancestor) => (isMap(ancestor) || isSeq(ancestor)) && ancestor.flow === true);
      return visit.BREAK;
    },
  });
  return flow;
}

/** The indentation step of the file: how far a nested block map sits right of its key. */
function indentUnit(text: string, doc: Document.Parsed): number {
  let unit = 0;
  visit(doc, {
    Pair(_key, pair) {
      const value = pair.value;
      if (isMap(value) && !value.flow && value.items.length > 0 && isScalar(pair.key) && pair.key.range) {
        const step = column(text, startOf(value.items[0].key as Node)) - column(text, pair.key.range[0]);
        if (step > 0) {
          unit = step;
          return visit.BREAK;
        }
      }
      return undefined;
    },
  });
  return unit || 2;
}

// ---------------------------------------------------------------------------------------------
// Writing values

type ScalarType = Scalar['type'];

function isCollectionValue(value: unknown): value is unknown[] | Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

function isEmptyCollection(value: unknown): boolean {
  return Array.isArray(value) ? value.length === 0 : isCollectionValue(value) && Object.keys(definedEntries(value)).length === 0;
}

function definedEntries(value: object): Record<string, unknown> {
  return Object.fromEntries(Object.entries(value).filter(([, item]) => item !== undefined));
}

/** Whether `source`, written as the value of a key (or item of a flow list), reads back as `value`. */
function readsAs(source: string, value: unknown, flow = false): boolean {
  try {
    const doc = parseDocument(flow ? `[${source}]` : `k: ${source}`);
    if (doc.errors.length > 0 || doc.warnings.length > 0) return false;
    const data = doc.toJS() as unknown;
    const read = flow ? (data as unknown[])[0] : (data as Record<string, unknown>).k;
    return JSON.stringify(read) === JSON.stringify(value) && typeof read === typeof value && (flow ? (data as unknown[]).length === 1 : true);
  } catch {
    return false;
  }
}

function doubleQuoted(value: string): string {
  return JSON.stringify(value).replace(/[\u007f-\u009f\ufeff]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * A scalar in the `preferred` style when it reads back as `value` there (a block scalar stays
 * a literal block), else plain for a new value that is no template, else double-quoted.
 */
function scalarText(value: unknown, preferred: ScalarType | undefined, flow: boolean, indent: number): string {
  if (value === null) return 'null';
  if (typeof value === 'boolean') return String(value);
  if (typeof value === 'number') {
    if (Number.isNaN(value)) return '.nan';
    if (!Number.isFinite(value)) return value > 0 ? '.inf' : '-.inf';
    return String(value);
  }
  if (typeof value !== 'string') throw new YamlEditError(`cannot write a value of type ${typeof value} in YAML`);
  const candidates: string[] = [];
  const template = value.includes('{{');
  if (preferred === 'QUOTE_SINGLE' && !/[\n\r]/.test(value)) candidates.push(`'${value.replace(/'/g, "''")}'`);
  if (preferred === 'QUOTE_DOUBLE') candidates.push(doubleQuoted(value));
  const block = (preferred === 'BLOCK_LITERAL' || preferred === 'BLOCK_FOLDED') && !flow && value.includes('\n') ? blockLiteral(value, indent) : undefined;
  if (block !== undefined) candidates.push(block);
  if (preferred === 'PLAIN' || (preferred === undefined && !template)) candidates.push(value);
  candidates.push(doubleQuoted(value));
  const found = candidates.find((candidate) => readsAs(candidate, value, flow));
  if (found === undefined) throw new YamlEditError(`cannot write ${JSON.stringify(value)} in YAML`);
  return found;
}

/** `|` or `|-` and the lines of `value` at `indent`; undefined for values that would need keep chomping. */
function blockLiteral(value: string, indent: number): string | undefined {
  if (value.endsWith('\n\n')) return undefined;
  const body = value.endsWith('\n') ? value.slice(0, -1) : value;
  const lines = body.split('\n').map((line) => (line === '' ? '' : ' '.repeat(indent) + line));
  return `|${value.endsWith('\n') ? '' : '-'}\n${lines.join('\n')}`;
}

function keyText(key: string | number): string {
  return scalarText(String(key), 'PLAIN', false, 0);
}

function flowText(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((item) => flowText(item)).join(', ')}]`;
  if (isCollectionValue(value)) {
    const entries = Object.entries(definedEntries(value));
    return entries.length === 0 ? '{}' : `{ ${entries.map(([key, item]) => `${scalarText(key, 'PLAIN', true, 0)}: ${flowText(item)}`).join(', ')} }`;
  }
  return scalarText(value, undefined, true, 0);
}

/** A list of scalars short enough for one line is written `[a, b]`, as the example files write `needs`. */
function fitsFlow(value: unknown): boolean {
  return Array.isArray(value) && value.every((item) => !isCollectionValue(item)) && flowText(value).length <= 60;
}

/** Block lines (no trailing line break) for a non-empty map or list whose entries sit at `indent`. */
function blockLines(value: unknown[] | Record<string, unknown>, indent: number, unit: number): string[] {
  const pad = ' '.repeat(indent);
  const lines: string[] = [];
  if (Array.isArray(value)) {
    for (const item of value) {
      if (isCollectionValue(item) && !isEmptyCollection(item)) {
        const inner = blockLines(item, indent + 2, unit);
        lines.push(`${pad}- ${inner[0].slice(indent + 2)}`, ...inner.slice(1));
      } else {
        lines.push(`${pad}- ${isCollectionValue(item) ? flowText(item) : scalarText(item, undefined, false, indent + 2)}`);
      }
    }
    return lines;
  }
  for (const [key, item] of Object.entries(definedEntries(value))) {
    lines.push(...pairLines(key, item, indent, unit));
  }
  return lines;
}

function pairLines(key: string | number, value: unknown, indent: number, unit: number): string[] {
  const head = `${' '.repeat(indent)}${keyText(key)}:`;
  const tail = valueAfterKey(value, indent, unit);
  return `${head}${tail}`.split('\n');
}

/** What follows `key:` for a new value: ` scalar`, ` [a, b]`, or a line break and block lines. */
function valueAfterKey(value: unknown, indent: number, unit: number): string {
  if (!isCollectionValue(value)) return ` ${scalarText(value, undefined, false, indent + unit)}`;
  if (isEmptyCollection(value) || fitsFlow(value)) return ` ${flowText(value)}`;
  return `\n${blockLines(value, indent + unit, unit).join('\n')}`;
}

function scalarSplice(text: string, node: Scalar, value: unknown, flow: boolean): Splice {
  const start = startOf(node);
  const indent = column(text, start);
  const keyIndent = node.type === 'BLOCK_LITERAL' || node.type === 'BLOCK_FOLDED' ? blockIndent(text, node) : indent;
  return { start, end: scalarEnd(text, node), text: scalarText(value, node.type, flow, keyIndent) };
}

/** The indentation of a block scalar's content lines (or two more than its header line). */
function blockIndent(text: string, node: Scalar): number {
  const start = startOf(node);
  const contentLine = nextLine(text, start);
  const match = /^ */.exec(text.slice(contentLine));
  const header = text.slice(lineStart(text, start), start).search(/\S|$/);
  return match && match[0].length > header ? match[0].length : header + 2;
}

// ---------------------------------------------------------------------------------------------
// Path edits

interface Located {
  doc: Document.Parsed;
  /** The collection holding the node at `path[depth]`. */
  parent: YAMLMap | YAMLSeq;
  depth: number;
  /** Whether `path[depth]` is missing from `parent`; else `node` is its value. */
  missing: boolean;
  node?: Node | null;
  flow: boolean;
}

/** Follows `path` as far as it exists: to its end, to the first missing key, or to an empty value on the way. */
function locate(text: string, path: Path): Located {
  const doc = load(text);
  if (doc.contents === null) throw new YamlEditError('the document is empty');
  let current = doc.contents as YAMLMap | YAMLSeq;
  let flow = current.flow === true;
  for (let depth = 0; depth < path.length; depth++) {
    const key = path[depth];
    let node: Node | null | undefined;
    if (isMap(current)) {
      const pair = current.items.find((item) => keyIs(item, key));
      if (!pair) return { doc, parent: current, depth, missing: true, flow };
      node = pair.value as Node | null;
    } else {
      const where = `\`${path.slice(0, depth).join('.')}\``;
      if (typeof key !== 'number' || !Number.isInteger(key) || key < 0) throw new YamlEditError(`${where} is a list: give an index`);
      if (key > current.items.length) throw new YamlEditError(`${where} has only ${current.items.length} items`);
      if (key === current.items.length) return { doc, parent: current, depth, missing: true, flow };
      node = current.items[key] as Node | null;
    }
    if (depth === path.length - 1 || isEmptyNode(node)) return { doc, parent: current, depth, missing: false, node, flow };
    if (!isMap(node) && !isSeq(node)) throw new YamlEditError(`\`${path.slice(0, depth + 1).join('.')}\` is not a map or a list`);
    current = node;
    flow = flow || current.flow === true;
  }
  throw new YamlEditError('give the path of the value to set');
}

function isEmptyNode(node: Node | null | undefined): boolean {
  return node === null || node === undefined || (isScalar(node) && node.value === null && node.range![0] === node.range![1]);
}

/** The value `value` would need to be at `path[from - 1]` if nothing below it existed. */
function nested(path: Path, from: number, value: unknown): unknown {
  let result = value;
  for (let i = path.length - 1; i >= from; i--) {
    const key = path[i];
    if (typeof key === 'number') {
      if (key !== 0) throw new YamlEditError(`cannot create item ${key} of an empty list`);
      result = [result];
    } else {
      result = { [key]: result };
    }
  }
  return result;
}

function setAt(text: string, path: Path, value: unknown): string {
  if (path.length === 0) throw new YamlEditError('give the path of the value to set');
  const { doc, parent, depth, missing, node, flow } = locate(text, path);
  const key = path[depth];
  const index = isMap(parent) ? parent.items.findIndex((pair) => keyIs(pair, key)) : (key as number);
  if (missing || depth < path.length - 1) {
    if (value === undefined) return text;
    const written = nested(path, depth + 1, value);
    if (!missing) return replaceWhole(text, doc, parent, index, written, flow);
    // A step's `needs` goes before its `with`, where the example files put it.
    const before = path.length === 3 && path[0] === 'steps' && path[2] === 'needs' ? 'with' : undefined;
    return isMap(parent) ? insertPair(text, doc, parent, String(key), written, before) : appendItem(text, doc, parent, written, {});
  }
  if (value === undefined) {
    if (isSeq(parent)) return deleteItem(text, doc, parent, index, {});
    if (parent.items.length > 1) return deletePair(text, parent, index);
    const parentPath = path.slice(0, -1);
    if (parentPath.length > 0 && isMap(locate(text, parentPath).parent)) return setAt(text, parentPath, undefined);
    return applySplices(text, [{ start: startOf(parent), end: contentEnd(text, parent), text: '{}' }]);
  }
  if (!isEmptyNode(node) && isScalar(node) && !isCollectionValue(value)) return applySplices(text, [scalarSplice(text, node, value, flow)]);
  if (isMap(node) && isCollectionValue(value) && !Array.isArray(value) && !isEmptyCollection(value)) {
    const entries = definedEntries(value);
    let result = text;
    for (const [entryKey, entryValue] of Object.entries(entries)) result = setAt(result, [...path, entryKey], entryValue);
    for (const pair of node.items) {
      const old = isScalar(pair.key) ? String(pair.key.value) : undefined;
      if (old !== undefined && !(old in entries)) result = setAt(result, [...path, old], undefined);
    }
    return result;
  }
  if (isSeq(node) && Array.isArray(value) && value.length > 0) {
    let result = text;
    for (let i = 0; i < value.length; i++) result = setAt(result, [...path, i], value[i]);
    for (let i = node.items.length - 1; i >= value.length; i--) result = setAt(result, [...path, i], undefined);
    return result;
  }
  return replaceWhole(text, doc, parent, index, value, flow);
}

/** Replaces the value of a map entry or a list item by a newly written one. */
function replaceWhole(text: string, doc: Document.Parsed, parent: YAMLMap | YAMLSeq, index: number, value: unknown, flow: boolean): string {
  const unit = indentUnit(text, doc);
  if (isMap(parent)) {
    const pair = parent.items[index];
    const keyNode = pair.key as Node;
    const colon = text.indexOf(':', contentEnd(text, keyNode));
    const end = contentEnd(text, pair);
    const after = flow ? ` ${flowText(value)}` : valueAfterKey(value, column(text, startOf(keyNode)), unit);
    return applySplices(text, [{ start: colon + 1, end: Math.max(end, colon + 1), text: after }]);
  }
  const item = parent.items[index] as Node;
  const start = startOf(item);
  const end = contentEnd(text, item);
  let written: string;
  if (flow || !isCollectionValue(value) || isEmptyCollection(value)) written = flow ? flowText(value) : scalarOrFlow(value, column(text, start));
  else written = blockLines(value, column(text, start), unit).join('\n').slice(column(text, start));
  return applySplices(text, [{ start, end, text: written }]);
}

function scalarOrFlow(value: unknown, indent: number): string {
  return isCollectionValue(value) ? flowText(value) : scalarText(value, undefined, false, indent);
}

function insertPair(text: string, doc: Document.Parsed, map: YAMLMap, key: string, value: unknown, before?: string): string {
  if (map.flow) {
    const entry = `${scalarText(key, 'PLAIN', true, 0)}: ${flowText(value)}`;
    if (map.items.length === 0) return applySplices(text, [{ start: startOf(map), end: map.range![1], text: `{ ${entry} }` }]);
    return applySplices(text, [{ start: contentEnd(text, map.items[map.items.length - 1]), end: contentEnd(text, map.items[map.items.length - 1]), text: `, ${entry}` }]);
  }
  const unit = indentUnit(text, doc);
  const indent = column(text, startOf(map.items[0].key as Node));
  const lines = pairLines(key, value, indent, unit).join('\n');
  const next = before === undefined ? undefined : map.items.find((pair) => keyIs(pair, before));
  if (next && isFirstOnLine(text, startOf(next.key as Node))) {
    let at = lineStart(text, startOf(next.key as Node));
    while (at > 0) {
      const line = text.slice(lineStart(text, at - 1), at);
      if (!line.trimStart().startsWith('#') || line.length - line.trimStart().length !== indent) break;
      at = lineStart(text, at - 1);
    }
    return applySplices(text, [{ start: at, end: at, text: `${lines}\n` }]);
  }
  return insertAfterLine(text, contentEnd(text, map.items[map.items.length - 1]), lines);
}

function insertAfterLine(text: string, pos: number, lines: string, blankBefore = false): string {
  const at = nextLine(text, pos);
  const needsBreak = at === text.length && !text.endsWith('\n') && text.length > 0;
  return applySplices(text, [{ start: at, end: at, text: `${needsBreak ? '\n' : ''}${blankBefore ? '\n' : ''}${lines}\n` }]);
}

function deletePair(text: string, map: YAMLMap, index: number): string {
  const pair = map.items[index];
  const keyStart = startOf(pair.key as Node);
  const end = contentEnd(text, pair);
  if (map.flow) return deleteFlowEntry(text, keyStart, end);
  if (!isFirstOnLine(text, keyStart)) {
    // The entry shares the line of a `- `: the next entry moves up onto that line.
    const next = map.items[index + 1];
    return applySplices(text, [{ start: keyStart, end: startOf(next.key as Node), text: '' }]);
  }
  return applySplices(text, [{ start: lineStart(text, keyStart), end: nextLine(text, end), text: '' }]);
}

function deleteFlowEntry(text: string, start: number, end: number): string {
  let after = end;
  while (/[ \t\r\n]/.test(text[after] ?? '')) after++;
  if (text[after] === ',') {
    after++;
    while (text[after] === ' ') after++;
    return applySplices(text, [{ start, end: after, text: '' }]);
  }
  let before = start;
  while (/[ \t\r\n]/.test(text[before - 1] ?? '')) before--;
  if (text[before - 1] === ',') return applySplices(text, [{ start: before - 1, end, text: '' }]);
  return applySplices(text, [{ start, end, text: '' }]);
}

function dashOf(text: string, item: Node): number {
  const start = startOf(item);
  const dash = text.lastIndexOf('-', start - 1);
  return dash >= lineStart(text, start) ? dash : start;
}

function appendItem(text: string, doc: Document.Parsed, seq: YAMLSeq, value: unknown, options: { separateLikeSiblings?: boolean }): string {
  if (seq.flow) {
    const written = flowText(value);
    if (seq.items.length === 0) return applySplices(text, [{ start: startOf(seq), end: seq.range![1], text: `[${written}]` }]);
    const end = contentEnd(text, seq.items[seq.items.length - 1]);
    return applySplices(text, [{ start: end, end, text: `, ${written}` }]);
  }
  const unit = indentUnit(text, doc);
  const first = seq.items[0] as Node;
  const dashColumn = column(text, dashOf(text, first));
  const itemOffset = Math.max(column(text, startOf(first)) - dashColumn, 2);
  let lines: string;
  if (isCollectionValue(value) && !isEmptyCollection(value)) {
    const inner = blockLines(value, dashColumn + itemOffset, unit);
    lines = [`${' '.repeat(dashColumn)}-${' '.repeat(itemOffset - 1)}${inner[0].slice(dashColumn + itemOffset)}`, ...inner.slice(1)].join('\n');
  } else {
    lines = `${' '.repeat(dashColumn)}- ${scalarOrFlow(value, dashColumn + 2)}`;
  }
  const last = seq.items[seq.items.length - 1] as Node;
  const blank = options.separateLikeSiblings === true && seq.items.length > 1 && separatedByBlankLines(text, seq);
  return insertAfterLine(text, contentEnd(text, last), lines, blank);
}

function separatedByBlankLines(text: string, seq: YAMLSeq): boolean {
  const first = seq.items[0] as Node;
  const second = seq.items[1] as Node;
  const between = text.slice(nextLine(text, contentEnd(text, first)), lineStart(text, dashOf(text, second)));
  return /(?:^|\n)[ \t]*\n/.test(between);
}

function deleteItem(text: string, doc: Document.Parsed, seq: YAMLSeq, index: number, options: { withComments?: boolean }): string {
  const item = seq.items[index] as Node;
  if (seq.items.length === 1) {
    const owner = findOwnerPair(doc, seq);
    if (owner && !seq.flow) {
      const colon = text.indexOf(':', contentEnd(text, owner.key));
      return applySplices(text, [{ start: colon + 1, end: contentEnd(text, seq), text: ' []' }]);
    }
    return applySplices(text, [{ start: startOf(seq), end: contentEnd(text, seq), text: '[]' }]);
  }
  if (seq.flow) return deleteFlowEntry(text, startOf(item), contentEnd(text, item));
  const dash = dashOf(text, item);
  if (!isFirstOnLine(text, dash)) throw new YamlEditError('cannot remove an item that shares its line with another');
  const dashColumn = column(text, dash);
  let start = lineStart(text, dash);
  const floor = index > 0 ? nextLine(text, contentEnd(text, seq.items[index - 1])) : 0;
  if (options.withComments) {
    while (start > floor) {
      const above = lineStart(text, start - 1);
      const line = text.slice(above, start);
      const trimmed = line.trimStart();
      if (!trimmed.startsWith('#') || line.length - trimmed.length > dashColumn) break;
      start = above;
    }
  }
  let end = nextLine(text, contentEnd(text, item));
  const isBlank = (from: number): boolean => from < text.length && text.slice(from, nextLine(text, from)).trim() === '';
  if (index < seq.items.length - 1) {
    if (isBlank(end)) end = nextLine(text, end);
  } else if (start > 0 && isBlank(lineStart(text, start - 1)) && lineStart(text, start - 1) >= floor) {
    start = lineStart(text, start - 1);
  }
  return applySplices(text, [{ start, end, text: '' }]);
}

function findOwnerPair(doc: Document.Parsed, target: Node): Pair | undefined {
  let owner: Pair | undefined;
  visit(doc, {
    Pair(_key, pair) {
      if (pair.value !== target) return undefined;
      owner = pair;
      return visit.BREAK;
    },
  });
  return owner;
}

function needsAt(text: string, seqIndex: number): string[] | undefined {
  return readSteps(load(text)).steps.find((step) => step.seqIndex === seqIndex)?.needs;
}

function appendToNeeds(text: string, seqIndex: number, needId: string): string {
  const needs = needsAt(text, seqIndex);
  if (needs?.includes(needId)) return text;
  const path = ['steps', seqIndex, 'needs'];
  return needs === undefined ? setAt(text, path, [needId]) : setAt(text, [...path, needs.length], needId);
}

function removeFromNeeds(text: string, seqIndex: number, needId: string): string {
  const index = needsAt(text, seqIndex)?.indexOf(needId) ?? -1;
  return index === -1 ? text : setAt(text, ['steps', seqIndex, 'needs', index], undefined);
}
