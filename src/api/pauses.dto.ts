import { ApiPropertyOptional, ApiProperty } from '@nestjs/swagger';
import { IsOptional, IsString, MaxLength } from 'class-validator';

/** `POST /api/workflows/:name/pause` and `POST /api/sources/:name/pause`: who pauses, and why (both shown beside the pause). */
export class PauseBody {
  @ApiPropertyOptional({ default: 'api', example: 'console', description: 'Who or what pauses, as the caller names itself (up to 100 characters)' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  by?: string;

  @ApiPropertyOptional({ example: 'shipping API maintenance until 14:00', description: 'Up to 500 characters' })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  reason?: string;
}

export class SourceNameParams {
  @ApiProperty({ example: 'shop' })
  @IsString()
  @MaxLength(200)
  name: string;
}
