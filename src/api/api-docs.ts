import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const API_DOCS_PATH = 'api/docs';

/**
 * The management API in OpenAPI 3 at /api/docs (Swagger UI) and /api/docs/openapi.json.
 * Reading the document needs no token; every operation it describes does.
 */
export function serveApiDocs(app: INestApplication): void {
  const config = new DocumentBuilder()
    .setTitle('Hookflow management API')
    .setDescription(
      'Workflows, sources, events and runs of a Hookflow instance. Send the admin token as ' +
        '`Authorization: Bearer <token>`. Lists answer `{ items, next_cursor }`: pass `next_cursor` back as `cursor` ' +
        'for the next page. Errors answer `{ error: { code, message } }`.',
    )
    .setVersion(packageVersion())
    .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'The admin token (HOOKFLOW_ADMIN_TOKEN or <data dir>/admin-token)' })
    .build();
  const document = SwaggerModule.createDocument(app, config, {
    operationIdFactory: (controller, method) => `${controller.replace(/Controller$/, '')}_${method}`,
  });
  // Health, metrics, ingress and the console answer outside /api and are not part of it.
  document.paths = Object.fromEntries(Object.entries(document.paths).filter(([path]) => path.startsWith('/api/')));
  SwaggerModule.setup(API_DOCS_PATH, app, document, {
    jsonDocumentUrl: `${API_DOCS_PATH}/openapi.json`,
    yamlDocumentUrl: `${API_DOCS_PATH}/openapi.yaml`,
    customSiteTitle: 'Hookflow API',
  });
}

function packageVersion(): string {
  const manifest = JSON.parse(readFileSync(join(__dirname, '..', '..', '..', 'package.json'), 'utf8')) as { version: string };
  return manifest.version;
}
