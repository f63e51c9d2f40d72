import { Body, HttpCode, Post } from '@nestjs/common';
import { ApiNotFoundResponse, ApiOkResponse, ApiOperation } from '@nestjs/swagger';
import { AdminApiController } from './admin-api.decorator';
import { ErrorAnswer } from './api-models';
import { DryRunBody } from './dry-run.dto';
import { DryRunAnswer } from './dry-run.models';
import { EventDryRun } from './event-dry-run';

@AdminApiController('api/dry-run', 'dry run')
export class DryRunController {
  constructor(private readonly dryRun: EventDryRun) {}

  @Post()
  @HttpCode(200)
  @ApiOperation({
    summary: 'What every workflow of the event’s source would do with a stored or pasted event: matches and the exact requests; nothing is sent or stored',
  })
  @ApiOkResponse({ type: DryRunAnswer })
  @ApiNotFoundResponse({ type: ErrorAnswer, description: 'No stored event with this id' })
  preview(@Body() { event_id, source, body, ...rest }: DryRunBody) {
    if (event_id !== undefined) return this.dryRun.ofStoredEvent(event_id);
    return this.dryRun.ofPastedEvent({ source: source!, body, ...rest });
  }
}
