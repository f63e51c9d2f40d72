import { Body, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiNotFoundResponse, ApiOkResponse, ApiOperation } from '@nestjs/swagger';
import { AdminApiController } from './admin-api.decorator';
import { ErrorAnswer, PauseAnswer, SourceListModel } from './api-models';
import { PauseCommands } from './pause-commands';
import { PauseBody, SourceNameParams } from './pauses.dto';
import { SourceQueries } from './source-queries';

@AdminApiController('api/sources', 'sources')
export class SourcesController {
  constructor(
    private readonly queries: SourceQueries,
    private readonly pauses: PauseCommands,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Each webhook source with accepted and rejected requests in the last 24 h, recent signature failures and its pause' })
  @ApiOkResponse({ type: SourceListModel })
  list() {
    return this.queries.list();
  }

  @Post(':name/pause')
  @HttpCode(200)
  @ApiOperation({ summary: 'Pause a source: POST /hooks/:name answers 503 with Retry-After: 60 and stores nothing, so that senders retry later' })
  @ApiOkResponse({ type: PauseAnswer })
  @ApiNotFoundResponse({ type: ErrorAnswer, description: 'UNKNOWN_SOURCE' })
  pause(@Param() { name }: SourceNameParams, @Body() { by, reason }: PauseBody) {
    return this.pauses.pause('source', name, { by, reason });
  }

  @Post(':name/resume')
  @HttpCode(200)
  @ApiOperation({ summary: 'Resume a source: it accepts webhooks again' })
  @ApiOkResponse({ type: PauseAnswer })
  @ApiNotFoundResponse({ type: ErrorAnswer, description: 'UNKNOWN_SOURCE' })
  resume(@Param() { name }: SourceNameParams) {
    return this.pauses.resume('source', name);
  }
}
