import { Module } from '@nestjs/common';
import { WorkflowEditor } from './workflow-editor';
import { WorkflowRegistry } from './workflow-registry';

/** The workflow registry, and the editor that changes its files for the API. `TemplateEngine` and `Settings` come from global modules. */
@Module({
  providers: [WorkflowRegistry, WorkflowEditor],
  exports: [WorkflowRegistry, WorkflowEditor],
})
export class WorkflowsModule {}
