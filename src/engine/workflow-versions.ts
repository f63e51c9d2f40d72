import { Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Subscription } from 'rxjs';
import { DataSource } from 'typeorm';
import { TemplateEngine } from '../templates/template-engine';
import { parseWorkflowFile } from '../workflows/workflow-file-parser';
import { WorkflowRegistry } from '../workflows/workflow-registry';
import { WorkflowValidator } from '../workflows/workflow-validator';
import { WorkflowDefinition } from '../workflows/workflow.types';

const ANY_SOURCE: ReadonlySet<string> = { has: () => true } as unknown as ReadonlySet<string>;

/**
 * Runs finish on the workflow version they were created from, even after the file
 * changed: every version in force is kept in `workflow_versions` and re-read on demand.
 */
@Injectable()
export class WorkflowVersions implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(WorkflowVersions.name);
  private readonly older = new Map<string, WorkflowDefinition>();
  private subscription?: Subscription;

  constructor(
    private readonly registry: WorkflowRegistry,
    private readonly templates: TemplateEngine,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.persistCurrent();
    this.subscription = this.registry.changes$.subscribe(() => {
      this.persistCurrent().catch((error: Error) => this.logger.error(`Could not store workflow versions: ${error.message}`));
    });
  }

  onModuleDestroy(): void {
    this.subscription?.unsubscribe();
  }

  async get(name: string, version: string): Promise<WorkflowDefinition | undefined> {
    const current = this.registry.getWorkflow(name);
    if (current?.version === version) return current;
    const key = `${name}@${version}`;
    const cached = this.older.get(key);
    if (cached) return cached;
    const rows = await this.dataSource.query<
      {
        file: string;
        yaml: string;
      }[]
    >(`SELECT file, yaml FROM workflow_versions WHERE workflow = $1 AND version = $2`, [name, version]);
    if (rows.length === 0) return undefined;
    const definition = new WorkflowValidator(this.templates).validateWorkflow(parseWorkflowFile(rows[0].file, rows[0].yaml), rows[0].file, {
      sourceNames: ANY_SOURCE,
    });
    if (definition) this.older.set(key, definition);
    return definition;
  }

  private async persistCurrent(): Promise<void> {
    const workflows = this.registry.workflows();
    if (workflows.length === 0) return;
    await this.dataSource.query(
      `INSERT INTO workflow_versions (workflow, version, file, yaml)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[])
       ON CONFLICT (workflow, version) DO NOTHING`,
      [workflows.map((w) => w.name), workflows.map((w) => w.version), workflows.map((w) => w.file), workflows.map((w) => w.yaml)],
    );
  }
}
