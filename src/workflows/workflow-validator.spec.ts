import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { TemplateEngine } from '../templates/template-engine';
import { join } from 'node:path';
import { validateCommand } from '../cli/validate.command';
import { loadWorkflowDirectory } from './workflow-loader';
import { SOURCES_YAML, assertProblemAt, removeDir, workflowDir, yamlLines } from './workflow-dir.fixture';
import type { WorkflowProblem } from './workflow.types';

const engine = new TemplateEngine();
const dirs: string[] = [];
after(async () => Promise.all(dirs.map(removeDir)));

async function load(files: Record<string, string>) {
  const dir = await workflowDir(files);
  dirs.push(dir);
  return loadWorkflowDirectory(dir, engine);
}

/** Problems of `w.yaml`, loaded beside the standard sources file. */
async function problemsOf(text: string, sources: string | null = SOURCES_YAML): Promise<WorkflowProblem[]> {
  const result = await load(sources === null ? { 'w.yaml': text } : { 'sources.yaml': sources, 'w.yaml': text });
  const file = result.files.find((entry) => entry.file.endsWith('w.yaml'));
  assert.ok(file);
  assert.equal(file.workflow, undefined, 'an invalid file must not produce a definition');
  return file.problems;
}

/** A workflow on the `shop` source whose steps start at line 5. */
function withSteps(...lines: string[]): string {
  return yamlLines('name: w', 'on:', '  webhook: shop', 'steps:', ...lines);
}

describe('WorkflowValidator: structure', () => {
  it('reports unknown keys at every level with their position', async () => {
    const problems = await problemsOf(
      yamlLines(
        'name: w',
        'colour: blue',
        'on:',
        '  webhook: shop',
        '  events: order.paid',
        'concurrency: { key: "{{event.body.id}}", limit: 2 }',
        'steps:',
        '  - id: a',
        '    uses: http',
        '    with: { url: "https://example.com", methd: POST }',
        '    retry: { attempts: 3, jitter: true }',
        '    timout: 5s',
      ),
    );
    assertProblemAt(problems, 2, 1, /unknown key `colour` in the workflow/);
    assertProblemAt(problems, 5, 3, /unknown key `events` in `on`/);
    assertProblemAt(problems, 6, 42, /unknown key `limit` in `concurrency`/);
    assertProblemAt(problems, 10, 41, /unknown key `methd` in `with` of an http step/);
    assertProblemAt(problems, 11, 27, /unknown key `jitter` in `retry`/);
    assertProblemAt(problems, 12, 5, /unknown key `timout` in step `a`/);
    assert.equal(problems.length, 6);
  });

  it('checks the `with` keys of every step kind', async () => {
    const problems = await problemsOf(
      withSteps(
        '  - { id: s, uses: slack, with: { webhook_url: "https://h", text: hi, colour: red } }',
        '  - { id: e, uses: email, with: { to: a@b.c, subject: s, text: t, attach: x } }',
        '  - { id: d, uses: delay, with: { for: 5m, at: 1 } }',
        '  - { id: f, uses: workflow, with: { name: other, data: {} } }',
        '  - { id: v, uses: set, with: { anything: 1, goes: 2 } }',
      ),
    );
    assertProblemAt(problems, 5, 71, /unknown key `colour`/);
    assertProblemAt(problems, 6, 67, /unknown key `attach`/);
    assertProblemAt(problems, 7, 44, /unknown key `at`/);
    assertProblemAt(problems, 8, 51, /unknown key `data`/);
    assert.equal(problems.length, 4);
  });

  it('reports missing top-level fields at the start of the file', async () => {
    const problems = await problemsOf(yamlLines('description: nothing else'));
    assert.deepEqual(
      problems.map((p) => [p.line, p.column]),
      [
        [1, 1],
        [1, 1],
        [1, 1],
      ],
    );
    assert.match(problems.map((p) => p.message).join('\n'), /needs a `name`[\s\S]*needs `on`[\s\S]*needs `steps`/);
  });

  it('requires at least one step and a webhook or schedule', async () => {
    const problems = await problemsOf(yamlLines('name: w', 'on:', '  event: order.paid', 'steps: []'));
    assertProblemAt(problems, 2, 1, /`on` needs `webhook` or `schedule`/);
    assertProblemAt(problems, 3, 3, /`on.event` needs `on.webhook`/);
    assertProblemAt(problems, 4, 8, /at least one step/);
  });

  it('requires id and uses on each step and knows the step kinds', async () => {
    const problems = await problemsOf(withSteps('  - uses: http', '    with: { url: "https://x" }', '  - id: b', '  - id: c', '    uses: ftp'));
    assertProblemAt(problems, 5, 5, /step 1 needs an `id`/);
    assertProblemAt(problems, 7, 5, /step `b` needs `uses`/);
    assertProblemAt(problems, 9, 11, /unknown step kind `ftp` \(expected one of http, slack, email, set, delay, workflow(, [a-z0-9_-]+)*\)/);
  });

  it('reports wrong types at the offending value', async () => {
    const problems = await problemsOf(
      yamlLines(
        'name: 42',
        'on: shop',
        'steps:',
        '  - id: a',
        '    uses: set',
        '    continue_on_error: "yes"',
        '    timeout: 15',
        '    needs: { a: 1 }',
        '    with: [1, 2]',
      ),
    );
    assertProblemAt(problems, 1, 7, /`name` must be a string/);
    assertProblemAt(problems, 2, 5, /`on` must be a map/);
    assertProblemAt(problems, 6, 24, /`continue_on_error` must be true or false/);
    assertProblemAt(problems, 7, 14, /`timeout` must be a duration/);
    assertProblemAt(problems, 8, 12, /`needs` must be a list/);
    assertProblemAt(problems, 9, 11, /`with` of a set step must be a map/);
  });

  it('rejects ids and names outside lower-case letters, digits, - and _', async () => {
    const problems = await problemsOf(
      yamlLines('name: Order Paid', 'on: { webhook: shop }', 'steps:', '  - id: Label', '    uses: set'),
    );
    assertProblemAt(problems, 1, 7, /workflow name `Order Paid` must be/);
    assertProblemAt(problems, 4, 9, /step id `Label` must be/);
  });

  it('reserves step ids that name prototype members', async () => {
    const problems = await problemsOf(withSteps('  - { id: __proto__, uses: set }', '  - { id: constructor, uses: set }'));
    assertProblemAt(problems, 5, 11, /step id `__proto__` is reserved/);
    assertProblemAt(problems, 6, 11, /step id `constructor` is reserved/);
    assert.equal(problems.length, 2);
  });

  it('refuses prototype keys anywhere and keeps validating after a duplicate key', async () => {
    const problems = await problemsOf(
      withSteps(
        '  - id: a',
        '    uses: set',
        '    with:',
        '      __proto__: { polluted: true }',
        '      body: { constructor: { prototype: 1 } }',
        '    uses: set',
        '    colour: red',
      ),
    );
    assertProblemAt(problems, 8, 7, /key `__proto__` is not allowed/);
    assertProblemAt(problems, 9, 15, /key `constructor` is not allowed/);
    assertProblemAt(problems, 9, 30, /key `prototype` is not allowed/);
    assertProblemAt(problems, 10, 5, /duplicate key/);
    assertProblemAt(problems, 11, 5, /unknown key `colour` in step `a`/);
    assert.equal(problems.length, 5);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });

  it('gives a duplicate workflow name to the second file', async () => {
    const text = withSteps('  - { id: a, uses: set }');
    const result = await load({ 'sources.yaml': SOURCES_YAML, 'a.yaml': text, 'b.yaml': text });
    assert.equal(result.workflows.get('w')?.file, 'a.yaml');
    const [a, b] = result.files.filter((file) => file.kind === 'workflow');
    assert.deepEqual(a.problems, []);
    assertProblemAt(b.problems, 1, 7, /workflow name `w` is already used by .*a\.yaml/);
  });
});

