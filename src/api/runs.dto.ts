import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsInt, IsOptional, IsString, IsUUID, Max, MaxLength, Min } from 'class-validator';
import { RUN_STATUSES, RunStatus, UNFINISHED_RUN_STATUSES, UnfinishedRunStatus } from '../engine/run.entity';
import { PageQuery } from './page.dto';

export class ListRunsQuery extends PageQuery {
  @ApiPropertyOptional({ description: 'Workflow name', example: 'order-paid' })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  workflow?: string;

  @ApiPropertyOptional({ enum: RUN_STATUSES })
  @IsOptional()
  @IsIn(RUN_STATUSES)
  status?: RunStatus;

  @ApiPropertyOptional({ description: 'Runs started by this event', format: 'uuid' })
  @IsOptional()
  @IsUUID()
  event?: string;
}

export class UuidParams {
  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  id: string;
}

/** `POST /api/runs/retry`: retries the newest `limit` failed runs, of one workflow or all. */
export class RetryRunsBody {
  @ApiPropertyOptional({ description: 'Only runs of this workflow' })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  workflow?: string;

  @ApiProperty({ enum: ['failed'] })
  @IsIn(['failed'], { message: 'status must be failed: only failed runs are retried in bulk' })
  status: 'failed';

  @ApiPropertyOptional({ minimum: 1, maximum: 1000, default: 100 })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(1000)
  limit = 100;
}

/** `POST /api/runs/cancel`: cancels the newest `limit` unfinished runs that match the runs list's filters. */
export class CancelRunsBody {
  @ApiPropertyOptional({ description: 'Only runs of this workflow' })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  workflow?: string;

  @ApiPropertyOptional({ enum: UNFINISHED_RUN_STATUSES, description: 'Only runs in this status; default every unfinished status' })
  @IsOptional()
  @IsIn(UNFINISHED_RUN_STATUSES, { message: `status must be ${UNFINISHED_RUN_STATUSES.join(' or ')}: only unfinished runs can be cancelled` })
  status?: UnfinishedRunStatus;

  @ApiPropertyOptional({ description: 'Only runs started by this event', format: 'uuid' })
  @IsOptional()
  @IsUUID()
  event?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: 1000, default: 100 })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(1000)
  limit = 100;
}
