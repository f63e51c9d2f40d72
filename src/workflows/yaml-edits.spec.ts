import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { isMap, isSeq, parse, parseDocument } from 'yaml';
import {
  YamlEditError,
  addNeed,
  addStep,
  freeStepId,
  removeNeed,
  removeStep,
  renameStep,
  setField,
  setStepField,
  stepIds,
} from './yaml-edits';

const WORKFLOWS = join(__dirname, '..', '..', '..', 'workflows');

const FILE = `# Ships orders.
name: order-paid # the name in the console
on:
  webhook: shop
steps:
  # asks the carrier
  - id: label
    name: 'Request a label'
    uses: http # the carrier API
    with:
      method: POST
      url: "{{secrets.URL}}/labels"
      headers: { Authorization: "Bearer {{secrets.TOKEN}}" }

  - id: notify
    uses: slack
    with:
      text: "Shipped: {{steps.label.output.body.tracking}}"

  - id: email
    uses: email
    if: "{{steps.label.output.ok}}"
    needs: [label]
    with:
      to: someone@example.com
      text: |
        Tracking: {{steps.label.output.body.tracking}}
        Thanks!
`;

function lines(text: string): string[] {
  return text.split('\n');
}

/** Asserts that `expected` lines appear in `actual` in the same order. */
function assertKeeps(actual: string, expected: string[]): void {
  const result = lines(actual);
  let at = 0;
  for (const line of expected) {
    while (at < result.length && result[at] !== line) at++;
    assert.ok(at < result.length, `line ${JSON.stringify(line)} was lost or moved in:\n${actual}`);
    at++;
  }
}

function assertParses(text: string): void {
  assert.deepEqual(parseDocument(text).errors, []);
}

describe('stepIds and freeStepId', () => {
  it('lists ids in file order and skips items without one', () => {
    assert.deepEqual(stepIds(FILE), ['label', 'notify', 'email']);
    assert.deepEqual(stepIds('steps:\n  - uses: http\n  - id: b\n'), ['b']);
    assert.deepEqual(stepIds('name: x\n'), []);
  });

  it('makes a valid id that no step has', () => {
    assert.equal(freeStepId(FILE, 'http'), 'http');
    assert.equal(freeStepId(FILE, 'label'), 'label_2');
    assert.equal(freeStepId(addStep(FILE, { id: 'label_2', uses: 'http' }), 'label'), 'label_3');
    assert.equal(freeStepId(FILE, 'Send E-mail to Büro!'), 'send_e-mail_to_buro');
    assert.equal(freeStepId(FILE, '***'), 'step');
    assert.equal(freeStepId(FILE, 'constructor'), 'constructor_step');
    assert.equal(freeStepId(FILE, 'trigger'), 'trigger_2');
  });

  it('refuses text that is not YAML with a clear error', () => {
    assert.throws(() => stepIds('steps: [\n'), (error: unknown) => error instanceof YamlEditError && /does not parse/.test(error.message));
  });
});