describe('WorkflowValidator: workflows that start workflows', () => {
  /** A scheduled workflow whose step `go` (line 4) starts `target`. */
  function starting(name: string, target: string): string {
    return yamlLines(`name: ${name}`, 'on: { schedule: "0 * * * *" }', 'steps:', '  - id: go', '    uses: workflow', `    with: { name: ${target}, event: {} }`);
  }

  it('refuses a workflow that starts itself by name, at its `with.name`', async () => {
    const result = await load({ 'loop.yaml': starting('loop', 'loop') });
    const [file] = result.files;
    assert.equal(file.workflow, undefined);
    assert.equal(result.workflows.size, 0);
    assertProblemAt(file.problems, 6, 19, /`with.name` starts workflows in a cycle: loop → loop$/);
  });

  it('refuses every workflow of an indirect cycle, each with the chain from itself', async () => {
    const result = await load({
      'notify.yaml': starting('notify', 'audit'),
      'audit.yaml': starting('audit', 'order-paid'),
      'order-paid.yaml': starting('order-paid', 'notify'),
      'report.yaml': starting('report', 'order-paid'),
    });
    const problems = (name: string) => result.files.find((file) => file.file.endsWith(`/${name}.yaml`))!.problems;
    assertProblemAt(problems('order-paid'), 6, 19, /cycle: order-paid → notify → audit → order-paid$/);
    assertProblemAt(problems('notify'), 6, 19, /cycle: notify → audit → order-paid → notify$/);
    assertProblemAt(problems('audit'), 6, 19, /cycle: audit → order-paid → notify → audit$/);
    assert.deepEqual(problems('report'), [], 'a workflow that leads into a cycle is not on it');
    assert.deepEqual([...result.workflows.keys()], ['report']);
  });

  it('accepts chains without a cycle and names from templates, which only a run can know', async () => {
    const result = await load({
      'a.yaml': starting('a', 'b'),
      'b.yaml': starting('b', 'c'),
      'c.yaml': yamlLines('name: c', 'on: { schedule: "0 * * * *" }', 'steps: [{ id: s, uses: set }]'),
      'again.yaml': starting('again', '"{{workflow.name}}"'),
    });
    assert.deepEqual(result.problems, []);
    assert.deepEqual([...result.workflows.keys()].sort(), ['a', 'again', 'b', 'c']);
  });

  it('reports the cycle in `hookflow validate`, with file, line and column', async () => {
    const dir = await workflowDir({ 'a.yaml': starting('a', 'b'), 'b.yaml': starting('b', 'a') });
    dirs.push(dir);
    const out: string[] = [];
    const code = await validateCommand([dir], { out: (text) => out.push(text), err: (text) => out.push(text) });
    assert.equal(code, 1);
    assert.deepEqual(out, [
      `${join(dir, 'a.yaml')}:6:19  \`with.name\` starts workflows in a cycle: a → b → a\n`,
      `${join(dir, 'b.yaml')}:6:19  \`with.name\` starts workflows in a cycle: b → a → b\n`,
      '2 problems in 2 files\n',
    ]);
  });
});

