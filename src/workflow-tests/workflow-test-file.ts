import { readdir, readFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import type { Node } from 'yaml';
import { DRY_RUN_ID, dryRunEventOf, DryRunEventInput, InvalidDryRunEventError } from '../engine/dry-run';
import type { FailureContext } from '../engine/failure-handoff';
import { MAX_WORKFLOW_FILE_BYTES, parseWorkflowFile, ParsedYamlFile } from '../workflows/workflow-file-parser';
import { MapView, YamlNodeReader } from '../workflows/yaml-node-reader';
import { FilePosition, WorkflowProblem } from '../workflows/workflow.types';

/** Test files end so; the part before names the workflow under test unless `workflow:` says otherwise. */
export const TEST_FILE_SUFFIX = '.test.yaml';

/** What a step did in a test, as `hookflow test` records it. */
export const STEP_STATUSES = ['sent', 'skipped', 'fails'] as const;
export type TestStepStatus = (typeof STEP_STATUSES)[number];

export interface StepExpectation {
  status?: TestStepStatus;
  /** What the step sends (method, url, headers, body); compared key by key unless `exact`. */
  request?: unknown;
  /** What a `for_each` step sends, one entry per item in item order (`null` for a skipped item). */
  requests?: unknown[];
  /** Why the step would fail (`status: fails`). */
  error?: string;
  /** Compare every field of the request, not only the listed ones. */
  exact?: boolean;
}

export interface TestExpectation {
  /** The workflows the event starts, all of them (any source's workflows that match). */
  workflows?: string[];
  /** Steps of the workflow under test; steps not listed are not checked. */
  steps?: Record<string, StepExpectation>;
}

export interface WorkflowTestCase {
  name: string;
  /** Its index in `tests:`, the path `--update` writes to. */
  index: number;
  position: FilePosition;
  /** The source the event arrives on; by default the one of the workflow under test. */
  source?: string;
  type?: string;
  event: DryRunEventInput;
  /** Canned outputs by step id, read by later steps as a real run's outputs. */
  outputs: Map<string, unknown>;
  /** Set for a test of the workflow's `on_failure:` steps: the run that failed, as their templates read it. */
  failure?: FailureContext;
  expect?: TestExpectation;
}

export interface WorkflowTestFile {
  /** The path as given (problems and results name it so). */
  file: string;
  text: string;
  /** The workflow whose steps `expect.steps` describe. */
  workflow: string;
  tests: WorkflowTestCase[];
  /** Problems that make the file unusable, with line and column. */
  problems: WorkflowProblem[];
}

const FILE_KEYS = ['workflow', 'tests'];
const TEST_KEYS = ['name', 'source', 'type', 'event', 'headers', 'failure', 'steps', 'expect'];
const FAILURE_KEYS = ['workflow', 'step', 'error', 'attempts'];
const EVENT_KEYS = ['type', 'headers', 'query', 'body'];
const CANNED_STEP_KEYS = ['output'];
const EXPECT_KEYS = ['workflows', 'steps'];
const STEP_EXPECTATION_KEYS = ['status', 'request', 'requests', 'error', 'exact'];

/** The test files (`*.test.yaml`) of a folder, not recursive, in name order; undefined when there is no such folder. */
export async function listWorkflowTestFiles(dir: string): Promise<string[] | undefined> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  return names
    .filter((name) => /\.test\.ya?ml$/.test(name) && !name.startsWith('.'))
    .sort()
    .map((name) => join(dir, name));
}

