import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsDefined, IsObject, IsOptional, IsString, IsUUID, Matches, MaxLength, MinLength, ValidateBy, ValidateIf, ValidateNested } from 'class-validator';

export class WorkflowNameParams {
  @ApiProperty({ example: 'order-paid' })
  @IsString()
  @MaxLength(200)
  name: string;
}

/** `POST /api/workflows/validate`: the text of a workflow file, checked without being loaded. */
export class ValidateWorkflowBody {
  /** Size is checked by the service, in bytes, with the same limit as files. */
  @ApiProperty({ description: 'The text of the file' })
  @IsString()
  yaml: string;

  /** The file name it would have, so that the workflow may keep its own name. */
  @ApiPropertyOptional({ default: 'workflow.yaml' })
  @IsOptional()
  @Matches(/^[A-Za-z0-9_.-]{1,200}\.ya?ml$/, { message: 'file must be a .yaml or .yml file name' })
  file = 'workflow.yaml';
}

/** The name of a workflow whose file is written: only the characters a workflow name may have, so never a path. */
export class EditableWorkflowParams {
  @ApiProperty({ example: 'order-paid' })
  @Matches(/^[a-z0-9_-]{1,64}$/, { message: 'name must be a workflow name: 1 to 64 lower-case letters, digits, - or _' })
  name: string;
}

export const REVISION = /^[0-9a-f]{16}$/;
export const REVISION_MESSAGE = 'must be a revision as GET /api/workflows/:name gives it (16 hex digits)';

/** `POST /api/workflows`: a new workflow, saved as `<name>.yaml` from its own `name:`. */
export class CreateWorkflowBody {
  /** Size is checked with the file limit (256 KiB), as a problem of the file. */
  @ApiProperty({ description: 'The text of the file, saved byte for byte' })
  @IsString()
  yaml: string;
}

/** `PUT /api/workflows/:name`: the new text of the file and the revision it was edited from. */
export class SaveWorkflowBody extends CreateWorkflowBody {
  @ApiProperty({ example: '3f2a9c01d4e5b6a7', description: 'The revision the edit started from' })
  @Matches(REVISION, { message: `base_revision ${REVISION_MESSAGE}` })
  base_revision: string;
}

/** `DELETE /api/workflows/:name?revision=`: the revision the caller saw. */
export class DeleteWorkflowQuery {
  @ApiProperty({ example: '3f2a9c01d4e5b6a7' })
  @Matches(REVISION, { message: `revision ${REVISION_MESSAGE}` })
  revision: string;
}

/** An event typed or pasted in the editor, as `POST /api/dry-run` takes one. */
export class PastedEventBody {
  @ApiProperty({ example: 'shop' })
  @IsString()
  @MaxLength(64)
  source: string;

  @ApiProperty({ description: 'Any JSON value, or the raw body as a string' })
  @IsDefined({ message: 'event.body is required: any JSON value, or the raw body as a string' })
  body: unknown;

  @ApiPropertyOptional({ type: 'object', additionalProperties: { type: 'string' }, example: { 'x-event-id': 'evt-1' } })
  @IsOptional()
  @IsObject()
  headers?: Record<string, unknown>;

  @ApiPropertyOptional({ example: 'debug=1' })
  @IsOptional()
  @IsString()
  @MaxLength(4096)
  query?: string;

