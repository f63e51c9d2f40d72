import { Body, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiAcceptedResponse, ApiConflictResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation } from '@nestjs/swagger';
import { RunCommands } from '../engine/run-commands';
import { RunQueries } from '../engine/run-queries';
import { AdminApiController } from './admin-api.decorator';
import { CancelledAnswer, ErrorAnswer, RetriedAnswer, RunCommandAnswer, RunListModel, RunModel } from './api-models';
import { BulkActions } from './bulk-actions';
import { CancelRunsBody, ListRunsQuery, RetryRunsBody, UuidParams } from './runs.dto';

@AdminApiController('api/runs', 'runs')
export class RunsController {
  constructor(
    private readonly queries: RunQueries,
    private readonly commands: RunCommands,
    private readonly bulk: BulkActions,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Runs, newest first, filtered by workflow, status or event' })
  @ApiOkResponse({ type: RunListModel })
  list(@Query() query: ListRunsQuery) {
    return this.queries.list(query);
  }

  @Get(':id')
  @ApiOperation({ summary: 'One run with its steps: rendered inputs, outputs and every attempt' })
  @ApiOkResponse({ type: RunModel })
  @ApiNotFoundResponse({ type: ErrorAnswer })
  get(@Param() { id }: UuidParams) {
    return this.queries.get(id);
  }

  @Post('retry')
  @HttpCode(202)
  @ApiOperation({ summary: 'Retry the newest failed runs, of one workflow or all' })
  @ApiAcceptedResponse({ type: RetriedAnswer })
  retryMany(@Body() { workflow, limit }: RetryRunsBody) {
    return this.bulk.retryFailedRuns(workflow, limit);
  }

  @Post('cancel')
  @HttpCode(202)
  @ApiOperation({ summary: 'Cancel the newest unfinished (queued or running) runs that match the filters; steps in flight finish' })
  @ApiAcceptedResponse({ type: CancelledAnswer })
  cancelMany(@Body() { limit, ...filter }: CancelRunsBody) {
    return this.bulk.cancelRuns(filter, limit);
  }

  @Post(':id/retry')
  @HttpCode(202)
  @ApiOperation({ summary: 'Retry a failed or cancelled run from its failed steps, keeping earlier outputs' })
  @ApiAcceptedResponse({ type: RunCommandAnswer })
  @ApiNotFoundResponse({ type: ErrorAnswer })
  @ApiConflictResponse({ type: ErrorAnswer, description: 'The run is not failed or cancelled' })
  retry(@Param() { id }: UuidParams) {
    return this.commands.retryRun(id);
  }

  @Post(':id/cancel')
  @HttpCode(202)
  @ApiOperation({ summary: 'Cancel a queued, running or paused run; steps in flight finish, no new step starts' })
  @ApiAcceptedResponse({ type: RunCommandAnswer })
  @ApiNotFoundResponse({ type: ErrorAnswer })
  @ApiConflictResponse({ type: ErrorAnswer, description: 'The run has already finished' })
  cancel(@Param() { id }: UuidParams) {
    return this.commands.cancelRun(id);
  }
}
