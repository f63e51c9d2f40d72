import { ApiPropertyOptional, IntersectionType } from '@nestjs/swagger';
import { IsIn, IsInt, IsOptional, IsString, Max, MaxLength, Min, MinLength } from 'class-validator';
import { EVENT_STATUSES, EventStatus } from './event-queries';
import { PageQuery } from './page.dto';

/** Filters of the event log, shared by the list and the bulk replay. */
export class EventFilterQuery {
  @ApiPropertyOptional({ example: 'shop' })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  source?: string;

  /** An exact type or a glob with `*` (`order.*`). */
  @ApiPropertyOptional({ description: 'An exact type or a glob with *', example: 'order.*' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  type?: string;

  @ApiPropertyOptional({ enum: EVENT_STATUSES })
  @IsOptional()
  @IsIn(EVENT_STATUSES)
  status?: EventStatus;

  /** Text in the body, case-insensitive. */
  @ApiPropertyOptional({ description: 'Text in the body, case-insensitive' })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  q?: string;
}

export class ListEventsQuery extends IntersectionType(EventFilterQuery, PageQuery) {}

/** `POST /api/events/replay`: replays the newest `limit` events that match the filters. */
export class ReplayEventsBody extends EventFilterQuery {
  @ApiPropertyOptional({ minimum: 1, maximum: 1000, default: 100 })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(1000)
  limit = 100;
}