/** Reads a test file and the event files it names (relative to it). Never throws for content: problems are listed. */
export async function loadWorkflowTestFile(path: string): Promise<WorkflowTestFile> {
  const text = await readFile(path, 'utf8');
  const parsed = parseWorkflowFile(path, text);
  const reader = new YamlNodeReader(parsed);
  const file: WorkflowTestFile = { file: path, text, workflow: basename(path).replace(/\.test\.ya?ml$/, ''), tests: [], problems: parsed.problems };
  if (Buffer.byteLength(text) > MAX_WORKFLOW_FILE_BYTES || parsed.root === undefined) return file;
  const top = reader.map(parsed.root, 'a test file', FILE_KEYS);
  if (!top) return file;
  const workflowNode = top.get('workflow');
  if (workflowNode !== undefined) file.workflow = reader.string(workflowNode, '`workflow`') ?? file.workflow;
  if (!top.has('tests')) parsed.report(top.node, 'a test file needs `tests:`, a list of tests');
  const items = top.has('tests') ? (reader.list(top.get('tests'), '`tests`') ?? []) : [];
  for (const [index, item] of items.entries()) {
    const test = await readTest(reader, item, index, dirname(path));
    if (test) file.tests.push(test);
  }
  return file;
}

async function readTest(reader: YamlNodeReader, node: Node, index: number, dir: string): Promise<WorkflowTestCase | undefined> {
  const parsed = reader.file;
  const view = reader.map(node, `test ${index + 1}`, TEST_KEYS);
  if (!view) return undefined;
  const position = parsed.positionOf(node) ?? { line: 1, column: 1 };
  const name = view.has('name') ? reader.string(view.get('name'), '`name` of a test') : undefined;
  if (!view.has('name')) parsed.report(node, `test ${index + 1} needs a \`name\``);
  const what = `test ${JSON.stringify(name ?? index + 1)}`;
  if (!view.has('event')) parsed.report(node, `${what} needs an \`event\`: a file (relative to the test file) or { type, headers, body }`);
  const event = view.has('event') ? await readEvent(reader, view.get('event'), dir, what) : undefined;
  const headers = view.has('headers') ? reader.map(view.get('headers'), `\`headers\` of ${what}`) : undefined;
  const test: WorkflowTestCase = {
    name: name ?? `test ${index + 1}`,
    index,
    position,
    event: event ?? { body: null },
    outputs: readCannedSteps(reader, view, what),
  };
  if (headers) test.event = { ...test.event, headers: { ...test.event.headers, ...(reader.plain(headers.node) as Record<string, unknown>) } };
  if (view.has('source')) test.source = reader.string(view.get('source'), `\`source\` of ${what}`);
  if (view.has('type')) test.type = reader.string(view.get('type'), `\`type\` of ${what}`);
  if (view.has('failure')) test.failure = readFailure(reader, view.get('failure'), what);
  if (view.has('expect') && view.get('expect') !== null) test.expect = readExpectation(reader, view.get('expect'), what);
  if (test.failure && test.expect?.workflows !== undefined) {
    parsed.report(view.get('expect'), `\`expect.workflows\` of ${what} does not apply: a \`failure\` test runs the on_failure steps, which no event matches`);
  }
  return test;
}

async function readEvent(reader: YamlNodeReader, node: Node | null | undefined, dir: string, what: string): Promise<DryRunEventInput | undefined> {
  const parsed = reader.file;
  const value = reader.scalar(node);
  if (typeof value === 'string') return readEventFile(parsed, node!, resolve(dir, value), value);
  const view = reader.map(node, `\`event\` of ${what} (a file name, or a map)`, EVENT_KEYS);
  if (!view) return undefined;
  if (!view.has('body')) parsed.report(view.node, `the inline \`event\` of ${what} needs a \`body\``);
  try {
    return dryRunEventOf({ body: null, headers: {}, ...(reader.plain(view.node) as object) });
  } catch (error) {
    if (!(error instanceof InvalidDryRunEventError)) throw error;
    parsed.report(view.node, `\`event\` of ${what}: ${error.message}`);
    return undefined;
  }
}

/** `shown`: the path as the test file gives it, so messages name no folder of the machine. */
async function readEventFile(parsed: ParsedYamlFile, node: Node, path: string, shown: string): Promise<DryRunEventInput | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    parsed.report(node, `cannot read the event file ${shown}: ${code === 'ENOENT' ? 'no such file' : (error as Error).message}`);
    return undefined;
  }
  try {
    return dryRunEventOf(JSON.parse(text));
  } catch (error) {
    const reason = error instanceof InvalidDryRunEventError ? error.message : `not valid JSON (${(error as Error).message})`;
    parsed.report(node, `the event file ${shown} cannot be used: ${reason}`);
    return undefined;
  }
}

