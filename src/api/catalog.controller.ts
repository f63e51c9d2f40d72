import { Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation } from '@nestjs/swagger';
import { AdminApiController } from './admin-api.decorator';
import { CatalogAnswer } from './catalog.models';
import { Catalog } from './catalog';

@AdminApiController('api/catalog', 'catalog')
export class CatalogController {
  constructor(private readonly catalog: Catalog) {}

  @Get()
  @ApiOperation({ summary: 'What workflows are built from: step kinds with the JSON Schema of their `with`, verification schemes, template helpers' })
  @ApiOkResponse({ type: CatalogAnswer })
  get() {
    return this.catalog.get();
  }
}
