import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { QUEUE_SCHEMA } from './run-job';

/** The TypeScript sources (this spec runs from dist/src/queue). */
const SOURCES = join(__dirname, '..', '..', '..', 'src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'web' || name === 'node_modules' ? [] : sourceFiles(path);
    return name.endsWith('.ts') ? [path] : [];
  });
}

describe('the queue facade', () => {
  it("is the only code that names graphile-worker's schema and tables", () => {
    const files = sourceFiles(SOURCES);
    assert.ok(files.length > 100, `found the sources in ${SOURCES}`);
    const outside = files
      .filter((file) => !relative(SOURCES, file).startsWith('queue/'))
      .filter((file) => readFileSync(file, 'utf8').includes(QUEUE_SCHEMA))
      .map((file) => relative(SOURCES, file));
    assert.deepEqual(outside, []);
  });
});
