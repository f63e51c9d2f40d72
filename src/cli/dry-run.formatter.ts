import type { PlannedRequest } from '../connectors/connector';
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
    if (result === 'unknown') add(`if ${template}: unknown in a dry run (reads the output of ${step.unknown_outputs.join(', ') || 'an earlier step'}); shown as if true`);
    else if (result === 'true' || result === 'false') add(`if ${template}: ${result}`);
  }
  if (step.status === 'skipped') add(`skipped: ${step.reason}`);
  if (step.status === 'would-fail') add(`would fail: ${step.reason}`);
  if (step.blocked_by !== undefined && step.status !== 'skipped') add(`would not run: step ${step.blocked_by} would fail (shown anyway)`);
  if (step.plan) add(planText(step.plan));
  return lines;
}

function planText(plan: PlannedRequest): string {
  const detail = (plan.detail ?? {}) as Record<string, unknown>;
  switch (plan.kind) {
    case 'http':
    case 'slack':
      return httpText(plan.summary, detail);
    case 'email':
      return emailText(plan.summary, detail);
    case 'set':
      return `output:\n${pretty(detail)}`;
    case 'delay':
      return `${plan.summary} (until ${String(detail.until)})`;
    case 'workflow':
      return `${plan.summary} with the event body:\n${pretty(detail.event)}`;
    default:
      return `${plan.summary}\n${pretty(detail)}`;
  }
}

function httpText(summary: string, detail: Record<string, unknown>): string {
  const headers = (detail.headers ?? {}) as Record<string, string>;
  const lines = [summary, ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`)];
  if (typeof detail.body === 'string') lines.push('', prettyBody(detail.body));
  if ('webhook-signature' in headers) lines.push('', 'Signed (Standard Webhooks): webhook-timestamp and webhook-signature are computed when sent.');
  if (typeof detail.expect === 'string' && detail.expect !== '2xx') lines.push(`Counts as success: ${detail.expect}`);
  return lines.join('\n');
}

function emailText(summary: string, detail: Record<string, unknown>): string {
  const server = typeof detail.server === 'string' ? `via ${detail.server}` : '(HOOKFLOW_SMTP_URL is not set: a real run would fail)';
  const headers = (detail.headers ?? {}) as Record<string, string>;
  const lines = [`${summary} ${server}`, ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`)];
  if (typeof detail.text === 'string') lines.push('', detail.text);
  if (typeof detail.html === 'string') lines.push('', 'html:', detail.html);
  return lines.join('\n');
}

/** JSON bodies indented; anything else as it would be sent. */
function prettyBody(body: string): string {
  try {
    return pretty(JSON.parse(body));
  } catch {
    return body;
  }
}

function pretty(value: unknown): string {
  return JSON.stringify(value, null, 2) ?? 'null';
}

function summary(steps: DryRunStep[]): string {
  const count = (status: DryRunStep['status']) => steps.filter((step) => step.status === status).length;
  const noun = steps.length === 1 ? 'step' : 'steps';
  return `${steps.length} ${noun}: ${count('would-run')} would run, ${count('skipped')} skipped, ${count('would-fail')} would fail`;
}
