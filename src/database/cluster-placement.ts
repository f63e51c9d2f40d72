import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, mkdir, realpath, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { EmbeddedPostgresError, USE_ANOTHER_SERVER } from './embedded-postgres.error';
import { PostgresBinaries } from './postgres-binaries';
import { PostgresUser } from './postgres-user';

/** As root: where binaries and clusters go when the postgres user cannot reach them where they are. */
export const DEFAULT_REACHABLE_DIR = '/var/lib/hookflow';

/** Where PostgreSQL runs from, where its cluster lives, and as whom. */
export interface ClusterPlacement {
  binaries: PostgresBinaries;
  clusterDir: string;
  /** Set as root: PostgreSQL refuses to run as root. */
  runAs?: PostgresUser;
  /** True when the cluster lives outside the data folder, which the postgres user cannot reach. */
  outsideDataDir: boolean;
}

/**
 * The cluster lives in `<dataDir>/pg`. As root, PostgreSQL runs as the `postgres` user;
 * when that user cannot pass through the folders above the data folder (a root home
 * folder, a `mktemp -d` folder), or the binaries, those go under `reachableDir` instead:
 * the binaries once per version, the cluster in a folder of its own keyed by the data
 * folder, so that two checkouts never share one and a restart finds it again. Folders
 * above the data folder are never opened up.
 */
export async function placeCluster(dataDir: string, binaries: PostgresBinaries, reachableDir: string): Promise<ClusterPlacement> {
  if (process.getuid?.() !== 0) return { binaries, clusterDir: join(dataDir, 'pg'), outsideDataDir: false };

  // What the postgres user may reach depends on the folders a path really goes through.
  dataDir = await realpath(dataDir);
  const inDataDir = join(dataDir, 'pg');
  const runAs = await PostgresUser.ensure();
  const elsewhere = join(reachableDir, 'clusters', createHash('sha256').update(dataDir).digest('hex').slice(0, 16), 'pg');
  const clusterDir = existsSync(join(inDataDir, 'PG_VERSION'))
    ? inDataDir
    : existsSync(join(elsewhere, 'PG_VERSION')) || !(await runAs.canReach(dirname(dataDir)))
      ? elsewhere
      : inDataDir;
  if (clusterDir === elsewhere) {
    await openFolder(dirname(clusterDir), reachableDir, runAs);
    await writeFile(join(dirname(clusterDir), 'hookflow-data-dir'), `${dataDir}\n`, { mode: 0o600 });
  } else {
    await letThrough(dataDir);
  }
  const reachable = await Promise.all(['bin/initdb', 'bin/postgres', 'lib', 'share'].map((part) => runAs.canReach(join(binaries.dir, part))));
  if (reachable.includes(false)) {
    await openFolder(reachableDir, reachableDir, runAs);
    binaries = await binaries.copyInto(reachableDir);
  }
  return { binaries, clusterDir, runAs, outsideDataDir: clusterDir === elsewhere };
}

/** Creates `folder` (at or under `reachableDir`, Hookflow's own) so that the postgres user can pass through it. */
async function openFolder(folder: string, reachableDir: string, runAs: PostgresUser): Promise<void> {
  await mkdir(folder, { recursive: true });
  for (let path = folder; path.startsWith(reachableDir); path = dirname(path)) await chmod(path, 0o711);
  if (!(await runAs.canReach(folder))) {
    throw new EmbeddedPostgresError(
      folder,
      `the user "${PostgresUser.userName}" that PostgreSQL runs as cannot pass through the folders above ${reachableDir}`,
      `Give that user search permission (o+x) on them, run Hookflow as a user other than root, ${USE_ANOTHER_SERVER}`,
    );
  }
}

/** The postgres user passes through the data folder (Hookflow's own) but cannot list or read it: the token files stay private. */
async function letThrough(dataDir: string): Promise<void> {
  const { mode } = await stat(dataDir);
  if ((mode & 0o001) === 0) await chmod(dataDir, (mode & 0o777) | 0o711);
}