/** `failure:` of a test; `workflow` is filled in by the runner (the workflow under test by default). */
function readFailure(reader: YamlNodeReader, node: Node | null | undefined, what: string): FailureContext | undefined {
  const view = node === null ? undefined : reader.map(node, `\`failure\` of ${what}`, FAILURE_KEYS);
  if (node !== null && !view) return undefined;
  const failure: FailureContext = { run_id: DRY_RUN_ID, workflow: '', step: null, error: null, attempts: 0 };
  if (view?.has('workflow')) failure.workflow = reader.string(view.get('workflow'), `\`failure.workflow\` of ${what}`) ?? '';
  if (view?.has('step')) failure.step = reader.string(view.get('step'), `\`failure.step\` of ${what}`) ?? null;
  if (view?.has('error')) failure.error = reader.string(view.get('error'), `\`failure.error\` of ${what}`) ?? null;
  if (view?.has('attempts')) failure.attempts = reader.integer(view.get('attempts'), `\`failure.attempts\` of ${what}`, 0, 1000) ?? 0;
  return failure;
}

function readCannedSteps(reader: YamlNodeReader, view: MapView, what: string): Map<string, unknown> {
  const outputs = new Map<string, unknown>();
  if (!view.has('steps')) return outputs;
  const steps = reader.map(view.get('steps'), `\`steps\` of ${what} (canned outputs by step id)`);
  for (const id of steps?.keys() ?? []) {
    const step = reader.map(steps!.get(id), `step ${id} of ${what}`, CANNED_STEP_KEYS);
    if (!step) continue;
    if (!step.has('output')) reader.file.report(step.node, `step ${id} of ${what} needs an \`output\`: what later steps read as steps.${id}.output`);
    else outputs.set(id, reader.plain(step.get('output')));
  }
  return outputs;
}

function readExpectation(reader: YamlNodeReader, node: Node | null | undefined, what: string): TestExpectation | undefined {
  const view = reader.map(node, `\`expect\` of ${what}`, EXPECT_KEYS);
  if (!view) return undefined;
  const expectation: TestExpectation = {};
  if (view.has('workflows')) {
    const names = reader.list(view.get('workflows'), `\`expect.workflows\` of ${what}`);
    if (names) expectation.workflows = names.flatMap((name) => reader.string(name, 'a workflow name') ?? []);
  }
  if (view.has('steps')) {
    const steps = reader.map(view.get('steps'), `\`expect.steps\` of ${what}`);
    expectation.steps = {};
    for (const id of steps?.keys() ?? []) {
      const step = readStepExpectation(reader, steps!.get(id), `step ${id} in \`expect\` of ${what}`);
      if (step) Object.defineProperty(expectation.steps, id, { value: step, enumerable: true, writable: true, configurable: true });
    }
  }
  return expectation;
}

function readStepExpectation(reader: YamlNodeReader, node: Node | null | undefined, what: string): StepExpectation | undefined {
  const view = reader.map(node, what, STEP_EXPECTATION_KEYS);
  if (!view) return undefined;
  const expectation: StepExpectation = {};
  if (view.has('status')) {
    const status = reader.scalar(view.get('status'));
    if (STEP_STATUSES.includes(status as TestStepStatus)) expectation.status = status as TestStepStatus;
    else reader.file.report(view.get('status'), `\`status\` of ${what} must be one of ${STEP_STATUSES.join(', ')}`);
  }
  if (view.has('request')) expectation.request = reader.plain(view.get('request'));
  if (view.has('requests') && reader.list(view.get('requests'), `\`requests\` of ${what} (one per for_each item)`)) {
    expectation.requests = reader.plain(view.get('requests')) as unknown[];
  }
  if (view.has('error')) expectation.error = reader.string(view.get('error'), `\`error\` of ${what}`);
  if (view.has('exact')) expectation.exact = reader.boolean(view.get('exact'), `\`exact\` of ${what}`);
  return expectation;
}
