import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { open, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Logger } from '@nestjs/common';
import { Settings } from '../config/settings';
import { TemplateEngine } from '../templates/template-engine';
import { WorkflowRegistry } from './workflow-registry';
import { ORDER_PAID_YAML, SOURCES_YAML, removeDir, workflowDir, writeFiles, yamlLines } from './workflow-dir.fixture';

const engine = new TemplateEngine();
const registries: WorkflowRegistry[] = [];
const dirs: string[] = [];

before(() => Logger.overrideLogger(false));
after(async () => {
  await Promise.all(registries.map((registry) => registry.onModuleDestroy()));
  await Promise.all(dirs.map(removeDir));
});

function scheduled(name: string, stepId = 'a'): string {
  return yamlLines(`name: ${name}`, 'on: { schedule: "0 * * * *" }', `steps: [{ id: ${stepId}, uses: set }]`);
}

/** A scheduled workflow whose one step starts `target`. */
function starts(name: string, target: string): string {
  return yamlLines(`name: ${name}`, 'on: { schedule: "0 * * * *" }', `steps: [{ id: go, uses: workflow, with: { name: ${target} } }]`);
}

async function startRegistry(files: Record<string, string>, watch = false): Promise<{ dir: string; registry: WorkflowRegistry }> {
  const dir = await workflowDir(files);
  dirs.push(dir);
  const registry = new WorkflowRegistry({ HOOKFLOW_WORKFLOWS_DIR: dir } as Settings, engine);
  registry.watch = watch;
  registries.push(registry);
  await registry.onModuleInit();
  return { dir, registry };
}

