import { Body, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiAcceptedResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation } from '@nestjs/swagger';
import { RunCommands } from '../engine/run-commands';
import { AdminApiController } from './admin-api.decorator';
import { BulkReplayAnswer, ErrorAnswer, EventListModel, EventModel, ReplayAnswer } from './api-models';
import { BulkActions } from './bulk-actions';
import { EventQueries } from './event-queries';
import { ListEventsQuery, ReplayEventsBody } from './events.dto';
import { UuidParams } from './runs.dto';

@AdminApiController('api/events', 'events')
export class EventsController {
  constructor(
    private readonly queries: EventQueries,
    private readonly commands: RunCommands,
    private readonly bulk: BulkActions,
  ) {}

  @Get()
  @ApiOperation({ summary: 'The event log, newest first, searchable by source, type, status and text in the body' })
  @ApiOkResponse({ type: EventListModel })
  list(@Query() query: ListEventsQuery) {
    return this.queries.list(query);
  }

  @Get(':id')
  @ApiOperation({ summary: 'One event with its headers (credentials as [secret]), raw body and runs' })
  @ApiOkResponse({ type: EventModel })
  @ApiNotFoundResponse({ type: ErrorAnswer })
  get(@Param() { id }: UuidParams) {
    return this.queries.get(id);
  }

  @Post('replay')
  @HttpCode(202)
  @ApiOperation({ summary: 'Replay the newest events that match the filters against the current workflows' })
  @ApiAcceptedResponse({ type: BulkReplayAnswer })
  replayMany(@Body() { limit, ...filter }: ReplayEventsBody) {
    return this.bulk.replayEvents(filter, limit);
  }

  @Post(':id/replay')
  @HttpCode(202)
  @ApiOperation({ summary: 'Replay one event: new runs against the current version of each matching workflow' })
  @ApiAcceptedResponse({ type: ReplayAnswer })
  @ApiNotFoundResponse({ type: ErrorAnswer })
  replay(@Param() { id }: UuidParams) {
    return this.commands.replayEvent(id);
  }
}
