import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import type { WorkflowProblem } from './workflow.types';

/** A temporary workflows folder for tests; `files` maps file names to their text. */
export async function workflowDir(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'hookflow-workflows-'));
  await writeFiles(dir, files);
  return dir;
}

export async function writeFiles(dir: string, files: Record<string, string>): Promise<void> {
  for (const [name, text] of Object.entries(files)) await writeFile(join(dir, name), text);
}

export async function removeDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}

/** Joins lines so that line numbers in tests can be read off the array index + 1. */
export function yamlLines(...lines: string[]): string {
  return `${lines.join('\n')}\n`;
}

export const SOURCES_YAML = yamlLines(
  'sources:',
  '  shop:',
  '    verify:',
  '      scheme: hmac-sha256',
  '      secret: "{{secrets.SHOP_WEBHOOK_SECRET}}"',
  '      header: X-Shop-Signature',
  '      encoding: hex',
  '    event_type: "{{event.body.type}}"',
  '    dedupe_key: "{{event.headers.x-event-id}}"',
  '  github:',
  '    verify: { scheme: github, secret: ["{{secrets.OLD}}", "{{secrets.NEW}}"] }',
  '    body_limit: 2mb',
);

/** The example of DESIGN.md (plus `continue_on_error`); its first step starts at line 10. */
export const ORDER_PAID_YAML = yamlLines(
  'name: order-paid',
  'description: Ship the order and tell the team when a payment completes.',
  'on:',
  '  webhook: shop',
  '  event: order.paid',
  '  if: "{{gt event.body.order.total 0}}"',
  'concurrency:',
  '  key: "{{event.body.order.id}}"',
  'steps:',
  '  - id: label',
  '    uses: http',
  '    with:',
  '      method: POST',
  '      url: "{{secrets.SHIPPING_URL}}/labels"',
  '      headers: { Authorization: "Bearer {{secrets.SHIPPING_TOKEN}}" }',
  '      body:',
  '        order_id: "{{event.body.order.id}}"',
  '        address: "{{event.body.order.shipping_address}}"',
  '      sign: { secret: "{{secrets.SHIPPING_SIGNING_SECRET}}" }',
  '    timeout: 15s',
  '    retry: { attempts: 8, backoff: exponential, initial: 5s, max: 1h }',
  '  - id: notify',
  '    uses: slack',
  '    with:',
  '      webhook_url: "{{secrets.SLACK_WEBHOOK_URL}}"',
  '      text: "Order {{event.body.order.id}} shipped: {{steps.label.output.body.tracking_number}}"',
  '  - id: email',
  '    uses: email',
  '    if: "{{event.body.order.email}}"',
  '    needs: [label]',
  '    continue_on_error: true',
  '    with:',
  '      to: "{{event.body.order.email}}"',
  '      subject: "Your order {{event.body.order.id}} is on its way"',
  '      text: "Tracking number: {{steps.label.output.body.tracking_number}}"',
);

/** Asserts that exactly one problem sits at `line`:`column` and that its message matches. */
export function assertProblemAt(problems: WorkflowProblem[], line: number, column: number, message: RegExp): void {
  const here = problems.filter((problem) => problem.line === line && problem.column === column);
  const all = problems.map((p) => `${p.line}:${p.column} ${p.message}`).join('\n  ');
  assert.equal(here.length, 1, `expected one problem at ${line}:${column}, got:\n  ${all}`);
  assert.match(here[0].message, message);
}
