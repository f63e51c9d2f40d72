import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, mkdir, readFile, readdir, stat, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { DomainError } from '../common/domain-error';
import { removeDir, workflowDir } from './workflow-dir.fixture';
import { WorkflowFiles } from './workflow-files';
import { revisionOf } from './workflow-revision';

const OLD = 'name: a\n# old\n';
const NEW = 'name: a\n\n# new, with a blank line above\n';

function refusedWith(code: string, extra: (error: DomainError) => void = () => undefined) {
  return (error: unknown) => {
    assert.ok(error instanceof DomainError, String(error));
    assert.equal(error.code, code);
    extra(error);
    return true;
  };
}

describe(WorkflowFiles.name, () => {
  let dir: string;
  let outside: string;
  let files: WorkflowFiles;

  before(async () => {
    dir = await workflowDir({ 'a.yaml': OLD, 'b.yaml': OLD, 'c.yaml': OLD, 'sources.yaml': 'sources: {}\n', 'sources.yml': 'sources: {}\n' });
    outside = await workflowDir({ 'target.yaml': OLD });
    await symlink(join(outside, 'target.yaml'), join(dir, 'linked.yaml'));
    await mkdir(join(dir, 'folder.yaml'));
    files = new WorkflowFiles(dir);
  });

  after(async () => {
    await removeDir(dir);
    await removeDir(outside);
  });

  it('replaces a file at its revision with exactly the bytes given, by renaming a new file over it', async () => {
    await chmod(join(dir, 'a.yaml'), 0o664);
    const before = await stat(join(dir, 'a.yaml'));
    const revision = await files.replace('a.yaml', NEW, revisionOf(OLD));
    assert.equal(revision, revisionOf(Buffer.from(NEW)));
    assert.equal(await readFile(join(dir, 'a.yaml'), 'utf8'), NEW);
    const after = await stat(join(dir, 'a.yaml'));
    assert.notEqual(after.ino, before.ino, 'a new file took its place: never written in place');
    assert.equal(after.mode & 0o777, 0o664, 'with the permissions of the old one');
    assert.deepEqual(
      (await readdir(dir)).filter((name) => name.startsWith('.')),
      [],
    );
  });

  it('refuses a stale revision with the text and revision on disk, and a file deleted since with none', async () => {
    await assert.rejects(
      files.replace('b.yaml', NEW, revisionOf('something else')),
      refusedWith('WORKFLOW_REVISION_CONFLICT', (error) => assert.deepEqual(error.details?.answer, { current: { yaml: OLD, revision: revisionOf(OLD) } })),
    );
    assert.equal(await readFile(join(dir, 'b.yaml'), 'utf8'), OLD);
    await assert.rejects(
      files.replace('gone.yaml', NEW, revisionOf(OLD)),
      refusedWith('WORKFLOW_REVISION_CONFLICT', (error) => assert.deepEqual(error.details?.answer, { current: null })),
    );
    await assert.rejects(readFile(join(dir, 'gone.yaml')), { code: 'ENOENT' });
  });

  it('creates a file only when none of its name exists', async () => {
    assert.equal(await files.create('new.yaml', NEW), revisionOf(NEW));
    assert.equal(await readFile(join(dir, 'new.yaml'), 'utf8'), NEW);
    await assert.rejects(files.create('new.yaml', OLD), refusedWith('WORKFLOW_EXISTS'));
    assert.equal(await readFile(join(dir, 'new.yaml'), 'utf8'), NEW);
    assert.deepEqual(
      (await readdir(dir)).filter((name) => name.startsWith('.')),
      [],
    );
  });

  it('deletes a file at its revision only', async () => {
    await assert.rejects(files.remove('c.yaml', revisionOf(NEW)), refusedWith('WORKFLOW_REVISION_CONFLICT'));
    assert.equal(await readFile(join(dir, 'c.yaml'), 'utf8'), OLD);
    await files.remove('c.yaml', revisionOf(OLD));
    await assert.rejects(readFile(join(dir, 'c.yaml')), { code: 'ENOENT' });
  });

  it('never reads, writes or deletes the sources file, a symbolic link, a folder or a path', async () => {
    const refused = ['sources.yaml', 'sources.yml', 'linked.yaml', 'folder.yaml', '../a.yaml', 'sub/a.yaml', '.a.yaml', 'a.json'];
    for (const file of refused) {
      assert.notEqual(await files.fileRefusalReason(file), undefined, file);
      await assert.rejects(files.replace(file, NEW, revisionOf(OLD)), refusedWith('WORKFLOW_FILE_REFUSED'), file);
      await assert.rejects(files.remove(file, revisionOf(OLD)), refusedWith('WORKFLOW_FILE_REFUSED'), file);
      await assert.rejects(files.create(file, NEW), refusedWith('WORKFLOW_FILE_REFUSED'), file);
    }
    assert.match((await files.fileRefusalReason('linked.yaml'))!, /symbolic link/);
    assert.equal(await readFile(join(outside, 'target.yaml'), 'utf8'), OLD);
    assert.equal(await readFile(join(dir, 'sources.yaml'), 'utf8'), 'sources: {}\n');
    assert.equal(await files.fileRefusalReason('a.yaml'), undefined);
  });

  it('says why a folder takes no writes', async () => {
    assert.equal(await files.folderReadOnlyReason(), undefined);
    assert.match((await new WorkflowFiles(join(dir, 'missing')).folderReadOnlyReason())!, /not writable \(ENOENT\)/);
  });
});
