// Deletes compiled files in dist/{src,test,bench} whose TypeScript source is gone. `tsc` never
// deletes output, and Hookflow discovers step kinds and verification schemes (and the test runner
// finds specs) by file name in dist/: a renamed or removed file must not live on there.
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = join(import.meta.dirname, '..');
const COMPILED = /\.js(\.map)?$/;

function prune(folder) {
  if (!existsSync(folder)) return 0;
  let removed = 0;
  for (const entry of readdirSync(folder, { withFileTypes: true })) {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) {
      removed += prune(path);
    } else if (COMPILED.test(entry.name)) {
      const source = join(root, relative(join(root, 'dist'), path)).replace(COMPILED, '.ts');
      if (!existsSync(source)) {
        rmSync(path);
        removed += 1;
      }
    }
  }
  return removed;
}

const removed = ['src', 'test', 'bench'].reduce((sum, part) => sum + prune(join(root, 'dist', part)), 0);
if (removed > 0) process.stdout.write(`removed ${removed} compiled file(s) whose source is gone from dist/\n`);
