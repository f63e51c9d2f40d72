import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer as createHttpServer, Server } from 'node:http';
import { createServer as createTcpServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { removeDir, SOURCES_YAML, workflowDir, yamlLines } from '../workflows/workflow-dir.fixture';
import type { CliIo } from './cli-io';
import { main } from './main';

const SECRETS = {
  SHIPPING_TOKEN: 'tok_live_5b1e0c7d9a',
  SHIPPING_SIGNING_SECRET: 'whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD',
};
const ORDER = { type: 'order.paid', order: { id: 'A-1', total: 12, email: 'ann@example.com', shipping_address: { city: 'Berlin', zip: '10115' } } };

let receiver: Server;
let received = 0;
let smtp: ReturnType<typeof createTcpServer>;
let smtpConnections = 0;
let dir: string;
let cwd: string;
let httpPort: number;
let smtpPort: number;
const savedEnv = new Map<string, string | undefined>();

function setEnv(name: string, value: string): void {
  if (!savedEnv.has(name)) savedEnv.set(name, process.env[name]);
  process.env[name] = value;
}

before(async () => {
  receiver = createHttpServer((_request, response) => {
    received++;
    response.writeHead(201, { 'content-type': 'application/json' }).end('{"tracking_number":"T-1"}');
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  httpPort = (receiver.address() as AddressInfo).port;
  smtp = createTcpServer((socket) => {
    smtpConnections++;
    socket.end('220 test\r\n');
  });
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
  smtpPort = (smtp.address() as AddressInfo).port;

  for (const [name, value] of Object.entries(SECRETS)) setEnv(name, value);
  setEnv('SLACK_WEBHOOK_URL', `http://127.0.0.1:${httpPort}/slack`);
  setEnv('HOOKFLOW_SMTP_URL', `smtp://127.0.0.1:${smtpPort}`);

  dir = await workflowDir({
    'sources.yaml': SOURCES_YAML,
    'order-paid.yaml': yamlLines(
      'name: order-paid',
      'on: { webhook: shop, event: order.paid, if: "{{gt event.body.order.total 0}}" }',
      'steps:',
      '  - id: label',
      '    uses: http',
      '    with:',
      `      url: "http://127.0.0.1:${httpPort}/labels"`,
      '      headers: { Authorization: "Bearer {{secrets.SHIPPING_TOKEN}}" }',
      '      body: { order_id: "{{event.body.order.id}}", address: "{{event.body.order.shipping_address}}" }',
      '      sign: { secret: "{{secrets.SHIPPING_SIGNING_SECRET}}" }',
      '  - id: notify',
      '    uses: slack',
      '    with: { webhook_url: "{{secrets.SLACK_WEBHOOK_URL}}", text: "Order {{event.body.order.id}} shipped" }',
      '  - id: email',
      '    uses: email',
      '    needs: [label]',
      '    if: "{{event.body.order.email}}"',
      '    with:',
      '      to: "{{event.body.order.email}}"',
      '      subject: "Your order {{event.body.order.id}}"',
      '      text: "Tracking number: {{steps.label.output.body.tracking_number}}"',
    ),
    'broken.yaml': yamlLines('name: broken', 'on: { webhook: shop }', 'steps: [{ id: a, uses: teleport }]'),
  });
  await writeFile(join(dir, 'order.json'), JSON.stringify(ORDER));
  await writeFile(join(dir, 'refund.json'), JSON.stringify({ type: 'order.refunded', headers: { 'X-Event-Id': 'e1' }, body: ORDER }));
  await writeFile(join(dir, 'bad.json'), '{ "type": ');
  // Settings read .env from the working folder: run where there is none.
  cwd = process.cwd();
  process.chdir(dir);
});

after(async () => {
  process.chdir(cwd);
  for (const [name, value] of savedEnv) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  await new Promise((resolve) => receiver.close(resolve));
  await new Promise((resolve) => smtp.close(resolve));
  await removeDir(dir);
});

async function run(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: CliIo = { out: (text) => (out += text), err: (text) => (err += text) };
  const code = await main(argv, io);
  return { code, out, err };
}

describe('hookflow run --dry-run', () => {
  it('prints each request rendered from the event, with secrets as [secret], signing and idempotency key', async () => {
    const { code, out, err } = await run('run', 'order-paid', '--event', 'order.json', '--dry-run', '--dir', dir);
    assert.equal(err, '');
    assert.equal(code, 0);
    assert.match(out, /Trigger: matches/);
    assert.ok(out.includes(`1. label (http)\n   POST http://127.0.0.1:${httpPort}/labels\n   Authorization: Bearer [secret]\n`), out);
    assert.match(out, /idempotency-key: dry-run:label/);
    assert.match(out, /webhook-signature: \(added when sent\)/);
    assert.match(out, /Signed \(Standard Webhooks\)/);
    assert.ok(out.includes('"address": {\n       "city": "Berlin",\n       "zip": "10115"\n     }'), out);
    assert.match(out, /2\. notify \(slack\)\n {3}after: label\n {3}POST \[secret\]\n/);
    assert.match(out, new RegExp(`SMTP to ann@example\\.com via smtp://127\\.0\\.0\\.1:${smtpPort}`));
    assert.match(out, /Tracking number: <steps\.label\.output\.body\.tracking_number>/);
    assert.match(out, /3 steps: 3 would run, 0 skipped, 0 would fail\. Nothing was sent\./);
  });

  it('never prints a secret value set in the environment', async () => {
    const text = await run('run', 'order-paid', '--event', 'order.json', '--dry-run', '--dir', dir);
    const json = await run('run', 'order-paid', '--event', 'order.json', '--dry-run', '--dir', dir, '--json');
    for (const output of [text, json]) {
      for (const value of [...Object.values(SECRETS), process.env.SLACK_WEBHOOK_URL!]) {
        assert.ok(!output.out.includes(value) && !output.err.includes(value), `${value} was printed`);
      }
    }
  });

  it('sends nothing, over HTTP or SMTP', async () => {
    await run('run', 'order-paid', '--event', 'order.json', '--dry-run', '--dir', dir);
    await sleep(100);
    assert.equal(received, 0);
    assert.equal(smtpConnections, 0);
  });

  it('prints a JSON document with --json', async () => {
    const { code, out } = await run('run', 'order-paid', '--event', 'order.json', '--dry-run', '--dir', dir, '--json');
    assert.equal(code, 0);
    const report = JSON.parse(out);
    assert.equal(report.trigger.matches, true);
    assert.deepEqual(
      report.steps.map((step: { id: string; status: string }) => [step.id, step.status]),
      [
        ['label', 'would-run'],
        ['notify', 'would-run'],
        ['email', 'would-run'],
      ],
    );
    assert.equal(report.steps[0].plan.summary, `POST http://127.0.0.1:${httpPort}/labels`);
  });

  it('says clearly that the trigger would not match, and still shows the steps (exit 0)', async () => {
    const { code, out } = await run('run', 'order-paid', '--event', 'refund.json', '--dry-run', '--dir', dir);
    assert.equal(code, 0);
    assert.match(out, /Trigger: would NOT match: event type "order\.refunded" does not match on\.event "order\.paid"/);
    assert.match(out, /1\. label \(http\)\n {3}POST /);
  });

  it('takes the event type from --type', async () => {
    const { out } = await run('run', 'order-paid', '--event', 'refund.json', '--dry-run', '--dir', dir, '--type', 'order.paid');
    assert.match(out, /Event: {3}order\.paid from shop/);
    assert.match(out, /Trigger: matches/);
  });

  it('finds the workflow by its file too', async () => {
    const { code, out } = await run('run', join(dir, 'order-paid.yaml'), '--event', 'order.json', '--dry-run');
    assert.equal(code, 0);
    assert.match(out, /Dry run of workflow order-paid/);
  });
});

describe('hookflow run errors', () => {
  it('exits 1 when the event file cannot be read', async () => {
    const { code, out, err } = await run('run', 'order-paid', '--event', 'missing.json', '--dry-run', '--dir', dir);
    assert.equal(code, 1);
    assert.equal(out, '');
    assert.equal(err, 'cannot read the event file missing.json: no such file\n');
  });

  it('exits 1 when the event file is not JSON', async () => {
    const { code, err } = await run('run', 'order-paid', '--event', 'bad.json', '--dry-run', '--dir', dir);
    assert.equal(code, 1);
    assert.match(err, /^the event file bad\.json cannot be used: not valid JSON/);
  });

  it('exits 1 for a workflow that does not exist, naming those that do', async () => {
    const { code, err } = await run('run', 'order-shipped', '--event', 'order.json', '--dry-run', '--dir', dir);
    assert.equal(code, 1);
    assert.equal(err, `no workflow order-shipped in ${dir} (workflows there: order-paid)\n`);
  });

  it('exits 1 with the problems of an invalid workflow file', async () => {
    const { code, err } = await run('run', 'broken', '--event', 'order.json', '--dry-run', '--dir', dir);
    assert.equal(code, 1);
    assert.match(err, /broken\.yaml is not a valid workflow:\n.*broken\.yaml:3:\d+ .*teleport/);
  });

  it('exits 1 when the workflows folder does not exist', async () => {
    const { code, err } = await run('run', 'order-paid', '--event', 'order.json', '--dry-run', '--dir', join(dir, 'nowhere'));
    assert.equal(code, 1);
    assert.match(err, /workflows folder .*nowhere does not exist/);
  });

  it('exits 2 without --dry-run, saying that only dry runs are supported', async () => {
    const { code, out, err } = await run('run', 'order-paid', '--event', 'order.json', '--dir', dir);
    assert.equal(code, 2);
    assert.equal(out, '');
    assert.match(err, /Only dry runs are supported from the command line/);
  });

  it('exits 2 for usage errors', async () => {
    assert.equal((await run('run', 'order-paid', '--dry-run', '--evnt', 'order.json')).code, 2);
    assert.equal((await run('run', 'order-paid', '--dry-run')).code, 2);
    assert.equal((await run('run', '--event', 'order.json', '--dry-run')).code, 2);
    assert.equal((await run('run', 'a', 'b', '--event', 'order.json', '--dry-run')).code, 2);
  });

  it('is listed in the help', async () => {
    assert.match((await run('--help')).out, /run <workflow> --event <file\.json> --dry-run/);
  });
});