describe('addStep', () => {
  it('appends in the style of the other steps, blank line included, and leaves the rest as it was', () => {
    const result = addStep(FILE, { id: 'audit', uses: 'http', name: 'Audit it', needs: ['label'], with: { url: '{{secrets.AUDIT}}', method: 'POST', tries: 3 } });
    assert.equal(
      result,
      `${FILE}
  - id: audit
    name: Audit it
    uses: http
    needs: [label]
    with:
      url: "{{secrets.AUDIT}}"
      method: POST
      tries: 3
`,
    );
  });

  it('adds no blank line where the steps have none, and follows their indentation', () => {
    const text = 'steps:\n- id: a\n  uses: http\n- id: b\n  uses: http\n# end\n';
    assert.equal(addStep(text, { id: 'c', uses: 'slack' }), 'steps:\n- id: a\n  uses: http\n- id: b\n  uses: http\n- id: c\n  uses: slack\n# end\n');
  });

  it('creates `steps:` when there is none, or fills `steps: []`', () => {
    assert.equal(addStep('name: x # n\n', { id: 'a', uses: 'http' }), 'name: x # n\nsteps:\n  - id: a\n    uses: http\n');
    assert.equal(addStep('name: x\nsteps: []\n', { id: 'a', uses: 'http' }), 'name: x\nsteps:\n  - id: a\n    uses: http\n');
    assert.equal(addStep('name: x', { id: 'a', uses: 'http' }), 'name: x\nsteps:\n  - id: a\n    uses: http\n');
  });

  it('writes nested `with` values as block YAML and short lists in flow style', () => {
    const result = addStep('steps:\n  - id: a\n    uses: http\n', {
      id: 'b',
      uses: 'http',
      with: { headers: { 'X-Key': 'a: b', 'X-Empty': '' }, list: ['x', 'y'], items: [{ a: 1 }], text: 'two\nlines', flag: true },
    });
    assertParses(result);
    assert.deepEqual(parse(result).steps[1].with, { headers: { 'X-Key': 'a: b', 'X-Empty': '' }, list: ['x', 'y'], items: [{ a: 1 }], text: 'two\nlines', flag: true });
    assert.match(result, /\n {6}headers:\n {8}X-Key: "a: b"\n/);
    assert.match(result, /\n {6}list: \[x, y\]\n {6}items:\n {8}- a: 1\n/);
  });

  it('refuses a taken, invalid or reserved id and unknown needs', () => {
    assert.throws(() => addStep(FILE, { id: 'label', uses: 'http' }), /already exists/);
    assert.throws(() => addStep(FILE, { id: 'Bad Id', uses: 'http' }), YamlEditError);
    assert.throws(() => addStep(FILE, { id: 'prototype', uses: 'http' }), /reserved/);
    assert.throws(() => addStep(FILE, { id: 'x', uses: 'http', needs: ['nope'] }), /`nope` does not exist/);
  });
});

describe('removeStep', () => {
  it('removes the step with its comment and one blank line; the step that needed only it inherits its needs', () => {
    const { yaml, references } = removeStep(FILE, 'label');
    assert.equal(
      yaml,
      `# Ships orders.
name: order-paid # the name in the console
on:
  webhook: shop
steps:
  - id: notify
    uses: slack
    with:
      text: "Shipped: {{steps.label.output.body.tracking}}"

  - id: email
    uses: email
    if: "{{steps.label.output.ok}}"
    needs: []
    with:
      to: someone@example.com
      text: |
        Tracking: {{steps.label.output.body.tracking}}
        Thanks!
`,
    );
    assert.deepEqual(
      references.map((reference) => [reference.stepId, reference.line]),
      [
        ['label', 9],
        ['label', 13],
        ['label', 18],
      ],
    );
    assert.equal(references[0].text, 'Shipped: {{steps.label.output.body.tracking}}');
  });

  it('removes the last step with the blank line before it', () => {
    const { yaml, references } = removeStep(FILE, 'email');
    assert.equal(yaml, FILE.slice(0, FILE.indexOf('\n  - id: email')));
    assert.deepEqual(references, []);
  });

  it('keeps the order of the step below: it waits for what the removed step waited for', () => {
    const text = 'steps:\n  - id: a\n    uses: http\n  - id: b\n    uses: http\n    needs: []\n  - id: c\n    uses: http # after b\n';
    assert.equal(removeStep(text, 'b').yaml, 'steps:\n  - id: a\n    uses: http\n  - id: c\n    uses: http # after b\n    needs: []\n');
    // c followed b, which followed a: after removing b it follows a by position, nothing to write.
    assert.equal(removeStep('steps:\n  - id: a\n    uses: http\n  - id: b\n    uses: http\n  - id: c\n    uses: http\n', 'b').yaml, 'steps:\n  - id: a\n    uses: http\n  - id: c\n    uses: http\n');
  });

  it('drops the id from longer needs lists, block or flow', () => {
    const text = 'steps:\n  - id: a\n    uses: http\n  - id: b\n    uses: http\n  - id: c\n    uses: http\n    needs:\n      - a # first\n      - b\n  - id: d\n    uses: http\n    needs: [b, a]\n';
    const { yaml } = removeStep(text, 'a');
    assert.equal(yaml, 'steps:\n  - id: b\n    uses: http\n  - id: c\n    uses: http\n    needs:\n      - b\n  - id: d\n    uses: http\n    needs: [b]\n');
  });

  it('leaves `steps: []` when the only step goes, and refuses an unknown step', () => {
    assert.equal(removeStep('name: x\nsteps:\n  - id: a\n    uses: http\n', 'a').yaml, 'name: x\nsteps: []\n');
    assert.throws(() => removeStep(FILE, 'nope'), /step `nope` does not exist/);
  });
});

