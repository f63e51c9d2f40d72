import { DryRun, DryRunStep } from '../engine/dry-run';
import { definitionForKind, FailureContext } from '../engine/failure-handoff';
import { SourceDefinition, WorkflowDefinition } from '../workflows/workflow.types';
import { Difference, differences, isRecord } from './expectation-diff';
import { StepExpectation, TestExpectation, TestStepStatus, WorkflowTestCase, WorkflowTestFile } from './workflow-test-file';

/** Every test runs at this instant, so `event.received_at` and delays render the same on every machine. */
export const TEST_CLOCK = new Date('2026-01-01T00:00:00.000Z');

/**
 * Headers the engine adds to every request by itself. They say nothing about the workflow
 * (and the user agent changes with each release), so tests neither record nor compare them.
 */
const ENGINE_HEADERS: ReadonlySet<string> = new Set(['user-agent', 'idempotency-key', 'webhook-id', 'webhook-timestamp', 'webhook-signature', 'message-id']);

/** What a step of the workflow under test did, in the shape test files expect it. */
export interface ObservedStep {
  status: TestStepStatus;
  request?: unknown;
  /** A `for_each` step's requests, one per item (`null` for a skipped item). */
  requests?: unknown[];
  error?: string;
}

/** What the event did: the workflows it starts and the steps of the workflow under test. */
export interface TestObservation {
  workflows: string[];
  steps: Record<string, ObservedStep>;
  /** Why the workflow under test does not start (its steps are then empty). */
  unmatched?: string;
}

export interface WorkflowTestResult {
  name: string;
  index: number;
  line: number;
  column: number;
  passed: boolean;
  differences: Difference[];
  observed: TestObservation;
}

/** The workflows and sources a test file is run against: a folder as loaded, or with an unsaved draft in place of its version. */
export interface WorkflowSuite {
  workflows: ReadonlyMap<string, WorkflowDefinition>;
  sources: ReadonlyMap<string, SourceDefinition>;
}

/**
 * Runs the tests of a file through the dry run (the real trigger matcher, templates and
 * connector plans; nothing is sent, secrets render as `[secret]`), with the tests' canned
 * step outputs, and compares what happened with their `expect`.
 */
export class WorkflowTestRunner {
  constructor(
    private readonly dryRun: DryRun,
    private readonly suite: WorkflowSuite,
  ) {}

  run(file: WorkflowTestFile): WorkflowTestResult[] {
    return file.tests.map((test) => {
      const observed = this.observe(file.workflow, test);
      const found = compare(test.expect, observed, file.workflow);
      return { name: test.name, index: test.index, ...test.position, passed: found.length === 0, differences: found, observed };
    });
  }

  /** Problems that keep the file from running at all (its workflow is not in the folder). */
  problemOf(file: WorkflowTestFile): string | undefined {
    if (this.suite.workflows.has(file.workflow)) return undefined;
    const names = [...this.suite.workflows.keys()].sort().join(', ');
    return `no valid workflow ${file.workflow} to test (workflows: ${names || 'none'}); name it with \`workflow:\` or in the file name (<workflow>.test.yaml)`;
  }

  observe(workflowName: string, test: WorkflowTestCase): TestObservation {
    const underTest = this.suite.workflows.get(workflowName)!;
    if (test.failure) return this.observeFailure(underTest, test, test.failure);
    const source = test.source ?? underTest.on.webhook;
    const candidates = source === undefined ? [underTest] : [...this.suite.workflows.values()].filter((workflow) => workflow.on.webhook === source);
    const options = { sources: this.suite.sources, type: test.type, now: TEST_CLOCK, outputs: test.outputs };
    const observation: TestObservation = { workflows: [], steps: {} };
    for (const workflow of candidates.sort((a, b) => a.name.localeCompare(b.name))) {
      const report = this.dryRun.run(workflow, test.event, options);
      if (report.trigger.matches) observation.workflows.push(workflow.name);
      if (workflow.name !== workflowName) continue;
      if (!report.trigger.matches) observation.unmatched = report.trigger.reasons.join('; ');
      else for (const step of report.steps) observation.steps[step.id] = observedStep(step);
    }
    if (!candidates.includes(underTest)) observation.unmatched = `it listens on source ${underTest.on.webhook ?? '(none)'}, the event arrives on ${source}`;
    return observation;
  }

  /** The workflow's `on_failure:` steps (on-failure.yaml's for the global handler) for a run that failed so. */
  private observeFailure(underTest: WorkflowDefinition, test: WorkflowTestCase, failure: FailureContext): TestObservation {
    const handler = definitionForKind(underTest, 'on_failure');
    const context = { ...failure, workflow: failure.workflow || underTest.name };
    const report = this.dryRun.run(handler, test.event, {
      sources: this.suite.sources,
      type: test.type,
      now: TEST_CLOCK,
      outputs: test.outputs,
      failure: context,
    });
    const observation: TestObservation = { workflows: [], steps: {} };
    for (const step of report.steps) observation.steps[step.id] = observedStep(step);
    return observation;
  }
}

