import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Max, MaxLength, Min, MinLength } from 'class-validator';
import { EVENT_STATUSES, EventStatus } from './event-queries.service';

/** Filters of the event log, shared by the list and the bulk replay. */
export class EventFilterQuery {
  @IsOptional()
  @IsString()
  @MaxLength(64)
  source?: string;

  /** An exact type or a glob with `*` (`order.*`). */
  @IsOptional()
  @IsString()
  @MaxLength(200)
  type?: string;

  @IsOptional()
  @IsIn(EVENT_STATUSES)
  status?: EventStatus;

  /** Text in the body, case-insensitive. */
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  q?: string;
}

export class ListEventsQuery extends EventFilterQuery {
  @IsOptional()
  @IsString()
  @MaxLength(200)
  cursor?: string;

  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(200)
  limit = 50;
}

/** `POST /api/events/replay`: replays the newest `limit` events that match the filters. */
export class ReplayEventsBody extends EventFilterQuery {
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(1000)
  limit = 100;
}
