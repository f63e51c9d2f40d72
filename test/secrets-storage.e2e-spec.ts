import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { post } from './support/http';
import { eventually, json, Receiver } from './support/receiver';
import { startTestApp, TestApp } from './support/test-app';

/** Mixed case, so that `lower` and `upper` each make a value that differs from it. */
const TOKEN = 'Tok3n-MixedCase-Sekr1t-9f8e7d';
const FAST_RETRY = 'retry: { attempts: 3, backoff: fixed, initial: 100ms, max: 100ms }';

/** Every form of the token that must never be stored: as sent, transformed, and as receivers re-encode it. */
const FORMS: Record<string, string> = {
  plain: TOKEN,
  lower: TOKEN.toLowerCase(),
  upper: TOKEN.toUpperCase(),
  base64: Buffer.from(TOKEN).toString('base64'),
  base64url: Buffer.from(TOKEN).toString('base64url'),
  hex: Buffer.from(TOKEN).toString('hex'),
  // The secret base64-encoded inside a longer text, as in a Basic or echoed header.
  base64InHeader: Buffer.from(`Bearer ${TOKEN}`).toString('base64').slice(12, 40),
};

const SOURCES = `
sources:
  shop:
    verify: { scheme: none }
`;

const TRANSFORMED = `
name: transformed
on: { webhook: shop, event: secret.transformed }
steps:
  - id: prepare
    uses: set
    with:
      lowered: "{{lower secrets.API_TOKEN}}"
      raised: "{{upper secrets.API_TOKEN}}"
      header: "Token {{secrets.API_TOKEN}}"
  - id: call
    uses: http
    with:
      url: "{{secrets.RECEIVER}}/echo"
      headers:
        Authorization: "Bearer {{secrets.API_TOKEN}}"
        X-Derived: "{{steps.prepare.output.header}}"
      body:
        lowered: "{{steps.prepare.output.lowered}}"
        raised: "{{upper secrets.API_TOKEN}}"
        order: "{{event.body.order}}"
    ${FAST_RETRY}
  - id: child
    uses: workflow
    with:
      name: child
      event: { token: "{{steps.prepare.output.raised}}", order: "{{event.body.order}}" }
`;

const CHILD = `
name: child
on: { webhook: shop, event: never.sent }
steps:
  - id: note
    uses: set
    with: { order: "{{event.body.order}}" }
`;

describe('secrets are never stored, however a workflow transforms them', () => {
  let receiver: Receiver;
  let hookflow: TestApp;
  let failFirstEcho = false;

  before(async () => {
    receiver = await new Receiver()
      .route('/echo', (request, response) => {
        if (failFirstEcho) {
          failFirstEcho = false;
          return json(response, 503, { error: 'try again' });
        }
        const authorization = String(request.headers.authorization);
        json(
          response,
          200,
          {
            headers: request.headers,
            body: JSON.parse(request.body),
            authorization_b64: Buffer.from(authorization).toString('base64'),
            token_hex: Buffer.from(authorization.slice(7)).toString('hex'),
          },
          { 'x-echo-token': Buffer.from(authorization.slice(7)).toString('base64url') },
        );
      })
      .start();
    hookflow = await startTestApp({
      files: { 'sources.yaml': SOURCES, 'transformed.yaml': TRANSFORMED, 'child.yaml': CHILD },
      env: { RECEIVER: receiver.url, API_TOKEN: TOKEN, HOOKFLOW_OUTBOUND_ALLOW: '127.0.0.1' },
    });
  });

  after(async () => {
    await hookflow?.close();
    await receiver?.stop();
  });

  it('sends the real values, on a retry in a later execution too, and stores none of their forms anywhere', async () => {
    const accepted = await post(`${hookflow.baseUrl}/hooks/shop`, JSON.stringify({ type: 'secret.transformed', order: 'o-1' }));
    assert.equal(accepted.status, 202);
    const run = await eventually(
      async () => {
        const rows = await hookflow.query<{ id: string; status: string }>(`SELECT id, status FROM runs WHERE workflow = 'transformed'`);
        return rows[0]?.status === 'succeeded' ? rows[0] : undefined;
      },
      15_000,
      'the run to succeed',
    );

    // The second attempt ran after the run was let go and claimed again: what `set` made
    // with the secret was not taken from the database, where only its redacted copy is.
    const echoes = receiver.received('/echo');
    assert.equal(echoes.length, 1);
    for (const echo of echoes) {
      assert.equal(echo.headers.authorization, `Bearer ${TOKEN}`);
      assert.equal(echo.headers['x-derived'], `Token ${TOKEN}`);
      assert.deepEqual(JSON.parse(echo.body), { lowered: TOKEN.toLowerCase(), raised: TOKEN.toUpperCase(), order: 'o-1' });
    }
    await eventually(
      async () => (await hookflow.query(`SELECT 1 FROM runs WHERE workflow = 'child' AND status = 'succeeded'`)).length === 1,
      10_000,
      'the child run',
    );

    const shown = JSON.stringify((await hookflow.api('GET', `/api/runs/${run.id}`)).body);
    assert.match(shown, /\[secret\]/);
    assertHoldsNoForm('GET /api/runs/:id', shown);
    const events = JSON.stringify((await hookflow.api('GET', '/api/events?limit=50')).body);
    assertHoldsNoForm('GET /api/events', events);
    assertHoldsNoForm('the database', await everyStoredRow(hookflow));
  });
});

function assertHoldsNoForm(where: string, text: string): void {
  for (const [form, value] of Object.entries(FORMS)) {
    assert.ok(!text.includes(value), `${where} holds the secret (${form}): …${excerpt(text, value)}…`);
  }
}

function excerpt(text: string, value: string): string {
  const at = text.indexOf(value);
  return text.slice(Math.max(0, at - 80), at + value.length + 20);
}

/** Every row of every table Hookflow and its queue keep, as text. */
async function everyStoredRow(hookflow: TestApp): Promise<string> {
  const tables = await hookflow.query<{ name: string }>(
    `SELECT format('%I.%I', schemaname, tablename) AS name FROM pg_tables WHERE schemaname IN ('public', 'graphile_worker')`,
  );
  assert.ok(tables.length > 5, 'the tables of Hookflow and its queue');
  const parts: string[] = [];
  for (const { name } of tables) {
    const rows = await hookflow.query<{ row: string }>(`SELECT t::text AS row FROM ${name} t`);
    parts.push(...rows.map((row) => row.row));
  }
  return parts.join('\n');
}