describe('addNeed', () => {
  it('keeps the implicit order of a step without needs', () => {
    const result = addNeed(FILE, 'notify', 'email');
    assert.equal(result, FILE.replace('  - id: notify\n    uses: slack\n', '  - id: notify\n    uses: slack\n    needs: [label, email]\n'));
    const parallel = 'steps:\n  - id: a\n    uses: http\n  - id: b\n    uses: http\n    needs: []\n';
    assert.equal(addNeed(parallel, 'a', 'b'), 'steps:\n  - id: a\n    uses: http\n    needs: [b]\n  - id: b\n    uses: http\n    needs: []\n');
  });

  it('appends to a flow list and to a block list', () => {
    assert.equal(addNeed(FILE, 'email', 'notify'), FILE.replace('needs: [label]', 'needs: [label, notify]'));
    const block = 'steps:\n  - id: a\n    uses: http\n  - id: b\n    uses: http\n  - id: c\n    uses: http\n    needs:\n      - a # a first\n';
    assert.equal(addNeed(block, 'c', 'b'), 'steps:\n  - id: a\n    uses: http\n  - id: b\n    uses: http\n  - id: c\n    uses: http\n    needs:\n      - a # a first\n      - b\n');
    assert.equal(addNeed('steps:\n  - id: a\n    uses: http\n  - id: b\n    uses: http\n    needs: []\n', 'b', 'a'), 'steps:\n  - id: a\n    uses: http\n  - id: b\n    uses: http\n    needs: [a]\n');
  });

  it('refuses cycles, self-edges, unknown steps, duplicates and the trigger', () => {
    assert.throws(() => addNeed(FILE, 'label', 'email'), /cycle/);
    assert.throws(() => addNeed(FILE, 'label', 'label'), /itself/);
    assert.throws(() => addNeed(FILE, 'label', 'nope'), /`nope` does not exist/);
    assert.throws(() => addNeed(FILE, 'nope', 'label'), /`nope` does not exist/);
    assert.throws(() => addNeed(FILE, 'notify', 'label'), /already waits/);
    assert.throws(() => addNeed(FILE, 'email', 'label'), /already waits/);
    assert.throws(() => addNeed(FILE, 'notify', 'trigger'), /trigger/);
  });
});

describe('removeNeed', () => {
  it('writes `needs: []` to cut the edge from the step above', () => {
    assert.equal(removeNeed(FILE, 'notify', 'label'), FILE.replace('  - id: notify\n    uses: slack\n', '  - id: notify\n    uses: slack\n    needs: []\n'));
  });

  it('removes one entry of a list and leaves `needs: []` for the last one', () => {
    assert.equal(removeNeed(FILE, 'email', 'label'), FILE.replace('needs: [label]', 'needs: []'));
    const two = addNeed(FILE, 'email', 'notify');
    assert.equal(removeNeed(two, 'email', 'label'), FILE.replace('needs: [label]', 'needs: [notify]'));
    const block = 'steps:\n  - id: a\n    uses: http\n  - id: b\n    uses: http\n    needs:\n      - a\n';
    assert.equal(removeNeed(block, 'b', 'a'), 'steps:\n  - id: a\n    uses: http\n  - id: b\n    uses: http\n    needs: []\n');
  });

  it('refuses the trigger edge and edges that do not exist', () => {
    assert.throws(() => removeNeed(FILE, 'label', 'trigger'), /runs after the trigger/);
    assert.throws(() => removeNeed(FILE, 'email', 'notify'), /does not wait for `notify`/);
    assert.throws(() => removeNeed(FILE, 'label', 'nope'), /does not wait/);
  });
});

