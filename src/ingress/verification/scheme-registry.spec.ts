import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { discoverSchemes, missingParts, schemeCatalog, schemeNamed, verificationSchemes } from './scheme-registry';
import type { SchemeDeclaration } from './verification-scheme';
import { renderPreset } from './verification-test-kit';

/** How a declaration's `readOptions` reads each option: as any string, or as one of a list. */
function optionsRead(declaration: SchemeDeclaration): Record<string, 'string' | readonly string[]> {
  const read: Record<string, 'string' | readonly string[]> = {};
  declaration.readOptions({
    string: (option) => {
      read[option] = 'string';
      return 'X-Some-Value';
    },
    oneOf: (option, allowed) => {
      read[option] = allowed;
      return allowed[0];
    },
  });
  return read;
}

/** The same, as the options schema describes it (`secret` is read by the sources validator for every scheme). */
function optionsDescribed(declaration: SchemeDeclaration): Record<string, 'string' | readonly string[]> {
  const described: Record<string, 'string' | readonly string[]> = {};
  for (const [option, schema] of Object.entries(declaration.optionsSchema.properties)) {
    if (option !== 'secret') described[option] = schema.enum ?? 'string';
  }
  return described;
}

const COMPLETE_DECLARATION = `{
  scheme: 'ok',
  optionsSchema: { type: 'object', description: 'd', properties: {}, required: [], additionalProperties: false },
  readOptions: () => ({}),
  preset: { eventType: '' },
  handshake: null,
  credentialHeaders: () => [],
  verify: () => ({ ok: true }),
}`;

describe('scheme registry', () => {
  const schemes = [...verificationSchemes().values()];
  const folders: string[] = [];
  after(() => folders.forEach((folder) => rmSync(folder, { recursive: true, force: true })));

  function folderWith(files: Record<string, string>): string {
    const folder = mkdtempSync(join(tmpdir(), 'hookflow-schemes-'));
    folders.push(folder);
    for (const [name, text] of Object.entries(files)) writeFileSync(join(folder, name), text);
    return folder;
  }

  it('loads every scheme file of its folder, each complete and named like its file', () => {
    const files = readdirSync(__dirname).filter((file) => /\.scheme\.js$/.test(file));
    assert.deepEqual(
      schemes.map((scheme) => `${scheme.scheme}.scheme.js`),
      files.sort(),
    );
    for (const scheme of schemes) assert.deepEqual(missingParts(scheme, scheme.scheme), [], scheme.scheme);
  });

  it('describes each scheme and each of its options', () => {
    for (const { scheme, optionsSchema } of schemes) {
      assert.ok(optionsSchema.description.length > 0, scheme);
      for (const [option, schema] of Object.entries(optionsSchema.properties)) {
        assert.ok(schema.description.length > 0, `${scheme}: ${option}`);
      }
      for (const option of optionsSchema.required) assert.ok(Object.hasOwn(optionsSchema.properties, option), `${scheme}: ${option}`);
    }
  });

  it("reads exactly the options its options schema lists, with the schema's allowed values", () => {
    for (const scheme of schemes) assert.deepEqual(optionsRead(scheme), optionsDescribed(scheme), scheme.scheme);
  });

  it('presets an empty event type, not an error, when the values a preset looks up are absent', () => {
    for (const scheme of schemes) {
      const rendered = renderPreset(scheme.preset, { headers: {}, body: 'not json' });
      assert.equal(rendered.eventType, '', scheme.scheme);
      assert.ok(rendered.dedupeKey === undefined || rendered.dedupeKey === '', scheme.scheme);
    }
  });

  it('finds schemes by name only, never by an Object.prototype member', () => {
    assert.equal(schemeNamed('github')?.scheme, 'github');
    assert.equal(schemeNamed('toString'), undefined);
    assert.equal(schemeNamed('__proto__'), undefined);
  });

  it('lists each scheme in the catalog with its options schema and preset', () => {
    const catalog = schemeCatalog();
    assert.deepEqual(
      catalog.map((entry) => entry.scheme),
      schemes.map((scheme) => scheme.scheme),
    );
    const github = catalog.find((entry) => entry.scheme === 'github');
    assert.deepEqual(github?.preset, {
      event_type: '{{default event.headers.x-github-event ""}}',
      dedupe_key: '{{default event.headers.x-github-delivery ""}}',
    });
    assert.deepEqual(github?.options_schema.required, ['secret']);
    const none = catalog.find((entry) => entry.scheme === 'none');
    assert.deepEqual(none?.preset, { event_type: '{{default event.body.type ""}}', dedupe_key: null });
    assert.deepEqual(JSON.parse(JSON.stringify(catalog)), catalog, 'the catalog is plain JSON');
  });

  it('discovers only compiled scheme files, not their specs, maps or helpers', () => {
    const loadingFails = 'throw new Error("must not be loaded");';
    const folder = folderWith({
      'ok.scheme.js': `exports.default = ${COMPLETE_DECLARATION};`,
      'ok.scheme.spec.js': loadingFails,
      'ok.scheme.js.map': '{}',
      'helper.js': loadingFails,
    });
    assert.deepEqual([...discoverSchemes(folder).keys()], ['ok']);
  });

  it('refuses a scheme file that lacks a part, naming the file and the parts', () => {
    const broken = folderWith({ 'broken.scheme.js': 'exports.default = { scheme: "broken", verify() {}, handshake: undefined };' });
    assert.throws(
      () => discoverSchemes(broken),
      /broken\.scheme\.js lacks an options schema, readOptions, a preset event type, a handshake \(null when none\), credential headers$/,
    );
    const misnamed = folderWith({ 'misnamed.scheme.js': `exports.default = ${COMPLETE_DECLARATION};` });
    assert.throws(() => discoverSchemes(misnamed), /misnamed\.scheme\.js lacks the name `misnamed` \(its file's name\)$/);
    const bare = folderWith({ 'bare.scheme.js': 'exports.verify = () => ({ ok: true });' });
    assert.throws(() => discoverSchemes(bare), /bare\.scheme\.js lacks a default export made with defineScheme$/);
  });
});
