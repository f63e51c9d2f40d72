import { Client } from 'pg';
import { hookflowServer } from '../support/hookflow-server';
import { ServerProcess } from '../support/server-process';
import type { Scenario } from '../support/scenario';
import { median, percentile } from '../support/statistics';

const STORED_RUNS = Number(process.env.BENCH_API_RUNS ?? 100_000);
const SAMPLES_PER_QUERY = 60;
const BUDGET_MS = 300;

const STEP = (id: string, extra = '') => `  - id: ${id}
    uses: http
    ${extra}with: { method: POST, url: "http://127.0.0.1:9/${id}", body: { order: "{{event.body.id}}" } }
`;

/** Three workflows with one, three and five steps: the stored runs are spread over them. */
const WORKFLOWS: Record<string, { steps: string[]; yaml: string }> = {
  'bench-orders': {
    steps: ['label', 'notify', 'receipt'],
    yaml: `name: bench-orders\non: { webhook: bench, event: order.paid }\nsteps:\n${STEP('label')}${STEP('notify', 'needs: [label]\n    ')}${STEP('receipt', 'needs: [label]\n    ')}`,
  },
  'bench-tasks': {
    steps: ['announce'],
    yaml: `name: bench-tasks\non: { webhook: bench, event: task.done }\nsteps:\n${STEP('announce')}`,
  },
  'bench-alerts': {
    steps: ['ticket', 'page', 'mail', 'audit', 'close'],
    yaml: `name: bench-alerts\non: { webhook: bench, event: alert.raised }\nsteps:\n${['ticket', 'page', 'mail', 'audit', 'close'].map((id) => STEP(id)).join('')}`,
  },
};

interface QuerySpec {
  name: string;
  /** A path to GET, chosen per sample (so that pages and run ids vary). */
  path(sample: number): string;
}

/**
 * The console's read paths with 100,000 runs stored (3 % failed, a few hundred open or
 * cancelled, up to 5 steps and several attempts each): the runs list (first page, filtered,
 * deep pages), a run page, the workflows list and the event log. Each query is timed over
 * HTTP, sequentially, against `GET /healthz` on the same server as the floor, and each runs'
 * medians are reported; the plans name the indexes used.
 */
export const scenario: Scenario = {
  name: 'api',
  description: `Console/API read latency with ${STORED_RUNS.toLocaleString('en-US')} runs stored (budget ${BUDGET_MS} ms)`,
  order: 40,
  async run(context) {
    const database = await context.database.createDatabase('api-queries');
    context.defer(() => context.database.dropDatabase(database.name));
    const spec = await hookflowServer(context, {
      name: 'Hookflow (role api)',
      workflows: Object.fromEntries(Object.entries(WORKFLOWS).map(([name, { yaml }]) => [`${name}.yaml`, yaml])),
      env: { HOOKFLOW_ROLE: 'api', DATABASE_URL: database.url, LOG_LEVEL: 'warn' },
    });
    const token = spec.env!.HOOKFLOW_ADMIN_TOKEN;
    const server = await ServerProcess.start({ label: spec.name, entry: spec.entry, cwd: spec.cwd, env: spec.env!, readyPath: spec.readyPath });
    context.defer(() => server.stop());

    const client = new Client({ connectionString: database.url });
    await client.connect();
    context.defer(() => client.end());
    const seeded = Date.now();
    const runIds = await seedRuns(client, STORED_RUNS);
    context.log(
      `-- seeded ${STORED_RUNS.toLocaleString('en-US')} runs with their events, steps and attempts in ${((Date.now() - seeded) / 1000).toFixed(1)} s`,
    );
    context.log(await storedCounts(client));

    const get = async (path: string) => {
      const started = performance.now();
      const response = await fetch(`${server.baseUrl}${path}`, { headers: { authorization: `Bearer ${token}` } });
      const body = await response.arrayBuffer();
      if (response.status !== 200) throw new Error(`GET ${path} answered ${response.status}: ${Buffer.from(body).toString().slice(0, 300)}`);
      return { ms: performance.now() - started, bytes: body.byteLength };
    };
    const deepCursors = await walkCursors(get, server.baseUrl, token, 40);
    const queries: QuerySpec[] = [
      { name: 'GET /healthz (floor)', path: () => '/healthz' },
      { name: 'runs list, first page (50)', path: () => '/api/runs' },
      { name: 'runs list, one workflow', path: () => '/api/runs?workflow=bench-orders' },
      { name: 'runs list, status=failed (3 %)', path: () => '/api/runs?status=failed' },
      { name: 'runs list, status=cancelled (0.1 %)', path: () => '/api/runs?status=cancelled' },
      { name: 'runs list, page 2–40 by cursor', path: (n) => `/api/runs?cursor=${encodeURIComponent(deepCursors[n % deepCursors.length])}` },
      { name: 'run page (5 steps, attempts)', path: (n) => `/api/runs/${runIds[(n * 7919) % runIds.length]}` },
      { name: 'workflows list (24 h counts)', path: () => '/api/workflows' },
      { name: 'events list, first page', path: () => '/api/events' },
      { name: 'events, text search q=', path: () => '/api/events?q=customer-4242' },
    ];

    const perRun = new Map<string, number[]>(queries.map((query) => [query.name, []]));
    const tails = new Map<string, number[]>(queries.map((query) => [query.name, []]));
    const sizes = new Map<string, number>();
    for (let round = 1; round <= context.options.runs; round++) {
      for (const query of queries) {
        for (let warm = 0; warm < 5; warm++) await get(query.path(warm));
        const times: number[] = [];
        for (let sample = 0; sample < SAMPLES_PER_QUERY; sample++) {
          const { ms, bytes } = await get(query.path(sample + round * SAMPLES_PER_QUERY));
          times.push(ms);
          sizes.set(query.name, bytes);
        }
        times.sort((a, b) => a - b);
        perRun.get(query.name)!.push(median(times));
        tails.get(query.name)!.push(percentile(times, 99));
      }
      context.log(`  run ${round}/${context.options.runs} done`);
    }
    context.log(formatTable(queries, perRun, tails, sizes));
    context.log(await plans(client, runIds[0]));
  },
};

