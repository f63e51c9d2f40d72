import { createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto';
import { Client } from 'pg';

/** Where an object of the database lives outside PostgreSQL's own schemas, and is not part of an extension. */
const OURS = `nspname NOT LIKE 'pg\\_%' AND nspname <> 'information_schema'`;
const NOT_IN_EXTENSION = (catalog: string, column: string) =>
  `NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = '${catalog}'::regclass AND d.objid = ${column} AND d.deptype = 'e')`;

/**
 * Statements that give `$1` what the connected superuser owns in the current database.
 * REASSIGN OWNED cannot do it: it refuses to move what the bootstrap superuser owns.
 * Indexes, triggers and the sequences of serial and identity columns follow their table.
 */
const OWNERSHIP_STATEMENTS = `
  WITH me AS (SELECT oid FROM pg_roles WHERE rolname = current_user),
       ours AS (SELECT oid FROM pg_namespace WHERE ${OURS})
  SELECT format('ALTER SCHEMA %I OWNER TO %I', nspname, $1::text) AS statement
    FROM pg_namespace n WHERE n.oid IN (SELECT oid FROM ours) AND nspowner = (SELECT oid FROM me)
  UNION ALL
  SELECT format('ALTER %s %s OWNER TO %I',
                CASE relkind WHEN 'S' THEN 'SEQUENCE' WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW'
                             WHEN 'f' THEN 'FOREIGN TABLE' WHEN 'c' THEN 'TYPE' ELSE 'TABLE' END, c.oid::regclass, $1::text)
    FROM pg_class c
   WHERE relnamespace IN (SELECT oid FROM ours) AND relowner = (SELECT oid FROM me) AND relkind IN ('r', 'p', 'v', 'm', 'f', 'S', 'c')
     AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid
                        AND (d.deptype = 'e' OR (d.deptype IN ('a', 'i') AND d.refclassid = 'pg_class'::regclass)))
  UNION ALL
  SELECT format('ALTER ROUTINE %s OWNER TO %I', p.oid::regprocedure, $1::text)
    FROM pg_proc p WHERE pronamespace IN (SELECT oid FROM ours) AND proowner = (SELECT oid FROM me) AND ${NOT_IN_EXTENSION('pg_proc', 'p.oid')}
  UNION ALL
  SELECT format('ALTER %s %s OWNER TO %I', CASE typtype WHEN 'd' THEN 'DOMAIN' ELSE 'TYPE' END, t.oid::regtype, $1::text)
    FROM pg_type t
   WHERE typnamespace IN (SELECT oid FROM ours) AND typowner = (SELECT oid FROM me) AND typtype IN ('d', 'e', 'r')
     AND ${NOT_IN_EXTENSION('pg_type', 't.oid')}`;

/**
 * Makes `role` (LOGIN, no superuser, no CREATEDB or CREATEROLE) the owner of `database`
 * and of everything in it, with `password`. Idempotent, for every start: a cluster made
 * before Hookflow had its own role holds objects owned by the superuser, which move to
 * the role. Answers how many objects moved.
 */
export async function ensureOwnerRole(superuserUrl: string, database: string, role: string, password: string): Promise<number> {
  await withClient(superuserUrl, 'postgres', async (client) => {
    const exists = (await client.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [role])).rowCount;
    const verb = exists ? 'ALTER' : 'CREATE';
    // A SCRAM verifier, so that the password itself never appears in a statement.
    await client.query(
      `${verb} ROLE ${client.escapeIdentifier(role)} WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS PASSWORD ${client.escapeLiteral(scramVerifier(password))}`,
    );
    const { rows } = await client.query<{ owner: string }>('SELECT pg_get_userbyid(datdba) AS owner FROM pg_database WHERE datname = $1', [database]);
    if (rows.length === 0) await client.query(`CREATE DATABASE ${client.escapeIdentifier(database)} OWNER ${client.escapeIdentifier(role)}`);
    else if (rows[0].owner !== role) await client.query(`ALTER DATABASE ${client.escapeIdentifier(database)} OWNER TO ${client.escapeIdentifier(role)}`);
  });
  return withClient(superuserUrl, database, async (client) => {
    const { rows } = await client.query<{ statement: string }>(OWNERSHIP_STATEMENTS, [role]);
    if (rows.length === 0) return 0;
    await client.query('BEGIN');
    for (const { statement } of rows) await client.query(statement);
    await client.query('COMMIT');
    return rows.length;
  });
}

/** PostgreSQL's stored form of a SCRAM-SHA-256 password (RFC 5802, 4096 iterations as PostgreSQL uses). */
function scramVerifier(password: string): string {
  const salt = randomBytes(16);
  const salted = pbkdf2Sync(password, salt, 4096, 32, 'sha256');
  const storedKey = createHash('sha256').update(createHmac('sha256', salted).update('Client Key').digest()).digest();
  const serverKey = createHmac('sha256', salted).update('Server Key').digest();
  return `SCRAM-SHA-256$4096:${salt.toString('base64')}$${storedKey.toString('base64')}:${serverKey.toString('base64')}`;
}

async function withClient<T>(serverUrl: string, database: string, work: (client: Client) => Promise<T>): Promise<T> {
  const url = new URL(serverUrl);
  url.pathname = `/${database}`;
  const client = new Client({ connectionString: url.toString() });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}
