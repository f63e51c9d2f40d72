import { Body, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiNotFoundResponse, ApiOkResponse, ApiOperation } from '@nestjs/swagger';
import { AdminApiController } from './admin-api.decorator';
import { ErrorAnswer, ValidationAnswer, WorkflowListModel, WorkflowModel } from './api-models';
import { WorkflowQueries } from './workflow-queries';
import { ValidateWorkflowBody, WorkflowNameParams } from './workflows.dto';

@AdminApiController('api/workflows', 'workflows')
export class WorkflowsController {
  constructor(private readonly queries: WorkflowQueries) {}

  @Get()
  @ApiOperation({ summary: 'Loaded workflows with their trigger, last run and 24-hour success rate' })
  @ApiOkResponse({ type: WorkflowListModel })
  list() {
    return this.queries.list();
  }

  @Post('validate')
  @HttpCode(200)
  @ApiOperation({ summary: 'Check a workflow file without loading it: problems with line and column, and its graph' })
  @ApiOkResponse({ type: ValidationAnswer })
  validate(@Body() { yaml, file }: ValidateWorkflowBody) {
    return this.queries.validate(yaml, file);
  }

  @Get(':name')
  @ApiOperation({ summary: 'One workflow: its YAML, validation problems and graph (trigger, steps, needs edges)' })
  @ApiOkResponse({ type: WorkflowModel })
  @ApiNotFoundResponse({ type: ErrorAnswer })
  get(@Param() { name }: WorkflowNameParams) {
    return this.queries.get(name);
  }
}
