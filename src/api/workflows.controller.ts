import { Body, Delete, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiForbiddenResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiPayloadTooLargeResponse,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import { ManualRuns } from '../engine/manual-runs';
import { WorkflowEditor } from '../workflows/workflow-editor';
import { AdminApiController } from './admin-api.decorator';
import {
  ErrorAnswer,
  InvalidWorkflowAnswer,
  ManualRunAnswer,
  PauseAnswer,
  SavedWorkflowModel,
  ValidationAnswer,
  WorkflowConflictAnswer,
  WorkflowListModel,
  WorkflowFileModel,
  WorkflowModel,
} from './api-models';
import { WorkflowComparisonAnswer, WorkflowPreviewModel, WorkflowTestsAnswer } from './dry-run.models';
import { PauseCommands } from './pause-commands';
import { PauseBody } from './pauses.dto';
import { WorkflowDraftTests } from './workflow-draft-tests';
import { WorkflowDraftTrial } from './workflow-draft-trial';
import { WorkflowQueries } from './workflow-queries';
import {
  CompareWorkflowBody,
  CreateWorkflowBody,
  DeleteWorkflowQuery,
  EditableWorkflowParams,
  PreviewWorkflowBody,
  SaveWorkflowBody,
  StartRunBody,
  TestWorkflowBody,
  ValidateWorkflowBody,
  WorkflowNameParams,
} from './workflows.dto';

const READ_ONLY = {
  type: ErrorAnswer,
  description: 'WORKFLOWS_READ_ONLY (HOOKFLOW_EDITOR=off, or the folder is not writable) or WORKFLOW_FILE_REFUSED (the sources file, a symbolic link)',
};

@AdminApiController('api/workflows', 'workflows')
export class WorkflowsController {
  constructor(
    private readonly queries: WorkflowQueries,
    private readonly editor: WorkflowEditor,
    private readonly trial: WorkflowDraftTrial,
    private readonly tests: WorkflowDraftTests,
    private readonly manualRuns: ManualRuns,
    private readonly pauses: PauseCommands,
  ) {}

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

  @Post('preview')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Dry run of unsaved YAML with a stored or pasted event: whether it matches and the exact request of each step; nothing is sent or stored',
  })
  @ApiOkResponse({ type: WorkflowPreviewModel })
  @ApiUnprocessableEntityResponse({ type: InvalidWorkflowAnswer, description: 'The YAML has problems' })
  @ApiNotFoundResponse({ type: ErrorAnswer, description: 'No stored event with this id' })
  preview(@Body() { yaml, event_id, event }: PreviewWorkflowBody) {
    return this.trial.preview(yaml, event ? { event } : { event_id: event_id! });
  }

  @Post('compare')
  @HttpCode(200)
  @ApiOperation({ summary: 'Time travel: what the event’s run of this workflow sent, step by step, beside what the unsaved YAML would send' })
  @ApiOkResponse({ type: WorkflowComparisonAnswer })
  @ApiUnprocessableEntityResponse({ type: InvalidWorkflowAnswer, description: 'The YAML has problems' })
  @ApiNotFoundResponse({ type: ErrorAnswer, description: 'NOT_FOUND: no such event; NO_RUN_TO_COMPARE: the event has no run of this workflow' })
  compare(@Body() { yaml, event_id }: CompareWorkflowBody) {
    return this.trial.compare(yaml, event_id);
  }

  @Post('tests')
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Run the test files of the workflow (tests/*.test.yaml in the workflows folder) against its unsaved YAML: pass or fail per test, with the differences; nothing is sent',
  })
  @ApiOkResponse({ type: WorkflowTestsAnswer })
  @ApiUnprocessableEntityResponse({ type: InvalidWorkflowAnswer, description: 'The YAML has problems' })
  test(@Body() { yaml }: TestWorkflowBody) {
    return this.tests.run(yaml);
  }

  @Get(':name')
  @ApiOperation({ summary: 'One workflow: its YAML, validation problems and graph (trigger, steps, needs edges)' })
  @ApiOkResponse({ type: WorkflowModel })
  @ApiNotFoundResponse({ type: ErrorAnswer })
  get(@Param() { name }: WorkflowNameParams) {
    return this.queries.get(name);
  }

  @Post(':name/runs')
  @HttpCode(202)
  @ApiOperation({
    summary: 'Run now: store an event of source manual and start a real run of the workflow on its version in force, whatever its trigger (schedule-only too)',
  })
  @ApiAcceptedResponse({ type: ManualRunAnswer })
  @ApiNotFoundResponse({ type: ErrorAnswer, description: 'UNKNOWN_WORKFLOW: no workflow of that name is loaded' })
  @ApiBadRequestResponse({
    type: ErrorAnswer,
    description: 'INVALID_JSON or VALIDATION_FAILED (body missing, headers not names to strings or too large); nothing stored',
  })
  @ApiUnprocessableEntityResponse({ type: ErrorAnswer, description: 'RESERVED_HEADER: an x-hookflow-* header; nothing stored' })
  @ApiPayloadTooLargeResponse({ type: ErrorAnswer, description: 'PAYLOAD_TOO_LARGE: the request is over 1 MiB; nothing stored' })
  runNow(@Param() { name }: WorkflowNameParams, @Body() { body, headers, type }: StartRunBody) {
    return this.manualRuns.start(name, { body, headers, type });
  }

  @Get(':name/file')
  @ApiOperation({
    summary: 'The file a save of this workflow replaces, as it is on disk, with its revision and problems; also a file that has never been valid',
  })
  @ApiOkResponse({ type: WorkflowFileModel })
  @ApiNotFoundResponse({ type: ErrorAnswer })
  file(@Param() { name }: EditableWorkflowParams) {
    return this.editor.open(name);
  }

  @Post()
  @ApiOperation({ summary: 'Create a workflow: writes <name>.yaml from the name in the YAML and loads it before answering' })
  @ApiCreatedResponse({ type: SavedWorkflowModel })
  @ApiConflictResponse({ type: ErrorAnswer, description: 'WORKFLOW_EXISTS: a workflow of that name, or its file, exists' })
  @ApiUnprocessableEntityResponse({ type: InvalidWorkflowAnswer, description: 'The YAML has problems; nothing was written' })
  @ApiForbiddenResponse(READ_ONLY)
  create(@Body() { yaml }: CreateWorkflowBody) {
    return this.editor.create(yaml);
  }

  @Put(':name')
  @ApiOperation({ summary: 'Save a workflow when its file is still at base_revision; loaded before the answer' })
  @ApiOkResponse({ type: SavedWorkflowModel })
  @ApiConflictResponse({ type: WorkflowConflictAnswer, description: 'The file changed since base_revision: the current YAML and revision' })
  @ApiUnprocessableEntityResponse({ type: InvalidWorkflowAnswer, description: 'The YAML has problems, or names another workflow; nothing was written' })
  @ApiNotFoundResponse({ type: ErrorAnswer })
  @ApiForbiddenResponse(READ_ONLY)
  save(@Param() { name }: EditableWorkflowParams, @Body() { yaml, base_revision }: SaveWorkflowBody) {
    return this.editor.save(name, yaml, base_revision);
  }

  @Post(':name/pause')
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Pause a workflow: its events are still stored and its runs wait as paused (a run already going parks before its next step; attempts in flight finish). Pausing twice keeps the first pause',
  })
  @ApiOkResponse({ type: PauseAnswer })
  @ApiNotFoundResponse({ type: ErrorAnswer, description: 'UNKNOWN_WORKFLOW' })
  pause(@Param() { name }: WorkflowNameParams, @Body() { by, reason }: PauseBody) {
    return this.pauses.pause('workflow', name, { by, reason });
  }

  @Post(':name/resume')
  @HttpCode(200)
  @ApiOperation({ summary: 'Resume a workflow: its paused runs are queued again in arrival order (one at a time per concurrency key)' })
  @ApiOkResponse({ type: PauseAnswer })
  @ApiNotFoundResponse({ type: ErrorAnswer, description: 'UNKNOWN_WORKFLOW' })
  resume(@Param() { name }: WorkflowNameParams) {
    return this.pauses.resume('workflow', name);
  }

  @Delete(':name')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete the file of a workflow when it is still at revision' })
  @ApiNoContentResponse({ description: 'Deleted and unloaded' })
  @ApiConflictResponse({ type: WorkflowConflictAnswer, description: 'The file changed since revision' })
  @ApiNotFoundResponse({ type: ErrorAnswer })
  @ApiForbiddenResponse(READ_ONLY)
  async remove(@Param() { name }: EditableWorkflowParams, @Query() { revision }: DeleteWorkflowQuery): Promise<void> {
    await this.editor.remove(name, revision);
  }
}
