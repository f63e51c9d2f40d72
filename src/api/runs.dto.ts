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

/** `POST /api/runs/retry`: retries the newest `limit` failed runs, of one workflow or all. */
export class RetryRunsBody {
  @IsOptional()
  @IsString()
  @MaxLength(64)
  workflow?: string;

  @IsIn(['failed'], { message: 'status must be failed: only failed runs are retried in bulk' })
  status: 'failed';

  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(1000)
  limit = 100;
}
