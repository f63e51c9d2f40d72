import { Controller, MessageEvent, Sse, UseGuards } from '@nestjs/common';
import { Observable } from 'rxjs';
import { AdminTokenGuard } from './admin-token.guard';
import { ChangeFeed } from './change-feed.service';

@Controller('api/stream')
@UseGuards(AdminTokenGuard)
export class StreamController {
  constructor(private readonly feed: ChangeFeed) {}

  /** Server-sent events; the token may come as `?access_token=`, since EventSource sends no headers. */
  @Sse()
  stream(): Observable<MessageEvent> {
    return this.feed.stream();
  }
}
