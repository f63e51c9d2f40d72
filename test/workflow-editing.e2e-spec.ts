import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmod, mkdtemp, readFile, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { post } from './support/http';
import { startTestApp, TestApp } from './support/test-app';

const execFileAsync = promisify(execFile);

const SOURCES = 'sources:\n  quiet:\n    verify: { scheme: none }\n';

/** A workflow on the `quiet` source whose one step sets `label`; comments and blank lines included. */
function workflowYaml(name: string, label: string, event = name): string {
  return `# ${name}: kept as written\nname: ${name}\non: { webhook: quiet, event: ${event} }\n\nsteps:\n  - id: mark # the only step\n    uses: set\n    with: { label: ${label} }\n`;
}

function revisionOf(text: string): string {
  return createHash('sha256').update(Buffer.from(text)).digest('hex').slice(0, 16);
}

const AS_ROOT = process.getuid?.() === 0;

/**
 * Takes write access to `dir` away and answers how to give it back; undefined when that is not
 * possible here. Root ignores a folder's mode, so as root the folder gets the immutable flag.
 */
async function makeUnwritable(dir: string): Promise<(() => Promise<void>) | undefined> {
  if (!AS_ROOT) {
    await chmod(dir, 0o555);
    return () => chmod(dir, 0o755);
  }
  try {
    await execFileAsync('chattr', ['+i', dir]);
  } catch {
    return undefined;
  }
  return async () => {
    await execFileAsync('chattr', ['-i', dir]);
  };
}

