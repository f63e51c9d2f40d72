import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { loadSettings } from '../config/load-settings';
import { DryRun } from '../engine/dry-run';
import { TemplateEngine } from '../templates/template-engine';
import { removeDir, SOURCES_YAML, workflowDir, yamlLines } from '../workflows/workflow-dir.fixture';
import { loadWorkflowDirectory } from '../workflows/workflow-loader';
import { differences } from './expectation-diff';
import { loadWorkflowTestFile, WorkflowTestFile } from './workflow-test-file';
import { recordExpectations } from './workflow-test-recorder';
import { recordedExpectation, WorkflowTestResult, WorkflowTestRunner } from './workflow-test-runner';

const SHIP_YAML = yamlLines(
  'name: ship',
  'on:',
  '  webhook: shop',
  '  event: order.paid',
  'steps:',
  '  - id: label',
  '    uses: http',
  '    with:',
  '      method: POST',
  '      url: "{{secrets.SHIPPING_URL}}/labels"',
  '      headers: { Authorization: "Bearer {{secrets.SHIPPING_TOKEN}}" }',
  '      body: { order_id: "{{event.body.order.id}}", total: "{{event.body.order.total}}" }',
  '  - id: notify',
  '    uses: slack',
  '    if: "{{event.body.order.notify}}"',
  '    with:',
  '      webhook_url: "{{secrets.SLACK_WEBHOOK_URL}}"',
  '      text: "Label {{steps.label.output.body.tracking_number}} for {{event.body.order.id}}"',
  'on_failure:',
  '  - id: tell',
  '    uses: set',
  '    with: { text: "{{failure.workflow}} failed at {{failure.step}} ({{failure.attempts}}): {{failure.error}}, order {{event.body.order.id}}" }',
);
const AUDIT_YAML = yamlLines(
  'name: audit',
  'on:',
  '  webhook: shop',
  'steps:',
  '  - id: keep',
  '    uses: set',
  '    with: { order: "{{event.body.order.id}}" }',
);

const BATCH_YAML = yamlLines(
  'name: batch',
  'on: { webhook: shop, event: batch.paid }',
  'steps:',
  '  - id: each',
  '    uses: http',
  '    for_each: "{{event.body.items}}"',
  '    if: "{{item.ship}}"',
  '    with: { method: POST, url: "{{secrets.SHIPPING_URL}}/items", body: { sku: "{{item.sku}}", line: "{{index}}" } }',
);

let dir: string;
let runner: WorkflowTestRunner;

before(async () => {
  dir = await workflowDir({ 'sources.yaml': SOURCES_YAML, 'ship.yaml': SHIP_YAML, 'audit.yaml': AUDIT_YAML, 'batch.yaml': BATCH_YAML });
  await mkdir(join(dir, 'tests'));
  await writeFile(join(dir, 'order.json'), JSON.stringify({ type: 'order.paid', order: { id: 'A-1', total: 12, notify: true } }));
  const loaded = await loadWorkflowDirectory(dir, new TemplateEngine());
  assert.deepEqual(loaded.problems, []);
  const settings = loadSettings({ SHIPPING_TOKEN: 'tok_live_never_shown' }, dir);
  runner = new WorkflowTestRunner(await DryRun.standalone(settings), { workflows: loaded.workflows, sources: loaded.sources });
});
after(() => removeDir(dir));

async function testFile(name: string, ...lines: string[]): Promise<WorkflowTestFile> {
  const path = join(dir, 'tests', name);
  await writeFile(path, yamlLines(...lines));
  return loadWorkflowTestFile(path);
}

async function run(...lines: string[]): Promise<WorkflowTestResult[]> {
  const file = await testFile('ship.test.yaml', ...lines);
  assert.deepEqual(file.problems, []);
  return runner.run(file);
}

