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

/** A stored version of a workflow file. */
export interface StoredWorkflowVersion {
  version: string;
  file: string;
  yaml: string;
  firstSeenAt: Date;
}

/** A version in a workflow's history, with the number of runs (still kept) created from it. */
export interface WorkflowVersionSummary {
  version: string;
  firstSeenAt: Date;
  runs: number;
}

/**
 * Runs finish on the workflow version they were created from, even after the file
 * changed: every version in force is kept in `workflow_versions` and re-read on demand.
 */
@Injectable()
export class WorkflowVersions implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(WorkflowVersions.name);
  private readonly older = new Map<string, WorkflowDefinition>();
  private subscription?: Subscription;
  /** The store of the versions put in force by the last reload; readers wait for it. */
  private stored: Promise<void> = Promise.resolve();

  constructor(
    private readonly registry: WorkflowRegistry,
    private readonly templates: TemplateEngine,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.persistCurrent();
    this.subscription = this.registry.changes$.subscribe(() => {
      this.stored = this.persistCurrent().catch((error: Error) => this.logger.error(`Could not store workflow versions: ${error.message}`));
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

  /**
   * The versions of workflow `name` ever in force here, newest first, each with the number of
   * its runs; those of a deleted workflow too. The version in force is always among them.
   */
  async list(name: string): Promise<WorkflowVersionSummary[]> {
    await this.stored;
    const rows = await this.dataSource.query<{ version: string; first_seen_at: Date; runs: number }[]>(
      `SELECT v.version, v.first_seen_at, coalesce(r.runs, 0)::int AS runs
         FROM workflow_versions v
         LEFT JOIN (SELECT workflow_version, count(*) AS runs FROM runs WHERE workflow = $1 GROUP BY workflow_version) r
           ON r.workflow_version = v.version
        WHERE v.workflow = $1
        ORDER BY v.first_seen_at DESC, v.version`,
      [name],
    );
    const versions = rows.map((row) => ({ version: row.version, firstSeenAt: row.first_seen_at, runs: row.runs }));
    const current = this.unstoredCurrent(name, versions);
    if (!current) return versions;
    const [{ runs }] = await this.dataSource.query<{ runs: number }[]>(`SELECT count(*)::int AS runs FROM runs WHERE workflow = $1 AND workflow_version = $2`, [
      name,
      current.version,
    ]);
    return [{ version: current.version, firstSeenAt: current.firstSeenAt, runs }, ...versions];
  }

  /** One stored version of workflow `name`, or the one in force. */
  async find(name: string, version: string): Promise<StoredWorkflowVersion | undefined> {
    await this.stored;
    const rows = await this.dataSource.query<{ file: string; yaml: string; first_seen_at: Date }[]>(
      `SELECT file, yaml, first_seen_at FROM workflow_versions WHERE workflow = $1 AND version = $2`,
      [name, version],
    );
    if (rows.length > 0) return { version, file: rows[0].file, yaml: rows[0].yaml, firstSeenAt: rows[0].first_seen_at };
    const current = this.unstoredCurrent(name, []);
    return current?.version === version ? current : undefined;
  }

  /** Whether workflow `name` has a version in force or stored. */
  async exists(name: string): Promise<boolean> {
    if (this.registry.getWorkflow(name)) return true;
    const rows = await this.dataSource.query<unknown[]>(`SELECT 1 FROM workflow_versions WHERE workflow = $1 LIMIT 1`, [name]);
    return rows.length > 0;
  }

  /** The version in force when its row could not be stored (the database failed at that reload): known, though not yet in the table. */
  private unstoredCurrent(name: string, stored: { version: string }[]): StoredWorkflowVersion | undefined {
    const current = this.registry.getWorkflow(name);
    if (!current || stored.some((row) => row.version === current.version)) return undefined;
    return { version: current.version, file: current.file, yaml: current.yaml, firstSeenAt: new Date() };
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
