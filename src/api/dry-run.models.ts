import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { RUN_STATUSES } from '../engine/run.entity';

/* The answer of `POST /api/dry-run`, for the OpenAPI document; `EventDryRun` builds it. */

export class PlannedRequestModel {
  @ApiProperty({ example: 'POST' }) method: string;
  @ApiProperty({ example: '[secret]/labels' }) url: string;
  @ApiProperty({ type: 'object', additionalProperties: { type: 'string' }, description: 'Secrets shown as [secret]' })
  headers: Record<string, string>;
  @ApiProperty({ description: 'The body as it would be sent (JSON text, form or text)', nullable: true }) body: unknown;
}

export class DryRunConditionModel {
  @ApiProperty({ example: '{{event.body.order.email}}' }) template: string;
  @ApiProperty({ enum: ['true', 'false', 'missing', 'unknown', 'error'] }) result: string;
  @ApiPropertyOptional() message?: string;
}

export class StepPreviewModel {
  @ApiProperty({ example: 'label' }) id: string;
  @ApiPropertyOptional() name?: string;
  @ApiProperty({ example: 'http', description: 'The step kind; GET /api/catalog lists them' }) kind: string;
  @ApiProperty({ type: [String] }) needs: string[];
  @ApiProperty({ enum: ['would-run', 'skipped', 'would-fail'] }) status: string;
  @ApiPropertyOptional({ enum: [true] }) skipped?: true;
  @ApiPropertyOptional({ type: DryRunConditionModel }) condition?: DryRunConditionModel;
  @ApiPropertyOptional({ example: 'POST [secret]/labels' }) summary?: string;
  @ApiPropertyOptional({ type: PlannedRequestModel, description: 'What an http or slack step would send' }) request?: PlannedRequestModel;
  @ApiPropertyOptional({ description: 'What another kind would do: the e-mail, the map, the delay, the workflow started' })
  detail?: unknown;
  @ApiPropertyOptional({ description: 'Why it is skipped or would fail, and what only a real run knows' }) note?: string;
  @ApiPropertyOptional({ type: () => [StepPreviewModel], description: 'For a `for_each` step whose items are known: each item, as it would run' })
  items?: StepPreviewModel[];
  @ApiPropertyOptional({ example: 0, description: 'For an item of a `for_each` step: its position in the list' }) index?: number;
}

export class SecretUseModel {
  @ApiProperty({ example: 'SHIPPING_TOKEN' }) name: string;
  @ApiProperty() set: boolean;
}

export class WorkflowPreviewModel {
  @ApiProperty({ example: 'order-paid' }) workflow: string;
  @ApiProperty({ example: 'order-paid.yaml' }) file: string;
  @ApiProperty() matched: boolean;
  @ApiPropertyOptional({ example: 'on.if {{gt event.body.order.total 0}} is false' }) reason?: string;
  @ApiProperty({ type: [String] }) notes: string[];
  @ApiProperty({ type: [SecretUseModel] }) secrets: SecretUseModel[];
  @ApiProperty({ type: [StepPreviewModel], description: 'Empty when the trigger does not match' }) steps: StepPreviewModel[];
}

export class DryRunEventModel {
  @ApiProperty({ type: String, format: 'uuid', nullable: true, description: 'The stored event, when one was tried' }) id: string | null;
  @ApiProperty({ example: 'shop' }) source: string;
  @ApiProperty({ type: String, nullable: true, example: 'order.paid' }) type: string | null;
}

export class DryRunAnswer {
  @ApiProperty({ type: DryRunEventModel }) event: DryRunEventModel;
  @ApiProperty({ type: [String] }) notes: string[];
  @ApiProperty({ type: [WorkflowPreviewModel], description: 'Every workflow of the source, matching or not' })
  matches: WorkflowPreviewModel[];
}

/* The answer of `POST /api/workflows/compare`; `WorkflowDraftTrial` and `RequestComparison` build it. */

