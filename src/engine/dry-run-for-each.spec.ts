import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { loadSettings } from '../config/load-settings';
import { formatDryRun } from '../cli/dry-run.formatter';
import { TemplateEngine } from '../templates/template-engine';
import { removeDir, SOURCES_YAML, workflowDir, yamlLines } from '../workflows/workflow-dir.fixture';
import { loadWorkflowDirectory } from '../workflows/workflow-loader';
import { DryRun, DryRunEventInput, DryRunReport } from './dry-run';

const NOW = new Date('2030-01-31T09:00:00.000Z');
const dirs: string[] = [];
let emptyDir: string;

before(async () => {
  emptyDir = await workflowDir({});
  dirs.push(emptyDir);
});
after(async () => Promise.all(dirs.map(removeDir)));

async function dryRun(steps: string[], event: DryRunEventInput): Promise<DryRunReport> {
  const dir = await workflowDir({ 'sources.yaml': SOURCES_YAML, 'wf.yaml': yamlLines('name: wf', 'on:', '  webhook: shop', 'steps:', ...steps) });
  dirs.push(dir);
  const loaded = await loadWorkflowDirectory(dir, new TemplateEngine());
  assert.deepEqual(loaded.problems, []);
  return (await DryRun.standalone(loadSettings({}, emptyDir))).run(loaded.workflows.get('wf')!, event, { sources: loaded.sources, now: NOW });
}

const NOTIFY_EACH = [
  '  - id: notify',
  '    uses: http',
  '    for_each: "{{event.body.order.items}}"',
  '    max_items: 3',
  '    if: "{{item.ship}}"',
  '    with:',
  '      url: "https://warehouse.example/items/{{item.sku}}"',
  '      headers: { Authorization: "Bearer {{secrets.WAREHOUSE_TOKEN}}" }',
  '      body: { position: "{{index}}" }',
  '  - id: count',
  '    uses: set',
  '    with: { first: "{{steps.notify.output.0.status}}" }',
];

describe('DryRun: for_each', () => {
  it('shows the request of each item, with its own idempotency key, and skips items whose if is false', async () => {
    const report = await dryRun(NOTIFY_EACH, {
      body: {
        order: {
          items: [
            { sku: 'A-1', ship: true },
            { sku: 'B-2', ship: false },
            { sku: 'C-3', ship: true },
          ],
        },
      },
    });
    const [notify] = report.steps;
    assert.equal(notify.status, 'would-run');
    assert.deepEqual(
      notify.items!.map((item) => [item.index, item.status]),
      [
        [0, 'would-run'],
        [1, 'skipped'],
        [2, 'would-run'],
      ],
    );
    const first = notify.items![0].plan!.detail as { url: string; headers: Record<string, string>; body: string };
    assert.equal(first.url, 'https://warehouse.example/items/A-1');
    assert.equal(first.headers.authorization ?? first.headers.Authorization, 'Bearer [secret]');
    assert.equal(first.headers['idempotency-key'] ?? first.headers['Idempotency-Key'], 'dry-run:notify:0');
    assert.deepEqual(JSON.parse(first.body), { position: 0 });

    const text = formatDryRun(report);
    assert.match(text, /for_each: 3 items\n {3}item 0:\n {6}if \{\{item.ship\}\}: true\n {6}POST https:\/\/warehouse.example\/items\/A-1\n/);
    assert.match(text, /item 1:\n {6}if \{\{item.ship\}\}: false\n {6}skipped: its `if` is false\n/);
  });

  it('skips the whole step when its if reads neither item nor index and is false', async () => {
    const steps = NOTIFY_EACH.map((line) => line.replace('{{item.ship}}', '{{event.body.ship}}'));
    const report = await dryRun(steps, { body: { ship: false, order: { items: [{ sku: 'A-1' }] } } });
    assert.equal(report.steps[0].status, 'skipped');
    assert.equal(report.steps[0].items, undefined);
  });

  it('would fail the step with the count and the cap when there are too many items', async () => {
    const report = await dryRun(NOTIFY_EACH, { body: { order: { items: [1, 2, 3, 4] } } });
    assert.equal(report.steps[0].status, 'would-fail');
    assert.equal(report.steps[0].reason, '`for_each` of step notify gave 4 items, more than its max_items of 3: no item was run');
  });
});