describe('renameStep', () => {
  it('renames the id, needs and every template reference, keeping each scalar as written', () => {
    const text = `${FILE}output:
  tracking: '{{steps.label.output.body.tracking}}'
  other: "{{steps.labels.x}} {{mysteps.label.x}}"
`;
    const result = renameStep(text, 'label', 'ship');
    assert.equal(
      result,
      text
        .replace('- id: label', '- id: ship')
        .replace('needs: [label]', 'needs: [ship]')
        .replaceAll('{{steps.label.', '{{steps.ship.'),
    );
    assert.ok(result.includes("tracking: '{{steps.ship.output.body.tracking}}'"));
    assert.ok(result.includes('other: "{{steps.labels.x}} {{mysteps.label.x}}"'));
    assert.ok(result.includes('        Tracking: {{steps.ship.output.body.tracking}}\n        Thanks!\n'));
  });

  it('follows references written as `steps.<id>}}` and in block needs lists', () => {
    const text = 'steps:\n  - id: a\n    uses: http\n  - id: b\n    uses: http\n    if: "{{steps.a}}"\n    needs:\n      - "a"\n';
    assert.equal(renameStep(text, 'a', 'z'), 'steps:\n  - id: z\n    uses: http\n  - id: b\n    uses: http\n    if: "{{steps.z}}"\n    needs:\n      - "z"\n');
  });

  it('refuses a taken, invalid or unknown id', () => {
    assert.throws(() => renameStep(FILE, 'label', 'notify'), /already exists/);
    assert.throws(() => renameStep(FILE, 'label', 'Ship It'), /lower-case/);
    assert.throws(() => renameStep(FILE, 'label', 'trigger'), /trigger/);
    assert.throws(() => renameStep(FILE, 'nope', 'x'), /does not exist/);
    assert.equal(renameStep(FILE, 'label', 'label'), FILE);
  });
});

