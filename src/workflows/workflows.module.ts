import { Module } from '@nestjs/common';
import { WorkflowRegistry } from './workflow-registry';

/** The workflow registry. `TemplateEngine` and `Settings` come from global modules. */
@Module({
  providers: [WorkflowRegistry],
  exports: [WorkflowRegistry],
})
export class WorkflowsModule {}
