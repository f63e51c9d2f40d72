import { isMap, isSeq } from 'yaml';
import { ParsedYamlFile } from './workflow-file-parser';
import { FilePosition, StepDefinition, WorkflowDefinition } from './workflow.types';

/** A workflow that is checked, with the file it was read from (where its problems go). */
export interface CheckedWorkflow {
  parsed: ParsedYamlFile;
  workflow: WorkflowDefinition;
}

/**
 * Refuses `workflow` steps whose literal `with.name` leads back to their own workflow,
 * directly (`loop → loop`) or through others (`order-paid → notify → order-paid`): such runs
 * would start one another without end. `inForce` holds every workflow the checked ones can
 * reach, by name. Each step on a cycle gets a problem at its `with.name`; the names of the
 * workflows whose files got one are returned. Names from templates are only known at run
 * time, where MAX_WORKFLOW_CHAIN_DEPTH stops them.
 */
export function reportWorkflowCycles(
  checked: readonly CheckedWorkflow[],
  inForce: ReadonlyMap<string, WorkflowDefinition>,
  isTemplate: (text: string) => boolean,
): Set<string> {
  const graph = new WorkflowStarts(inForce, isTemplate);
  const refused = new Set<string>();
  for (const { parsed, workflow } of checked) {
    workflow.steps.forEach((step, index) => {
      const target = graph.targetOf(step);
      const path = target === undefined ? undefined : graph.path(target, workflow.name);
      if (path === undefined) return;
      parsed.report(namePosition(parsed, index) ?? step.position, `\`with.name\` starts workflows in a cycle: ${[workflow.name, ...path].join(' → ')}`);
      refused.add(workflow.name);
    });
  }
  return refused;
}

/** Which workflows each workflow's steps start by a literal name. */
class WorkflowStarts {
  constructor(
    private readonly workflows: ReadonlyMap<string, WorkflowDefinition>,
    private readonly isTemplate: (text: string) => boolean,
  ) {}

  targetOf(step: StepDefinition): string | undefined {
    const name = step.uses === 'workflow' ? step.with.name : undefined;
    return typeof name === 'string' && !this.isTemplate(name) ? name : undefined;
  }

  /** The shortest list of workflows from `from` to `to` (both included), following starts. */
  path(from: string, to: string): string[] | undefined {
    const cameFrom = new Map<string, string | null>([[from, null]]);
    const queue = [from];
    while (queue.length > 0) {
      const current = queue.shift()!;
      if (current === to) return this.walkBack(current, cameFrom);
      for (const next of this.startsOf(current)) {
        if (cameFrom.has(next)) continue;
        cameFrom.set(next, current);
        queue.push(next);
      }
    }
    return undefined;
  }

  private startsOf(name: string): string[] {
    return (this.workflows.get(name)?.steps ?? []).flatMap((step) => this.targetOf(step) ?? []);
  }

  private walkBack(end: string, cameFrom: ReadonlyMap<string, string | null>): string[] {
    const path = [end];
    for (let previous = cameFrom.get(end); previous; previous = cameFrom.get(previous)) path.unshift(previous);
    return path;
  }
}

/** Where `with.name` of the `index`-th step is written. */
function namePosition(parsed: ParsedYamlFile, index: number): FilePosition | undefined {
  const root = parsed.resolve(parsed.root);
  const steps = isMap(root) ? parsed.resolve(root.get('steps', true)) : null;
  const step = isSeq(steps) ? parsed.resolve(steps.items[index]) : null;
  const withMap = isMap(step) ? parsed.resolve(step.get('with', true)) : null;
  return isMap(withMap) ? parsed.positionOf(parsed.resolve(withMap.get('name', true))) : undefined;
}