  @ApiPropertyOptional({ example: 'order.paid' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  type?: string;
}

/** The text of a workflow file as edited, tried but never saved. */
class UnsavedWorkflowBody {
  /** Size is checked with the file limit (256 KiB), as a problem of the file. */
  @ApiProperty({ description: 'The text of the workflow file as edited; it is not saved' })
  @IsString()
  yaml: string;
}

/** `POST /api/workflows/preview`: unsaved YAML, tried with a stored event or one given here. */
export class PreviewWorkflowBody extends UnsavedWorkflowBody {
  @ApiPropertyOptional({ format: 'uuid', description: 'A stored event; give this or `event`' })
  @ValidateIf((body: PreviewWorkflowBody) => body.event === undefined || body.event === null || body.event_id !== undefined)
  @IsUUID(undefined, { message: 'event_id must be the id of a stored event (a UUID), or give an event instead' })
  @ValidateBy({
    name: 'eventIdOrEvent',
    validator: {
      validate: (_value, args) => (args!.object as PreviewWorkflowBody).event == null,
      defaultMessage: () => 'give either event_id or event, not both',
    },
  })
  event_id?: string;

  @ApiPropertyOptional({ type: PastedEventBody, description: 'An event typed or pasted; give this or `event_id`' })
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => PastedEventBody)
  event?: PastedEventBody;
}

/** `POST /api/workflows/compare`: unsaved YAML, compared with what a stored event's run of that workflow sent. */
export class CompareWorkflowBody extends UnsavedWorkflowBody {
  @ApiProperty({ format: 'uuid', description: 'A stored event with a run of the workflow the YAML names' })
  @IsUUID(undefined, { message: 'event_id must be the id of a stored event (a UUID)' })
  event_id: string;
}

/** `GET /api/workflows/:name/versions/:revision`. */
export class WorkflowVersionParams extends WorkflowNameParams {
  @ApiProperty({ example: '3f2a9c01d4e5b6a7' })
  @Matches(REVISION, { message: `revision ${REVISION_MESSAGE}` })
  revision: string;
}

/** Bounds of the headers of a manual run: about what Node accepts on a request (16 KiB of headers). */
export const MANUAL_HEADERS_MAX_COUNT = 50;
export const MANUAL_HEADERS_MAX_BYTES = 16 * 1024;
/** An HTTP field name (RFC 9110 token), at most 100 characters. */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,100}$/;

/** Why `headers` is not a map of header names to strings within the bounds, or undefined when it is. */
export function headerMapProblem(headers: unknown): string | undefined {
  if (typeof headers !== 'object' || headers === null || Array.isArray(headers)) return 'headers must be an object of header names to strings';
  const entries = Object.entries(headers);
  if (entries.length > MANUAL_HEADERS_MAX_COUNT) return `headers may have at most ${MANUAL_HEADERS_MAX_COUNT} entries`;
  let bytes = 0;
  for (const [name, value] of entries) {
    if (!HEADER_NAME.test(name)) return `headers: "${name.slice(0, 100)}" is not a header name (letters, digits and !#$%&'*+.^_\`|~-, at most 100)`;
    if (typeof value !== 'string') return `headers: the value of ${name} must be a string`;
    // No line breaks or other control characters: a value must be one a real request could carry.
    if (hasControlCharacter(value)) return `headers: the value of ${name} has a control character`;
    bytes += Buffer.byteLength(name) + Buffer.byteLength(value);
  }
  if (bytes > MANUAL_HEADERS_MAX_BYTES) return `headers may be at most ${MANUAL_HEADERS_MAX_BYTES} bytes of names and values`;
  return undefined;
}

/** Any control character but tab, as HTTP forbids them in a field value. */
function hasControlCharacter(value: string): boolean {
  for (let index = 0; index < value.length; index++) {
    const code = value.charCodeAt(index);
    if ((code < 0x20 && code !== 0x09) || code === 0x7f) return true;
  }
  return false;
}

/** `POST /api/workflows/:name/runs`: the synthetic event a manual run starts from. */
export class StartRunBody {
  /** Size is bounded by the API's body limit (1 MiB). */
  @ApiProperty({ description: 'The event body: any JSON value', example: { order: { id: 'A-1', total: 42 } } })
  @IsDefined({ message: 'body is required: any JSON value, {} for none' })
  body: unknown;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: { type: 'string' },
    description: `Event headers as templates read them (event.headers, names lower-cased, credentials stored as [secret]); at most ${MANUAL_HEADERS_MAX_COUNT}, ${MANUAL_HEADERS_MAX_BYTES} bytes; x-hookflow-* names are refused`,
    example: { 'x-request-id': 'manual-1' },
  })
  @IsOptional()
  @ValidateBy({
    name: 'headerMap',
    validator: {
      validate: (value) => headerMapProblem(value) === undefined,
      defaultMessage: (args) => headerMapProblem(args!.value) ?? 'headers must be an object of header names to strings',
    },
  })
  headers?: Record<string, string>;

  @ApiPropertyOptional({ description: 'The event type (event.type); default manual', example: 'order.paid' })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  type?: string;
}

/** `POST /api/workflows/tests`: the unsaved text of a workflow, tried against its test files. */
export class TestWorkflowBody {
  /** Size is checked with the file limit, as a problem of the YAML. */
  @ApiProperty({ description: 'The text of the workflow file, unsaved; its `name` picks the test files (tests/<name>.test.yaml, or `workflow: <name>`)' })
  @IsString()
  yaml: string;
}
