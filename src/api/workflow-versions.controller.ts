import { Get, Param } from '@nestjs/common';
import { ApiNotFoundResponse, ApiOkResponse, ApiOperation } from '@nestjs/swagger';
import { AdminApiController } from './admin-api.decorator';
import { ErrorAnswer, WorkflowVersionListModel, WorkflowVersionModel } from './api-models';
import { WorkflowVersionQueries } from './workflow-version-queries';
import { WorkflowNameParams, WorkflowVersionParams } from './workflows.dto';

@AdminApiController('api/workflows', 'workflows')
export class WorkflowVersionsController {
  constructor(private readonly queries: WorkflowVersionQueries) {}

  @Get(':name/versions')
  @ApiOperation({ summary: 'Every version of a workflow that was in force, newest first, with its number of runs; a deleted workflow’s too' })
  @ApiOkResponse({ type: WorkflowVersionListModel })
  @ApiNotFoundResponse({ type: ErrorAnswer, description: 'UNKNOWN_WORKFLOW: no version of that name is in force or stored' })
  list(@Param() { name }: WorkflowNameParams) {
    return this.queries.list(name);
  }

  @Get(':name/versions/:revision')
  @ApiOperation({ summary: 'One version of a workflow: its YAML and graph as it ran' })
  @ApiOkResponse({ type: WorkflowVersionModel })
  @ApiNotFoundResponse({ type: ErrorAnswer, description: 'UNKNOWN_WORKFLOW, or UNKNOWN_WORKFLOW_VERSION when the workflow never had that revision' })
  get(@Param() { name, revision }: WorkflowVersionParams) {
    return this.queries.get(name, revision);
  }
}
