import 'reflect-metadata';
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ClockModule } from '../common/clock.module';
import { ConfigModule } from '../config/config.module';
import type { Settings } from '../config/settings';
import { TemplateEngine } from '../templates/template-engine';
import { loadWorkflowDirectory } from '../workflows/workflow-loader';
import { removeDir, SOURCES_YAML, workflowDir, yamlLines } from '../workflows/workflow-dir.fixture';
import { ConnectorRegistry } from './connector.registry';
import { ConnectorsModule } from './connectors.module';
import { StepKindDeclaration, StepWithFields, withKeysOf } from './step-kind';
import { stepKinds } from './step-kind-catalog';

const settings = { HOOKFLOW_OUTBOUND_ALLOW: [], HOOKFLOW_SMTP_URL: 'smtp://127.0.0.1:2525' } as unknown as Settings;

@Module({ imports: [ConfigModule.forRoot(settings), ClockModule, ConnectorsModule] })
class TestModule {}

const dirs: string[] = [];
after(async () => Promise.all(dirs.map(removeDir)));

/** What is missing from a declaration; empty when it is complete. */
function missingParts(declaration: StepKindDeclaration): string[] {
  const text = (value: unknown) => typeof value === 'string' && value.trim() !== '';
  const schema = (value: unknown) => typeof value === 'object' && value !== null && (value as { type?: unknown }).type === 'object';
  const prototype = (declaration.connector as { prototype?: Record<string, unknown> } | undefined)?.prototype;
  const checks: Array<[string, boolean]> = [
    ['kind', text(declaration.kind) && /^[a-z][a-z0-9_-]*$/.test(declaration.kind)],
    ['article', declaration.article === 'a' || declaration.article === 'an'],
    ['title', text(declaration.title)],
    ['icon', text(declaration.icon)],
    ['description', text(declaration.description)],
    ['order', Number.isFinite(declaration.order)],
    ['withSchema', schema(declaration.withSchema)],
    ['outputSchema', schema(declaration.outputSchema)],
    ['hasEffects', typeof declaration.hasEffects === 'boolean'],
    ['validate', typeof declaration.validate === 'function'],
    ['describePlan', typeof declaration.describePlan === 'function'],
    ['connector.execute', typeof prototype?.execute === 'function'],
    ['connector.plan', typeof prototype?.plan === 'function'],
  ];
  return checks.filter(([, ok]) => !ok).map(([part]) => part);
}

/** Runs a kind's rules on a `with` where every key is absent, then present, noting the keys the rules read. */
function keysReadBy(declaration: StepKindDeclaration): { read: Set<string>; required: Set<string> } {
  const read = new Set<string>();
  const required = new Set<string>();
  for (const present of [false, true]) {
    const note = (key: string | undefined) => key !== undefined && read.add(key);
    const fields: StepWithFields = {
      has: (key) => (note(key), present),
      isTemplate: () => false,
      report: (key) => note(key),
      require: (key) => {
        note(key);
        if (!present) required.add(key);
        return present;
      },
      string: (key) => (note(key), undefined),
      map: (key) => (note(key), undefined),
      stringOrList: (key) => note(key),
      listOrTemplate: (key) => note(key),
      scalarMap: (key) => note(key),
      scalars: (key) => (note(key), []),
      reportAt: () => undefined,
    };
    declaration.validate(fields);
  }
  return { read, required };
}

describe('step kinds', () => {
  it('discovers the kinds from their files, each declaring every part', () => {
    const kinds = stepKinds();
    const files = readdirSync(__dirname).filter((file) => file.endsWith('.step-kind.js'));
    assert.ok(kinds.length > 0);
    assert.equal(kinds.length, files.length, `one declaration per kind file (${files.join(', ')})`);
    for (const declaration of kinds) assert.deepEqual(missingParts(declaration), [], `step kind ${declaration.kind} is incomplete`);
    assert.equal(new Set(kinds.map((declaration) => declaration.order)).size, kinds.length, 'two kinds share an order');
  });

  it('notices a declaration that lacks a part', () => {
    const { title: _title, connector: _connector, ...incomplete } = stepKinds()[0];
    assert.deepEqual(missingParts(incomplete as StepKindDeclaration), ['title', 'connector.execute', 'connector.plan']);
  });

  it("each kind's validation rules read only keys its schema declares, and require what it requires", () => {
    for (const declaration of stepKinds()) {
      const { read, required } = keysReadBy(declaration);
      const keys = withKeysOf(declaration);
      if (keys !== undefined)
        assert.deepEqual(
          [...read].filter((key) => !keys.includes(key)),
          [],
          `${declaration.kind} reads keys its schema lacks`,
        );
      assert.deepEqual([...required].sort(), [...(declaration.withSchema.required ?? [])].sort(), `${declaration.kind}: required keys`);
    }
  });

  it('the workflow validator accepts exactly the keys of each schema', async () => {
    for (const declaration of stepKinds()) {
      const keys = Object.keys(declaration.withSchema.properties ?? {});
      const withLines = [...keys, 'not_in_schema'].map((key) => `      ${key}: "x"`);
      const text = yamlLines('name: w', 'on:', '  webhook: shop', 'steps:', '  - id: s', `    uses: ${declaration.kind}`, '    with:', ...withLines);
      const dir = await workflowDir({ 'sources.yaml': SOURCES_YAML, 'w.yaml': text });
      dirs.push(dir);
      const loaded = await loadWorkflowDirectory(dir, new TemplateEngine());
      const unknown = loaded.problems.filter((problem) => problem.message.startsWith('unknown key')).map((problem) => problem.message);
      const expected = declaration.withSchema.additionalProperties === true ? [] : [/`not_in_schema`/];
      assert.equal(unknown.length, expected.length, `${declaration.kind}: ${unknown.join('; ')}`);
      expected.forEach((pattern, index) => assert.match(unknown[index], pattern));
    }
  });
});

describe(ConnectorRegistry.name, () => {
  it('gives the connector of every step kind from the Nest module', async () => {
    const app = await NestFactory.createApplicationContext(TestModule, { logger: false });
    try {
      const registry = app.get(ConnectorRegistry);
      for (const declaration of stepKinds()) assert.ok(registry.get(declaration.kind) instanceof declaration.connector, declaration.kind);
      assert.throws(() => registry.get('ftp'), /no connector for step kind "ftp"/);
    } finally {
      await app.close();
    }
  });

  it('plans a chat.postMessage call against slack.com by default', async () => {
    const app = await NestFactory.createApplicationContext(TestModule, { logger: false });
    try {
      const plan = app
        .get(ConnectorRegistry)
        .get('slack')
        .plan({ token: '[secret]', channel: '#ops', text: 'hi' }, { idempotencyKey: 'k', now: () => new Date() });
      assert.equal(plan.summary, 'POST https://slack.com/api/chat.postMessage');
    } finally {
      await app.close();
    }
  });
});
