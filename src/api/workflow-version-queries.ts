import { Injectable } from '@nestjs/common';
import { DomainError } from '../common/domain-error';
import { WorkflowVersions } from '../engine/workflow-versions';
import { workflowGraph } from '../workflows/workflow-graph';
import { WorkflowRegistry } from '../workflows/workflow-registry';
import { stepOf, triggerOf } from './workflow-queries';

/** A workflow's history as the console shows it: every version that was in force, and each one's file and graph. */
@Injectable()
export class WorkflowVersionQueries {
  constructor(
    private readonly versions: WorkflowVersions,
    private readonly registry: WorkflowRegistry,
  ) {}

  async list(name: string) {
    const versions = await this.versions.list(name);
    if (versions.length === 0) throw new DomainError('UNKNOWN_WORKFLOW', `No workflow ${name}: none is in force and none was stored`);
    const inForce = this.registry.getWorkflow(name)?.version;
    return {
      items: versions.map((version) => ({
        revision: version.version,
        first_seen: version.firstSeenAt,
        runs: version.runs,
        in_force: version.version === inForce,
      })),
    };
  }

  async get(name: string, revision: string) {
    const stored = await this.versions.find(name, revision);
    if (!stored) {
      if (await this.versions.exists(name)) throw new DomainError('UNKNOWN_WORKFLOW_VERSION', `Workflow ${name} has no version ${revision}`);
      throw new DomainError('UNKNOWN_WORKFLOW', `No workflow ${name}: none is in force and none was stored`);
    }
    // The definition as the engine runs it; undefined only when the stored file no longer validates (a step kind since removed).
    const definition = await this.versions.get(name, revision);
    return {
      name,
      revision,
      file: stored.file,
      yaml: stored.yaml,
      first_seen: stored.firstSeenAt,
      in_force: this.registry.getWorkflow(name)?.version === revision,
      trigger: definition ? triggerOf(definition.on) : null,
      steps: definition ? definition.steps.map(stepOf) : [],
      on_failure: (definition?.onFailure ?? []).map(stepOf),
      graph: definition ? workflowGraph(definition) : null,
    };
  }
}
