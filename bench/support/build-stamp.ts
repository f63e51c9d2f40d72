import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { HOOKFLOW_MAIN } from './paths';

const HOOKFLOW_DIST = join(HOOKFLOW_MAIN, '..');

/**
 * The newest modification time under dist/src. Others rebuild Hookflow while a bench runs;
 * a change between rounds means the rows mix two versions of the code under test.
 */
export function hookflowBuildStamp(): number {
  return newestModification(HOOKFLOW_DIST);
}

function newestModification(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    const time = entry.isDirectory() ? newestModification(path) : statSync(path).mtimeMs;
    if (time > newest) newest = time;
  }
  return newest;
}
