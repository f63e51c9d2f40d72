import { MessageEvent, Sse } from '@nestjs/common';
import { ApiExtraModels, ApiOkResponse, ApiOperation, ApiProduces, ApiQuery, getSchemaPath } from '@nestjs/swagger';
import { Observable } from 'rxjs';
import { AdminApiController } from './admin-api.decorator';
import { ChangeMessageModel } from './api-models';
import { ChangeFeed } from './change-feed';
import { QueryTokenAllowed } from './query-token.decorator';

@AdminApiController('api/stream', 'stream')
@ApiExtraModels(ChangeMessageModel)
export class StreamController {
  constructor(private readonly feed: ChangeFeed) {}

  /** The token may come as `?access_token=`, since EventSource sends no headers. */
  @Sse()
  @QueryTokenAllowed()
  @ApiOperation({
    summary: 'Server-sent events of changes',
    description:
      'One JSON object per message: `{ type, run_id, workflow, status }` with type `run.created`, `run.updated`, ' +
      '`step.updated` (with `step_id`) or `event.received` (with `event_id`).',
  })
  @ApiOkResponse({ description: "Each message's `data` is one ChangeMessageModel as JSON", schema: { $ref: getSchemaPath(ChangeMessageModel) } })
  @ApiProduces('text/event-stream')
  @ApiQuery({ name: 'access_token', required: false, description: 'The admin token, for clients that cannot send headers (taken on this route only)' })
  stream(): Observable<MessageEvent> {
    return this.feed.stream();
  }
}
