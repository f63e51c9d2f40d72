#!/usr/bin/env node
// Builds the web console (src/console/web) into dist/console: type-checks it, then runs
// Vite. With --if-stale it does nothing when dist/console/index.html is newer than every
// source file of the console, so that `npm start` and `npm test` stay quick.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const webDir = join(root, 'src/console/web');
const builtIndex = join(root, 'dist/console/index.html');

/** The newest modification time of the console's sources, in ms. */
function newestSource(dir) {
  let newest = 0;
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules') continue;
    const path = join(dir, name);
    const stat = statSync(path);
    newest = Math.max(newest, stat.isDirectory() ? newestSource(path) : stat.mtimeMs);
  }
  return newest;
}

function builtAt() {
  try {
    return statSync(builtIndex).mtimeMs;
  } catch {
    return undefined;
  }
}

const ifStale = process.argv.includes('--if-stale');
const built = builtAt();
if (ifStale && built !== undefined && built >= newestSource(webDir)) process.exit(0);

process.stdout.write(built === undefined ? 'Building the console (first time, a few seconds)…\n' : 'Building the console…\n');
const typecheck = spawnSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(webDir, 'tsconfig.json')], { stdio: 'inherit' });
if (typecheck.status !== 0) {
  process.stderr.write('The console does not type-check (see above); it was not built.\n');
  process.exit(typecheck.status ?? 1);
}
const { build } = await import('vite');
await build({ configFile: join(webDir, 'vite.config.ts') });
