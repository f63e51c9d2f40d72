import type { PlannedRequest } from '../connectors/connector';
import { stepKind } from '../connectors/step-kind-catalog';
import type { DryRunReport, DryRunStep } from '../engine/dry-run';

const INDENT = '   ';

/** The dry run as a person reads it in a terminal: trigger, then each step and what it would send. */
export function formatDryRun(report: DryRunReport): string {
  const lines: string[] = [`Dry run of workflow ${report.workflow} (${report.file}): nothing is sent.`, ''];
  const event = report.event;
  lines.push(`Event:   ${event.type === '' ? '(no type)' : event.type} from ${event.source}, id ${event.id}, received ${event.received_at}`);
  if (report.trigger.matches) lines.push('Trigger: matches');
  else {
    lines.push(`Trigger: would NOT match: ${report.trigger.reasons.join('; ')}`);
    lines.push('         A real event like this starts no run. The steps are shown as if it had matched.');
  }
  for (const note of report.trigger.notes) lines.push(`Note:    ${note}`);

  report.steps.forEach((step, index) => lines.push('', ...stepLines(step, index + 1)));

  lines.push('');
  if (report.steps.some((step) => step.unknown_outputs.length > 0)) {
    lines.push('Outputs of earlier steps are only known in a real run; they are shown as <steps.ID.output…>.');
  }
  if (report.secrets.length > 0) {
    const secrets = report.secrets.map((secret) => `${secret.name}${secret.set ? '' : ' (NOT SET)'}`);
    lines.push(`Secrets, shown as [secret]: ${secrets.join(', ')}`);
  }
  lines.push(`${summary(report.steps)}. Nothing was sent.`, '');
  return lines.join('\n');
}

function stepLines(step: DryRunStep, number: number): string[] {
  const title = `${number}. ${step.id} (${step.uses})${step.name === undefined ? '' : `: ${step.name}`}`;
  const lines = [title];
  const add = (text: string) => lines.push(...text.split('\n').map((line) => (line === '' ? '' : INDENT + line)));
  if (step.needs.length > 0) add(`after: ${step.needs.join(', ')}`);
  if (step.condition) {
    const { template, result } = step.condition;
    if (result === 'unknown')
      add(`if ${template}: unknown in a dry run (reads the output of ${step.unknown_outputs.join(', ') || 'an earlier step'}); shown as if true`);
    else if (result === 'true' || result === 'false') add(`if ${template}: ${result}`);
  }
  if (step.status === 'skipped') add(`skipped: ${step.reason}`);
  if (step.status === 'would-fail') add(`would fail: ${step.reason}`);
  if (step.blocked_by !== undefined && step.status !== 'skipped') add(`would not run: step ${step.blocked_by} would fail (shown anyway)`);
  if (step.plan) add(planText(step.plan));
  if (step.items) add(`for_each: ${step.items.length} ${step.items.length === 1 ? 'item' : 'items'}`);
  for (const item of step.items ?? []) {
    add(`item ${item.index}:`);
    lines.push(...itemLines(item).map((line) => (line === '' ? '' : INDENT + INDENT + line)));
  }
  return lines;
}

/** An item of a `for_each` step: what differs from one item to the next. */
function itemLines(item: DryRunStep): string[] {
  const lines: string[] = [];
  if (item.condition && (item.condition.result === 'true' || item.condition.result === 'false'))
    lines.push(`if ${item.condition.template}: ${item.condition.result}`);
  if (item.status === 'skipped') lines.push(`skipped: ${item.reason}`);
  if (item.status === 'would-fail') lines.push(`would fail: ${item.reason}`);
  if (item.plan) lines.push(...planText(item.plan).split('\n'));
  return lines;
}

/** Each kind says how its plan reads. */
function planText(plan: PlannedRequest): string {
  return stepKind(plan.kind).describePlan(plan);
}

function summary(steps: DryRunStep[]): string {
  const count = (status: DryRunStep['status']) => steps.filter((step) => step.status === status).length;
  const noun = steps.length === 1 ? 'step' : 'steps';
  return `${steps.length} ${noun}: ${count('would-run')} would run, ${count('skipped')} skipped, ${count('would-fail')} would fail`;
}