describe('WorkflowValidator: step order', () => {
  it('reports duplicate step ids at the second one', async () => {
    const problems = await problemsOf(withSteps('  - { id: a, uses: set }', '  - id: a', '    uses: set'));
    assertProblemAt(problems, 6, 9, /duplicate step id `a`/);
    assert.equal(problems.length, 1);
  });

  it('reports needs naming a step that does not exist', async () => {
    const problems = await problemsOf(withSteps('  - { id: a, uses: set }', '  - id: b', '    uses: set', '    needs: [a, shipping]'));
    assertProblemAt(problems, 8, 16, /`needs` names `shipping`, which is not a step/);
    assert.equal(problems.length, 1);
  });

  it('reports a needs cycle once, naming its steps', async () => {
    const problems = await problemsOf(
      withSteps('  - id: a', '    uses: set', '    needs: [c]', '  - { id: b, uses: set }', '  - { id: c, uses: set, needs: [b] }'),
    );
    assertProblemAt(problems, 7, 12, /`needs` form a cycle: a → c → b → a/);
    assert.equal(problems.length, 1);
  });

  it('reports references to missing, later and parallel steps', async () => {
    const problems = await problemsOf(
      withSteps(
        '  - id: a',
        '    uses: set',
        '    with: { x: "{{steps.b.output.x}}" }',
        '  - id: b',
        '    uses: set',
        '    needs: []',
        '    with: { x: "{{steps.nope.output}}" }',
        '  - id: c',
        '    uses: set',
        '    if: "{{steps.a.output.x}}"',
        '    with: { x: "{{steps.b.output}}", own: "{{steps.c.output}}" }',
      ),
    );
    assertProblemAt(problems, 7, 16, /`steps.b` is not sure to have run before step `a`/);
    assertProblemAt(problems, 11, 16, /`steps.nope` refers to a step that does not exist/);
    assertProblemAt(problems, 14, 9, /`steps.a` is not sure to have run before step `c`/);
    assertProblemAt(problems, 15, 43, /step `c` cannot use its own output/);
    assert.equal(problems.length, 4);
  });

  it('lets a step use steps before it in file order and through transitive needs', async () => {
    const result = await load({
      'sources.yaml': SOURCES_YAML,
      'w.yaml': withSteps(
        '  - { id: a, uses: set, with: { x: 1 } }',
        '  - { id: b, uses: set, with: { y: "{{steps.a.output.x}}" } }',
        '  - { id: c, uses: set, needs: [], with: { z: 1 } }',
        '  - { id: d, uses: set, needs: [b, c], with: { all: "{{steps.a.output.x}} {{steps.c.output.z}}" } }',
      ),
    });
    assert.deepEqual(result.problems, []);
    assert.deepEqual(
      result.workflows.get('w')?.steps.map((step) => step.needs),
      [undefined, undefined, [], ['b', 'c']],
    );
  });

  it('treats a step with `needs: []` as starting right after the trigger', async () => {
    const problems = await problemsOf(
      withSteps('  - { id: a, uses: set }', '  - id: b', '    uses: set', '    needs: []', '    with: { x: "{{steps.a.output}}" }'),
    );
    assertProblemAt(problems, 9, 16, /`steps.a` is not sure to have run before step `b`: add `a` to its `needs`/);
    assert.equal(problems.length, 1);
  });

  it('forbids steps in the trigger condition and the concurrency key', async () => {
    const problems = await problemsOf(
      yamlLines(
        'name: w',
        'on:',
        '  webhook: shop',
        '  if: "{{steps.a.output.ok}}"',
        'concurrency:',
        '  key: "{{steps.a.output.id}}"',
        'steps:',
        '  - { id: a, uses: set }',
      ),
    );
    assertProblemAt(problems, 4, 7, /`on.if` is evaluated before any step runs and cannot use `steps`/);
    assertProblemAt(problems, 6, 8, /`concurrency.key` is evaluated before any step runs/);
  });
});

