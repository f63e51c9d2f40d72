import { Body, Controller, Get, HttpCode, Param, Post, Query, UseGuards } from '@nestjs/common';
import { RunCommands } from '../engine/run-commands.service';
import { AdminTokenGuard } from './admin-token.guard';
import { BulkActions } from './bulk-actions.service';
import { EventQueries } from './event-queries.service';
import { ListEventsQuery, ReplayEventsBody } from './events.dto';
import { UuidParams } from './runs.dto';

@Controller('api/events')
@UseGuards(AdminTokenGuard)
export class EventsController {
  constructor(
    private readonly queries: EventQueries,
    private readonly commands: RunCommands,
    private readonly bulk: BulkActions,
  ) {}

  @Get()
  list(@Query() query: ListEventsQuery) {
    return this.queries.list(query);
  }

  @Get(':id')
  get(@Param() { id }: UuidParams) {
    return this.queries.get(id);
  }

  @Post('replay')
  @HttpCode(202)
  replayMany(@Body() { limit, ...filter }: ReplayEventsBody) {
    return this.bulk.replayEvents(filter, limit);
  }

  @Post(':id/replay')
  @HttpCode(202)
  replay(@Param() { id }: UuidParams) {
    return this.commands.replayEvent(id);
  }
}
