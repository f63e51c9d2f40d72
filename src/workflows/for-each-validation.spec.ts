import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { TemplateEngine } from '../templates/template-engine';
import { loadWorkflowDirectory } from './workflow-loader';
import { SOURCES_YAML, assertProblemAt, removeDir, workflowDir, yamlLines } from './workflow-dir.fixture';

const engine = new TemplateEngine();
const dirs: string[] = [];
after(async () => Promise.all(dirs.map(removeDir)));

/** Loads a workflow on the `shop` source whose steps start at line 5. */
async function loadSteps(...lines: string[]) {
  const dir = await workflowDir({ 'sources.yaml': SOURCES_YAML, 'w.yaml': yamlLines('name: w', 'on:', '  webhook: shop', 'steps:', ...lines) });
  dirs.push(dir);
  const file = (await loadWorkflowDirectory(dir, engine)).files.find((entry) => entry.file.endsWith('w.yaml'));
  assert.ok(file);
  return file;
}

describe('WorkflowValidator: for_each', () => {
  it('reads a template for_each with its limits, and item and index in with and if', async () => {
    const file = await loadSteps(
      '  - id: notify',
      '    uses: http',
      '    for_each: "{{event.body.order.items}}"',
      '    max_parallel: 4',
      '    max_items: 50',
      '    if: "{{item.sku}}"',
      '    with: { url: "https://example.com/items/{{item.sku}}", body: { position: "{{index}}" } }',
      '  - id: after',
      '    uses: set',
      '    with: { first: "{{steps.notify.output.0.status}}" }',
    );
    assert.deepEqual(file.problems, []);
    const [notify, next] = file.workflow!.steps;
    assert.deepEqual(notify.forEach, { items: '{{event.body.order.items}}', maxParallel: 4, maxItems: 50 });
    assert.equal(next.forEach, undefined);
  });

  it('accepts a list written out, with defaults of one at a time and 1,000 items', async () => {
    const file = await loadSteps('  - id: each', '    uses: set', '    for_each: [a, "{{event.type}}"]', '    with: { value: "{{item}}" }');
    assert.deepEqual(file.problems, []);
    assert.deepEqual(file.workflow!.steps[0].forEach, { items: ['a', '{{event.type}}'], maxParallel: 1, maxItems: 1000 });
  });

  it('reports a for_each that is not a list or lone expression, bad limits, and limits without for_each, at their place', async () => {
    const file = await loadSteps(
      '  - id: a',
      '    uses: set',
      '    for_each: "items: {{event.body.items}}"',
      '    max_parallel: 0',
      '    max_items: "{{event.body.n}}"',
      '    with: { value: "{{item}}" }',
      '  - id: b',
      '    uses: set',
      '    for_each: { items: 1 }',
      '    with: { value: 1 }',
      '  - id: c',
      '    uses: set',
      '    max_parallel: 2',
      '    max_items: 20000',
      '    with: { value: 1 }',
    );
    const problems = file.problems;
    assertProblemAt(problems, 7, 15, /`for_each` must be a template giving a list, such as "\{\{event.body.order.items\}\}", or a list/);
    assertProblemAt(problems, 8, 19, /`max_parallel` must be a whole number from 1 to 100/);
    assertProblemAt(problems, 9, 16, /`max_items` must be a whole number from 1 to 10000/);
    assertProblemAt(problems, 13, 15, /`for_each` must be a template giving a list/);
    assertProblemAt(problems, 17, 5, /`max_parallel` only goes with `for_each` \(step `c` has none\)/);
    assertProblemAt(problems, 18, 5, /`max_items` only goes with `for_each`/);
    assert.equal(problems.length, 6, JSON.stringify(problems));
  });

  it('reports item and index in a step without for_each, and unknown roots in for_each', async () => {
    const file = await loadSteps(
      '  - id: a',
      '    uses: set',
      '    if: "{{index}}"',
      '    with: { value: "{{item.sku}}" }',
      '  - id: b',
      '    uses: set',
      '    for_each: "{{evnt.body.items}}"',
      '    with: { value: 1 }',
    );
    assertProblemAt(file.problems, 7, 9, /`if`: `index` is only set in a step with `for_each`/);
    assertProblemAt(file.problems, 8, 20, /`with.value`: `item` is only set in a step with `for_each`/);
    assertProblemAt(file.problems, 11, 15, /`for_each`: `evnt` is not something templates can read/);
    assert.equal(file.problems.length, 3, JSON.stringify(file.problems));
  });
});
