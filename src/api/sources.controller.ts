import { Controller, Get, UseGuards } from '@nestjs/common';
import { AdminTokenGuard } from './admin-token.guard';
import { SourceQueries } from './source-queries.service';

@Controller('api/sources')
@UseGuards(AdminTokenGuard)
export class SourcesController {
  constructor(private readonly queries: SourceQueries) {}

  @Get()
  list() {
    return this.queries.list();
  }
}
