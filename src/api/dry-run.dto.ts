import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsDefined, IsObject, IsOptional, IsString, IsUUID, MaxLength, ValidateBy, ValidateIf } from 'class-validator';

const PASTED_FIELDS = ['source', 'body', 'headers', 'query', 'type'] as const;

/** `POST /api/dry-run`: a stored event (`event_id`) or one given here (`source` and `body`, the rest optional). */
export class DryRunBody {
  @ApiPropertyOptional({ format: 'uuid', description: 'A stored event, tried again as it was received' })
  @IsOptional()
  @IsUUID()
  @ValidateBy({
    name: 'aloneOrPasted',
    validator: {
      validate: (_value, args) => PASTED_FIELDS.every((field) => (args!.object as Record<string, unknown>)[field] === undefined),
      defaultMessage: () => `give either event_id or an event (${PASTED_FIELDS.join(', ')}), not both`,
    },
  })
  event_id?: string;

  @ApiPropertyOptional({ example: 'shop', description: 'Required without event_id' })
  @ValidateIf((body: DryRunBody) => body.event_id === undefined)
  @IsString({ message: 'source must name a source (or give event_id for a stored event)' })
  @MaxLength(64)
  source?: string;

  /** Any JSON value; a string is read as the raw body, by its content-type header. */
  @ApiPropertyOptional({ description: 'Required without event_id: any JSON value, or the raw body as a string' })
  @ValidateIf((body: DryRunBody) => body.event_id === undefined)
  @IsDefined({ message: 'body is required with source: any JSON value, or the raw body as a string' })
  body?: unknown;

  @ApiPropertyOptional({ type: 'object', additionalProperties: { type: 'string' }, example: { 'x-event-id': 'evt-1' } })
  @IsOptional()
  @IsObject()
  headers?: Record<string, unknown>;

  /** The query string of the request, e.g. `a=1&b=2`. */
  @ApiPropertyOptional({ example: 'debug=1' })
  @IsOptional()
  @IsString()
  @MaxLength(4096)
  query?: string;

  /** The event type; by default the source's `event_type` (or its scheme's preset) decides. */
  @ApiPropertyOptional({ example: 'order.paid' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  type?: string;
}
