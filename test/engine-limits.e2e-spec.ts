import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_WORKFLOW_CHAIN_DEPTH } from '../src/engine/workflow-chain';
import { post } from './support/http';
import { eventually } from './support/receiver';
import { SmtpSink } from './support/smtp-sink';
import { startTestApp, TestApp } from './support/test-app';

const SOURCES = `
sources:
  shop:
    verify: { scheme: none }
`;

/** Starts itself through a name only a run knows: validation cannot see the loop. */
const ECHO = `
name: echo
on: { webhook: shop, event: echo }
steps:
  - id: again
    uses: workflow
    with: { name: "{{workflow.name}}", event: { hops: "{{default event.body.hops 0}}" } }
`;

/** A delay whose `field` comes from the event, one run at a time per key. */
function keyedDelay(name: string, event: string, field: 'for' | 'until'): string {
  return `
name: ${name}
on: { webhook: shop, event: ${event} }
concurrency: { key: "{{event.body.key}}" }
steps:
  - id: pause
    uses: delay
    with: { ${field}: "{{event.body.value}}" }
`;
}

const CONFIRM = `
name: confirm
on: { webhook: shop, event: signup }
steps:
  - id: mail
    uses: email
    with:
      to: "{{event.body.email}}"
      bcc: ["{{event.body.archive}}", audit@example.com]
      subject: "Welcome {{event.body.name}}"
      text: "Hello {{event.body.name}}"
      html: "<p>Hello {{event.body.name}}</p>{{{event.body.footer}}}"
`;