/** Inserts `count` runs (and their events, step runs and attempts) in a few set-based statements. */
async function seedRuns(client: Client, count: number): Promise<string[]> {
  const versions = await client.query<{ workflow: string; version: string }>(
    `SELECT DISTINCT ON (workflow) workflow, version FROM workflow_versions ORDER BY workflow, first_seen_at DESC`,
  );
  const names = Object.keys(WORKFLOWS);
  if (versions.rows.length !== names.length) throw new Error(`expected ${names.length} workflow versions, found ${versions.rows.length}`);
  const version = Object.fromEntries(versions.rows.map((row) => [row.workflow, row.version]));
  await client.query(
    `CREATE TEMP TABLE seed AS
       SELECT n, gen_random_uuid() AS event_id, gen_random_uuid() AS run_id,
              ($2::text[])[1 + n % 3] AS workflow,
              now() - make_interval(secs => (n::float8 / $1) * 7 * 86400) AS at,
              CASE WHEN n % 1000 = 7 THEN 'cancelled' WHEN n % 1000 < 4 THEN 'queued' WHEN n % 1000 < 9 THEN 'running'
                   WHEN n % 100 < 3 THEN 'failed' ELSE 'succeeded' END AS status
         FROM generate_series(1, $1) AS n`,
    [count, names],
  );
  await client.query(
    `INSERT INTO events (id, source, type, dedupe_key, received_at, headers, content_type, body, body_format, runs_count)
     SELECT event_id, 'bench', 'order.paid', 'seed-' || n, at,
            '{"content-type":"application/json","user-agent":"bench","x-signature":"[secret]"}',
            'application/json',
            convert_to(json_build_object('id', 'order-' || n, 'customer', 'customer-' || (n % 5000), 'total', n % 997,
                       'lines', json_build_array(json_build_object('sku', 'sku-' || (n % 50), 'qty', 1 + n % 3)))::text, 'UTF8'),
            'json', 1
       FROM seed`,
  );
  await client.query(
    `INSERT INTO runs (id, workflow, workflow_version, event_id, status, created_at, started_at, finished_at, error)
     SELECT run_id, workflow, ($1::jsonb) ->> workflow, event_id, status, at,
            CASE WHEN status = 'queued' THEN NULL ELSE at + interval '5 ms' END,
            CASE WHEN status IN ('queued', 'running') THEN NULL ELSE at + interval '80 ms' END,
            CASE WHEN status = 'failed' THEN 'step label failed: 503 Service Unavailable' END
       FROM seed`,
    [JSON.stringify(version)],
  );
  await client.query(
    `INSERT INTO step_runs (run_id, step_id, status, attempts, input, output, started_at, finished_at, error)
     SELECT s.run_id, step.id, CASE WHEN s.status = 'failed' AND step.ordinality = 1 THEN 'failed'
                                    WHEN s.status IN ('queued', 'cancelled') THEN 'pending' ELSE 'succeeded' END,
            CASE WHEN s.status = 'failed' AND step.ordinality = 1 THEN 3 ELSE 1 END,
            json_build_object('method', 'POST', 'url', 'http://127.0.0.1:9/' || step.id, 'body', json_build_object('order', 'order-' || s.n)),
            json_build_object('status', 200, 'body', json_build_object('ok', true, 'id', 'remote-' || s.n)),
            s.at + interval '5 ms', s.at + interval '60 ms', NULL
       FROM seed s
       CROSS JOIN LATERAL jsonb_array_elements_text($1::jsonb -> s.workflow) WITH ORDINALITY AS step(id, ordinality)
      WHERE s.status <> 'queued'`,
    [JSON.stringify(Object.fromEntries(names.map((name) => [name, WORKFLOWS[name].steps])))],
  );
  await client.query(
    `INSERT INTO step_attempts (run_id, step_id, n, status, started_at, duration_ms, request, response_status, response_headers, response_body, error)
     SELECT sr.run_id, sr.step_id, a.n, CASE WHEN sr.status = 'failed' OR a.n < sr.attempts THEN 'failed' ELSE 'succeeded' END,
            sr.started_at + make_interval(secs => a.n * 2), 40 + a.n,
            json_build_object('method', 'POST', 'url', 'http://127.0.0.1:9/' || sr.step_id,
                              'headers', json_build_object('content-type', 'application/json', 'idempotency-key', sr.run_id || ':' || sr.step_id)),
            CASE WHEN sr.status = 'failed' OR a.n < sr.attempts THEN 503 ELSE 200 END,
            '{"content-type":"application/json"}',
            repeat('{"ok":true,"padding":"' || repeat('x', 40) || '"}', 8), NULL
       FROM step_runs sr CROSS JOIN LATERAL generate_series(1, sr.attempts) AS a(n)
      WHERE sr.status IN ('succeeded', 'failed')`,
  );
  await client.query('ANALYZE');
  const ids = await client.query<{ run_id: string }>(`SELECT run_id FROM seed WHERE workflow = 'bench-alerts' AND status = 'failed' LIMIT 500`);
  return ids.rows.map((row) => row.run_id);
}

