import { Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation } from '@nestjs/swagger';
import { AdminApiController } from './admin-api.decorator';
import { SourceListModel } from './api-models';
import { SourceQueries } from './source-queries';

@AdminApiController('api/sources', 'sources')
export class SourcesController {
  constructor(private readonly queries: SourceQueries) {}

  @Get()
  @ApiOperation({ summary: 'Each webhook source with accepted and rejected requests in the last 24 h and recent signature failures' })
  @ApiOkResponse({ type: SourceListModel })
  list() {
    return this.queries.list();
  }
}
