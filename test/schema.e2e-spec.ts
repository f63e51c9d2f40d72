import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DataSource, EntityMetadata } from 'typeorm';
import * as runStatements from '../src/engine/run-statements';
import { PRUNE_STATEMENTS } from '../src/retention/retention-pruner';
import { EXACT_COUNT, OVERVIEW, SAMPLED_COUNT } from '../src/queue/queue-depth';
import { PRUNE_EXHAUSTED_JOBS } from '../src/queue/run-job';
import { startTestApp, TestApp } from './support/test-app';
import { withClient } from './support/test-database';

/** TypeORM's own bookkeeping table: the one table no module declares. */
const MIGRATIONS_TABLE = 'migrations';

interface ColumnRow {
  table: string;
  column: string;
  type: string;
  nullable: boolean;
}

interface IndexRow {
  table: string;
  name: string;
  columns: string[];
  unique: boolean;
  predicate: string | null;
}

interface ForeignKeyRow {
  table: string;
  columns: string[];
  referenced: string;
  on_delete: string;
}

/**
 * The schema the migrations build, held to what the code expects of it: the entities
 * (each module's description of its tables, columns and the indexes its queries use) and
 * the statements of the run store, the queue facade and retention, planned against it.
 */
describe('the migrated schema', () => {
  let hookflow: TestApp;
  let entities: EntityMetadata[];
  let columns: ColumnRow[];

  before(async () => {
    hookflow = await startTestApp({ files: { 'sources.yaml': 'sources: {}\n' }, env: { HOOKFLOW_ROLE: 'api' } });
    const dataSource = hookflow.app.get(DataSource);
    entities = dataSource.entityMetadatas;
    columns = await hookflow.query<ColumnRow>(
      `SELECT table_name AS table, column_name AS column, data_type AS type, is_nullable = 'YES' AS nullable
         FROM information_schema.columns WHERE table_schema = 'public'`,
    );
  });
  after(() => hookflow?.close());

  it('has a table for each entity, and no table without one', async () => {
    const tables = await hookflow.query<{ name: string }>(`SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public'`);
    const migrated = tables
      .map((table) => table.name)
      .filter((name) => name !== MIGRATIONS_TABLE)
      .sort();
    assert.deepEqual(migrated, entities.map((entity) => entity.tableName).sort());
  });

  it("has each entity's columns, with their types and nullability, and no column an entity leaves out", () => {
    const driver = hookflow.app.get(DataSource).driver;
    const declared = entities.flatMap((entity) =>
      entity.columns.map((column) => ({
        table: entity.tableName,
        column: column.databaseName,
        type: driver.normalizeType(column),
        nullable: column.isNullable,
      })),
    );
    const tables = new Set(entities.map((entity) => entity.tableName));
    assert.deepEqual(sortByColumn(columns.filter((column) => tables.has(column.table))), sortByColumn(declared));
  });

  it('has the named indexes the entities declare, on their columns and with their conditions', async () => {
    const indexes = await hookflow.query<IndexRow>(
      `SELECT t.relname AS table, i.relname AS name, ix.indisunique AS unique, pg_get_expr(ix.indpred, ix.indrelid) AS predicate,
              array(SELECT a.attname::text FROM unnest(ix.indkey) WITH ORDINALITY AS k(attnum, n)
                      JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum ORDER BY k.n) AS columns
         FROM pg_index ix
         JOIN pg_class i ON i.oid = ix.indexrelid
         JOIN pg_class t ON t.oid = ix.indrelid
         JOIN pg_namespace s ON s.oid = t.relnamespace
        WHERE s.nspname = 'public'`,
    );
    const byName = new Map(indexes.map(({ name, ...index }) => [name, { ...index, predicate: condition(index.predicate) }]));
    const declared = entities.flatMap((entity) =>
      entity.indices.map((index) => ({
        name: index.name ?? '(unnamed)',
        table: entity.tableName,
        columns: index.columns.map((column) => column.databaseName),
        unique: index.isUnique,
        predicate: condition(index.where),
      })),
    );
    assert.ok(declared.length >= 10, 'the entities name the indexes their queries use');
    assert.deepEqual(
      declared.map(({ name }) => ({ name, ...(byName.get(name) ?? { missing: true }) })),
      declared,
    );
  });

  it('has the foreign keys the entities declare, with what a delete does', async () => {
    const keys = await hookflow.query<ForeignKeyRow>(
      `SELECT c.conrelid::regclass::text AS table, c.confrelid::regclass::text AS referenced,
              CASE c.confdeltype WHEN 'c' THEN 'CASCADE' WHEN 'n' THEN 'SET NULL' WHEN 'r' THEN 'RESTRICT' ELSE 'NO ACTION' END AS on_delete,
              array(SELECT a.attname::text FROM unnest(c.conkey) WITH ORDINALITY AS k(attnum, n)
                      JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum ORDER BY k.n) AS columns
         FROM pg_constraint c JOIN pg_namespace s ON s.oid = c.connamespace
        WHERE c.contype = 'f' AND s.nspname = 'public'`,
    );
    const declared = entities.flatMap((entity) =>
      entity.foreignKeys.map((key) => ({
        table: entity.tableName,
        columns: key.columnNames,
        referenced: key.referencedTablePath,
        on_delete: key.onDelete ?? 'NO ACTION',
      })),
    );
    assert.deepEqual(sortByTable(keys), sortByTable(declared));
  });

  it('plans every statement of the run store, the queue facade and retention', async () => {
    const statements: [string, string][] = [
      ...Object.entries(runStatements).flatMap(([name, value]): [string, string][] =>
        typeof value === 'string' ? [[name, value]] : Object.values(value).map((statement) => [statement.name, statement.sql]),
      ),
      ['EXACT_COUNT', EXACT_COUNT],
      ['SAMPLED_COUNT', SAMPLED_COUNT],
      ['OVERVIEW', OVERVIEW],
      ['PRUNE_EXHAUSTED_JOBS', PRUNE_EXHAUSTED_JOBS],
      ...PRUNE_STATEMENTS.map(({ sql, driver }): [string, string] => [`prune ${driver}`, sql]),
    ];
    assert.ok(statements.length >= 20, `found ${statements.length} statements`);
    await withClient(hookflow.databaseUrl, async (client) => {
      for (const [name, sql] of statements) {
        // PREPARE parses, resolves every table, column and function, and plans, without running.
        await assert.doesNotReject(client.query(`PREPARE schema_check AS ${sql}`), `${name} is planned on the migrated schema`);
        await client.query(`DEALLOCATE schema_check`);
      }
    });
  });
});

function sortByColumn(rows: ColumnRow[]): ColumnRow[] {
  return [...rows].sort((a, b) => `${a.table}.${a.column}`.localeCompare(`${b.table}.${b.column}`));
}

function sortByTable(rows: ForeignKeyRow[]): ForeignKeyRow[] {
  return [...rows].sort((a, b) => `${a.table}.${a.columns.join()}`.localeCompare(`${b.table}.${b.columns.join()}`));
}

/** An index condition as PostgreSQL prints it or an entity writes it, without the outer parentheses. */
function condition(text: string | null | undefined): string | null {
  if (!text) return null;
  const trimmed = text.trim();
  return enclosedWhole(trimmed) ? trimmed.slice(1, -1).trim() : trimmed;
}

/** Whether `text` is one parenthesised expression: `(a AND b)`, not `(a) AND (b)`. */
function enclosedWhole(text: string): boolean {
  if (!text.startsWith('(') || !text.endsWith(')')) return false;
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '(') depth++;
    else if (text[i] === ')') depth--;
    if (depth === 0 && i < text.length - 1) return false;
  }
  return true;
}