async function storedCounts(client: Client): Promise<string> {
  const { rows } = await client.query<{ name: string; rows: string; size: string }>(
    `SELECT t.name, (xpath('/row/c/text()', query_to_xml(format('SELECT count(*) AS c FROM %I', t.name), false, true, '')))[1]::text AS rows,
            pg_size_pretty(pg_total_relation_size(t.name)) AS size
       FROM unnest(ARRAY['events', 'runs', 'step_runs', 'step_attempts']) AS t(name)`,
  );
  return `   stored: ${rows.map((row) => `${row.name} ${Number(row.rows).toLocaleString('en-US')} rows (${row.size})`).join(', ')}`;
}

/** Cursors of pages 2 to `pages` of the unfiltered runs list. */
async function walkCursors(get: (path: string) => Promise<unknown>, baseUrl: string, token: string, pages: number): Promise<string[]> {
  const cursors: string[] = [];
  let cursor: string | null = null;
  for (let page = 1; page < pages; page++) {
    const answer = await fetch(`${baseUrl}/api/runs${cursor ? `?cursor=${encodeURIComponent(cursor)}` : ''}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    cursor = ((await answer.json()) as { next_cursor: string | null }).next_cursor;
    if (!cursor) break;
    cursors.push(cursor);
  }
  await get('/healthz');
  return cursors;
}

function formatTable(queries: QuerySpec[], perRun: Map<string, number[]>, tails: Map<string, number[]>, sizes: Map<string, number>): string {
  const floor = median(perRun.get(queries[0].name)!);
  const lines = [
    `\n### Console and API reads with ${STORED_RUNS.toLocaleString('en-US')} runs stored (sequential, ${SAMPLES_PER_QUERY} samples per run)\n`,
    '| Query | Median ms (per run) | Median of runs | p99 (median of runs) | vs /healthz | Answer size | Under 300 ms |',
    '|---|---:|---:|---:|---:|---:|:---:|',
  ];
  for (const query of queries) {
    const medians = perRun.get(query.name)!;
    const value = median(medians);
    const p99 = median(tails.get(query.name)!);
    lines.push(
      `| ${query.name} | ${medians.map((ms) => ms.toFixed(1)).join(' / ')} | ${value.toFixed(1)} | ${p99.toFixed(1)} | ` +
        `${(value / floor).toFixed(1)}× | ${((sizes.get(query.name) ?? 0) / 1024).toFixed(1)} KiB | ${p99 < BUDGET_MS ? 'yes' : '**no**'} |`,
    );
  }
  return lines.join('\n') + '\n';
}

/** The plans of the list and run-page statements, to show which indexes they use. */
async function plans(client: Client, runId: string): Promise<string> {
  const statements: [string, string, unknown[]][] = [
    ['runs list, first page', `SELECT id FROM runs ORDER BY created_at DESC, id DESC LIMIT 51`, []],
    ['runs list, one workflow', `SELECT id FROM runs WHERE workflow = $1 ORDER BY created_at DESC, id DESC LIMIT 51`, ['bench-orders']],
    ['runs list, status=cancelled', `SELECT id FROM runs WHERE status = $1 ORDER BY created_at DESC, id DESC LIMIT 51`, ['cancelled']],
    ['run page: attempts', `SELECT n FROM step_attempts WHERE run_id = $1 ORDER BY step_id, n`, [runId]],
    ['run page: steps', `SELECT step_id FROM step_runs WHERE run_id = $1`, [runId]],
  ];
  const out = ['Plans (EXPLAIN ANALYZE, timing of the statement alone):'];
  for (const [label, sql, params] of statements) {
    const { rows } = await client.query<{ 'QUERY PLAN': string }>(`EXPLAIN (ANALYZE, COSTS OFF) ${sql}`, params);
    out.push(`  ${label}:`, ...rows.map((row) => `    ${row['QUERY PLAN']}`));
  }
  return out.join('\n');
}