describe('setField and setStepField', () => {
  it('replaces scalars in place in their own quoting style', () => {
    assert.equal(setStepField(FILE, 'label', ['name'], "Carrier's label"), FILE.replace("name: 'Request a label'", "name: 'Carrier''s label'"));
    assert.equal(setStepField(FILE, 'label', ['with', 'url'], 'https://x'), FILE.replace('url: "{{secrets.URL}}/labels"', 'url: "https://x"'));
    assert.equal(setStepField(FILE, 'label', ['with', 'method'], 'PUT'), FILE.replace('method: POST', 'method: PUT'));
    // A plain scalar that cannot stay plain gets double quotes.
    assert.equal(setStepField(FILE, 'label', ['with', 'method'], '{{event.body.m}}'), FILE.replace('method: POST', 'method: "{{event.body.m}}"'));
    assert.equal(setStepField(FILE, 'label', ['with', 'method'], 'true'), FILE.replace('method: POST', 'method: "true"'));
    assert.equal(setField(FILE, ['name'], 'shipping'), FILE.replace('name: order-paid #', 'name: shipping #'));
  });

  it('keeps a literal block scalar a block', () => {
    const result = setStepField(FILE, 'email', ['with', 'text'], 'Hello\nthere\n');
    assert.ok(result.endsWith('      text: |\n        Hello\n        there\n'), result);
    assert.equal(parse(result).steps[2].with.text, 'Hello\nthere\n');
    assert.equal(parse(setStepField(FILE, 'email', ['with', 'text'], 'no\nend')).steps[2].with.text, 'no\nend');
    assert.ok(setStepField(FILE, 'email', ['with', 'text'], 'one line').endsWith('      text: "one line"\n'));
  });

  it('appends new keys to block maps and to flow maps', () => {
    assert.equal(setStepField(FILE, 'notify', ['timeout'], '10s'), FILE.replace('{{steps.label.output.body.tracking}}"\n\n', '{{steps.label.output.body.tracking}}"\n    timeout: 10s\n\n'));
    assert.equal(
      setStepField(FILE, 'label', ['with', 'headers', 'X-Id'], '{{event.id}}'),
      FILE.replace('headers: { Authorization: "Bearer {{secrets.TOKEN}}" }', 'headers: { Authorization: "Bearer {{secrets.TOKEN}}", X-Id: "{{event.id}}" }'),
    );
    assert.equal(setField('a: {}\n', ['a', 'b'], 1), 'a: { b: 1 }\n');
    assert.equal(setField('a: [x]\n', ['a', 1], 'y, z'), 'a: [x, "y, z"]\n');
  });

  it('creates missing maps on the way', () => {
    const result = setStepField(FILE, 'notify', ['retry', 'attempts'], 3);
    assert.ok(result.includes('      text: "Shipped: {{steps.label.output.body.tracking}}"\n    retry:\n      attempts: 3\n\n'), result);
    const noWith = setStepField('steps:\n  - id: a\n    uses: http\n', 'a', ['with', 'body'], { a: [1, 2], b: { c: 'd' } });
    assert.equal(noWith, 'steps:\n  - id: a\n    uses: http\n    with:\n      body:\n        a: [1, 2]\n        b:\n          c: d\n');
  });

  it('deletes keys, and a map left empty goes with its key', () => {
    assert.equal(setStepField(FILE, 'label', ['with', 'method'], undefined), FILE.replace('      method: POST\n', ''));
    assert.equal(setStepField(FILE, 'notify', ['with', 'text'], undefined), FILE.replace('    with:\n      text: "Shipped: {{steps.label.output.body.tracking}}"\n', ''));
    assert.equal(
      setStepField(FILE, 'label', ['with', 'headers', 'Authorization'], undefined),
      FILE.replace('      headers: { Authorization: "Bearer {{secrets.TOKEN}}" }\n', ''),
    );
    assert.equal(setField('a: { b: 1, c: 2 }\n', ['a', 'b'], undefined), 'a: { c: 2 }\n');
    assert.equal(setField('a: { b: 1, c: 2 }\n', ['a', 'c'], undefined), 'a: { b: 1 }\n');
    assert.equal(setField(FILE, ['nope'], undefined), FILE);
    // The first key of a list item shares the line of its `- `: the next key moves up.
    assert.equal(setField('s:\n  - a: 1 # one\n    b: 2\n', ['s', 0, 'a'], undefined), 's:\n  - b: 2\n');
  });

  it('updates a map key by key so that comments inside it stay', () => {
    const text = 'with:\n  # where\n  url: "x" # the url\n  method: POST\n';
    assert.equal(setField(text, ['with'], { url: 'y', body: 'b' }), 'with:\n  # where\n  url: "y" # the url\n  body: b\n');
    assert.equal(setField('a:\n  - 1\n  - 2 # two\n  - 3\n', ['a'], [1, 5]), 'a:\n  - 1\n  - 5 # two\n');
    assert.equal(setField('a: 1\n', ['a'], { b: [{ c: 1 }] }), 'a:\n  b:\n    - c: 1\n');
    assert.equal(setField('a:\n  b: 1\n', ['a'], 'x'), 'a: x\n');
  });

  it('refuses paths that do not fit the document, unknown steps and changes to `id` other than a rename', () => {
    assert.throws(() => setField(FILE, ['name', 'x'], 1), /is not a map or a list/);
    assert.throws(() => setField(FILE, ['steps', 'x'], 1), /is a list/);
    assert.throws(() => setField(FILE, ['steps', 7], 1), /has only 3 items/);
    assert.throws(() => setStepField(FILE, 'nope', ['name'], 'x'), /does not exist/);
    assert.throws(() => setStepField(FILE, 'label', ['id'], undefined), /only be changed/);
    assert.equal(setStepField(FILE, 'label', ['id'], 'ship'), renameStep(FILE, 'label', 'ship'));
  });
});

