import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, statSync, watch } from 'node:fs';
import { chmod, cp, mkdir, mkdtemp, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { EmbeddedPostgresError } from '../src/database/embedded-postgres.error';
import { TableStatisticsService } from '../src/database/table-statistics.service';
import { EmbeddedPostgresOptions, EmbeddedPostgresServer } from '../src/database/embedded-postgres.server';
import { post } from './support/http';
import { REPOSITORY_WORKFLOWS, spawnHookflow, waitUntilReady } from './support/hookflow-process';
import { eventually } from './support/receiver';
import { startTestApp, TestApp } from './support/test-app';
import { withClient } from './support/test-database';

const AS_ROOT = process.getuid?.() === 0;
const ROOT_ONLY = AS_ROOT ? false : 'runs only as root, where PostgreSQL runs as the user postgres (this run is not root)';

const FILES = {
  'sources.yaml': 'sources:\n  shop:\n    verify: { scheme: none }\n',
  'note.yaml': 'name: note\non: { webhook: shop }\nsteps:\n  - id: note\n    uses: set\n    with: { order: "{{event.body.order}}" }\n',
};

/** Objects of the current database (outside PostgreSQL's own schemas) that the role `hookflow` does not own. */
const NOT_OWNED_BY_HOOKFLOW = `
  SELECT kind, name, pg_get_userbyid(owner) AS owner FROM (
    SELECT 'schema' AS kind, nspname::text AS name, nspowner AS owner, oid AS namespace FROM pg_namespace
    UNION ALL SELECT 'relation', oid::regclass::text, relowner, relnamespace FROM pg_class
    UNION ALL SELECT 'routine', oid::regprocedure::text, proowner, pronamespace FROM pg_proc
    UNION ALL SELECT 'type', oid::regtype::text, typowner, typnamespace FROM pg_type
  ) o JOIN pg_namespace n ON n.oid = o.namespace
  WHERE n.nspname NOT LIKE 'pg\\_%' AND n.nspname <> 'information_schema'
    AND pg_get_userbyid(owner) NOT IN ('hookflow', 'pg_database_owner')
  ORDER BY kind, name`;

/**
 * A copy of the PostgreSQL binaries package whose `initdb` first notes `ls -ln` of the
 * password file it is given in `log`, and fails on purpose while `failFlag` exists.
 */
async function recordingBinaries(into: string, observations: string): Promise<{ dir: string; log: string; failFlag: string }> {
  const requireFromEmbeddedPostgres = createRequire(require.resolve('embedded-postgres'));
  const packageDir = dirname(dirname(requireFromEmbeddedPostgres.resolve(`@embedded-postgres/${process.platform}-${process.arch}`)));
  await cp(packageDir, join(into, 'package'), { recursive: true, verbatimSymlinks: true });
  const dir = join(into, 'package', 'native');
  const log = join(observations, 'initdb.log');
  const failFlag = join(observations, 'fail-initdb');
  await writeFile(log, '');
  await chmod(log, 0o666); // initdb runs as the postgres user when the tests run as root
  await rename(join(dir, 'bin', 'initdb'), join(dir, 'bin', 'initdb.real'));
  await writeFile(
    join(dir, 'bin', 'initdb'),
    [
      '#!/bin/sh',
      'for arg in "$@"; do case "$arg" in --pwfile=*) pwfile="${arg#--pwfile=}" ;; esac; done',
      `ls -ln "$pwfile" >> '${log}'`,
      `if [ -e '${failFlag}' ]; then echo 'initdb: error: failing on purpose for the test' >&2; exit 1; fi`,
      'exec "$(dirname "$0")/initdb.real" "$@"',
      '',
    ].join('\n'),
    { mode: 0o755 },
  );
  return { dir, log, failFlag };
}

/** The password file the last initdb was given: `{ mode, uid, path }` from `ls -ln`. */
async function lastPasswordFile(log: string): Promise<{ mode: string; uid: number; path: string }> {
  const fields = (await readFile(log, 'utf8')).trim().split('\n').at(-1)!.split(/\s+/);
  return { mode: fields[0], uid: Number(fields[2]), path: fields.at(-1)! };
}

/**
 * Runs `work` with TMPDIR pointing at an empty folder of its own, and answers what appeared
 * there meanwhile (even briefly): the `embedded-postgres` package put the superuser's
 * password in `<tmpdir>/pg-password-*` for initdb.
 */
async function watchingTmpdir<T>(work: () => Promise<T>): Promise<{ result: T; appeared: string[] }> {
  const privateTmp = await mkdtemp(join(tmpdir(), 'hookflow-tmpdir-'));
  await chmod(privateTmp, 0o1777); // as the system's temporary folder is
  const appeared = new Set<string>();
  const watcher = watch(privateTmp, (_, name) => name && appeared.add(name.toString()));
  const before = process.env.TMPDIR;
  process.env.TMPDIR = privateTmp;
  try {
    const result = await work();
    for (const name of await readdir(privateTmp)) appeared.add(name);
    return { result, appeared: [...appeared] };
  } finally {
    if (before === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = before;
    watcher.close();
    await rm(privateTmp, { recursive: true, force: true });
  }
}

/** Runs `work` with the environment's locale set to plain C, as in a container without LANG. */
async function withoutLocale<T>(work: () => Promise<T>): Promise<T> {
  const saved = { LANG: process.env.LANG, LC_ALL: process.env.LC_ALL };
  process.env.LANG = 'C';
  process.env.LC_ALL = 'C';
  try {
    return await work();
  } finally {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  }
}

function inDatabase(url: string, database: string): string {
  const other = new URL(url);
  other.pathname = `/${database}`;
  return other.toString();
}

async function sendOrderAndWaitForItsRun(hookflow: TestApp, order: string): Promise<string> {
  const answer = await post(`${hookflow.baseUrl}/hooks/shop`, JSON.stringify({ type: 'order.paid', order }));
  assert.equal(answer.status, 202, JSON.stringify(answer.body));
  const eventId = answer.body.event_id as string;
  await eventually(
    async () => {
      const runs = (await hookflow.api('GET', `/api/runs?event=${eventId}`)).body.items as { status: string }[];
      return runs.length === 1 && runs[0].status === 'succeeded';
    },
    20_000,
    `the run of ${order} succeeded`,
  );
  return eventId;
}

describe('embedded PostgreSQL', () => {
  /** Folders the postgres user may pass through (0755) and may not (0700, as mkdtemp makes them). */
  let open: string;
  let closed: string;
  let reachableDir: string;
  let binaries: { dir: string; log: string; failFlag: string };
  let options: EmbeddedPostgresOptions;
  const servers: EmbeddedPostgresServer[] = [];
  const server = (dataDir: string, extra: EmbeddedPostgresOptions = {}) => {
    const created = new EmbeddedPostgresServer(dataDir, { ...options, ...extra });
    servers.push(created);
    return created;
  };

  before(async () => {
    open = await mkdtemp(join(tmpdir(), 'hookflow-pg-open-'));
    await chmod(open, 0o755);
    closed = await mkdtemp(join(tmpdir(), 'hookflow-pg-closed-'));
    reachableDir = join(open, 'reachable');
    binaries = await recordingBinaries(closed, open);
    options = { binariesDir: binaries.dir, reachableDir };
  });

  after(async () => {
    for (const started of servers) await started.stop();
    await rm(open, { recursive: true, force: true });
    await rm(closed, { recursive: true, force: true });
  });

  describe('a new cluster', () => {
    let dataDir: string;
    let first: EmbeddedPostgresServer;
    let url: string;
    let tmpdirDuringStart: string[];

    before(async () => {
      dataDir = join(open, 'project', '.hookflow');
      first = server(dataDir);
      const watched = await watchingTmpdir(() => withoutLocale(() => first.start()));
      url = watched.result;
      tmpdirDuringStart = watched.appeared;
    });

    it('connects as the owner of its database, without superuser rights', async () => {
      const [role] = await withClient(
        url,
        async (client) =>
          (
            await client.query(`SELECT current_user AS name, rolsuper, rolcreatedb, rolcreaterole, rolreplication, rolbypassrls,
                                    (SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = current_database()) AS database_owner
                               FROM pg_roles WHERE rolname = current_user`)
          ).rows,
      );
      assert.deepEqual(role, {
        name: 'hookflow',
        rolsuper: false,
        rolcreatedb: false,
        rolcreaterole: false,
        rolreplication: false,
        rolbypassrls: false,
        database_owner: 'hookflow',
      });
      assert.equal(new URL(url).username, 'hookflow', 'the app does not connect as the superuser');
      const passwordFile = join(dataDir, 'pg-hookflow-password');
      assert.equal((await readFile(passwordFile, 'utf8')).trim(), decodeURIComponent(new URL(url).password), 'the role password is kept in the data folder');
      for (const file of ['pg-hookflow-password', 'pg-password']) assert.equal(statSync(join(dataDir, file)).mode & 0o777, 0o600, file);
    });

    it('gives initdb the superuser password in a 0600 file beside the cluster, removed once initdb ends, and nothing in the temporary folder', async () => {
      const passwordFile = await lastPasswordFile(binaries.log);
      assert.equal(passwordFile.mode, '-rw-------');
      assert.equal(dirname(passwordFile.path), dataDir, 'in the data folder');
      if (AS_ROOT)
        assert.equal(passwordFile.uid, Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' })), 'readable by initdb, which runs as postgres');
      assert.ok(!existsSync(passwordFile.path), 'removed after initdb');
      assert.deepEqual(tmpdirDuringStart, [], 'nothing was written to the temporary folder');
    });

    it('is UTF-8 even where the environment has no locale', async () => {
      const [row] = await withClient(
        url,
        async (client) => (await client.query(`SELECT current_setting('server_encoding') AS encoding, upper('é') AS upper`)).rows,
      );
      assert.deepEqual(row, { encoding: 'UTF8', upper: 'É' });
    });

    it('runs Hookflow as that role: its migrations, graphile-worker, a workflow run and table statistics', async () => {
      const hookflow = await startTestApp({ files: FILES, databaseUrl: url });
      try {
        await sendOrderAndWaitForItsRun(hookflow, 'first');
        assert.deepEqual(await hookflow.query(NOT_OWNED_BY_HOOKFLOW), []);

        // A backlog the planner does not know about: only the table's owner may analyze it (others get a mere warning).
        const planned = async () =>
          Number(
            (await hookflow.query<{ n: number }>(`SELECT reltuples::float8 AS n FROM pg_class WHERE oid = 'graphile_worker._private_jobs'::regclass`))[0].n,
          );
        await hookflow.query(
          `SELECT graphile_worker.add_jobs(array_agg(ROW('run', json_build_object('run_id', gen_random_uuid()), NULL, now() + interval '1 hour',
                  NULL, NULL, NULL, NULL)::graphile_worker.job_spec)) FROM generate_series(1, 600)`,
        );
        await hookflow.query(`SELECT pg_stat_force_next_flush()`);
        const statistics = hookflow.app.get(TableStatisticsService);
        await eventually(
          async () => (await statistics.check()).includes('graphile_worker._private_jobs') || (await planned()) === 600,
          15_000,
          'the statistics to be refreshed',
        );
        assert.equal(await planned(), 600);
      } finally {
        await hookflow.close();
      }
    });

    it('gives the role a cluster made before it existed: the database and everything the superuser made in it', async () => {
      // What earlier versions made: the superuser `postgres` owns the database and ran the migrations.
      const superuser = first.superuserUrl;
      await withClient(superuser, async (client) => {
        await client.query('DROP DATABASE hookflow WITH (FORCE)');
        await client.query('CREATE DATABASE hookflow');
      });
      const legacy = await startTestApp({ files: FILES, databaseUrl: inDatabase(superuser, 'hookflow') });
      const legacyEvent = await sendOrderAndWaitForItsRun(legacy, 'before the upgrade');
      await legacy.close();
      await withClient(superuser, (client) => client.query('DROP ROLE hookflow'));
      await rm(join(dataDir, 'pg-hookflow-password'));
      const legacyOwners = await withClient(inDatabase(superuser, 'hookflow'), async (client) => (await client.query(NOT_OWNED_BY_HOOKFLOW)).rows);
      assert.ok(
        legacyOwners.some((object) => object.kind === 'schema' && object.name === 'graphile_worker' && object.owner === 'postgres'),
        'the legacy cluster is owned by postgres',
      );
      await first.stop();

      const upgraded = server(dataDir);
      const upgradedUrl = await upgraded.start();
      const hookflow = await startTestApp({ files: FILES, databaseUrl: upgradedUrl });
      try {
        assert.deepEqual(await hookflow.query(NOT_OWNED_BY_HOOKFLOW), [], 'the role owns everything');
        const [database] = await hookflow.query(
          `SELECT pg_get_userbyid(datdba) AS owner, current_user AS user FROM pg_database WHERE datname = current_database()`,
        );
        assert.deepEqual(database, { owner: 'hookflow', user: 'hookflow' });
        assert.equal((await hookflow.api('GET', `/api/events/${legacyEvent}`)).status, 200, 'the events stored before are still there');
        await sendOrderAndWaitForItsRun(hookflow, 'after the upgrade');
        // What the next migrations of Hookflow and graphile-worker will need: to alter their tables.
        await hookflow.query('ALTER TABLE events ADD COLUMN ownership_probe int');
        await hookflow.query('ALTER TABLE events DROP COLUMN ownership_probe');
        await hookflow.query('CREATE INDEX ownership_probe ON graphile_worker._private_jobs (id)');
        await hookflow.query('DROP INDEX graphile_worker.ownership_probe');
      } finally {
        await hookflow.close();
      }
    });
  });

  it('ends a failed initdb with one line naming the folder, leaving no password file behind', async () => {
    const dataDir = join(open, 'failing', '.hookflow');
    await writeFile(binaries.failFlag, '');
    const failing = server(dataDir);
    const { result: failure, appeared } = await watchingTmpdir(() =>
      failing.start().then(
        () => undefined,
        (error: unknown) => error,
      ),
    );
    await rm(binaries.failFlag);

    assert.ok(failure instanceof EmbeddedPostgresError, String(failure));
    assert.match(
      failure.message,
      /^Embedded PostgreSQL in \S+ did not start: initdb failed \(exit code 1\): initdb: error: failing on purpose for the test\. Fix that or choose another HOOKFLOW_DATA_DIR, or set DATABASE_URL to use a PostgreSQL server of your own\.$/,
    );
    assert.ok(failure.message.includes(join(dataDir, 'pg')), failure.message);
    const passwordFile = await lastPasswordFile(binaries.log);
    assert.equal(dirname(passwordFile.path), dataDir);
    assert.ok(!existsSync(passwordFile.path), 'the password file is gone after the failed initdb');
    assert.deepEqual(appeared, [], 'nothing was written to the temporary folder');

    const url = await server(dataDir).start();
    assert.equal((await withClient(url, async (client) => (await client.query('SELECT 1 AS one')).rows))[0].one, 1, 'the next start initialises the cluster');
  });

  it('ends with one line naming the folder, not an unhandled error event, when a binary cannot be run', async () => {
    const unrunnable = join(closed, 'unrunnable');
    for (const folder of ['bin', 'lib', 'share']) await mkdir(join(unrunnable, folder), { recursive: true });
    for (const binary of ['initdb', 'postgres']) await writeFile(join(unrunnable, 'bin', binary), '#!/bin/sh\n', { mode: 0o644 });
    const dataDir = join(open, 'unrunnable', '.hookflow');

    const failure = await server(dataDir, { binariesDir: unrunnable })
      .start()
      .then(
        () => undefined,
        (error: unknown) => error,
      );
    assert.ok(failure instanceof EmbeddedPostgresError, String(failure));
    assert.match(
      failure.message,
      /^Embedded PostgreSQL in \S+ did not start: could not run \S+\/bin\/initdb \(EACCES\)\. Reinstall with npm ci so that the PostgreSQL binaries can run( as the user postgres)?, or set DATABASE_URL to use a PostgreSQL server of your own\.$/,
    );
    assert.ok(failure.message.includes(join(dataDir, 'pg')), failure.message);
  });

  it(
    'as root, runs with its data folder and its binaries where the postgres user cannot pass, keeping the cluster where it can',
    { skip: ROOT_ONLY },
    async () => {
      assert.ok(!existsSync(join(reachableDir, 'clusters')) || (await readdir(join(reachableDir, 'clusters'))).length === 0);
      const dataDir = join(closed, 'project', '.hookflow');
      const first = server(dataDir);
      const url = await first.start();
      await withClient(url, (client) => client.query(`CREATE TABLE kept AS SELECT 'across restarts' AS note`));
      const [cluster] = await readdir(join(reachableDir, 'clusters'));
      const clusterDir = join(reachableDir, 'clusters', cluster, 'pg');
      assert.ok(existsSync(join(clusterDir, 'PG_VERSION')), 'the cluster is where the postgres user can reach it');
      assert.equal(first.description, `embedded PostgreSQL, data in ${clusterDir} (where the user postgres can reach it; passwords in ${dataDir})`);
      assert.ok(!existsSync(join(dataDir, 'pg')), 'nothing of the cluster in the closed data folder');
      assert.equal(statSync(closed).mode & 0o777, 0o700, 'the folder above was not opened');
      await first.stop();

      const again = await server(dataDir).start();
      const [row] = await withClient(again, async (client) => (await client.query('SELECT note, current_user AS user FROM kept')).rows);
      assert.deepEqual(row, { note: 'across restarts', user: 'hookflow' }, 'a restart finds the same cluster');
    },
  );

  it('npm start as root in a folder of mode 700: ready, says where the cluster is, and stops its PostgreSQL on SIGTERM', { skip: ROOT_ONLY }, async () => {
    const project = join(closed, 'npm-start');
    await mkdir(project);
    const hookflow = await spawnHookflow(project, { HOOKFLOW_DATA_DIR: join(project, '.hookflow'), HOOKFLOW_WORKFLOWS_DIR: REPOSITORY_WORKFLOWS });
    let clusterDir: string | undefined;
    try {
      await waitUntilReady(hookflow);
      const database =
        /Database: +embedded PostgreSQL, data in (\/var\/lib\/hookflow\/clusters\/[0-9a-f]{16}\/pg) \(where the user postgres can reach it; passwords in (\S+)\)/.exec(
          hookflow.output(),
        );
      assert.ok(database, hookflow.output());
      clusterDir = database[1];
      assert.equal(database[2], join(project, '.hookflow'));
      assert.ok(existsSync(join(clusterDir, 'postmaster.pid')));
      hookflow.child.kill('SIGTERM');
      assert.equal(await hookflow.exited, 0, hookflow.output());
      assert.ok(!existsSync(join(clusterDir, 'postmaster.pid')), 'its PostgreSQL stopped too');
    } finally {
      if (hookflow.child.exitCode === null) hookflow.child.kill('SIGTERM');
      await hookflow.exited;
      if (clusterDir) await rm(dirname(clusterDir), { recursive: true, force: true });
    }
  });

  it('npm start ends a failed start of the embedded database with one line naming the folder', async () => {
    const project = join(open, 'npm-start-failing');
    await mkdir(project);
    await writeFile(join(project, 'not-a-folder'), '');
    const dataDir = join(project, 'not-a-folder', '.hookflow');
    const hookflow = await spawnHookflow(project, { HOOKFLOW_DATA_DIR: dataDir, HOOKFLOW_WORKFLOWS_DIR: REPOSITORY_WORKFLOWS });
    assert.equal(await hookflow.exited, 1);
    const lines = hookflow.output().trim().split('\n');
    assert.equal(
      lines.at(-1),
      `Hookflow could not start: Embedded PostgreSQL in ${dataDir} did not start: ENOTDIR: not a directory, mkdir '${dataDir}'. ` +
        'Fix that or choose another HOOKFLOW_DATA_DIR, or set DATABASE_URL to use a PostgreSQL server of your own.',
    );
    assert.ok(!lines.some((line) => /^\s+at /.test(line)), `no stack trace:\n${hookflow.output()}`);
  });
});