/** The expectation `--update` writes: what happened, keeping each step's `exact`. */
export function recordedExpectation(observed: TestObservation, previous: TestExpectation | undefined, failureTest = false): Record<string, unknown> {
  const steps: Record<string, unknown> = {};
  for (const [id, step] of Object.entries(observed.steps)) {
    const exact = previous?.steps?.[id]?.exact === true ? { exact: true } : {};
    steps[id] = {
      status: step.status,
      ...exact,
      ...(step.request !== undefined && { request: step.request }),
      ...(step.requests !== undefined && { requests: step.requests }),
      ...(step.error !== undefined && { error: step.error }),
    };
  }
  // A failure test matches no event: it records its steps only.
  const workflows = failureTest ? {} : { workflows: observed.workflows };
  return { ...workflows, ...(Object.keys(steps).length > 0 && { steps }) };
}

function compare(expectation: TestExpectation | undefined, observed: TestObservation, workflowName: string): Difference[] {
  if (expectation === undefined)
    return [{ path: 'expect', expected: undefined, actual: undefined, note: 'the test has no `expect`: run hookflow test --update to record one' }];
  const found: Difference[] = [];
  if (expectation.workflows !== undefined) {
    const expected = [...expectation.workflows].sort();
    if (JSON.stringify(expected) !== JSON.stringify(observed.workflows)) found.push({ path: 'workflows', expected, actual: observed.workflows });
  }
  for (const [id, step] of Object.entries(expectation.steps ?? {})) {
    const actual = observed.steps[id];
    if (actual === undefined) {
      const note =
        observed.unmatched === undefined ? `workflow ${workflowName} has no step ${id}` : `workflow ${workflowName} does not start: ${observed.unmatched}`;
      found.push({ path: `steps.${id}`, expected: step, actual: undefined, note });
      continue;
    }
    found.push(...stepDifferences(`steps.${id}`, step, actual));
  }
  return found;
}

function stepDifferences(path: string, expected: StepExpectation, actual: ObservedStep): Difference[] {
  const found: Difference[] = [];
  if (expected.status !== undefined && expected.status !== actual.status) {
    found.push({ path: `${path}.status`, expected: expected.status, actual: actual.status, ...(actual.error !== undefined && { note: actual.error }) });
  }
  if (expected.error !== undefined && expected.error !== actual.error) found.push({ path: `${path}.error`, expected: expected.error, actual: actual.error });
  if (expected.request !== undefined)
    found.push(...differences(withLowerCaseHeaders(expected.request), actual.request, `${path}.request`, expected.exact === true));
  if (expected.requests !== undefined)
    found.push(...differences(expected.requests.map(withLowerCaseHeaders), actual.requests, `${path}.requests`, expected.exact === true));
  return found;
}

function observedStep(step: DryRunStep): ObservedStep {
  // In a real run a step whose need failed is skipped.
  if (step.status === 'skipped' || step.blocked_by !== undefined) return { status: 'skipped' };
  if (step.status === 'would-fail') return { status: 'fails', error: step.reason ?? 'it would fail' };
  if (step.items !== undefined)
    return { status: 'sent', requests: step.items.map((item) => (item.status === 'skipped' ? null : requestOf(item.plan?.detail))) };
  return { status: 'sent', request: requestOf(step.plan?.detail) };
}

/**
 * A plan as a test reads it: `{ method, url, headers, body }` for HTTP and Slack (a JSON body
 * parsed), `{ method: SMTP, headers, body }` for e-mail (the server is deployment settings,
 * not the workflow), and the plan itself for other kinds (the map `set` makes, the workflow
 * and event a `workflow` step starts).
 */
function requestOf(detail: unknown): unknown {
  if (!isRecord(detail)) return detail;
  if (typeof detail.method === 'string' && typeof detail.url === 'string') {
    const headers = workflowHeaders(detail.headers);
    return { method: detail.method, url: detail.url, headers, body: parsedBody(detail.body, headers['content-type']) };
  }
  if ('server' in detail && isRecord(detail.headers)) return { method: 'SMTP', headers: workflowHeaders(detail.headers), body: detail.body ?? null };
  return detail;
}

function workflowHeaders(headers: unknown): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [name, value] of Object.entries(isRecord(headers) ? headers : {})) {
    if (!ENGINE_HEADERS.has(name.toLowerCase())) result[name.toLowerCase()] = String(value);
  }
  return result;
}

function parsedBody(body: unknown, contentType: string | undefined): unknown {
  if (typeof body !== 'string' || !/json/i.test(contentType ?? '')) return body ?? null;
  try {
    return JSON.parse(body) as unknown;
  } catch {
    return body;
  }
}

function withLowerCaseHeaders(request: unknown): unknown {
  if (!isRecord(request) || !isRecord(request.headers)) return request;
  return { ...request, headers: Object.fromEntries(Object.entries(request.headers).map(([name, value]) => [name.toLowerCase(), value])) };
}