// ---------------------------------------------------------------------------------------------
// Property: any sequence of visual edits on the example workflows changes the data exactly as
// a tiny model does and keeps every line of the steps it did not touch, comments included.

type Data = { steps: Step[] } & Record<string, unknown>;
type Step = { id: string; uses: string; needs?: string[] } & Record<string, unknown>;

interface Model {
  data: Data;
  /** For each step of `data.steps`, its index in the original file (undefined for added steps). */
  origins: (number | undefined)[];
  touched: Set<number>;
}

type Edit =
  | { kind: 'add'; uses: string; name?: string; withUrl?: string; needs: number[] }
  | { kind: 'remove'; step: number }
  | { kind: 'addNeed'; step: number; need: number }
  | { kind: 'removeNeed'; step: number; need: number }
  | { kind: 'rename'; step: number; base: string }
  | { kind: 'set'; step: number; path: (string | number)[]; value: unknown }
  | { kind: 'setTop'; value: unknown };

const valueArb = fc.oneof(
  fc.constantFrom('POST', 'plain words', '{{event.body.id}}', 'a: b', "it's", 'say "hi"', '# not a comment', 'two\nlines', '', 'true', '10', '- x', '[x]'),
  fc.integer({ min: -5, max: 5000 }),
  fc.boolean(),
  fc.constant(undefined),
  fc.record({ a: fc.constantFrom('x', '{{event.id}}'), b: fc.array(fc.integer({ min: 0, max: 9 }), { maxLength: 3 }) }),
  fc.string({ maxLength: 12 }),
);

const editArb: fc.Arbitrary<Edit> = fc.oneof(
  fc.record({
    kind: fc.constant('add' as const),
    uses: fc.constantFrom('http', 'slack', 'email'),
    name: fc.option(fc.constantFrom('Post it', 'Tell: them', "Bob's step"), { nil: undefined }),
    withUrl: fc.option(fc.constantFrom('{{secrets.URL}}', 'https://example.com/x'), { nil: undefined }),
    needs: fc.array(fc.nat(20), { maxLength: 2 }),
  }),
  fc.record({ kind: fc.constant('remove' as const), step: fc.nat(20) }),
  fc.record({ kind: fc.constant('addNeed' as const), step: fc.nat(20), need: fc.nat(20) }),
  fc.record({ kind: fc.constant('removeNeed' as const), step: fc.nat(20), need: fc.nat(20) }),
  fc.record({ kind: fc.constant('rename' as const), step: fc.nat(20), base: fc.constantFrom('ship', 'Notify Team', 'label', 'step') }),
  fc.record({
    kind: fc.constant('set' as const),
    step: fc.nat(20),
    path: fc.constantFrom<(string | number)[]>(
      ['name'],
      ['with', 'url'],
      ['with', 'text'],
      ['with', 'note'],
      ['timeout'],
      ['with', 'headers', 'X-Test'],
      ['with', 'headers', 'Authorization'],
      ['with', 'body', 'extra'],
      ['retry', 'attempts'],
    ),
    value: valueArb,
  }),
  fc.record({ kind: fc.constant('setTop' as const), value: valueArb }),
);

function effective(steps: Step[], index: number): string[] {
  return steps[index].needs ?? (index === 0 ? [] : [steps[index - 1].id]);
}

function waitsFor(steps: Step[], from: string, to: string): boolean {
  const queue = [from];
  const seen = new Set<string>();
  while (queue.length > 0) {
    const id = queue.pop() as string;
    if (id === to) return true;
    if (seen.has(id)) continue;
    seen.add(id);
    const index = steps.findIndex((step) => step.id === id);
    queue.push(...effective(steps, index));
  }
  return false;
}

function touch(model: Model, index: number): void {
  const origin = model.origins[index];
  if (origin !== undefined) model.touched.add(origin);
}

