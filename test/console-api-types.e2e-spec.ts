import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { consoleApiTypes, OpenApiDocument } from './support/api-types-generator';
import { startTestApp, TestApp } from './support/test-app';

const GENERATED = join(__dirname, '..', '..', 'src', 'console', 'web', 'src', 'api', 'api-models.generated.ts');

describe("the console's API types", () => {
  let hookflow: TestApp;

  before(async () => {
    hookflow = await startTestApp({ files: { 'sources.yaml': 'sources:\n  quiet:\n    verify: { scheme: none }\n' } });
  });

  after(async () => {
    await hookflow.close();
  });

  // `npm run api-types` runs this with UPDATE_API_TYPES=1 to write the file instead.
  it('are generated from the OpenAPI document as it is now', async () => {
    const document = (await hookflow.api('GET', '/api/docs/openapi.json')).body as OpenApiDocument;
    const generated = consoleApiTypes(document);
    if (process.env.UPDATE_API_TYPES === '1') await writeFile(GENERATED, generated);
    assert.equal(await readFile(GENERATED, 'utf8'), generated, 'src/console/web/src/api/api-models.generated.ts is out of date: run npm run api-types');
  });
});
