import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

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
