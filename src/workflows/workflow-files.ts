import { randomUUID } from 'node:crypto';
import { constants } from 'node:fs';
import { access, link, lstat, open, readFile, rename, stat, unlink } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { DomainError } from '../common/domain-error';
import { DESTINATIONS_FILES, SOURCES_FILES } from './workflow-loader';
import { revisionOf } from './workflow-revision';

export interface WorkflowFileContent {
  yaml: string;
  revision: string;
}

/**
 * Writes workflow files into the workflows folder for the API. Only plain `*.yaml`/`*.yml`
 * names of the folder itself, never the sources file, never through a symbolic link or onto
 * anything but a regular file. Every write is a temporary dot file (which the loader
 * ignores), synced, then renamed over the target, so a reader sees the old bytes or the new
 * ones, never a mix. Revisions are compared before writing; calls are not serialised here.
 */
export class WorkflowFiles {
  constructor(readonly directory: string) {}

  /** Why the folder takes no writes (for this process's user), or undefined when it does. */
  async folderReadOnlyReason(): Promise<string | undefined> {
    try {
      await access(this.directory, constants.W_OK);
      return undefined;
    } catch (error) {
      return `the workflows folder is not writable (${(error as NodeJS.ErrnoException).code ?? 'unknown error'})`;
    }
  }

  /** Why `file` may not be written or deleted through the API, or undefined when it may (or does not exist). */
  async fileRefusalReason(file: string): Promise<string | undefined> {
    if (basename(file) !== file || file.startsWith('.') || !/\.ya?ml$/.test(file)) return `${file} is not a workflow file name`;
    if (SOURCES_FILES.includes(file)) return `${file} holds the sources, which are not edited through the API`;
    if (DESTINATIONS_FILES.includes(file)) return `${file} holds the destination settings, which are not edited through the API`;
    const stats = await lstatOrUndefined(join(this.directory, file));
    if (stats?.isSymbolicLink()) return `${file} is a symbolic link`;
    if (stats && !stats.isFile()) return `${file} is not a regular file`;
    return undefined;
  }

  /** The file's text and revision; undefined when it does not exist. Refuses what may not be edited. */
  async read(file: string): Promise<WorkflowFileContent | undefined> {
    await this.assertEditable(file);
    try {
      const bytes = await readFile(join(this.directory, file));
      return { yaml: bytes.toString('utf8'), revision: revisionOf(bytes) };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }

  /** Replaces the file when its revision is still `baseRevision`; returns the new revision. */
  async replace(file: string, yaml: string, baseRevision: string): Promise<string> {
    const current = await this.read(file);
    if (current?.revision !== baseRevision) throw revisionConflict(file, current);
    // The new file keeps the old one's permissions (a file an operator made group-writable stays so).
    const { mode } = await stat(join(this.directory, file));
    const temp = await this.writeTemporary(yaml, mode & 0o777);
    try {
      await rename(temp, join(this.directory, file));
    } catch (error) {
      await unlink(temp).catch(() => undefined);
      throw error;
    }
    await this.syncDirectory();
    return revisionOf(Buffer.from(yaml));
  }

  /** Creates the file; refuses when a file of that name exists, even one written by another process a moment ago. */
  async create(file: string, yaml: string): Promise<string> {
    await this.assertEditable(file);
    const temp = await this.writeTemporary(yaml);
    try {
      // link() fails when the target exists, where rename() would replace it.
      await link(temp, join(this.directory, file));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') throw new DomainError('WORKFLOW_EXISTS', `${file} already exists`);
      throw error;
    } finally {
      await unlink(temp).catch(() => undefined);
    }
    await this.syncDirectory();
    return revisionOf(Buffer.from(yaml));
  }

  /** Deletes the file when its revision is still `revision`. */
  async remove(file: string, revision: string): Promise<void> {
    const current = await this.read(file);
    if (current?.revision !== revision) throw revisionConflict(file, current);
    await unlink(join(this.directory, file));
    await this.syncDirectory();
  }

  private async assertEditable(file: string): Promise<void> {
    const reason = await this.fileRefusalReason(file);
    if (reason !== undefined) throw new DomainError('WORKFLOW_FILE_REFUSED', `Refused: ${reason}`);
  }

  private async writeTemporary(yaml: string, mode = 0o644): Promise<string> {
    const temp = join(this.directory, `.hookflow-save-${randomUUID()}.tmp`);
    const handle = await open(temp, 'wx', mode);
    try {
      await handle.chmod(mode);
      await handle.writeFile(yaml, 'utf8');
      await handle.sync();
    } catch (error) {
      await handle.close();
      await unlink(temp).catch(() => undefined);
      throw error;
    }
    await handle.close();
    return temp;
  }

  /** Makes the rename or unlink itself durable: without it a crash may bring the old entry back. */
  private async syncDirectory(): Promise<void> {
    const handle = await open(this.directory, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  }
}

function revisionConflict(file: string, current: WorkflowFileContent | undefined): DomainError {
  const message = current ? `${file} changed since the revision given` : `${file} no longer exists`;
  return new DomainError('WORKFLOW_REVISION_CONFLICT', message, { answer: { current: current ?? null } });
}

async function lstatOrUndefined(path: string) {
  try {
    return await lstat(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}
