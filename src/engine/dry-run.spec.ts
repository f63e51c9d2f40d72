import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { loadSettings } from '../config/load-settings';
import { sampleEvent } from '../events/inbound-event';
import { TemplateEngine } from '../templates/template-engine';
import { removeDir, SOURCES_YAML, workflowDir, yamlLines } from '../workflows/workflow-dir.fixture';
import { loadWorkflowDirectory, WorkflowLoadResult } from '../workflows/workflow-loader';
import { DryRun, dryRunEventOf, DryRunEventInput, DryRunOptions, DryRunReport, DryRunStep, InvalidDryRunEventError } from './dry-run';

const NOW = new Date('2030-01-31T09:00:00.000Z');
const dirs: string[] = [];
let emptyDir: string;

before(async () => {
  emptyDir = await workflowDir({});
  dirs.push(emptyDir);
});
after(async () => Promise.all(dirs.map(removeDir)));

/** Loads `steps` (YAML lines under `steps:`) as workflow `wf` on source `shop`, `on` lines optional. */
async function load(steps: string[], on: string[] = ['  webhook: shop']): Promise<WorkflowLoadResult> {
  const dir = await workflowDir({ 'sources.yaml': SOURCES_YAML, 'wf.yaml': yamlLines('name: wf', 'on:', ...on, 'steps:', ...steps) });
  dirs.push(dir);
  const loaded = await loadWorkflowDirectory(dir, new TemplateEngine());
  assert.deepEqual(loaded.problems, []);
  return loaded;
}

async function dryRun(
  steps: string[],
  event: DryRunEventInput,
  options: { on?: string[]; environment?: Record<string, string> } & DryRunOptions = {},
): Promise<DryRunReport> {
  const loaded = await load(steps, options.on);
  const settings = loadSettings(options.environment ?? {}, emptyDir);
  return (await DryRun.standalone(settings)).run(loaded.workflows.get('wf')!, event, { sources: loaded.sources, now: NOW, ...options });
}

function step(report: DryRunReport, id: string): DryRunStep {
  const found = report.steps.find((candidate) => candidate.id === id);
  assert.ok(found, `no step ${id} in ${JSON.stringify(report.steps.map((s) => s.id))}`);
  return found;
}

function detail(report: DryRunReport, id: string): Record<string, unknown> {
  return step(report, id).plan!.detail as Record<string, unknown>;
}

const LABEL_STEP = [
  '  - id: label',
  '    uses: http',
  '    with:',
  '      url: "{{secrets.SHIPPING_URL}}/labels"',
  '      headers: { Authorization: "Bearer {{secrets.SHIPPING_TOKEN}}" }',
  '      body:',
  '        order_id: "{{event.body.order.id}}"',
  '        address: "{{event.body.order.shipping_address}}"',
  '      sign: { secret: "{{secrets.SHIPPING_SIGNING_SECRET}}" }',
];
const NOTIFY_STEP = [
  '  - id: notify',
  '    uses: slack',
  '    with:',
  '      webhook_url: "{{secrets.SLACK_WEBHOOK_URL}}"',
  '      text: "Order {{event.body.order.id}} shipped: {{steps.label.output.body.tracking_number}}"',
];
const ORDER = { type: 'order.paid', order: { id: 'A-1', total: 12, email: 'ann@example.com', shipping_address: { city: 'Berlin', lines: ['Main St 1'] } } };