describe('saving workflows through the API', () => {
  let hookflow: TestApp;
  let outside: string;
  const file = (name: string) => join(hookflow.workflowsDir, name);

  before(async () => {
    outside = await mkdtemp(join(tmpdir(), 'hookflow-outside-'));
    await writeFile(join(outside, 'linked.yaml'), workflowYaml('linked', 'outside'));
    const names = ['saved', 'stale', 'invalid', 'renamed', 'raced', 'live', 'deleted', 'kept', 'big'];
    hookflow = await startTestApp({
      files: { 'sources.yaml': SOURCES, ...Object.fromEntries(names.map((name) => [`${name}.yaml`, workflowYaml(name, 'one')])) },
    });
    await symlink(join(outside, 'linked.yaml'), file('linked.yaml'));
    await writeFile(file('other-name.yaml'), workflowYaml('taken', 'one'));
  });

  after(async () => {
    await hookflow.close();
    await rm(outside, { recursive: true, force: true });
  });

  it('gives the revision of a workflow, the hash of its bytes, and says it is editable', async () => {
    const answer = await hookflow.api('GET', '/api/workflows/saved');
    assert.equal(answer.status, 200);
    assert.equal(answer.body.revision, revisionOf(await readFile(file('saved.yaml'), 'utf8')));
    assert.equal(answer.body.revision, answer.body.version);
    assert.equal(answer.body.editable, true);
    assert.equal(answer.body.read_only_reason, null);
  });

  it('saves the YAML byte for byte and answers its new revision once it is in force', async () => {
    const { body: before } = await hookflow.api('GET', '/api/workflows/saved');
    const yaml = workflowYaml('saved', 'two').replace('\n\nsteps', '\n\n\n# a comment of its own\nsteps');
    const answer = await hookflow.api('PUT', '/api/workflows/saved', { yaml, base_revision: before.revision });
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    assert.deepEqual(answer.body, { name: 'saved', revision: revisionOf(yaml), file: 'saved.yaml', in_force: true });
    assert.equal(await readFile(file('saved.yaml'), 'utf8'), yaml);
    const { body: after } = await hookflow.api('GET', '/api/workflows/saved');
    assert.equal(after.yaml, yaml);
    assert.equal(after.version, revisionOf(yaml));
    assert.deepEqual(await leftovers(hookflow.workflowsDir), [], 'no temporary file is left behind');
  });

  it('refuses a save on a stale revision with the YAML and revision now on disk', async () => {
    const { body: seen } = await hookflow.api('GET', '/api/workflows/stale');
    const byHand = workflowYaml('stale', 'by-hand');
    await hookflow.writeWorkflowFile('stale.yaml', byHand);
    const answer = await hookflow.api('PUT', '/api/workflows/stale', { yaml: workflowYaml('stale', 'from-api'), base_revision: seen.revision });
    assert.equal(answer.status, 409);
    assert.equal(answer.body.error.code, 'WORKFLOW_REVISION_CONFLICT');
    assert.deepEqual(answer.body.error.current, { yaml: byHand, revision: revisionOf(byHand) });
    assert.equal(await readFile(file('stale.yaml'), 'utf8'), byHand);
  });

  it('refuses invalid YAML with each problem at its line and column, and writes nothing', async () => {
    const original = await readFile(file('invalid.yaml'), 'utf8');
    const { body: seen } = await hookflow.api('GET', '/api/workflows/invalid');
    const yaml = workflowYaml('invalid', 'one').replace('uses: set', 'uses: teleport');
    const answer = await hookflow.api('PUT', '/api/workflows/invalid', { yaml, base_revision: seen.revision });
    assert.equal(answer.status, 422);
    assert.equal(answer.body.error.code, 'INVALID_WORKFLOW');
    assert.equal(answer.body.error.problems.length, 1);
    assert.match(answer.body.error.problems[0].message, /teleport/);
    assert.deepEqual([answer.body.error.problems[0].line, answer.body.error.problems[0].column], [7, 11]);
    assert.equal(await readFile(file('invalid.yaml'), 'utf8'), original);
  });

  it('refuses a save whose YAML names another workflow than the one in the URL', async () => {
    const { body: seen } = await hookflow.api('GET', '/api/workflows/renamed');
    const answer = await hookflow.api('PUT', '/api/workflows/renamed', { yaml: workflowYaml('brand-new', 'one'), base_revision: seen.revision });
    assert.equal(answer.status, 422);
    assert.deepEqual(
      answer.body.error.problems.map((problem: { line: number; column: number }) => [problem.line, problem.column]),
      [[2, 7]],
    );
    assert.match(answer.body.error.problems[0].message, /must stay `renamed`/);
    assert.equal((await hookflow.api('GET', '/api/workflows/brand-new')).status, 404);
  });

  it("saves a file that has no workflow in force under its own name, but never another workflow's file", async () => {
    await writeFile(file('broken.yaml'), 'name: broken\nsteps: [\n');
    const broken = revisionOf('name: broken\nsteps: [\n');
    const fixed = await hookflow.api('PUT', '/api/workflows/broken', { yaml: workflowYaml('broken', 'one'), base_revision: broken });
    assert.equal(fixed.status, 200, JSON.stringify(fixed.body));
    assert.equal(fixed.body.in_force, true);

    const hijack = await hookflow.api('PUT', '/api/workflows/other-name', {
      yaml: workflowYaml('other-name', 'one'),
      base_revision: revisionOf(workflowYaml('taken', 'one')),
    });
    assert.equal(hijack.status, 404);
    assert.equal(await readFile(file('other-name.yaml'), 'utf8'), workflowYaml('taken', 'one'));
  });

  it('lets exactly one of two saves on the same revision win', async () => {
    const { body: seen } = await hookflow.api('GET', '/api/workflows/raced');
    const yamls = [workflowYaml('raced', 'first'), workflowYaml('raced', 'second')];
    const answers = await Promise.all(yamls.map((yaml) => hookflow.api('PUT', '/api/workflows/raced', { yaml, base_revision: seen.revision })));
    assert.deepEqual(answers.map((answer) => answer.status).sort(), [200, 409]);
    const winner = answers.findIndex((answer) => answer.status === 200);
    assert.equal(await readFile(file('raced.yaml'), 'utf8'), yamls[winner]);
    assert.deepEqual(answers[1 - winner].body.error.current, { yaml: yamls[winner], revision: revisionOf(yamls[winner]) });
  });

  it('runs the saved version for an event sent right after the answer', async () => {
    const { body: seen } = await hookflow.api('GET', '/api/workflows/live');
    const yaml = workflowYaml('live', 'two');
    const saved = await hookflow.api('PUT', '/api/workflows/live', { yaml, base_revision: seen.revision });
    assert.equal(saved.status, 200);
    const sent = await post(`${hookflow.baseUrl}/hooks/quiet`, JSON.stringify({ type: 'live' }));
    assert.equal(sent.status, 202, JSON.stringify(sent.body));
    const runs = await hookflow.query<{ workflow_version: string }>(`SELECT workflow_version FROM runs WHERE workflow = 'live'`);
    assert.deepEqual(
      runs.map((run) => run.workflow_version),
      [revisionOf(yaml)],
    );
  });

  it('creates <name>.yaml from the name in the YAML, and refuses a name or a file that exists', async () => {
    const yaml = workflowYaml('created', 'one');
    const answer = await hookflow.api('POST', '/api/workflows', { yaml });
    assert.equal(answer.status, 201, JSON.stringify(answer.body));
    assert.deepEqual(answer.body, { name: 'created', revision: revisionOf(yaml), file: 'created.yaml', in_force: true });
    assert.equal(await readFile(file('created.yaml'), 'utf8'), yaml);
    assert.equal((await hookflow.api('GET', '/api/workflows/created')).body.revision, revisionOf(yaml));

    for (const name of ['created', 'taken']) {
      const again = await hookflow.api('POST', '/api/workflows', { yaml: workflowYaml(name, 'two') });
      assert.equal(again.status, 409, name);
      assert.equal(again.body.error.code, 'WORKFLOW_EXISTS');
    }
    assert.equal(await readFile(file('created.yaml'), 'utf8'), yaml);
    assert.equal(await readFile(file('other-name.yaml'), 'utf8'), workflowYaml('taken', 'one'));
  });

  it('refuses to create a workflow when a file of its name exists without a workflow in force', async () => {
    await writeFile(file('ghost.yaml'), 'not: [a workflow');
    const ghost = await hookflow.api('POST', '/api/workflows', { yaml: workflowYaml('ghost', 'one') });
    assert.equal(ghost.status, 409);
    assert.equal(ghost.body.error.code, 'WORKFLOW_EXISTS');
    assert.equal(await readFile(file('ghost.yaml'), 'utf8'), 'not: [a workflow');
  });

  it('refuses invalid YAML on create with its problems, and writes nothing', async () => {
    const answer = await hookflow.api('POST', '/api/workflows', { yaml: 'name: ../escape\non: { webhook: quiet }\nsteps: []\n' });
    assert.equal(answer.status, 422);
    assert.equal(answer.body.error.problems[0].line, 1);
    assert.deepEqual(await readdir(outside), ['linked.yaml']);
    assert.ok(!(await readdir(join(hookflow.workflowsDir, '..'))).includes('escape.yaml'));
  });

  it('deletes a workflow at its revision and refuses a stale one', async () => {
    const { body: seen } = await hookflow.api('GET', '/api/workflows/deleted');
    const stale = await hookflow.api('DELETE', `/api/workflows/deleted?revision=${revisionOf('something else')}`);
    assert.equal(stale.status, 409);
    assert.deepEqual(stale.body.error.current, { yaml: seen.yaml, revision: seen.revision });
    const answer = await hookflow.api('DELETE', `/api/workflows/deleted?revision=${seen.revision}`);
    assert.equal(answer.status, 204);
    await assert.rejects(readFile(file('deleted.yaml')), { code: 'ENOENT' });
    assert.equal((await hookflow.api('GET', '/api/workflows/deleted')).status, 404);
    assert.equal((await hookflow.api('DELETE', `/api/workflows/deleted?revision=${seen.revision}`)).status, 404);
  });

  it('never takes a path, the sources file or a symbolic link for a workflow file', async () => {
    const sources = await readFile(file('sources.yaml'), 'utf8');
    const base_revision = revisionOf(sources);
    for (const name of ['..%2Fsources', '..', '.sources', 'Sources', '%2Fetc%2Fpasswd', 'kept.yaml']) {
      const answer = await hookflow.api('PUT', `/api/workflows/${name}`, { yaml: workflowYaml('kept', 'x'), base_revision });
      assert.ok([400, 404].includes(answer.status), `${name} answered ${answer.status}`);
    }
    const put = await hookflow.api('PUT', '/api/workflows/sources', { yaml: SOURCES, base_revision });
    assert.equal(put.status, 403);
    assert.equal(put.body.error.code, 'WORKFLOW_FILE_REFUSED');
    assert.equal((await hookflow.api('DELETE', `/api/workflows/sources?revision=${base_revision}`)).status, 403);
    const create = await hookflow.api('POST', '/api/workflows', { yaml: workflowYaml('sources', 'one') });
    assert.equal(create.status, 403);
    assert.equal(await readFile(file('sources.yaml'), 'utf8'), sources);

    const { body: linked } = await hookflow.api('GET', '/api/workflows/linked');
    assert.equal(linked.editable, false);
    assert.match(linked.read_only_reason, /symbolic link/);
    const write = await hookflow.api('PUT', '/api/workflows/linked', { yaml: workflowYaml('linked', 'inside'), base_revision: linked.revision });
    assert.equal(write.status, 403);
    assert.equal((await hookflow.api('DELETE', `/api/workflows/linked?revision=${linked.revision}`)).status, 403);
    assert.equal(await readFile(join(outside, 'linked.yaml'), 'utf8'), workflowYaml('linked', 'outside'));
    assert.equal(await readFile(file('kept.yaml'), 'utf8'), workflowYaml('kept', 'one'));
  });

  it('opens a workflow’s file as it is on disk for an editor, also one that was never valid, which a save at its revision then loads', async () => {
    const kept = await hookflow.api('GET', '/api/workflows/kept/file');
    assert.equal(kept.status, 200);
    const keptYaml = workflowYaml('kept', 'one');
    assert.deepEqual(kept.body, {
      name: 'kept',
      file: 'kept.yaml',
      yaml: keptYaml,
      revision: revisionOf(keptYaml),
      problems: [],
      in_force: true,
      editable: true,
      read_only_reason: null,
    });

    const broken = workflowYaml('fresh', 'one').replace('uses: set', 'uses: teleport');
    await hookflow.writeWorkflowFile('fresh.yaml', broken);
    const opened = await hookflow.api('GET', '/api/workflows/fresh/file');
    assert.equal(opened.status, 200, JSON.stringify(opened.body));
    assert.equal(opened.body.yaml, broken);
    assert.equal(opened.body.revision, revisionOf(broken));
    assert.equal(opened.body.in_force, false);
    assert.match(opened.body.problems[0].message, /teleport/);
    assert.equal((await hookflow.api('GET', '/api/workflows/fresh')).status, 404, 'not in force');
    const fixed = await hookflow.api('PUT', '/api/workflows/fresh', { yaml: workflowYaml('fresh', 'one'), base_revision: opened.body.revision });
    assert.equal(fixed.status, 200, JSON.stringify(fixed.body));
    assert.equal(fixed.body.in_force, true);

    const linked = await hookflow.api('GET', '/api/workflows/linked/file');
    assert.equal(linked.status, 200);
    assert.equal(linked.body.editable, false, 'a symbolic link is shown read-only, as the version in force');
    assert.equal(linked.body.yaml, workflowYaml('linked', 'outside'));
    assert.equal((await hookflow.api('GET', '/api/workflows/nothing-here/file')).status, 404);
    assert.equal((await hookflow.api('GET', '/api/workflows/sources/file')).status, 403, 'the sources file is never a workflow file');
    assert.equal((await hookflow.api('GET', '/api/workflows/..%2Fsources/file')).status, 400);
  });

  it('refuses a body over the API limit and a YAML over the file limit', async () => {
    const { body: seen } = await hookflow.api('GET', '/api/workflows/big');
    const huge = await hookflow.api('PUT', '/api/workflows/big', { yaml: `# ${'x'.repeat(1024 * 1024)}\n`, base_revision: seen.revision });
    assert.equal(huge.status, 413);
    const large = `${workflowYaml('big', 'two')}# ${'x'.repeat(256 * 1024)}\n`;
    const answer = await hookflow.api('PUT', '/api/workflows/big', { yaml: large, base_revision: seen.revision });
    assert.equal(answer.status, 422);
    assert.match(answer.body.error.problems[0].message, /larger than the 262144 allowed/);
    assert.equal(await readFile(file('big.yaml'), 'utf8'), workflowYaml('big', 'one'));
  });

  it('is read-only while the folder is not writable', async (t) => {
    const { body: seen } = await hookflow.api('GET', '/api/workflows/kept');
    const writable = await makeUnwritable(hookflow.workflowsDir);
    if (!writable) {
      t.skip('root writes into any folder whatever its mode, and chattr +i (the immutable flag) does not work on this file system');
      return;
    }
    try {
      const { body: shown } = await hookflow.api('GET', '/api/workflows/kept');
      assert.equal(shown.editable, false);
      assert.match(shown.read_only_reason, /not writable/);
      const answer = await hookflow.api('PUT', '/api/workflows/kept', { yaml: workflowYaml('kept', 'two'), base_revision: seen.revision });
      assert.equal(answer.status, 403);
      assert.equal(answer.body.error.code, 'WORKFLOWS_READ_ONLY');
    } finally {
      await writable();
    }
  });
});

