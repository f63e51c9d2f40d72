import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isMap } from 'yaml';
import { MAX_WORKFLOW_FILE_BYTES, parseWorkflowFile } from './workflow-file-parser';
import { assertProblemAt, yamlLines } from './workflow-dir.fixture';
import { YamlNodeReader } from './yaml-node-reader';

const BILLION_LAUGHS = yamlLines(
  'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
  'b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]',
  'c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]',
  'd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]',
  'e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]',
  'f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]',
  'g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]',
  'h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]',
  'i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]',
);

/**
 * Unguarded, these inputs take minutes or exhaust memory; guarded, milliseconds. The bound only
 * tells a hang from a busy machine: how fast parsing is belongs to the bench.
 */
const HANG_MS = 15_000;

describe('parseWorkflowFile', () => {
  it('reports a YAML syntax error with its position', () => {
    const parsed = parseWorkflowFile('w.yaml', yamlLines('name: x', 'on:', '\twebhook: shop'));
    assert.equal(parsed.root, undefined);
    assert.deepEqual(parsed.problems, [
      { file: 'w.yaml', line: 3, column: 1, message: 'Tabs are not allowed as indentation' },
    ]);
  });

  it('reports a duplicate key at the second occurrence', () => {
    const parsed = parseWorkflowFile('w.yaml', yamlLines('name: x', 'on:', '  webhook: a', '  webhook: b'));
    assertProblemAt(parsed.problems, 4, 3, /duplicate key/);
  });

  it('refuses a billion-laughs alias bomb quickly with a problem', () => {
    const started = Date.now();
    const parsed = parseWorkflowFile('bomb.yaml', BILLION_LAUGHS);
    assert.ok(Date.now() - started < HANG_MS, 'took too long');
    assert.equal(parsed.root, undefined);
    assert.equal(parsed.problems.length, 1);
    assert.match(parsed.problems[0].message, /aliases expand too far/);
    assert.equal(parsed.problems[0].line, 2);
  });

  it('refuses collections nested too deeply to read, quickly, with a problem', () => {
    const started = Date.now();
    const parsed = parseWorkflowFile('deep.yaml', yamlLines('name: x', `with: ${'['.repeat(50_000)}${']'.repeat(50_000)}`));
    assert.ok(Date.now() - started < HANG_MS, 'took too long');
    assert.equal(parsed.root, undefined);
    assert.equal(parsed.problems.length, 1);
    assert.match(parsed.problems[0].message, /nested too deeply to read/);
    assert.equal(parsed.problems[0].line, 2);
  });

  it('accepts a few ordinary aliases', () => {
    const parsed = parseWorkflowFile('w.yaml', yamlLines('a: &h { x: 1 }', 'b: *h', 'c: *h'));
    assert.deepEqual(parsed.problems, []);
  });

  it('refuses a file larger than 256 KiB', () => {
    const text = `description: "${'x'.repeat(300 * 1024)}"\n`;
    const parsed = parseWorkflowFile('big.yaml', text);
    assert.equal(parsed.root, undefined);
    assertProblemAt(parsed.problems, 1, 1, new RegExp(`larger than the ${MAX_WORKFLOW_FILE_BYTES}`));
  });

  it('refuses __proto__, constructor and prototype keys without polluting Object.prototype', () => {
    const text = yamlLines('name: x', 'with:', '  __proto__: { polluted: yes }', '  nested:', '    constructor: 1', '    prototype: 2');
    const parsed = parseWorkflowFile('w.yaml', text);
    assertProblemAt(parsed.problems, 3, 3, /`__proto__` is not allowed/);
    assertProblemAt(parsed.problems, 5, 5, /`constructor` is not allowed/);
    assertProblemAt(parsed.problems, 6, 5, /`prototype` is not allowed/);
    assert.ok(isMap(parsed.root));
    const plain = new YamlNodeReader(parsed).plain(parsed.root) as Record<string, Record<string, unknown>>;
    assert.equal(Object.getPrototypeOf(plain.with), Object.prototype);
    assert.equal(Object.hasOwn(plain.with, '__proto__'), false);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    assert.equal((plain.with).polluted, undefined);
  });

  it('reports several documents in one file', () => {
    const parsed = parseWorkflowFile('w.yaml', yamlLines('name: a', '---', 'name: b'));
    assert.equal(parsed.root, undefined);
    assert.equal(parsed.problems.length, 1);
    assert.equal(parsed.problems[0].line, 2);
  });
});
