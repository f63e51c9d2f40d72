import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Matches, MaxLength } from 'class-validator';

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
