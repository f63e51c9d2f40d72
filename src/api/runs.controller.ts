import { Body, Controller, Get, HttpCode, Param, Post, Query, UseGuards } from '@nestjs/common';
import { RunCommands } from '../engine/run-commands.service';
import { RunQueries } from '../engine/run-queries.service';
import { AdminTokenGuard } from './admin-token.guard';
import { BulkActions } from './bulk-actions.service';
import { ListRunsQuery, RetryRunsBody, UuidParams } from './runs.dto';

@Controller('api/runs')
@UseGuards(AdminTokenGuard)
export class RunsController {
  constructor(
    private readonly queries: RunQueries,
    private readonly commands: RunCommands,
    private readonly bulk: BulkActions,
  ) {}

  @Get()
  list(@Query() query: ListRunsQuery) {
    return this.queries.list(query);
  }

  @Get(':id')
  get(@Param() { id }: UuidParams) {
    return this.queries.get(id);
  }

  @Post('retry')
  @HttpCode(202)
  retryMany(@Body() { workflow, limit }: RetryRunsBody) {
    return this.bulk.retryFailedRuns(workflow, limit);
  }

  @Post(':id/retry')
  @HttpCode(202)
  retry(@Param() { id }: UuidParams) {
    return this.commands.retryRun(id);
  }

  @Post(':id/cancel')
  @HttpCode(202)
  cancel(@Param() { id }: UuidParams) {
    return this.commands.cancelRun(id);
  }
}
