import { Client } from 'pg';

/** Row counts of the given tables (schema-qualified names allowed) in one database. */
export async function countRows(databaseUrl: string, tables: string[]): Promise<Record<string, number>> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const counts: Record<string, number> = {};
    for (const table of tables) {
      const { rows } = await client.query<{ count: string }>(`SELECT count(*) AS count FROM ${table}`);
      counts[table] = Number(rows[0].count);
    }
    return counts;
  } finally {
    await client.end();
  }
}

/**
 * Row counts against the 2xx answers given. Fewer rows than answers means an answered
 * webhook was lost; up to `inFlight` more is expected, since a run ends by closing its
 * connections while their last requests may still commit.
 */
export function auditCounts(counts: Record<string, number>, expected: Record<string, number>, inFlight: number): string {
  const parts = Object.entries(counts).map(([table, count]) => {
    const want = expected[table];
    let verdict = '';
    if (want !== undefined && count < want) verdict = ` (LOST: ${(want - count).toLocaleString('en-US')} fewer than the 2xx answers)`;
    else if (want !== undefined && count > want + inFlight) verdict = ` (UNEXPECTED: ${(count - want).toLocaleString('en-US')} more than the 2xx answers)`;
    else if (want !== undefined) verdict = ` (ok: ${(count - want).toLocaleString('en-US')} cut off in flight)`;
    return `${table} ${count.toLocaleString('en-US')}${verdict}`;
  });
  return `stored after all runs: ${parts.join(', ')}`;
}

/**
 * What the server made PostgreSQL do for each webhook it accepted (warm-ups included), from
 * the database's own counters: commits and rows inserted, updated and deleted.
 */
export async function databaseWorkPerWebhook(databaseUrl: string, accepted: number): Promise<string> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<Record<string, string>>(
      `SELECT xact_commit, tup_inserted, tup_updated, tup_deleted FROM pg_stat_database WHERE datname = current_database()`,
    );
    const per = (value: string) => (accepted > 0 ? (Number(value) / accepted).toFixed(2) : '–');
    const [row] = rows;
    return (
      `per accepted webhook: ${per(row.xact_commit)} commits, ${per(row.tup_inserted)} rows inserted, ` +
      `${per(row.tup_updated)} updated, ${per(row.tup_deleted)} deleted`
    );
  } finally {
    await client.end();
  }
}

/**
 * Sequential scans of one table and the rows they read. A hot-path statement planned while
 * the table was empty shows up here as one scan per call (see BENCHMARKS.md).
 */
export async function sequentialScans(databaseUrl: string, table: string): Promise<string> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ seq_scan: string; seq_tup_read: string }>(
      `SELECT seq_scan, seq_tup_read FROM pg_stat_all_tables WHERE relid = to_regclass($1)`,
      [table],
    );
    if (rows.length === 0) return `${table}: no statistics`;
    return `${table}: ${Number(rows[0].seq_scan).toLocaleString('en-US')} sequential scans reading ${Number(rows[0].seq_tup_read).toLocaleString('en-US')} rows`;
  } finally {
    await client.end();
  }
}