describe('WorkflowValidator: values', () => {
  it('reports an unknown source, and any source when sources.yaml is missing', async () => {
    const text = yamlLines('name: w', 'on:', '  webhook: shopify', 'steps:', '  - { id: a, uses: set }');
    assertProblemAt(await problemsOf(text), 3, 12, /unknown source `shopify` \(not declared in sources.yaml\)/);
    const withoutSources = await problemsOf(withSteps('  - { id: a, uses: set }'), null);
    assertProblemAt(withoutSources, 3, 12, /unknown source `shop`/);
  });

  it('reports a template that does not compile at its place inside the string', async () => {
    const problems = await problemsOf(
      withSteps(
        '  - id: a',
        '    uses: slack',
        '    with:',
        '      webhook_url: "{{secrets.SLACK}}"',
        '      text: "Order {{event.body.id} shipped"',
        '      blocks: "{{nohelper event.body.x}}"',
      ),
    );
    const broken = problems.find((problem) => problem.line === 9);
    assert.ok(broken, 'expected a problem on line 9');
    assert.match(broken.message, /`with.text`: template does not compile: /);
    assert.ok(broken.column > 13 && broken.column <= 40, `column ${broken.column} should point inside the template`);
    const helper = problems.find((problem) => problem.line === 10);
    assert.match(helper?.message ?? '', /`with.blocks`: template does not compile: .*nohelper/);
    assert.equal(problems.length, 2);
  });

  it('reports template paths that can never exist: unknown names, unknown event fields, prototype probes', async () => {
    const problems = await problemsOf(
      withSteps(
        '  - id: a',
        '    uses: set',
        '    if: "{{evnt.body.ok}}"',
        '    with:',
        '      x: "{{constructor.constructor}}"',
        '      y: "id {{event.__proto__.polluted}}"',
        '      z: "{{#each @root.toString}}{{this}}{{/each}}"',
        '      fine: "{{default nothing.here \'ok\'}} {{event.body.constructor}} {{run.id}} {{workflow.name}} {{event.received_at}}"',
      ),
    );
    assertProblemAt(problems, 7, 9, /`if`: `evnt` is not something templates can read/);
    assertProblemAt(problems, 9, 10, /`with.x`: `constructor` is not something templates can read/);
    assertProblemAt(problems, 10, 10, /`with.y`: `event.__proto__` does not exist \(an event has id, source, type/);
    assertProblemAt(problems, 11, 10, /`with.z`: `toString` is not something templates can read/);
    assert.equal(problems.length, 4);
  });

  it('checks durations, retry settings and delay', async () => {
    const problems = await problemsOf(
      withSteps(
        '  - id: a',
        '    uses: http',
        '    with: { url: "https://example.com" }',
        '    timeout: 15 seconds',
        '    retry: { attempts: 101, backoff: linear, initial: 2h, max: 1h }',
        '  - { id: b, uses: delay, with: { for: 10x } }',
        '  - { id: c, uses: delay, with: { for: 1m, until: "2030-01-01T00:00:00Z" } }',
        '  - { id: d, uses: delay, with: { until: "next tuesday" } }',
        '  - { id: e, uses: delay }',
      ),
    );
    assertProblemAt(problems, 8, 14, /`timeout` must be a duration such as 500ms, 15s, 5m, 1h or 1d/);
    assertProblemAt(problems, 9, 24, /`retry.attempts` must be a whole number from 1 to 100/);
    assertProblemAt(problems, 9, 38, /`retry.backoff` must be exponential or fixed/);
    assertProblemAt(problems, 9, 55, /`retry.initial` must not exceed `retry.max`/);
    assertProblemAt(problems, 10, 40, /`with.for` must be a duration/);
    assertProblemAt(problems, 11, 51, /exactly one of `with.for` and `with.until`/);
    assertProblemAt(problems, 12, 42, /`with.until` must be an ISO 8601 time/);
    assertProblemAt(problems, 13, 5, /a delay step needs exactly one of/);
    assert.equal(problems.length, 8);
  });

  it('bounds timeouts, retry waits and delays, which no template can set', async () => {
    const problems = await problemsOf(
      withSteps(
        '  - id: a',
        '    uses: http',
        '    with: { url: "https://example.com" }',
        '    timeout: 25d',
        '    retry: { attempts: 0, initial: 366d, max: 9999999999999999999999d }',
        '  - id: b',
        '    uses: http',
        '    with: { url: "https://example.com" }',
        '    timeout: "{{event.body.timeout}}"',
        '    retry: { attempts: "{{event.body.attempts}}", initial: "{{event.body.wait}}", max: 1.5 }',
        '  - { id: c, uses: delay, with: { for: 366d } }',
        '  - { id: d, uses: delay, with: { until: "9999999-01-01" } }',
        '  - { id: e, uses: delay, with: { until: "2030-02-30T00:00:00Z" } }',
        '  - { id: f, uses: http, with: { url: "https://example.com" }, timeout: 1d, retry: { attempts: 100, initial: 365d, max: 365d } }',
        '  - { id: g, uses: delay, with: { for: 365d } }',
        '  - { id: h, uses: delay, with: { until: "9999-12-31T23:59:59Z" } }',
        '  - { id: i, uses: delay, with: { for: "{{event.body.for}}" } }',
      ),
    );
    assertProblemAt(problems, 8, 14, /`timeout` must be at most 1d/);
    assertProblemAt(problems, 9, 24, /`retry.attempts` must be a whole number from 1 to 100/);
    assertProblemAt(problems, 9, 36, /`retry.initial` must be at most 365d/);
    assertProblemAt(problems, 9, 47, /`retry.max` must be at most 365d/);
    assertProblemAt(problems, 13, 14, /`timeout` must be a duration/);
    assertProblemAt(problems, 14, 24, /`retry.attempts` must be a whole number from 1 to 100/);
    assertProblemAt(problems, 14, 60, /`retry.initial` must be a duration/);
    assertProblemAt(problems, 14, 88, /`retry.max` must be a duration/);
    assertProblemAt(problems, 15, 40, /`with.for` must be at most 365d/);
    assertProblemAt(problems, 16, 42, /`with.until` must be an ISO 8601 time/);
    assertProblemAt(problems, 17, 42, /`with.until` must be an ISO 8601 time/);
    assert.equal(problems.length, 11, JSON.stringify(problems, null, 1));
  });

  it('checks the required fields of each step kind', async () => {
    const problems = await problemsOf(
      withSteps(
        '  - id: h',
        '    uses: http',
        '    with:',
        '      method: FETCH',
        '  - id: s',
        '    uses: slack',
        '    with: { token: "{{secrets.T}}" }',
        '  - id: m',
        '    uses: email',
        '    with: { from: a@b.c }',
        '  - { id: w, uses: workflow, with: { event: {} } }',
      ),
    );
    assertProblemAt(problems, 8, 15, /`with.method` must be one of GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS/);
    assertProblemAt(problems, 7, 5, /an http step needs `with.url`/);
    const slack = problems.filter((problem) => problem.line === 11).map((problem) => problem.message);
    assert.ok(slack.some((message) => /`with.token` needs `with.channel`/.test(message)));
    assert.ok(problems.some((p) => p.line === 11 && p.column === 5 && /needs `with.text` or `with.blocks`/.test(p.message)));
    const email = problems.filter((problem) => problem.line === 14 && problem.column === 5).map((p) => p.message);
    assert.equal(email.length, 3);
    assert.match(email.join('\n'), /`with.to`[\s\S]*`with.subject`[\s\S]*`with.text` or `with.html`/);
    assertProblemAt(problems, 15, 30, /a workflow step needs `with.name`/);
  });

  it('accepts any case of an HTTP method and a templated one', async () => {
    const result = await load({
      'sources.yaml': SOURCES_YAML,
      'w.yaml': withSteps(
        '  - { id: a, uses: http, with: { method: patch, url: "https://example.com" } }',
        '  - { id: b, uses: http, with: { method: "{{event.body.method}}", url: "{{secrets.URL}}/x" } }',
      ),
    });
    assert.deepEqual(result.problems, []);
  });

  it('checks the schedule and the time zone', async () => {
    const problems = await problemsOf(
      yamlLines('name: w', 'on: { schedule: "*/15 * * *", timezone: Mars/Olympus }', 'steps: [{ id: a, uses: set }]'),
    );
    assertProblemAt(problems, 2, 17, /`on.schedule` must have 5 fields/);
    assertProblemAt(problems, 2, 41, /unknown time zone `Mars\/Olympus`/);
    const badField = await problemsOf(yamlLines('name: w', 'on:', '  schedule: "61 * * * *"', 'steps: [{ id: a, uses: set }]'));
    assertProblemAt(badField, 3, 13, /minute must be between 0 and 59/);
  });

  it('accepts a schedule-only workflow with a time zone', async () => {
    const result = await load({
      'w.yaml': yamlLines('name: w', 'on: { schedule: "*/15 1-5 * * 1,3", timezone: Europe/Berlin }', 'steps: [{ id: a, uses: set }]'),
    });
    assert.deepEqual(result.problems, []);
    assert.deepEqual(result.workflows.get('w')?.on, { schedule: '*/15 1-5 * * 1,3', timezone: 'Europe/Berlin' });
  });
});

describe('WorkflowValidator: sources file', () => {
  it('reports each problem of a source at its place', async () => {
    const result = await load({
      'sources.yaml': yamlLines(
        'sources:',
        '  Shop:',
        '    verify: { scheme: hmac-sha512, secret: x }',
        '  gh:',
        '    verify: { scheme: github, header: X-Sig, encoding: base64 }',
        '  key:',
        '    verify: { scheme: api-key, secret: k, header: X-Key, encoding: hex, salt: 1 }',
        '    body_limit: 30mb',
        '  open:',
        '    event_type: "{{event.body.type"',
        '  none:',
        '    verify: { scheme: none, secret: s }',
        '    body_limit: 512kb',
        '    redact: [x-ok, "bad name", 42, ""]',
        '  other:',
        '    verify: { scheme: none }',
        '    redact: x-token',
      ),
    });
    assert.equal(result.sources.size, 0);
    const problems = result.files[0].problems;
    assertProblemAt(problems, 2, 3, /source name `Shop` must be/);
    assertProblemAt(problems, 3, 23, /unknown verify scheme `hmac-sha512`/);
    assertProblemAt(problems, 5, 5, /`verify` with scheme github needs `secret`/);
    assertProblemAt(problems, 5, 31, /`verify.header` only applies to scheme api-key or hmac-sha256/);
    assertProblemAt(problems, 5, 46, /`verify.encoding` only applies to scheme hmac-sha256/);
    assertProblemAt(problems, 7, 58, /`verify.encoding` only applies/);
    assertProblemAt(problems, 7, 73, /unknown key `salt` in `verify`/);
    assertProblemAt(problems, 8, 17, /`body_limit` must be a size/);
    assertProblemAt(problems, 9, 3, /source `open` needs `verify`/);
    const template = problems.find((problem) => problem.line === 10);
    assert.match(template?.message ?? '', /`event_type`: template does not compile/);
    assert.ok(template && template.column >= 17 && template.column <= 35, 'the column points into the template');
    assertProblemAt(problems, 12, 29, /scheme none takes no `secret`/);
    assertProblemAt(problems, 14, 20, /`redact` takes header or query parameter names .*not `bad name`/);
    assertProblemAt(problems, 14, 32, /each name in `redact` must be a string/);
    assertProblemAt(problems, 14, 36, /`redact` takes header or query parameter names .*not ``/);
    assertProblemAt(problems, 17, 13, /`redact` must be a list/);
    assert.equal(problems.length, 15);
  });

  it('loads a source\'s redact list in lower case', async () => {
    const result = await load({
      'sources.yaml': yamlLines('sources:', '  shop:', '    verify: { scheme: none }', '    redact: [X-Shop-Id, order_ref]'),
    });
    assert.deepEqual(result.problems, []);
    assert.deepEqual(result.sources.get('shop')?.redact, ['x-shop-id', 'order_ref']);
  });

  it('loads sources with defaults and lower-case headers', async () => {
    const result = await load({ 'sources.yaml': SOURCES_YAML });
    assert.deepEqual(result.problems, []);
    const shop = result.sources.get('shop');
    assert.deepEqual(shop?.verify, {
      scheme: 'hmac-sha256',
      secrets: ['{{secrets.SHOP_WEBHOOK_SECRET}}'],
      header: 'x-shop-signature',
      encoding: 'hex',
    });
    assert.equal(shop?.eventType, '{{event.body.type}}');
    assert.equal(shop?.dedupeKey, '{{event.headers.x-event-id}}');
    assert.equal(shop?.bodyLimit, 1048576);
    assert.deepEqual(shop?.position, { line: 2, column: 3 });
    assert.equal(shop?.file, 'sources.yaml');
    const github = result.sources.get('github');
    assert.deepEqual(github?.verify.secrets, ['{{secrets.OLD}}', '{{secrets.NEW}}']);
    assert.equal(github?.bodyLimit, 2 * 1024 * 1024);
  });
});

describe('WorkflowValidator: secrets', () => {
  it("refuses Hookflow's own settings as secrets, naming the variable", async () => {
    const problems = await problemsOf(
      withSteps(
        '  - id: leak',
        '    uses: http',
        '    with:',
        '      url: "https://example.com/{{secrets.DATABASE_URL}}"',
        '      headers: { X-A: "{{secrets.HOOKFLOW_ADMIN_TOKEN}}", X-B: "{{lower secrets.PGPASSWORD}}", X-C: "{{secrets.SHIPPING_TOKEN}}" }',
      ),
    );
    assertProblemAt(problems, 8, 12, /`secrets\.DATABASE_URL` is refused: DATABASE_URL is one of Hookflow's own settings/);
    assertProblemAt(problems, 9, 23, /`secrets\.HOOKFLOW_ADMIN_TOKEN` is refused/);
    assertProblemAt(problems, 9, 64, /`secrets\.PGPASSWORD` is refused/);
    assert.equal(problems.length, 3);
  });

  it('refuses secrets in a concurrency key, which is stored with each run', async () => {
    const problems = await problemsOf(
      yamlLines('name: w', 'on: { webhook: shop }', 'concurrency: { key: "{{secrets.TENANT_KEY}}-{{event.body.id}}" }', 'steps: [{ id: a, uses: set }]'),
    );
    assertProblemAt(problems, 3, 21, /`concurrency.key` is stored with each run and cannot use `secrets`/);
    assert.equal(problems.length, 1);
  });

  it('refuses secrets in the templates a source stores with each event, and its own settings as a verify secret', async () => {
    const result = await load({
      'sources.yaml': yamlLines(
        'sources:',
        '  shop:',
        '    verify: { scheme: hmac-sha256, secret: "{{secrets.HOOKFLOW_ADMIN_TOKEN}}" }',
        '    event_type: "{{upper secrets.TYPE_PREFIX}}"',
        '    dedupe_key: "{{event.headers.x-id}}-{{secrets.SALT}}"',
      ),
    });
    const problems = result.files[0].problems;
    assertProblemAt(problems, 3, 44, /`secrets\.HOOKFLOW_ADMIN_TOKEN` is refused/);
    assertProblemAt(problems, 4, 17, /`event_type` is stored with each event and cannot use `secrets`/);
    assertProblemAt(problems, 5, 17, /`dedupe_key` is stored with each event and cannot use `secrets`/);
    assert.equal(problems.length, 3);
  });
});

describe('WorkflowValidator: on_failure', () => {
  it('reads on_failure steps, whose templates may read `failure`', async () => {
    const result = await load({
      'sources.yaml': SOURCES_YAML,
      'w.yaml': withSteps('  - { id: a, uses: set }', 'on_failure:', '  - id: tell', '    uses: set', '    with: { text: "{{failure.step}} of {{failure.run_id}}: {{failure.error}}" }'),
    });
    const workflow = result.workflows.get('w');
    assert.deepEqual(result.problems, []);
    assert.deepEqual(
      workflow?.onFailure?.map((step) => step.id),
      ['tell'],
    );
  });

  it('reports bad on_failure steps at their line and column', async () => {
    const problems = await problemsOf(
      withSteps(
        '  - { id: a, uses: set }',
        'on_failure:',
        '  - id: a',
        '    uses: set',
        '  - id: b',
        '    uses: fax',
        '  - id: c',
        '    uses: set',
        '    with: { x: "{{failure.reason}}", y: "{{steps.x.output}}" }',
        '    needs: [nope]',
      ),
    );
    assertProblemAt(problems, 7, 9, /step id `a` is already used in `steps`/);
    assertProblemAt(problems, 10, 11, /unknown step kind `fax`/);
    assertProblemAt(problems, 13, 16, /`failure.reason` does not exist \(a failure has run_id, workflow, step, error, attempts\)/);
    assertProblemAt(problems, 13, 41, /`steps.x` refers to a step that is not in `on_failure`/);
    assertProblemAt(problems, 14, 13, /`needs` names `nope`, which is not a step of `on_failure`/);
  });

  it('refuses `failure` in the templates of ordinary steps', async () => {
    const problems = await problemsOf(withSteps('  - id: a', '    uses: set', '    with: { x: "{{failure.error}}" }'));
    assertProblemAt(problems, 7, 16, /`failure` is only set for `on_failure` steps/);
  });

  it('reads on-failure.yaml as the workflow `on-failure` with only on_failure steps', async () => {
    const result = await load({
      'sources.yaml': SOURCES_YAML,
      'on-failure.yaml': yamlLines('description: Tell the team', 'on_failure:', '  - { id: tell, uses: set, with: { text: "{{failure.workflow}}" } }'),
    });
    assert.deepEqual(result.problems, []);
    const handler = result.workflows.get('on-failure');
    assert.deepEqual(handler?.steps, []);
    assert.deepEqual(handler?.on, {});
    assert.equal(handler?.onFailure?.[0].id, 'tell');
  });

  it('refuses a trigger or steps in on-failure.yaml, and a missing on_failure, at their place', async () => {
    const result = await load({
      'sources.yaml': SOURCES_YAML,
      'on-failure.yaml': yamlLines('name: other', 'on: { webhook: shop }', 'steps:', '  - { id: a, uses: set }'),
    });
    const file = result.files.find((entry) => entry.file.endsWith('on-failure.yaml'));
    assert.ok(file);
    assert.equal(result.workflows.has('on-failure'), false);
    assertProblemAt(file.problems, 1, 1, /on-failure.yaml needs `on_failure`/);
    assertProblemAt(file.problems, 1, 7, /the name of on-failure.yaml is `on-failure`/);
    assertProblemAt(file.problems, 2, 1, /`on` has no place in on-failure.yaml/);
    assertProblemAt(file.problems, 3, 1, /`steps` has no place in on-failure.yaml/);
  });

  it('reserves the name `on-failure` for on-failure.yaml', async () => {
    const problems = await problemsOf(yamlLines('name: on-failure', 'on: { webhook: shop }', 'steps:', '  - { id: a, uses: set }'));
    assertProblemAt(problems, 1, 7, /workflow name `on-failure` is reserved for on-failure.yaml/);
  });
});

describe('WorkflowValidator: sub-workflows that return', () => {
  it('reads `output:` as written, templates and plain values alike', async () => {
    const result = await load({
      'sources.yaml': SOURCES_YAML,
      'w.yaml': withSteps(
        '  - { id: label, uses: set, with: { tracking: "{{event.body.id}}" } }',
        'output:',
        '  tracking: "{{steps.label.output.tracking}}"',
        '  items: ["{{event.body.id}}", 2]',
      ),
    });
    assert.deepEqual(result.problems, []);
    assert.deepEqual(result.workflows.get('w')?.output, { tracking: '{{steps.label.output.tracking}}', items: ['{{event.body.id}}', 2] });
  });

  it('refuses an `output:` template that does not compile, names a missing step or reads `failure`, at its place', async () => {
    const problems = await problemsOf(
      withSteps(
        '  - { id: label, uses: set, with: { a: 1 } }',
        'output:',
        '  a: "{{steps.lable.output.a}}"',
        '  b: "{{#if}}"',
        '  c: "{{failure.error}}"',
      ),
    );
    assertProblemAt(problems, 7, 6, /`output`: `steps.lable` refers to a step that does not exist/);
    assertProblemAt(problems, 8, 14, /`output`: template does not compile/);
    assertProblemAt(problems, 9, 6, /`failure` is only set for `on_failure` steps/);
    assert.equal(problems.length, 3);
  });

  it('refuses a `wait` that is not a literal boolean and a `dedupe_key` that is not a string, at their place', async () => {
    const problems = await problemsOf(
      withSteps(
        '  - id: go',
        '    uses: workflow',
        '    with: { name: other, wait: "{{event.body.wait}}", dedupe_key: [1] }',
        '  - id: again',
        '    uses: workflow',
        '    with: { name: other, wait: yes please }',
      ),
    );
    assertProblemAt(problems, 7, 32, /`with.wait` must be true or false \(not a template\)/);
    assertProblemAt(problems, 7, 67, /`with.dedupe_key` must be a string/);
    assertProblemAt(problems, 10, 32, /`with.wait` must be true or false/);
    assert.equal(problems.length, 3);
  });

  it('accepts `wait: true` with a templated `dedupe_key`', async () => {
    const result = await load({
      'sources.yaml': SOURCES_YAML,
      'w.yaml': withSteps('  - id: go', '    uses: workflow', '    with: { name: other, wait: true, dedupe_key: "order-{{event.body.order.id}}" }'),
    });
    assert.deepEqual(result.problems, []);
  });
});

describe('WorkflowValidator: run timeout', () => {
  const timed = (timeout: string) => yamlLines('name: w', 'on:', '  webhook: shop', `timeout: ${timeout}`, 'steps:', '  - { id: a, uses: set }');

  it('reads `timeout:` as a literal duration', async () => {
    const result = await load({ 'sources.yaml': SOURCES_YAML, 'w.yaml': timed('10m') });
    assert.equal(result.files.find((entry) => entry.file.endsWith('w.yaml'))?.workflow?.timeoutMs, 600_000);
  });

  it('refuses a timeout that is not a duration, is a template, or exceeds 365d, at its value', async () => {
    assertProblemAt(await problemsOf(timed('soon')), 4, 10, /`timeout` must be a duration such as 500ms, 15s, 5m, 1h or 1d/);
    assertProblemAt(await problemsOf(timed('"{{event.body.timeout}}"')), 4, 10, /`timeout` must be a duration/);
    assertProblemAt(await problemsOf(timed('30')), 4, 10, /`timeout` must be a duration/);
    assertProblemAt(await problemsOf(timed('366d')), 4, 10, /`timeout` must be at most 365d/);
  });

  it('has no place in on-failure.yaml', async () => {
    const result = await load({ 'sources.yaml': SOURCES_YAML, 'on-failure.yaml': yamlLines('timeout: 5m', 'on_failure:', '  - { id: a, uses: set }') });
    const file = result.files.find((entry) => entry.file.endsWith('on-failure.yaml'));
    assertProblemAt(file?.problems ?? [], 1, 1, /unknown key `timeout`/);
  });
});

describe('WorkflowValidator: respond', () => {
  const SLACK_SOURCES = (...respond: string[]) =>
    yamlLines('sources:', '  slack:', '    verify: { scheme: slack, secret: "{{secrets.SLACK_SECRET}}" }', '    respond:', ...respond);

  async function sourceProblems(...respond: string[]) {
    const result = await load({ 'sources.yaml': SLACK_SOURCES(...respond) });
    return result.files.find((entry) => entry.file.endsWith('sources.yaml'))?.problems ?? [];
  }

  it('reads a source respond with its status, headers and body', async () => {
    const result = await load({
      'sources.yaml': SLACK_SOURCES('      status: 200', '      headers: { X-Handled-By: hookflow }', '      body: { text: "Deploying {{event.body.text}}" }'),
    });
    assert.deepEqual(result.problems, []);
    const respond = result.sources.get('slack')?.respond;
    assert.deepEqual({ ...respond, position: undefined }, { status: 200, headers: { 'x-handled-by': 'hookflow' }, body: { text: 'Deploying {{event.body.text}}' }, position: undefined });
  });

  it('refuses steps, secrets, run and workflow in its templates, at their place', async () => {
    const problems = await sourceProblems(
      '      headers:',
      '        x-token: "{{secrets.SLACK_SECRET}}"',
      '      body:',
      '        text: "{{steps.a.output.body}}"',
      '        run: "{{run.id}}"',
    );
    assertProblemAt(problems, 6, 18, /`respond` of source `slack` is rendered from the event alone and cannot use `secrets`/);
    assertProblemAt(problems, 8, 15, /cannot use `steps`: no step has run when the answer is sent/);
    assertProblemAt(problems, 9, 14, /cannot use `run`/);
    assert.equal(problems.length, 3);
  });

  it('bounds the status to 200-299 and refuses headers the server sets and bodies that are neither map, list nor string', async () => {
    const problems = await sourceProblems('      status: 500', '      headers: { Content-Length: "5", "bad name": x }', '      body: 42');
    assertProblemAt(problems, 5, 15, /`status` of `respond` of source `slack` must be a whole number from 200 to 299/);
    assertProblemAt(problems, 6, 18, /`Content-Length` is set by the server/);
    assertProblemAt(problems, 6, 39, /`bad name` is not a header name/);
    assertProblemAt(problems, 7, 13, /`body` of `respond` of source `slack` must be a map or a list \(sent as JSON\) or a string/);
    assert.equal(problems.length, 4);
  });

  it('reads a trigger respond, which needs a webhook and reads only the event', async () => {
    const ok = await load({
      'sources.yaml': SOURCES_YAML,
      'w.yaml': yamlLines('name: w', 'on:', '  webhook: shop', '  respond: { status: 201, body: "ok {{event.body.id}}" }', 'steps:', '  - { id: a, uses: set }'),
    });
    assert.deepEqual(ok.problems, []);
    const problems = await problemsOf(
      yamlLines('name: w', 'on:', '  schedule: "* * * * *"', '  respond:', '    body: { id: "{{workflow.name}}" }', 'steps:', '  - { id: a, uses: set }'),
    );
    assertProblemAt(problems, 4, 3, /`on.respond` needs `on.webhook`/);
    assertProblemAt(problems, 5, 17, /`on.respond` is rendered from the event alone and cannot use `workflow`/);
    assert.equal(problems.length, 2);
  });
});
