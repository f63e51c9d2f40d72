import { IsOptional, IsString, Matches, MaxLength } from 'class-validator';

export class WorkflowNameParams {
  @IsString()
  @MaxLength(200)
  name: string;
}

/** `POST /api/workflows/validate`: the text of a workflow file, checked without being loaded. */
export class ValidateWorkflowBody {
  /** Size is checked by the service, in bytes, with the same limit as files. */
  @IsString()
  yaml: string;

  /** The file name it would have, so that the workflow may keep its own name. */
  @IsOptional()
  @Matches(/^[A-Za-z0-9_.-]{1,200}\.ya?ml$/, { message: 'file must be a .yaml or .yml file name' })
  file = 'workflow.yaml';
}