describe('engine limits: what a workflow or an event can make the engine do', () => {
  let hookflow: TestApp;
  const smtp = new SmtpSink();

  before(async () => {
    await smtp.start();
    hookflow = await startTestApp({
      files: {
        'sources.yaml': SOURCES,
        'echo.yaml': ECHO,
        'wait-for.yaml': keyedDelay('wait-for', 'wait.for', 'for'),
        'wait-until.yaml': keyedDelay('wait-until', 'wait.until', 'until'),
        'confirm.yaml': CONFIRM,
      },
      env: { HOOKFLOW_SMTP_URL: smtp.url },
    });
  });

  after(async () => {
    await hookflow.close();
    await smtp.stop();
  });

  async function send(body: object): Promise<string> {
    const answer = await post(`${hookflow.baseUrl}/hooks/shop`, JSON.stringify(body));
    assert.equal(answer.status, 202, JSON.stringify(answer.body));
    return answer.body.event_id;
  }

  // Eleven runs share one concurrency key below, each waiting for the one before: on a loaded
  // machine the chain once took longer than 10 s. The bound is against a run that never ends.
  async function finishedRunOf(eventId: string, timeoutMs = 30_000): Promise<any> {
    return eventually(
      async () => {
        const [row] = await hookflow.query<{ id: string }>(`SELECT id FROM runs WHERE event_id = $1`, [eventId]);
        const run = row && (await hookflow.api('GET', `/api/runs/${row.id}`)).body;
        return run && ['succeeded', 'failed', 'cancelled'].includes(run.status) ? run : undefined;
      },
      timeoutMs,
      `the run of event ${eventId} to finish`,
    );
  }

  it(`stops a workflow that starts itself after ${MAX_WORKFLOW_CHAIN_DEPTH} nested runs, failing the last one visibly`, async () => {
    await send({ type: 'echo' });
    const deepest = await eventually(
      async () => (await hookflow.query<{ id: string }>(`SELECT id FROM runs WHERE workflow = 'echo' AND status = 'failed'`))[0],
      15_000,
      'the deepest echo run to fail',
    );
    // Give a loop that was not stopped time to show itself.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const runs = await hookflow.query<{ status: string }>(`SELECT status FROM runs WHERE workflow = 'echo'`);
    assert.equal(runs.length, MAX_WORKFLOW_CHAIN_DEPTH + 1, 'the run an event started, and 8 below it');
    assert.equal(runs.filter((run) => run.status === 'succeeded').length, MAX_WORKFLOW_CHAIN_DEPTH);

    const run = (await hookflow.api('GET', `/api/runs/${deepest.id}`)).body;
    assert.equal(run.status, 'failed');
    const chain = Array.from({ length: MAX_WORKFLOW_CHAIN_DEPTH + 2 }, () => 'echo').join(' → ');
    const error = `cannot start workflow echo: workflow steps may start runs at most ${MAX_WORKFLOW_CHAIN_DEPTH} deep (MAX_WORKFLOW_CHAIN_DEPTH) and this run is ${MAX_WORKFLOW_CHAIN_DEPTH} deep: ${chain}`;
    assert.equal(run.steps[0].error, error);
    assert.equal(run.error, `again: ${error}`);
  });

  it('fails a delay on every unusable value an event can give it, and frees its concurrency key', async () => {
    const cases: Array<[string, unknown, RegExp]> = [
      ['wait.for', 1e300, /^pause: `with\.for` must be at most 365d, got 1e\+300$/],
      ['wait.for', -5, /^pause: `with\.for` must be a duration .*, got -5$/],
      ['wait.for', 'soon', /^pause: `with\.for` must be a duration .*, got "soon"$/],
      ['wait.for', null, /^pause: `with\.for` must be a duration .*, got null$/],
      ['wait.for', { minutes: 5 }, /^pause: `with\.for` must be a duration .*, got a map$/],
      ['wait.until', '9999999-01-01', /^pause: `with\.until` must be an ISO 8601 time .*, got "9999999-01-01"$/],
      ['wait.until', '+275760-09-13T00:00:00Z', /^pause: `with\.until` must be an ISO 8601 time/],
      ['wait.until', '9999-12-31T23:59:59Z', /^pause: `with\.until` must be at most 365d from now/],
      ['wait.until', 1e300, /^pause: `with\.until` must be an ISO 8601 time .*, got 1e\+300$/],
    ];
    const events = [];
    for (const [type, value] of cases) events.push(await send({ type, key: 'same', value }));
    // Sent behind the refused ones with the same keys: they run only once those have ended.
    const validFor = await send({ type: 'wait.for', key: 'same', value: '50ms' });
    const validUntil = await send({ type: 'wait.until', key: 'same', value: new Date(Date.now() + 100).toISOString() });

    for (const [index, [type, value, error]] of cases.entries()) {
      const run = await finishedRunOf(events[index]);
      assert.equal(run.status, 'failed', `${type} ${JSON.stringify(value)}`);
      assert.match(run.error, error);
      assert.equal(run.steps[0].status, 'failed');
      assert.equal(run.steps[0].attempts.length, 0);
    }
    assert.equal((await finishedRunOf(validFor)).status, 'succeeded');
    assert.equal((await finishedRunOf(validUntil)).status, 'succeeded');
  });

  it('sends an e-mail to the one address a field gives, never to more an event slips in, with HTML escaped', async () => {
    const name = `Ann <img src=x onerror=alert(1)> & "co"`;
    const welcome = await finishedRunOf(
      await send({ type: 'signup', email: 'Ann Lee <ann@example.com>', archive: '', name, footer: '<hr><small>Shop</small>' }),
    );
    assert.equal(welcome.status, 'succeeded', JSON.stringify(welcome));
    const mail = smtp.mails.find((sent) => sent.to.includes('ann@example.com'))!;
    assert.deepEqual(mail.to, ['ann@example.com', 'audit@example.com']);
    const html = quotedPrintable(
      mail.data.split('Content-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n')[1].split('\r\n--')[0],
    );
    assert.equal(html, '<p>Hello Ann &lt;img src&#x3D;x onerror&#x3D;alert(1)&gt; &amp; &quot;co&quot;</p><hr><small>Shop</small>');
    assert.ok(mail.data.includes(`\r\n\r\nHello ${name}\r\n`), 'the text part is not escaped');

    const before = smtp.mails.length;
    const cases: Array<[object, RegExp]> = [
      [{ email: 'ann@example.com, attacker@evil.example' }, /^mail: `with\.to` must be one e-mail address, got 2 in/],
      [{ email: ['ann@example.com', 'attacker@evil.example'] }, /^mail: `with\.to` must be one e-mail address, got 2 in/],
      [{ email: 'ann@example.com', archive: 'x@example.com;attacker@evil.example' }, /^mail: `with\.bcc` must be one e-mail address, got 2 in/],
      [{ email: 'Bob <attacker@evil.example> <ann@example.com>' }, /^mail: `with\.to` must be an e-mail address such as/],
    ];
    for (const [fields, error] of cases) {
      const run = await finishedRunOf(await send({ type: 'signup', archive: '', name: 'x', footer: '', ...fields }));
      assert.equal(run.status, 'failed', JSON.stringify(fields));
      assert.match(run.error, error);
      assert.equal(run.steps[0].attempts.length, 0, 'no attempt was made');
    }
    assert.equal(smtp.mails.length, before, 'nothing was sent');
  });
});

/** The text of a quoted-printable MIME part (as nodemailer writes the HTML part). */
function quotedPrintable(encoded: string): string {
  const bytes = encoded.replace(/=\r\n/g, '').replace(/=([0-9A-F]{2})/g, (_match, hex: string) => String.fromCharCode(parseInt(hex, 16)));
  return Buffer.from(bytes, 'latin1').toString('utf8');
}
