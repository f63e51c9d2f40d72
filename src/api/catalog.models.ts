import { ApiProperty } from '@nestjs/swagger';

/* The answer of `GET /api/catalog`, for the OpenAPI document; `Catalog` builds it. */

const jsonSchema = { type: 'object', additionalProperties: true, description: 'A JSON Schema' } as const;

export class StepKindModel {
  @ApiProperty({ example: 'http', description: 'What `uses:` names' }) kind: string;
  @ApiProperty({ example: 'HTTP request' }) title: string;
  @ApiProperty({ example: 'globe', description: 'An icon name; a client draws a neutral icon for names it does not know' }) icon: string;
  @ApiProperty() description: string;
  @ApiProperty({ ...jsonSchema, description: "JSON Schema of the step's `with:`, with descriptions and defaults" })
  with_schema: Record<string, unknown>;
  @ApiProperty({ ...jsonSchema, description: "JSON Schema of the step's output, as later steps read it" })
  output_schema: Record<string, unknown>;
  @ApiProperty({ description: 'Whether an attempt reaches another system (and so is retried, signed, rate limited)' }) has_effects: boolean;
}

export class SchemePresetModel {
  @ApiProperty({ example: '{{default event.body.type ""}}', description: 'Template of the event type when a source sets no `event_type`' })
  event_type: string;
  @ApiProperty({ type: String, nullable: true, description: 'Template of the dedupe key when a source sets no `dedupe_key`; null: no dedupe' })
  dedupe_key: string | null;
}

export class SchemeModel {
  @ApiProperty({ example: 'github' }) scheme: string;
  @ApiProperty({ ...jsonSchema, description: 'JSON Schema of the options under `verify:` besides `scheme`' })
  options_schema: Record<string, unknown>;
  @ApiProperty({ type: SchemePresetModel }) preset: SchemePresetModel;
}

export class HelperModel {
  @ApiProperty({ example: 'default' }) name: string;
  @ApiProperty({ example: 'default value … fallback' }) signature: string;
  @ApiProperty() description: string;
}

export class CatalogAnswer {
  @ApiProperty({ type: [StepKindModel] }) step_kinds: StepKindModel[];
  @ApiProperty({ type: [SchemeModel] }) schemes: SchemeModel[];
  @ApiProperty({ type: [HelperModel], description: 'Helpers a template may call' }) helpers: HelperModel[];
}
