import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { stepKinds } from '../src/connectors/step-kind-catalog';
import { schemeNames } from '../src/ingress/verification/scheme-registry';
import { TemplateEngine } from '../src/templates/template-engine';
import { startTestApp, TestApp } from './support/test-app';

interface StepKindEntry {
  kind: string;
  title: string;
  icon: string;
  description: string;
  with_schema: { type: string; properties?: Record<string, { description?: string; default?: unknown }>; required?: string[] };
  output_schema: { type: string };
  has_effects: boolean;
}

interface SchemeEntry {
  scheme: string;
  options_schema: { properties: Record<string, unknown>; required?: string[] };
  preset: { event_type: string; dedupe_key: string | null };
}

describe('GET /api/catalog', () => {
  let hookflow: TestApp;

  before(async () => {
    hookflow = await startTestApp({ files: { 'sources.yaml': 'sources:\n  quiet:\n    verify: { scheme: none }\n' } });
  });

  after(async () => {
    await hookflow.close();
  });

  it('needs the admin token', async () => {
    const response = await fetch(`${hookflow.baseUrl}/api/catalog`);
    assert.equal(response.status, 401);
  });

  it('lists every step kind with its schemas, in the order the validator names them', async () => {
    const answer = await hookflow.api('GET', '/api/catalog');
    assert.equal(answer.status, 200);
    const kinds = answer.body.step_kinds as StepKindEntry[];
    assert.deepEqual(
      kinds.map((entry) => entry.kind),
      stepKinds().map((declaration) => declaration.kind),
    );
    const http = kinds.find((entry) => entry.kind === 'http')!;
    assert.equal(http.title, 'HTTP request');
    assert.equal(http.has_effects, true);
    assert.equal(http.with_schema.type, 'object');
    assert.deepEqual(http.with_schema.required, ['url']);
    assert.equal(http.with_schema.properties?.method?.default, 'POST');
    assert.ok(http.with_schema.properties?.url?.description);
    assert.equal(kinds.find((entry) => entry.kind === 'set')!.has_effects, false);
    for (const entry of kinds) {
      assert.ok(entry.title && entry.icon && entry.description, `${entry.kind} has a title, an icon and a description`);
      assert.equal(entry.output_schema.type, 'object', `${entry.kind} has an output schema`);
    }
  });

  it('lists the verification schemes with their options and presets', async () => {
    const schemes = (await hookflow.api('GET', '/api/catalog')).body.schemes as SchemeEntry[];
    const byName = new Map(schemes.map((entry) => [entry.scheme, entry]));
    assert.deepEqual([...byName.keys()].sort(), [...schemeNames()].sort());
    for (const shipped of ['api-key', 'basic', 'github', 'hmac-sha256', 'none', 'shopify', 'slack', 'standard-webhooks', 'stripe']) {
      assert.ok(byName.has(shipped), `the catalog lists ${shipped}`);
    }
    assert.deepEqual(byName.get('github')!.preset, {
      event_type: '{{default event.headers.x-github-event ""}}',
      dedupe_key: '{{default event.headers.x-github-delivery ""}}',
    });
    assert.equal(byName.get('none')!.preset.dedupe_key, null);
    assert.deepEqual(Object.keys(byName.get('hmac-sha256')!.options_schema.properties), ['secret', 'header', 'encoding']);
    assert.deepEqual(Object.keys(byName.get('none')!.options_schema.properties), []);
    assert.deepEqual(byName.get('stripe')!.options_schema.required, ['secret']);
  });

  it('lists every helper a template may call, each with a signature and a description', async () => {
    const helpers = (await hookflow.api('GET', '/api/catalog')).body.helpers as { name: string; signature: string; description: string }[];
    const engine = new TemplateEngine();
    assert.ok(helpers.length > 10);
    for (const helper of helpers) {
      assert.ok(helper.signature.startsWith(`${helper.name} `) && helper.description, helper.name);
      // A listed helper is one the template engine accepts with the arguments its signature names.
      const args = helper.signature
        .split(' ')
        .slice(1)
        .filter((word) => word !== '…')
        .map(() => '1');
      assert.doesNotThrow(() => engine.compile(`{{${helper.name} ${args.join(' ')}}}`), helper.name);
    }
    assert.ok(helpers.some((helper) => helper.name === 'default'));
  });

  it('is described in the OpenAPI document', async () => {
    const document = (await hookflow.api('GET', '/api/docs/openapi.json')).body as {
      paths: Record<string, { get?: { responses: Record<string, { content?: Record<string, { schema: { $ref?: string } }> }> } }>;
      components: { schemas: Record<string, { properties: Record<string, unknown> }> };
    };
    const ok = document.paths['/api/catalog']?.get?.responses['200'];
    assert.equal(ok?.content?.['application/json']?.schema.$ref, '#/components/schemas/CatalogAnswer');
    assert.deepEqual(Object.keys(document.components.schemas.CatalogAnswer.properties), ['step_kinds', 'schemes', 'helpers']);
    assert.deepEqual(Object.keys(document.components.schemas.StepKindModel.properties), [
      'kind',
      'title',
      'icon',
      'description',
      'with_schema',
      'output_schema',
      'has_effects',
    ]);
  });
});