export class FieldChangeModel {
  @ApiProperty({ example: 'body.order_id', description: 'A leaf field: headers.<name> (lower case), body.<field> of a JSON body, body[0]…, url, method' })
  path: string;
  @ApiPropertyOptional({ description: 'Absent when the field exists only in the edit' }) before?: unknown;
  @ApiPropertyOptional({ description: 'Absent when the field exists only in the run' }) after?: unknown;
}

export class StepComparisonModel {
  @ApiProperty({ example: 'label' }) id: string;
  @ApiProperty({ example: 'http', description: 'The step kind in the edit (in the run, for a removed step)' }) kind: string;
  @ApiProperty({ enum: ['same', 'changed', 'added', 'removed'] }) status: 'same' | 'changed' | 'added' | 'removed';
  @ApiProperty({
    nullable: true,
    description:
      'What the run sent: its last attempt’s request { method, url, headers, body }, or the plan of its stored input for kinds that send nothing; null when it sent nothing',
  })
  before: unknown;
  @ApiProperty({ nullable: true, description: 'What the edit would send, in the same shape; null when it would send nothing' })
  after: unknown;
  @ApiProperty({ type: [FieldChangeModel], description: 'Empty unless both sides sent something' }) changes: FieldChangeModel[];
  @ApiPropertyOptional({ description: 'Why a side sent nothing, what changed besides fields' }) note?: string;
}

export class WorkflowComparisonAnswer {
  @ApiProperty({ example: 'order-paid' }) workflow: string;
  @ApiProperty({ format: 'uuid' }) event_id: string;
  @ApiProperty({ format: 'uuid', description: 'The event’s latest run of this workflow' }) run_id: string;
  @ApiProperty({ example: '3f2a9c01d4e5b6a7', description: 'The revision that run ran' }) run_version: string;
  @ApiProperty({ enum: RUN_STATUSES }) run_status: string;
  @ApiProperty({ description: 'Whether the edited trigger matches the event' }) matched: boolean;
  @ApiPropertyOptional({ description: 'Why the edited trigger does not match' }) reason?: string;
  @ApiProperty({ type: [StepComparisonModel], description: 'The edit’s steps in order, removed ones where they stood' }) steps: StepComparisonModel[];
}

/* The answer of `POST /api/workflows/tests`; `WorkflowDraftTests` builds it. */

export class TestDifferenceModel {
  @ApiProperty({ example: 'steps.label.request.body.order_id', description: 'Where the test and the edit differ' }) path: string;
  @ApiPropertyOptional({ description: 'What the test expects; absent when it expects the key not to be there' }) expected?: unknown;
  @ApiPropertyOptional({ description: 'What the edit does; absent when the key is not there' }) actual?: unknown;
  @ApiPropertyOptional({ example: 'workflow order-paid has no step label' }) note?: string;
}

export class WorkflowTestResultModel {
  @ApiProperty({ example: 'a paid order books a label' }) name: string;
  @ApiProperty({ example: 4, description: 'Where the test starts in its file' }) line: number;
  @ApiProperty({ example: 5 }) column: number;
  @ApiProperty() passed: boolean;
  @ApiProperty({ type: [TestDifferenceModel] }) differences: TestDifferenceModel[];
}

export class TestFileProblemModel {
  @ApiProperty() line: number;
  @ApiProperty() column: number;
  @ApiProperty() message: string;
}

export class WorkflowTestFileModel {
  @ApiProperty({ example: 'tests/order-paid.test.yaml', description: 'Relative to the workflows folder' }) file: string;
  @ApiProperty({ type: [TestFileProblemModel], description: 'Why the file cannot be run; its tests are then empty' }) problems: TestFileProblemModel[];
  @ApiProperty({ type: [WorkflowTestResultModel] }) tests: WorkflowTestResultModel[];
}

export class WorkflowTestsAnswer {
  @ApiProperty({ example: 'order-paid' }) workflow: string;
  @ApiProperty() passed: number;
  @ApiProperty() failed: number;
  @ApiProperty({ type: [WorkflowTestFileModel], description: 'The test files of this workflow; empty when it has none' }) files: WorkflowTestFileModel[];
}