describe('saving workflows with HOOKFLOW_EDITOR=off', () => {
  let hookflow: TestApp;

  before(async () => {
    hookflow = await startTestApp({ files: { 'sources.yaml': SOURCES, 'kept.yaml': workflowYaml('kept', 'one') }, env: { HOOKFLOW_EDITOR: 'off' } });
  });

  after(async () => {
    await hookflow.close();
  });

  it('shows the workflow as not editable, and why', async () => {
    const { body } = await hookflow.api('GET', '/api/workflows/kept');
    assert.equal(body.editable, false);
    assert.equal(body.read_only_reason, 'HOOKFLOW_EDITOR is off');
  });

  it('refuses every write and changes no file', async () => {
    const revision = revisionOf(workflowYaml('kept', 'one'));
    const answers = [
      await hookflow.api('PUT', '/api/workflows/kept', { yaml: workflowYaml('kept', 'two'), base_revision: revision }),
      await hookflow.api('POST', '/api/workflows', { yaml: workflowYaml('fresh', 'one') }),
      await hookflow.api('DELETE', `/api/workflows/kept?revision=${revision}`),
    ];
    for (const answer of answers) {
      assert.equal(answer.status, 403);
      assert.equal(answer.body.error.code, 'WORKFLOWS_READ_ONLY');
      assert.match(answer.body.error.message, /HOOKFLOW_EDITOR is off/);
    }
    assert.deepEqual((await readdir(hookflow.workflowsDir)).sort(), ['kept.yaml', 'sources.yaml']);
    assert.equal(await readFile(join(hookflow.workflowsDir, 'kept.yaml'), 'utf8'), workflowYaml('kept', 'one'));
  });
});

async function leftovers(dir: string): Promise<string[]> {
  return (await readdir(dir)).filter((name) => name.startsWith('.'));
}