function replaceStrings(value: unknown, pattern: RegExp, by: string): { value: unknown; changed: boolean } {
  if (typeof value === 'string') {
    const next = value.replace(pattern, by);
    return { value: next, changed: next !== value };
  }
  if (Array.isArray(value)) {
    const items = value.map((item) => replaceStrings(item, pattern, by));
    return { value: items.map((item) => item.value), changed: items.some((item) => item.changed) };
  }
  if (typeof value === 'object' && value !== null) {
    let changed = false;
    const result: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      const next = replaceStrings(item, pattern, by);
      result[key] = next.value;
      changed ||= next.changed;
    }
    return { value: result, changed };
  }
  return { value, changed: false };
}

/** Applies one edit to the text and to the model; false when it is not valid for the current document. */
function apply(text: string, model: Model, edit: Edit): string | undefined {
  const steps = model.data.steps;
  const pick = (n: number): number => n % steps.length;
  switch (edit.kind) {
    case 'add': {
      const id = freeStepId(text, edit.uses);
      const needs = steps.length === 0 ? [] : [...new Set(edit.needs.map((n) => steps[pick(n)].id))];
      const draft = { id, uses: edit.uses, ...(edit.name ? { name: edit.name } : {}), ...(needs.length > 0 ? { needs } : {}), ...(edit.withUrl ? { with: { url: edit.withUrl } } : {}) };
      steps.push(structuredClone(draft));
      model.origins.push(undefined);
      return addStep(text, draft);
    }
    case 'remove': {
      if (steps.length < 2) return undefined;
      const index = pick(edit.step);
      const id = steps[index].id;
      const inherited = effective(steps, index);
      touch(model, index);
      steps.forEach((step, other) => {
        if (!step.needs?.includes(id)) return;
        touch(model, other);
        step.needs = step.needs.length === 1 ? [...inherited] : step.needs.filter((need) => need !== id);
      });
      const below = steps[index + 1];
      if (below && below.needs === undefined) {
        touch(model, index + 1);
        const implicit = index > 0 ? [steps[index - 1].id] : [];
        if (JSON.stringify(implicit) !== JSON.stringify(inherited)) below.needs = [...inherited];
      }
      steps.splice(index, 1);
      model.origins.splice(index, 1);
      return removeStep(text, id).yaml;
    }
    case 'addNeed': {
      const index = pick(edit.step);
      const step = steps[index];
      const need = steps[pick(edit.need)].id;
      if (need === step.id || effective(steps, index).includes(need) || waitsFor(steps, need, step.id)) return undefined;
      step.needs = [...effective(steps, index), need];
      touch(model, index);
      return addNeed(text, step.id, need);
    }
    case 'removeNeed': {
      const index = pick(edit.step);
      const current = effective(steps, index);
      if (current.length === 0) return undefined;
      const need = current[edit.need % current.length];
      steps[index].needs = current.filter((other) => other !== need);
      touch(model, index);
      return removeNeed(text, steps[index].id, need);
    }
    case 'rename': {
      const index = pick(edit.step);
      const from = steps[index].id;
      const to = freeStepId(text, edit.base);
      const pattern = new RegExp(`(?<![\\w.])steps\\.${from}(?=[.}\\s)|]|$)`, 'g');
      steps.forEach((step, other) => {
        if (step.needs?.includes(from)) {
          step.needs = step.needs.map((need) => (need === from ? to : need));
          touch(model, other);
        }
        const replaced = replaceStrings(step, pattern, `steps.${to}`);
        if (replaced.changed) {
          steps[other] = replaced.value as Step;
          touch(model, other);
        }
      });
      for (const key of Object.keys(model.data)) {
        if (key !== 'steps') model.data[key] = replaceStrings(model.data[key], pattern, `steps.${to}`).value;
      }
      steps[index].id = to;
      touch(model, index);
      return renameStep(text, from, to);
    }
    case 'set': {
      const index = pick(edit.step);
      touch(model, index);
      setIn(steps[index], edit.path, edit.value);
      return setStepField(text, steps[index].id, edit.path, edit.value);
    }
    case 'setTop':
      setIn(model.data, ['description'], edit.value);
      return setField(text, ['description'], edit.value);
  }
}

