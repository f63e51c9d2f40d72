import { Body, Controller, Get, HttpCode, Param, Post, UseGuards } from '@nestjs/common';
import { AdminTokenGuard } from './admin-token.guard';
import { WorkflowQueries } from './workflow-queries.service';
import { ValidateWorkflowBody, WorkflowNameParams } from './workflows.dto';

@Controller('api/workflows')
@UseGuards(AdminTokenGuard)
export class WorkflowsController {
  constructor(private readonly queries: WorkflowQueries) {}

  @Get()
  list() {
    return this.queries.list();
  }

  @Post('validate')
  @HttpCode(200)
  validate(@Body() { yaml, file }: ValidateWorkflowBody) {
    return this.queries.validate(yaml, file);
  }

  @Get(':name')
  get(@Param() { name }: WorkflowNameParams) {
    return this.queries.get(name);
  }
}