describe(WorkflowTestRunner.name, () => {
  it('passes when the listed request fields equal what the step would send, secrets as [secret]', async () => {
    const [result] = await run(
      'tests:',
      '  - name: ships',
      '    event: ../order.json',
      '    steps: { label: { output: { body: { tracking_number: "1Z9" } } } }',
      '    expect:',
      '      workflows: [audit, ship]',
      '      steps:',
      '        label: { status: sent, request: { url: "[secret]/labels", headers: { authorization: "Bearer [secret]" }, body: { order_id: A-1 } } }',
      '        notify: { status: sent, request: { body: { text: "Label 1Z9 for A-1" } } }',
    );
    assert.deepEqual(result.differences, []);
    assert.equal(result.passed, true);
    assert.equal(JSON.stringify(result.observed).includes('tok_live'), false);
  });

  it('compares a for_each step item by item with `requests`, a skipped item as null, and records it so', async () => {
    const file = await testFile(
      'batch.test.yaml',
      'tests:',
      '  - name: items',
      '    event: { body: { type: batch.paid, items: [{ sku: a, ship: true }, { sku: b, ship: false }, { sku: c, ship: true }] } }',
      '    expect:',
      '      steps:',
      '        each: { status: sent, requests: [{ url: "[secret]/items", body: { sku: a, line: 0 } }, null, { body: { sku: c, line: 3 } }] }',
    );
    assert.deepEqual(file.problems, []);
    const [result] = runner.run(file);
    assert.deepEqual(
      result.differences.map(({ path, expected, actual }) => ({ path, expected, actual })),
      [{ path: 'steps.each.requests[2].body.line', expected: 3, actual: 2 }],
    );
    const recorded = recordedExpectation(result.observed, undefined) as { steps: { each: { requests: { body: unknown }[] } } };
    assert.deepEqual(
      recorded.steps.each.requests.map((request) => request?.body ?? null),
      [{ sku: 'a', line: 0 }, null, { sku: 'c', line: 2 }],
    );
  });

  it('names the path, the expected and the actual value of each difference', async () => {
    const [result] = await run(
      'tests:',
      '  - name: wrong',
      '    event: { body: { type: order.paid, order: { id: A-2, total: 5 } } }',
      '    expect:',
      '      workflows: [ship]',
      '      steps:',
      '        label: { request: { body: { order_id: A-3, total: "5" } } }',
      '        notify: { status: sent }',
      '        gone: { status: sent }',
    );
    assert.equal(result.passed, false);
    assert.deepEqual(
      result.differences.map(({ path, expected, actual }) => ({ path, expected, actual })),
      [
        { path: 'workflows', expected: ['ship'], actual: ['audit', 'ship'] },
        { path: 'steps.label.request.body.order_id', expected: 'A-3', actual: 'A-2' },
        { path: 'steps.label.request.body.total', expected: '5', actual: 5 },
        { path: 'steps.notify.status', expected: 'sent', actual: 'skipped' },
        { path: 'steps.gone', expected: { status: 'sent' }, actual: undefined },
      ],
    );
    assert.match(result.differences[4].note ?? '', /has no step gone/);
  });

  it('compares every field with exact: true', async () => {
    const [result] = await run(
      'tests:',
      '  - name: exact',
      '    event: ../order.json',
      '    expect:',
      '      steps:',
      '        label: { exact: true, request: { method: POST, url: "[secret]/labels", body: { order_id: A-1, total: 12 } } }',
    );
    assert.deepEqual(
      result.differences.map((difference) => difference.path),
      ['steps.label.request.headers'],
    );
  });

  it('says why the workflow under test does not start', async () => {
    const [result] = await run(
      'tests:',
      '  - name: refund',
      '    event: { body: { type: order.refunded, order: { id: A-4 } } }',
      '    expect: { workflows: [ship], steps: { label: { status: sent } } }',
    );
    assert.deepEqual(result.differences[0], { path: 'workflows', expected: ['ship'], actual: ['audit'] });
    assert.match(result.differences[1].note ?? '', /does not start: event type "order.refunded" does not match/);
  });

  it('reports a broken test file with line and column', async () => {
    const file = await testFile(
      'ship.test.yaml',
      'tests:',
      '  - name: typo',
      '    event: ../missing.json',
      '    expect:',
      '      steps: { label: { status: sennt } }',
      '  - evnt: {}',
    );
    assert.deepEqual(
      file.problems.map(({ line, column, message }) => `${line}:${column} ${message}`),
      [
        '3:12 cannot read the event file ../missing.json: no such file',
        '5:33 `status` of step label in `expect` of test "typo" must be one of sent, skipped, fails',
        '6:5 unknown key `evnt` in test 2 (expected name, source, type, event, headers, failure, steps, expect)',
        '6:5 test 2 needs a `name`',
        '6:5 test 2 needs an `event`: a file (relative to the test file) or { type, headers, body }',
      ],
    );
  });

  it('runs the on_failure steps for a run that failed as `failure` says', async () => {
    const [result] = await run(
      'tests:',
      '  - name: tells',
      '    event: ../order.json',
      '    failure: { step: label, error: HTTP 503, attempts: 8 }',
      '    expect:',
      '      steps: { tell: { status: sent, request: { text: "ship failed at label (8): HTTP 503, order A-1" } } }',
    );
    assert.deepEqual(result.differences, []);
    assert.deepEqual(Object.keys(result.observed.steps), ['tell']);
  });

  it('refuses `expect.workflows` in a failure test, which no event matches', async () => {
    const file = await testFile('ship.test.yaml', 'tests:', '  - name: f', '    event: ../order.json', '    failure: {}', '    expect: { workflows: [ship] }');
    assert.deepEqual(
      file.problems.map(({ line, message }) => `${line} ${message}`),
      ['5 `expect.workflows` of test "f" does not apply: a `failure` test runs the on_failure steps, which no event matches'],
    );
  });

  it('knows no workflow a test file names that is not in the folder', async () => {
    const file = await testFile('nothing.test.yaml', 'tests: []');
    assert.match(runner.problemOf(file) ?? '', /no valid workflow nothing to test \(workflows: audit, batch, ship\)/);
  });
});