describe(DryRun.name, () => {
  it('shows the request an http step would send, secrets as [secret] and the body built from the event', async () => {
    const report = await dryRun(LABEL_STEP, { body: ORDER });
    const label = step(report, 'label');
    assert.equal(label.status, 'would-run');
    assert.equal(label.plan!.summary, 'POST [secret]/labels');
    const { headers, body } = detail(report, 'label') as { headers: Record<string, string>; body: string };
    assert.equal(headers.Authorization, 'Bearer [secret]');
    assert.equal(headers['idempotency-key'], 'dry-run:label');
    assert.equal(headers['webhook-id'], 'dry-run:label');
    assert.equal(headers['webhook-signature'], '(added when sent)');
    assert.deepEqual(JSON.parse(body), { order_id: 'A-1', address: { city: 'Berlin', lines: ['Main St 1'] } });
  });

  it('renders with redacted secrets even when they are set, however short', async () => {
    // Too short for the scrubber (4 characters): only redacted rendering keeps it out.
    const report = await dryRun(LABEL_STEP, { body: ORDER }, { environment: { SHIPPING_TOKEN: 'k3y' } });
    assert.equal((detail(report, 'label').headers as Record<string, string>).Authorization, 'Bearer [secret]');
  });

  it('never shows the value of a secret that is set, and says which secrets are set', async () => {
    const environment = { SHIPPING_URL: 'https://ship.example', SHIPPING_TOKEN: 'tok-9f8e7d6c5b4a', SHIPPING_SIGNING_SECRET: 'whsec_c2VjcmV0LXNpZ25pbmcta2V5' };
    // The event carries the token too, as a careless test payload might.
    const report = await dryRun(LABEL_STEP, { body: { ...ORDER, note: 'tok-9f8e7d6c5b4a' } }, { environment });
    const text = JSON.stringify(report);
    for (const value of Object.values(environment)) assert.ok(!text.includes(value), `${value} appears in the report`);
    assert.equal(step(report, 'label').plan!.summary, 'POST [secret]/labels');
    assert.deepEqual(report.secrets, [
      { name: 'SHIPPING_URL', set: true },
      { name: 'SHIPPING_TOKEN', set: true },
      { name: 'SHIPPING_SIGNING_SECRET', set: true },
    ]);
  });

  it('renders the output of an earlier http step as a visible placeholder, in text and as a whole value', async () => {
    const report = await dryRun(
      [
        ...LABEL_STEP,
        ...NOTIFY_STEP,
        '  - id: archive',
        '    uses: http',
        '    with:',
        '      url: "https://archive.example/orders"',
        '      body: { label: "{{steps.label.output.body}}", status: "{{steps.label.output.status}}" }',
      ],
      { body: ORDER },
    );
    const slackBody = JSON.parse(detail(report, 'notify').body as string) as { text: string };
    assert.equal(slackBody.text, 'Order A-1 shipped: <steps.label.output.body.tracking_number>');
    assert.deepEqual(step(report, 'notify').unknown_outputs, ['label']);
    assert.deepEqual(JSON.parse(detail(report, 'archive').body as string), {
      label: '<steps.label.output.body>',
      status: '<steps.label.output.status>',
    });
  });

  it('replays a stored event as one of its runs: that run id in keys and templates, and the outputs it stored', async () => {
    const label = LABEL_STEP.map((line) => (line.includes('headers:') ? line.replace('}}" }', '}}", X-Run: "{{run.id}}" }') : line));
    const loaded = await load([...label, ...NOTIFY_STEP]);
    const dry = await DryRun.standalone(loadSettings({}, emptyDir));
    const event = sampleEvent({ body: ORDER }, { id: 'evt-1', source: 'shop', type: 'order.paid', receivedAt: NOW });
    const outputs = new Map([['label', { status: 201, body: { tracking_number: 'TRK-9' } }]]);
    const report = dry.runWithEvent(loaded.workflows.get('wf')!, event, { runId: 'run-1', outputs, now: NOW });
    const headers = detail(report, 'label').headers as Record<string, string>;
    assert.deepEqual([headers['X-Run'], headers['idempotency-key'], headers['webhook-id']], ['run-1', 'run-1:label', 'run-1:label']);
    assert.equal(JSON.parse(detail(report, 'notify').body as string).text, 'Order A-1 shipped: TRK-9');
    assert.deepEqual(step(report, 'notify').unknown_outputs, []);
  });

  it('uses the real output of a set step', async () => {
    const report = await dryRun(
      [
        '  - id: vars',
        '    uses: set',
        '    with: { greeting: "Hello {{event.body.order.id}}", city: "{{event.body.order.shipping_address.city}}" }',
        '  - id: notify',
        '    uses: slack',
        '    with: { webhook_url: "https://hooks.example/x", text: "{{steps.vars.output.greeting}} to {{steps.vars.output.city}}" }',
      ],
      { body: ORDER },
    );
    assert.deepEqual(detail(report, 'vars'), { greeting: 'Hello A-1', city: 'Berlin' });
    assert.equal(JSON.parse(detail(report, 'notify').body as string).text, 'Hello A-1 to Berlin');
    assert.deepEqual(step(report, 'notify').unknown_outputs, []);
  });

  it('skips a step whose if is false or reads a missing path, and still runs the steps that need it', async () => {
    const report = await dryRun(
      [
        '  - id: big',
        '    uses: set',
        '    if: "{{gt event.body.order.total 100}}"',
        '    with: { a: 1 }',
        '  - id: coupon',
        '    uses: set',
        '    if: "{{event.body.order.coupon}}"',
        '    with: { b: 2 }',
        '  - id: done',
        '    uses: set',
        '    needs: [big, coupon]',
        '    with: { c: 3 }',
      ],
      { body: ORDER },
    );
    assert.equal(step(report, 'big').status, 'skipped');
    assert.equal(step(report, 'big').condition!.result, 'false');
    assert.equal(step(report, 'big').plan, undefined);
    assert.equal(step(report, 'coupon').status, 'skipped');
    assert.match(step(report, 'coupon').reason!, /event\.body\.order\.coupon does not exist/);
    assert.equal(step(report, 'done').status, 'would-run');
  });

  it('reports a step whose template fails as would-fail, goes on, and marks the steps that need it', async () => {
    const report = await dryRun(
      [
        '  - id: broken',
        '    uses: set',
        '    with: { sku: "{{event.body.order.sku}}" }',
        '  - id: later',
        '    uses: set',
        '    with: { id: "{{event.body.order.id}}" }',
        '  - id: independent',
        '    uses: set',
        '    needs: []',
        '    with: { ok: true }',
      ],
      { body: ORDER },
    );
    assert.equal(step(report, 'broken').status, 'would-fail');
    assert.match(step(report, 'broken').reason!, /with\.sku: event\.body\.order\.sku does not exist/);
    assert.equal(step(report, 'later').status, 'would-run');
    assert.equal(step(report, 'later').blocked_by, 'broken');
    assert.deepEqual(detail(report, 'later'), { id: 'A-1' });
    assert.equal(step(report, 'independent').blocked_by, undefined);
  });

  it('calls a condition on an unknown output unknown and renders the step', async () => {
    const report = await dryRun(
      [...LABEL_STEP, '  - id: retry_note', '    uses: set', '    if: "{{eq steps.label.output.status 201}}"', '    with: { note: created }'],
      { body: ORDER },
    );
    assert.equal(step(report, 'retry_note').condition!.result, 'unknown');
    assert.equal(step(report, 'retry_note').status, 'would-run');
  });

  it('lists steps in execution order: a step with needs: [] starts before the step above it', async () => {
    const report = await dryRun(
      [
        '  - id: first',
        '    uses: set',
        '    with: { a: 1 }',
        '  - id: second',
        '    uses: set',
        '    with: { b: 2 }',
        '  - id: early',
        '    uses: set',
        '    needs: []',
        '    with: { c: 3 }',
      ],
      { body: ORDER },
    );
    assert.deepEqual(
      report.steps.map((s) => [s.id, s.needs]),
      [
        ['first', []],
        ['early', []],
        ['second', ['first']],
      ],
    );
  });

  it('reports a trigger that would not match, with every reason, and renders the steps anyway', async () => {
    const report = await dryRun(
      ['  - id: a', '    uses: set', '    with: { id: "{{event.body.order.id}}" }'],
      { body: { ...ORDER, type: 'order.refunded', order: { ...ORDER.order, total: 0 } } },
      {
        on: ['  webhook: shop', '  event: "order.p*"', '  if: "{{gt event.body.order.total 0}}"'],
      },
    );
    assert.equal(report.trigger.matches, false);
    assert.deepEqual(report.trigger.reasons, [
      'event type "order.refunded" does not match on.event "order.p*"',
      'on.if {{gt event.body.order.total 0}} is false',
    ]);
    assert.equal(step(report, 'a').status, 'would-run');
  });

  it('matches a trigger whose glob and on.if accept the event', async () => {
    const report = await dryRun(
      ['  - id: a', '    uses: set', '    with: { x: 1 }'],
      { body: ORDER },
      {
        on: ['  webhook: shop', '  event: "order.*"', '  if: "{{gt event.body.order.total 0}}"'],
      },
    );
    assert.deepEqual(report.trigger, { matches: true, reasons: [], notes: [] });
  });

  it('counts an on.if that cannot be evaluated as no match, saying why', async () => {
    const report = await dryRun(
      ['  - id: a', '    uses: set', '    with: { x: 1 }'],
      { body: ORDER },
      {
        on: ['  webhook: shop', '  if: "{{gt event.body.order.refund 0}}"'],
      },
    );
    assert.equal(report.trigger.matches, false);
    assert.deepEqual(report.trigger.reasons, ['on.if could not be evaluated: event.body.order.refund does not exist']);
  });

  it("gives a scheduled workflow the scheduler's source and type and always matches it", async () => {
    const report = await dryRun(['  - id: a', '    uses: set', '    with: { x: 1 }'], { body: {} }, { on: ['  schedule: "*/15 * * * *"'] });
    assert.equal(report.event.source, 'schedule');
    assert.equal(report.event.type, 'schedule');
    assert.equal(report.trigger.matches, true);
    assert.deepEqual(report.trigger.notes, ['runs on its schedule (*/15 * * * *), not on events']);
  });

  it('shows on-failure.yaml as matching no event, with no steps to try, and ignores on_failure steps', async () => {
    const dir = await workflowDir({
      'sources.yaml': SOURCES_YAML,
      'on-failure.yaml': yamlLines('on_failure:', '  - { id: tell, uses: set, with: { x: "{{failure.error}}" } }'),
      'wf.yaml': yamlLines(
        'name: wf',
        'on: { webhook: shop }',
        'steps:',
        '  - { id: a, uses: set, with: { x: 1 } }',
        'on_failure:',
        '  - { id: b, uses: set }',
      ),
    });
    dirs.push(dir);
    const loaded = await loadWorkflowDirectory(dir, new TemplateEngine());
    assert.deepEqual(loaded.problems, []);
    const dryRun = await DryRun.standalone(loadSettings({}, emptyDir));
    const global = dryRun.run(loaded.workflows.get('on-failure')!, { body: {} }, { sources: loaded.sources, now: NOW });
    assert.equal(global.trigger.matches, false);
    assert.deepEqual(global.trigger.reasons, ['runs only when a run of another workflow fails (on-failure.yaml), not on events']);
    assert.deepEqual(global.steps, []);
    const own = dryRun.run(loaded.workflows.get('wf')!, { body: {} }, { sources: loaded.sources, now: NOW });
    assert.deepEqual(
      own.steps.map((each) => each.id),
      ['a'],
    );
  });

  it('notes an event type the source cannot read from a body without one', async () => {
    const report = await dryRun(['  - id: a', '    uses: set', '    with: { x: 1 }'], { body: { order: {} } });
    assert.equal(report.event.type, '');
    assert.match(report.trigger.notes[0], /^event_type could not be evaluated, the type is empty: .*event\.body\.type does not exist/);
  });

  it('builds the event: source from on.webhook, type from the source, lower-case headers; --type wins', async () => {
    const steps = ['  - id: a', '    uses: set', '    with: { sig: "{{event.headers.x-shop-signature}}", n: "{{event.query.n}}" }'];
    const input: DryRunEventInput = { headers: { 'X-Shop-Signature': 'abc' }, query: 'n=1', body: ORDER };
    const report = await dryRun(steps, input);
    assert.deepEqual(
      { ...report.event, body: undefined },
      {
        id: 'dry-run',
        source: 'shop',
        type: 'order.paid',
        received_at: NOW.toISOString(),
        headers: { 'x-shop-signature': 'abc' },
        query: { n: '1' },
        body: undefined,
      },
    );
    assert.deepEqual(detail(report, 'a'), { sig: 'abc', n: '1' });
    assert.equal((await dryRun(steps, input, { type: 'order.cancelled' })).event.type, 'order.cancelled');
  });

  it('plans email, delay and workflow steps', async () => {
    const report = await dryRun(
      [
        '  - id: mail',
        '    uses: email',
        '    with: { to: "{{event.body.order.email}}", subject: "Order {{event.body.order.id}}", text: "Thanks" }',
        '  - id: wait',
        '    uses: delay',
        '    with: { for: 10m }',
        '  - id: next',
        '    uses: workflow',
        '    with: { name: ship-order, event: { order: "{{event.body.order.id}}" } }',
      ],
      { body: ORDER },
      { environment: { HOOKFLOW_SMTP_URL: 'smtp://user:pw@mail.example:2525' } },
    );
    assert.equal(step(report, 'mail').plan!.summary, 'SMTP to ann@example.com');
    const mail = detail(report, 'mail') as { server: string; headers: Record<string, string>; text: string };
    assert.equal(mail.server, 'smtp://mail.example:2525');
    assert.equal(mail.headers.subject, 'Order A-1');
    assert.equal(mail.text, 'Thanks');
    assert.equal(step(report, 'wait').plan!.summary, 'wait 10m');
    assert.equal(detail(report, 'wait').until, '2030-01-31T09:10:00.000Z');
    assert.deepEqual(detail(report, 'next'), { workflow: 'ship-order', event: { order: 'A-1' } });
  });

  it('plans a waiting workflow step with its dedupe key, and later steps read its output as unknown', async () => {
    const report = await dryRun(
      [
        '  - id: ship',
        '    uses: workflow',
        '    with: { name: ship-order, wait: true, dedupe_key: "order-{{event.body.order.id}}" }',
        '  - id: tell',
        '    uses: set',
        '    with: { tracking: "{{steps.ship.output.tracking}}" }',
      ],
      { body: ORDER },
    );
    assert.equal(step(report, 'ship').plan!.summary, 'start workflow ship-order unless key order-A-1 was seen and wait for its output');
    assert.deepEqual(detail(report, 'ship'), { workflow: 'ship-order', event: {}, wait: true, dedupe_key: 'order-A-1' });
    assert.deepEqual(step(report, 'tell').unknown_outputs, ['ship']);
  });

  it('reports a rendered value of the wrong type as would-fail', async () => {
    const report = await dryRun(['  - id: mail', '    uses: email', '    with: { to: "{{event.body.order.missing_list}}", subject: s, text: x }'], {
      body: { order: { missing_list: [] } },
    });
    assert.equal(step(report, 'mail').status, 'would-fail');
    assert.match(step(report, 'mail').reason!, /`with.to` must be an e-mail address such as .*, got "\[\]"/);
  });

  it('shows an e-mail as it would be sent: one recipient per item, HTML escaped unless {{{ }}}', async () => {
    const mail = (to: string) =>
      dryRun(
        [
          '  - id: lookup',
          '    uses: http',
          '    with: { url: "https://crm.example/customers" }',
          '  - id: mail',
          '    uses: email',
          '    with:',
          `      to: ${to}`,
          '      cc: "{{secrets.OPS_EMAIL}}"',
          '      subject: "Order {{event.body.order.id}}"',
          '      html: "<p>{{event.body.order.note}}</p>{{{event.body.order.banner}}}<p>{{steps.lookup.output.body.name}}</p>"',
        ],
        { body: { order: { id: 7, email: 'a@x.example, attacker@evil.example', note: '<script>x</script>', banner: '<hr>' } } },
      );
    const injected = step(await mail('"{{event.body.order.email}}"'), 'mail');
    assert.equal(injected.status, 'would-fail');
    assert.match(injected.reason!, /`with.to` must be one e-mail address, got 2 in "a@x.example, attacker@evil.example"/);

    const report = await mail('["{{steps.lookup.output.body.email}}", ops@example.com]');
    assert.equal(step(report, 'mail').status, 'would-run');
    assert.equal(step(report, 'mail').plan!.summary, 'SMTP to <steps.lookup.output.body.email>, ops@example.com');
    const shown = detail(report, 'mail') as { headers: Record<string, string>; html: string };
    assert.equal(shown.headers.cc, '[secret]');
    assert.equal(shown.html, '<p>&lt;script&gt;x&lt;/script&gt;</p><hr><p><steps.lookup.output.body.name></p>');
  });
});

describe('dryRunEventOf', () => {
  it('reads a whole event when body sits beside type or headers', () => {
    assert.deepEqual(dryRunEventOf({ type: 't', body: { a: 1 } }), { type: 't', headers: undefined, query: undefined, body: { a: 1 } });
    assert.deepEqual(dryRunEventOf({ headers: { h: 'v' }, body: 'x' }), { type: undefined, headers: { h: 'v' }, query: undefined, body: 'x' });
  });

  it('reads anything else as the body alone', () => {
    assert.deepEqual(dryRunEventOf({ body: { a: 1 } }), { body: { body: { a: 1 } } });
    assert.deepEqual(dryRunEventOf({ type: 'order.paid', order: {} }), { body: { type: 'order.paid', order: {} } });
    assert.deepEqual(dryRunEventOf([1, 2]), { body: [1, 2] });
  });

  it('rejects a whole event with a type that is not a string', () => {
    assert.throws(() => dryRunEventOf({ type: 3, body: {} }), InvalidDryRunEventError);
  });
});