function setIn(target: Record<string, unknown>, path: (string | number)[], value: unknown): void {
  const [key, ...rest] = path;
  if (rest.length === 0) {
    if (value === undefined) delete target[key];
    else target[key] = structuredClone(value);
    return;
  }
  let child = target[key] as Record<string, unknown> | undefined;
  if (child === undefined || child === null) {
    if (value === undefined) return;
    child = {};
    target[key] = child;
  }
  setIn(child, rest, value);
  if (Object.keys(child).length === 0) delete target[key];
}

/** The lines of each step of the original file, its own comments above it included, and every comment line. */
function lineMap(text: string): { stepOf: (number | undefined)[] } {
  const doc = parseDocument(text);
  const all = lines(text);
  const stepOf: (number | undefined)[] = all.map(() => undefined);
  const lineAt = (pos: number): number => text.slice(0, pos).split('\n').length - 1;
  const seq = isMap(doc.contents) ? doc.contents.get('steps', true) : undefined;
  if (!isSeq(seq)) return { stepOf };
  seq.items.forEach((item, index) => {
    const range = (item as { range: [number, number, number] }).range;
    let first = lineAt(range[0]);
    const last = lineAt(range[1] - 1);
    while (first > 0 && /^ {0,2}#/.test(all[first - 1])) first--;
    for (let line = first; line <= last; line++) stepOf[line] = index;
  });
  return { stepOf };
}

/** The example workflows with a header comment, a comment above a step and end-of-line comments added. */
function decorated(text: string): string {
  const out = ['# A comment at the top that must survive every edit.', ''];
  let seen = 0;
  for (const line of lines(text)) {
    if (line.startsWith('  - id: ')) {
      seen++;
      if (seen === 2 || (seen === 1 && !text.includes('\n  - id: ', text.indexOf('\n  - id: ') + 1))) out.push(`  # ${line.slice(8)}: a comment above a step`);
    }
    out.push(/^ {4}uses: /.test(line) ? `${line} # the kind` : line);
    if (line.startsWith('name: ')) out.push('# a comment between top-level keys');
  }
  return out.join('\n');
}

describe('yaml edits (property)', () => {
  const files = readdirSync(WORKFLOWS)
    // Settings files are not workflows; on-failure.yaml has `on_failure:` steps only, which the visual edits do not touch.
    .filter((name) => name.endsWith('.yaml') && !['sources.yaml', 'destinations.yaml', 'on-failure.yaml'].includes(name))
    .sort();

  it('finds the example workflows', () => {
    assert.ok(files.length >= 3, files.join(', '));
  });

  for (const file of files) {
    it(`keeps untouched lines of ${file} byte-identical through any sequence of visual edits`, () => {
      const original = decorated(readFileSync(join(WORKFLOWS, file), 'utf8'));
      assertParses(original);
      const { stepOf } = lineMap(original);
      fc.assert(
        fc.property(fc.array(editArb, { minLength: 1, maxLength: 8 }), (edits) => {
          const data = parse(original) as Data;
          const model: Model = { data, origins: data.steps.map((_, index) => index), touched: new Set() };
          let text = original;
          for (const edit of edits) {
            const next = apply(text, model, edit);
            if (next === undefined) continue;
            text = next;
            assertParses(text);
            assert.deepEqual(parse(text), model.data, `after ${JSON.stringify(edit)}:\n${text}`);
          }
          const kept = lines(original).filter((line, index) => {
            const step = stepOf[index];
            if (step !== undefined) return !model.touched.has(step);
            return line.trimStart().startsWith('#');
          });
          assertKeeps(text, kept);
        }),
        { numRuns: 200, interruptAfterTimeLimit: 20_000 },
      );
    });
  }
});