describe(recordExpectations.name, () => {
  it('rewrites only the expect of failing tests, keeping comments and the rest byte for byte', async () => {
    const lines = [
      '# The shipping tests.',
      'tests:',
      '  - name: records',
      '    event: ../order.json   # the sample order',
      '    steps: { label: { output: { body: { tracking_number: "1Z9" } } } }',
      '    expect:',
      '      # what the carrier gets',
      '      steps:',
      '        label: { status: skipped, exact: true }',
      '',
      '  - name: untouched',
      '    event: ../order.json',
      '    expect: { workflows: [audit, ship] }  # keep me',
    ];
    const file = await testFile('ship.test.yaml', ...lines);
    const text = recordExpectations(file, runner.run(file));
    assert.equal(text.startsWith(yamlLines(...lines.slice(0, 8))), true, text);
    assert.equal(text.endsWith(yamlLines(...lines.slice(9))), true, text);
    const rewritten = await testFile('ship.test.yaml', ...text.trimEnd().split('\n'));
    assert.deepEqual(rewritten.tests[0].expect?.steps?.label, {
      status: 'sent',
      exact: true,
      request: {
        method: 'POST',
        url: '[secret]/labels',
        headers: { authorization: 'Bearer [secret]', 'content-type': 'application/json' },
        body: { order_id: 'A-1', total: 12 },
      },
    });
    assert.deepEqual(rewritten.tests[0].expect?.workflows, ['audit', 'ship']);
    assert.equal(
      runner.run(rewritten).every((result) => result.passed),
      true,
    );
  });
});

describe(differences.name, () => {
  it('ignores unlisted keys when partial, and reports them when exact', () => {
    assert.deepEqual(differences({ a: 1 }, { a: 1, b: 2 }, 'x', false), []);
    assert.deepEqual(differences({ a: 1 }, { a: 1, b: 2 }, 'x', true), [{ path: 'x.b', expected: undefined, actual: 2 }]);
  });

  it('compares lists item by item and their lengths', () => {
    assert.deepEqual(differences([{ a: 1 }], [{ a: 2, b: 1 }], 'x', false), [{ path: 'x[0].a', expected: 1, actual: 2 }]);
    assert.deepEqual(differences([1], [1, 2], 'x', false), [{ path: 'x', expected: [1], actual: [1, 2] }]);
  });
});
