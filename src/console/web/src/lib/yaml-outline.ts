/*
 * The shape of a workflow file read line by line, as an editor needs it while the text is
 * half typed: which mapping or list a position is in, and which steps the file has. A
 * parser would give up on the very text being typed (`uses: ` with nothing after it, an
 * unclosed quote), so this reads block YAML by its indentation; flow collections on one
 * line (`needs: [a, b]`, `with: { x: 1 }`) are handled by the completion where they appear.
 */

export interface OutlineLine {
  /** Column of the first character that is not a space; -1 on a line without content. */
  indent: number;
  /** Columns of the `- ` markers that open the line. */
  dashes: number[];
  /** The key when the line (after its dashes) is `key: …`. */
  key: string | null;
  keyCol: number;
  /** The text after `key:` (or after the dashes when there is no key), without a comment, trimmed. */
  value: string;
  /** No YAML structure: empty, a comment, or a line of a block scalar (`text: |`). */
  blank: boolean;
}

const KEY = /^("(?:[^"\\]|\\.)*"|'(?:[^']|'')*'|[^\s#'"{[\]},&*!|>%@`-][^:#]*?|-[^\s:#][^:#]*?)\s*:(?=\s|$)/;
const BLOCK_SCALAR = /^[|>][-+0-9]*$/;

/** Where a comment starts: a `#` outside quotes, at the start or after a space; -1 when none. */
export function commentStart(line: string): number {
  let quote: string | null = null;
  for (let i = 0; i < line.length; i++) {
    const char = line[i];
    if (quote) {
      if (char === '\\' && quote === '"') i++;
      else if (char === quote) quote = null;
    } else if ((char === '"' || char === "'") && (i === 0 || /[\s:,[{-]/.test(line[i - 1]))) {
      quote = char;
    } else if (char === '#' && (i === 0 || /\s/.test(line[i - 1]))) {
      return i;
    }
  }
  return -1;
}

export function unquote(text: string): string {
  if (text.length >= 2 && text.startsWith('"') && text.endsWith('"')) {
    try {
      return JSON.parse(text) as string;
    } catch {
      return text.slice(1, -1);
    }
  }
  if (text.length >= 2 && text.startsWith("'") && text.endsWith("'")) return text.slice(1, -1).replace(/''/g, "'");
  return text;
}

/** One line's structure; `text` may be a line cut at the cursor. */
export function readLine(text: string): OutlineLine {
  const comment = commentStart(text);
  const code = comment >= 0 ? text.slice(0, comment) : text;
  const indent = code.search(/\S/);
  if (indent < 0) return { indent: -1, dashes: [], key: null, keyCol: -1, value: '', blank: true };
  const dashes: number[] = [];
  let at = indent;
  while (code[at] === '-' && (at + 1 === code.length || code[at + 1] === ' ')) {
    dashes.push(at);
    at++;
    while (code[at] === ' ') at++;
  }
  const rest = code.slice(at);
  const key = KEY.exec(rest);
  if (!key) return { indent, dashes, key: null, keyCol: at, value: rest.trim(), blank: false };
  return { indent, dashes, key: unquote(key[1].trim()), keyCol: at, value: rest.slice(key[0].length).trim(), blank: false };
}

/** Every line of `text`; lines inside block scalars are blank, so that their text is never taken for keys. */
export function outline(text: string): OutlineLine[] {
  const lines = text.split('\n').map(readLine);
  let scalarParent = -1;
  for (const line of lines) {
    if (scalarParent >= 0) {
      if (line.blank || line.indent > scalarParent) {
        line.blank = true;
        continue;
      }
      scalarParent = -1;
    }
    if (BLOCK_SCALAR.test(line.value)) scalarParent = line.dashes.length > 0 && line.key === null ? line.dashes[line.dashes.length - 1] : line.indent;
  }
  return lines;
}

/** A mapping key (`key`) or a list item (`-`) on the way from the top of the file to a position. */
export interface PathSegment {
  name: string;
  /** The line of the key, or of the item's `- `. */
  line: number;
  /** For a list item, the column of its content (the keys of a mapping item). */
  col: number;
}

/**
 * The keys and list items that contain column `col` of line `lineIndex`, from the top of
 * the file down, read from the lines above. `inItem`: the position is the content of a
 * list item, whose list may sit at the indentation of its key (`steps:` then `- id: a`).
 */
export function ancestors(lines: OutlineLine[], lineIndex: number, col: number, inItem = false): PathSegment[] {
  const path: PathSegment[] = [];
  let limit = col;
  for (let i = lineIndex - 1; i >= 0 && (limit > 0 || inItem); i--) {
    const line = lines[i];
    if (line.blank || line.indent >= limit + (inItem ? 1 : 0)) continue;
    if (line.key !== null && (line.keyCol < limit || (inItem && line.keyCol === limit && line.value === ''))) {
      path.unshift({ name: line.key, line: i, col: line.keyCol });
      limit = line.keyCol;
      inItem = false;
    }
    for (let d = line.dashes.length - 1; d >= 0; d--) {
      if (line.dashes[d] >= limit) continue;
      path.unshift({ name: '-', line: i, col: d + 1 < line.dashes.length ? line.dashes[d + 1] : line.keyCol });
      limit = line.dashes[d];
      inItem = true;
    }
  }
  return path;
}

/**
 * The keys of the mapping at column `col` whose first key is on or after line `start`
 * (a list item's `- ` line, or the line below its parent key), each with its line.
 */
export function mappingKeys(lines: OutlineLine[], start: number, col: number): Map<string, { line: number; value: string }> {
  const keys = new Map<string, { line: number; value: string }>();
  for (let i = start; i < lines.length; i++) {
    const line = lines[i];
    if (line.blank) continue;
    if (i > start && line.indent < col) break;
    if (line.key !== null && line.keyCol === col && !keys.has(line.key)) keys.set(line.key, { line: i, value: line.value });
  }
  return keys;
}

/** The first line of the mapping a path ends in: the item's own line, the line after its key, or the top. */
export function mappingStart(path: PathSegment[]): number {
  const last = path[path.length - 1];
  if (!last) return 0;
  return last.name === '-' ? last.line : last.line + 1;
}

/** A step as the text shows it, whether or not the file is valid. Lines are 1-based. */
export interface DocumentStep {
  id: string | null;
  uses: string | null;
  name: string | null;
  /** It has `for_each`: its templates read `item` and `index`. */
  forEach: boolean;
  line: number;
  endLine: number;
}

/** The steps of `steps:` at the top of the file, in order. */
export function documentSteps(text: string, lines: OutlineLine[] = outline(text)): DocumentStep[] {
  const top = lines.findIndex((line) => !line.blank && line.indent === 0 && line.key === 'steps');
  if (top < 0) return [];
  const items: number[] = [];
  let dash = -1;
  let end = lines.length;
  for (let i = top + 1; i < lines.length; i++) {
    const line = lines[i];
    if (line.blank) continue;
    if (line.indent === 0 && line.dashes[0] !== 0) {
      end = i;
      break;
    }
    if (dash < 0 && line.dashes.length > 0) dash = line.dashes[0];
    if (line.dashes[0] === dash && line.indent === dash) items.push(i);
  }
  return items.map((start, index) => {
    const last = lastContentLine(lines, start, (items[index + 1] ?? end) - 1);
    const first = lines[start];
    const keys = mappingKeys(lines, start, first.dashes.length > 1 ? first.dashes[1] : first.keyCol);
    const scalar = (key: string) => {
      const value = keys.get(key)?.value;
      return value ? unquote(value) : null;
    };
    return { id: scalar('id'), uses: scalar('uses'), name: scalar('name'), forEach: keys.has('for_each'), line: start + 1, endLine: last + 1 };
  });
}

function lastContentLine(lines: OutlineLine[], from: number, to: number): number {
  for (let i = to; i > from; i--) if (!lines[i].blank) return i;
  return from;
}

/** The id of the step whose lines hold `offset`, or null outside the steps. */
export function stepAt(text: string, offset: number, lines: OutlineLine[] = outline(text)): string | null {
  const line = text.slice(0, offset).split('\n').length;
  return documentSteps(text, lines).find((step) => step.line <= line && line <= step.endLine)?.id ?? null;
}

/** Names read as `secrets.NAME` anywhere in the text, sorted. */
export function secretNamesIn(text: string): string[] {
  const names = new Set<string>();
  for (const match of text.matchAll(/\{\{[^}]*\}\}/g)) {
    for (const name of match[0].matchAll(/\bsecrets\.([A-Za-z_][A-Za-z0-9_]*)/g)) names.add(name[1]);
  }
  return [...names].sort();
}

/** `on.webhook` and `on.event` of the file, block (`on:` then `webhook: shop`) or flow (`on: { webhook: shop }`). */
export function triggerOf(text: string, lines: OutlineLine[] = outline(text)): { webhook: string | null; event: string | null } {
  const on = lines.findIndex((line) => !line.blank && line.indent === 0 && line.key === 'on');
  if (on < 0) return { webhook: null, event: null };
  const flow = lines[on].value;
  if (flow.startsWith('{')) {
    const field = (key: string) => new RegExp(`[{,]\\s*${key}\\s*:\\s*("[^"]*"|'[^']*'|[^,}]+)`).exec(flow)?.[1].trim();
    return { webhook: scalarOrNull(field('webhook')), event: scalarOrNull(field('event')) };
  }
  const next = lines.slice(on + 1).find((line) => !line.blank);
  if (!next || next.indent === 0) return { webhook: null, event: null };
  const keys = mappingKeys(lines, on + 1, next.keyCol);
  return { webhook: scalarOrNull(keys.get('webhook')?.value), event: scalarOrNull(keys.get('event')?.value) };
}

function scalarOrNull(value: string | undefined): string | null {
  return value ? unquote(value) : null;
}