describe(WorkflowRegistry.name, () => {
  it('keeps the last valid destination settings while the file is invalid, and the defaults once it is gone', async () => {
    const { dir, registry } = await startRegistry({ 'sources.yaml': SOURCES_YAML, 'destinations.yaml': 'destinations:\n  - match: smtp\n    rate_limit: 2/s\n' });
    assert.equal(registry.destinationSettings().rules[0].rateLimit?.attempts, 2);
    await writeFiles(dir, { 'destinations.yaml': 'destinations:\n  - match: smtp\n    rate_limit: often\n' });
    await registry.reload();
    assert.equal(registry.destinationSettings().rules[0].rateLimit?.attempts, 2, 'the last valid version stays in force');
    assert.match(registry.problems()[0].message, /rate_limit/);
    await rm(join(dir, 'destinations.yaml'));
    await registry.reload();
    assert.deepEqual(registry.destinationSettings(), { defaults: {}, rules: [] });
  });

  it('serves the workflows and sources of the folder', async () => {
    const { registry } = await startRegistry({ 'sources.yaml': SOURCES_YAML, 'order-paid.yaml': ORDER_PAID_YAML, 'tick.yaml': scheduled('tick') });
    assert.deepEqual(registry.workflows().map((w) => w.name).sort(), ['order-paid', 'tick']);
    assert.equal(registry.getWorkflow('order-paid')?.file, 'order-paid.yaml');
    assert.deepEqual(registry.workflowsForSource('shop').map((w) => w.name), ['order-paid']);
    assert.deepEqual(registry.workflowsForSource('github'), []);
    assert.equal(registry.getSource('shop')?.verify.scheme, 'hmac-sha256');
    assert.deepEqual(registry.sources().map((s) => s.name), ['shop', 'github']);
    assert.deepEqual(registry.problems(), []);
  });

  it('keeps the last valid version of a file that becomes invalid, then picks up the fix', async () => {
    const { dir, registry } = await startRegistry({ 'tick.yaml': scheduled('tick', 'first') });
    await writeFiles(dir, { 'tick.yaml': yamlLines('name: tick', 'on: { schedule: "0 * * * *" }', 'steps: [{ id: a, uses: teleport }]') });
    await registry.reload();
    assert.equal(registry.getWorkflow('tick')?.steps[0].id, 'first');
    assert.deepEqual(registry.problems().map((p) => [p.file, p.line, p.column]), [[join(dir, 'tick.yaml'), 3, 24]]);
    assert.equal(registry.problemsFor('tick').length, 1);

    await writeFiles(dir, { 'tick.yaml': scheduled('tick', 'fixed') });
    await registry.reload();
    assert.equal(registry.getWorkflow('tick')?.steps[0].id, 'fixed');
    assert.deepEqual(registry.problems(), []);
  });

  it('drops the workflow of a deleted file and emits a change after each reload', async () => {
    const { dir, registry } = await startRegistry({ 'a.yaml': scheduled('a'), 'b.yaml': scheduled('b') });
    let changes = 0;
    const subscription = registry.changes$.subscribe(() => changes++);
    await rm(join(dir, 'b.yaml'));
    await registry.reload();
    subscription.unsubscribe();
    assert.deepEqual(registry.workflows().map((w) => w.name), ['a']);
    assert.equal(registry.getWorkflow('b'), undefined);
    assert.equal(changes, 1);
  });

  it('keeps the last valid sources while sources.yaml is invalid, without failing its workflows', async () => {
    const { dir, registry } = await startRegistry({ 'sources.yaml': SOURCES_YAML, 'order-paid.yaml': ORDER_PAID_YAML });
    await writeFiles(dir, { 'sources.yaml': 'sources: [oops', 'order-paid.yaml': `${ORDER_PAID_YAML}# edited\n` });
    await registry.reload();
    assert.equal(registry.getSource('shop')?.name, 'shop');
    assert.ok(registry.getWorkflow('order-paid')?.yaml.endsWith('# edited\n'), 'the edited workflow is in force');
    assert.deepEqual(registry.problems().map((p) => p.file), [join(dir, 'sources.yaml')]);

    await rm(join(dir, 'sources.yaml'));
    await registry.reload();
    assert.equal(registry.getSource('shop'), undefined);
  });

  it('does not let a kept old version shadow a valid file that took its name', async () => {
    const { dir, registry } = await startRegistry({ 'a.yaml': scheduled('one'), 'b.yaml': scheduled('two') });
    await writeFiles(dir, { 'a.yaml': scheduled('two', 'from-a') });
    await registry.reload();
    // a.yaml now claims `two` first, so b.yaml gets the problem and keeps its old version (also `two`).
    assert.equal(registry.getWorkflow('two')?.steps[0].id, 'from-a');
    assert.equal(registry.getWorkflow('one'), undefined);
    assert.match(registry.problems()[0].message, /already used/);
  });

  it('refuses a `workflow` step that closes a cycle with the version in force of a file that is now invalid', async () => {
    const { dir, registry } = await startRegistry({ 'a.yaml': starts('a', 'b'), 'b.yaml': scheduled('b') });
    await writeFiles(dir, { 'a.yaml': `${starts('a', 'b')}colour: blue\n`, 'b.yaml': starts('b', 'a') });
    await registry.reload();
    // a.yaml is invalid, so its version in force (a → b) still runs: b → a would close the loop.
    assert.equal(registry.getWorkflow('a')?.steps[0].uses, 'workflow');
    assert.equal(registry.getWorkflow('b')?.steps[0].uses, 'set');
    const problems = registry.problemsFor('b');
    assert.equal(problems.length, 1);
    assert.match(problems[0].message, /`with.name` starts workflows in a cycle: b → a → b/);
  });

  it('checks again with the versions kept in force for the files it refused', async () => {
    const { dir, registry } = await startRegistry({ 'a.yaml': starts('a', 'b'), 'b.yaml': scheduled('b') });
    // a now starts itself (refused, a → b stays in force), so b → a would loop through the kept a.
    await writeFiles(dir, { 'a.yaml': starts('a', 'a'), 'b.yaml': starts('b', 'a') });
    await registry.reload();
    assert.equal(registry.getWorkflow('a')?.steps[0].with.name, 'b');
    assert.equal(registry.getWorkflow('b')?.steps[0].uses, 'set');
    assert.match(registry.problemsFor('a')[0].message, /cycle: a → a$/);
    assert.match(registry.problemsFor('b')[0].message, /cycle: b → a → b$/);
  });

  it('reloads by itself when a file in the folder changes', async () => {
    const { dir, registry } = await startRegistry({ 'a.yaml': scheduled('a') }, true);
    // Give the watcher a moment to be ready before changing the folder.
    await new Promise((resolve) => setTimeout(resolve, 200));
    await writeFiles(dir, { 'b.yaml': scheduled('b') });
    const deadline = Date.now() + 2000;
    while (registry.getWorkflow('b') === undefined && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    assert.equal(registry.getWorkflow('b')?.name, 'b');
  });

  it('loads a file written in two parts only once it is whole', async () => {
    const { dir, registry } = await startRegistry({ 'a.yaml': scheduled('a') }, true);
    await new Promise((resolve) => setTimeout(resolve, 200));
    const stepsSeen: number[] = [];
    const subscription = registry.changes$.subscribe(() => {
      const steps = registry.getWorkflow('grow')?.steps.length;
      if (steps !== undefined) stepsSeen.push(steps);
    });
    // The first part alone is a valid workflow with two steps.
    const first = yamlLines('name: grow', 'on: { schedule: "0 * * * *" }', 'steps:', '  - { id: a, uses: set }', '  - { id: b, uses: set }');
    const file = await open(join(dir, 'grow.yaml'), 'w');
    try {
      await file.write(first);
      await new Promise((resolve) => setTimeout(resolve, 250));
      await file.write('  - { id: c, uses: set }\n');
    } finally {
      await file.close();
    }
    const deadline = Date.now() + 3000;
    while (registry.getWorkflow('grow')?.steps.length !== 3 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    subscription.unsubscribe();
    assert.deepEqual(stepsSeen, [3], 'never in force with two steps');
  });
});
