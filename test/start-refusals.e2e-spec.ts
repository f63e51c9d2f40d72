import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HookflowProcess, REPOSITORY_WORKFLOWS, spawnHookflow } from './support/hookflow-process';
import { createTestDatabase } from './support/test-database';

/** `npm start` refusing what it must not run with, in one line that never shows a secret. */
describe('npm start refuses', () => {
  let workDir: string;
  let env: Record<string, string>;

  before(async () => {
    workDir = await mkdtemp(join(tmpdir(), 'hookflow-refusals-'));
    env = { HOOKFLOW_DATA_DIR: join(workDir, '.hookflow'), HOOKFLOW_WORKFLOWS_DIR: REPOSITORY_WORKFLOWS };
  });
  after(() => rm(workDir, { recursive: true, force: true }));

  it('names a bad secret setting and the rule it breaks, never its value', async () => {
    const cases: [string, string, RegExp][] = [
      ['DATABASE_URL', 'mysql://root:hunter2-db-password@127.0.0.1/orders', /must be a postgres:\/\/ URL/],
      ['DATABASE_URL', 'postgres://hookflow:hunter2-db-password@127.0.0.1:notaport/orders', /the PostgreSQL client can read/],
      ['HOOKFLOW_ADMIN_TOKEN', 'short-secret', /must be at least 16 printable characters without spaces/],
      ['HOOKFLOW_SMTP_URL', 'http://mailer:smtp-password-42@127.0.0.1', /must be an smtp:\/\/ or smtps:\/\/ URL/],
    ];
    for (const [name, value, rule] of cases) {
      const hookflow = await spawnHookflow(workDir, { ...env, [name]: value });
      assert.equal(await exitWithin(hookflow, 15_000), 1, hookflow.output());
      const lines = hookflow.output().trim().split('\n');
      assert.equal(lines.length, 1, hookflow.output());
      assert.match(lines[0], new RegExp(`^Invalid setting ${name}: `));
      assert.match(lines[0], rule);
      for (const secret of ['hunter2', 'short-secret', 'smtp-password']) assert.ok(!lines[0].includes(secret), lines[0]);
    }
  });

  it('refuses to start with an admin token file holding fewer than 16 characters, in one line that does not show it', async () => {
    const database = await createTestDatabase();
    try {
      for (const content of ['\n', '  \t\n', 'short-secret\n']) {
        const tokenDir = await mkdtemp(join(tmpdir(), 'hookflow-token-'));
        await writeFile(join(tokenDir, 'admin-token'), content, { mode: 0o600 });
        const hookflow = await spawnHookflow(workDir, { ...env, HOOKFLOW_DATA_DIR: tokenDir, DATABASE_URL: database.url });
        assert.equal(await exitWithin(hookflow, 30_000), 1, `${JSON.stringify(content)}: ${hookflow.output()}`);
        const lines = hookflow.output().trim().split('\n');
        assert.equal(lines.length, 1, hookflow.output());
        assert.equal(
          lines[0],
          `Hookflow could not start: The admin token in ${join(tokenDir, 'admin-token')} must be at least 16 printable characters ` +
            'without spaces: replace it, or delete the file to have one generated',
        );
        await rm(tokenDir, { recursive: true, force: true });
      }
    } finally {
      await database.drop();
    }
  });
});

/** The exit code, or a failure (after stopping it) when it is still running after `ms`. */
async function exitWithin(hookflow: HookflowProcess, ms: number): Promise<number | string> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'running'>((done) => (timer = setTimeout(() => done('running'), ms)));
  const outcome = await Promise.race([hookflow.exited, late]);
  clearTimeout(timer);
  if (outcome !== 'running') return outcome;
  hookflow.child.kill('SIGTERM');
  await hookflow.exited;
  assert.fail(`still running after ${ms} ms:\n${hookflow.output()}`);
}
