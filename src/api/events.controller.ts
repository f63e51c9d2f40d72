import { Controller, HttpCode, Param, Post, UseGuards } from '@nestjs/common';
import { RunCommands } from '../engine/run-commands.service';
import { AdminTokenGuard } from './admin-token.guard';
import { UuidParams } from './runs.dto';

@Controller('api/events')
@UseGuards(AdminTokenGuard)
export class EventsController {
  constructor(private readonly commands: RunCommands) {}

  @Post(':id/replay')
  @HttpCode(202)
  replay(@Param() { id }: UuidParams) {
    return this.commands.replayEvent(id);
  }
}
