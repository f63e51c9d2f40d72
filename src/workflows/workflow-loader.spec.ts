import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { TemplateEngine } from '../templates/template-engine';
import { loadWorkflowDirectory } from './workflow-loader';
import { ORDER_PAID_YAML, SOURCES_YAML, removeDir, workflowDir, yamlLines } from './workflow-dir.fixture';

const engine = new TemplateEngine();
const dirs: string[] = [];
after(async () => Promise.all(dirs.map(removeDir)));

async function load(files: Record<string, string>) {
  const dir = await workflowDir(files);
  dirs.push(dir);
  return { dir, result: await loadWorkflowDirectory(dir, engine) };
}

describe('loadWorkflowDirectory', () => {
  it('loads a valid workflow into its definition', async () => {
    const { dir, result } = await load({ 'sources.yaml': SOURCES_YAML, 'order-paid.yaml': ORDER_PAID_YAML });
    assert.deepEqual(result.problems, []);
    const workflow = result.workflows.get('order-paid');
    assert.ok(workflow);
    assert.equal(workflow.file, 'order-paid.yaml');
    assert.equal(workflow.yaml, ORDER_PAID_YAML);
    assert.equal(workflow.version, createHash('sha256').update(ORDER_PAID_YAML).digest('hex').slice(0, 16));
    assert.equal(workflow.description, 'Ship the order and tell the team when a payment completes.');
    assert.deepEqual(workflow.on, { webhook: 'shop', event: 'order.paid', if: '{{gt event.body.order.total 0}}' });
    assert.deepEqual(workflow.concurrency, { key: '{{event.body.order.id}}' });
    const [label, notify, email] = workflow.steps;
    assert.deepEqual(label, {
      id: 'label',
      uses: 'http',
      with: {
        method: 'POST',
        url: '{{secrets.SHIPPING_URL}}/labels',
        headers: { Authorization: 'Bearer {{secrets.SHIPPING_TOKEN}}' },
        body: { order_id: '{{event.body.order.id}}', address: '{{event.body.order.shipping_address}}' },
        sign: { secret: '{{secrets.SHIPPING_SIGNING_SECRET}}' },
      },
      timeoutMs: 15_000,
      retry: { attempts: 8, backoff: 'exponential', initialMs: 5_000, maxMs: 3_600_000 },
      continueOnError: false,
      position: { line: 10, column: 5 },
    });
    assert.equal(notify.needs, undefined);
    assert.equal(notify.timeoutMs, undefined);
    assert.deepEqual(notify.retry, { attempts: 6, backoff: 'exponential', initialMs: 2_000, maxMs: 3_600_000 });
    assert.deepEqual(email.needs, ['label']);
    assert.equal(email.if, '{{event.body.order.email}}');
    assert.equal(email.continueOnError, true);
    assert.deepEqual(result.files.map((file) => [file.file, file.kind]), [
      [join(dir, 'sources.yaml'), 'sources'],
      [join(dir, 'order-paid.yaml'), 'workflow'],
    ]);
  });

  it('reads .yml files, ignores dot files and other extensions', async () => {
    const { result } = await load({
      'b.yml': yamlLines('name: b', 'on: { schedule: "0 * * * *" }', 'steps: [{ id: a, uses: set }]'),
      '.#b.yaml': 'not: [valid',
      'notes.txt': 'hello',
    });
    assert.deepEqual(result.problems, []);
    assert.deepEqual([...result.workflows.keys()], ['b']);
    assert.equal(result.files.length, 1);
  });

  it('keeps per-file results so valid files still load beside invalid ones', async () => {
    const { dir, result } = await load({
      'sources.yaml': SOURCES_YAML,
      'a.yaml': ORDER_PAID_YAML,
      'b.yaml': yamlLines('name: b', 'on: { webhook: shop }', 'steps: [{ id: a, uses: nope }]'),
    });
    assert.deepEqual([...result.workflows.keys()], ['order-paid']);
    assert.deepEqual([...result.sources.keys()], ['shop', 'github']);
    const broken = result.files.find((file) => file.file === join(dir, 'b.yaml'));
    assert.equal(broken?.workflow, undefined);
    assert.deepEqual(broken?.problems.map((p) => [p.file, p.line, p.column]), [[join(dir, 'b.yaml'), 3, 24]]);
    assert.deepEqual(result.problems, broken?.problems);
  });

  it('reports problems with the folder path as given, relative to the working directory', async () => {
    const { dir } = await load({ 'w.yaml': yamlLines('name: w', 'colour: red', 'on: { schedule: "0 * * * *" }', 'steps: [{ id: a, uses: set }]') });
    const cwd = process.cwd();
    process.chdir(join(dir, '..'));
    try {
      const relative = dir.split('/').pop() as string;
      const result = await loadWorkflowDirectory(relative, engine);
      assert.deepEqual(result.problems.map((p) => p.file), [`${relative}/w.yaml`]);
    } finally {
      process.chdir(cwd);
    }
  });

  it('refuses a workflow file larger than 256 KiB', async () => {
    const { result } = await load({ 'big.yaml': `description: "${'x'.repeat(300 * 1024)}"\n` });
    assert.equal(result.problems.length, 1);
    assert.match(result.problems[0].message, /larger than the 262144 allowed/);
    assert.deepEqual([result.problems[0].line, result.problems[0].column], [1, 1]);
  });

  it('reports a folder that does not exist', async () => {
    const result = await loadWorkflowDirectory(join('/nonexistent', 'workflows'), engine);
    assert.equal(result.problems.length, 1);
    assert.match(result.problems[0].message, /does not exist/);
  });

  it('checks workflows against the fallback sources when the sources file is invalid', async () => {
    const sources = yamlLines('sources:', '  shop:', '    verify: { scheme: nope }');
    const workflow = yamlLines('name: w', 'on: { webhook: github }', 'steps: [{ id: a, uses: set }]');
    const dir = await workflowDir({ 'sources.yaml': sources, 'w.yaml': workflow });
    dirs.push(dir);
    const first = await loadWorkflowDirectory(dir, engine);
    assert.equal(first.workflows.size, 0);
    const { result: valid } = await load({ 'sources.yaml': SOURCES_YAML });
    const second = await loadWorkflowDirectory(dir, engine, { fallbackSources: valid.sources });
    assert.deepEqual([...second.workflows.keys()], ['w']);
    assert.equal(second.sources.size, 0);
  });

  it('reads destinations.yaml as the destination settings, not as a workflow, and reports its problems by line', async () => {
    const valid = await load({ 'sources.yaml': SOURCES_YAML, 'destinations.yaml': 'destinations:\n  - match: smtp\n    rate_limit: 5/s\n' });
    assert.deepEqual(valid.result.problems, []);
    assert.deepEqual(valid.result.workflows.size, 0);
    const file = valid.result.files.find((entry) => entry.kind === 'destinations');
    assert.deepEqual(file?.destinations?.rules, [{ match: 'smtp', rateLimit: { attempts: 5, perMs: 1_000, text: '5/s' } }]);

    const invalid = await load({ 'sources.yaml': SOURCES_YAML, 'destinations.yaml': 'destinations:\n  - match: smtp\n    rate_limit: lots\n' });
    assert.deepEqual(
      invalid.result.problems.map((problem) => `${problem.line}:${problem.column}`),
      ['3:17'],
    );
    assert.equal(invalid.result.files.find((entry) => entry.kind === 'destinations')?.destinations, undefined);
  });
});
