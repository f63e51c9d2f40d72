import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, IsUUID, Max, MaxLength, Min } from 'class-validator';
import { RUN_STATUSES, RunStatus } from '../engine/run.entity';

export class ListRunsQuery {
  @IsOptional()
  @IsString()
  @MaxLength(64)
  workflow?: string;

  @IsOptional()
  @IsIn(RUN_STATUSES)
  status?: RunStatus;

  @IsOptional()
  @IsUUID()
  event?: string;

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

export class UuidParams {
  @IsUUID()
  id: string;
}
