#!/usr/bin/env node
// Runs the compiled fault tests (test/faults/*.fault-spec.ts) one file at a time: each one
// starts its own Hookflow processes and PostgreSQL servers and breaks them on purpose, so
// they are kept apart from `npm test` and from each other. Arguments filter by file name.
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

const dir = join(new URL('..', import.meta.url).pathname, 'dist', 'test', 'faults');
const filter = process.argv.slice(2);
const files = readdirSync(dir)
  .filter((name) => name.endsWith('.fault-spec.js'))
  .filter((name) => filter.length === 0 || filter.some((part) => name.includes(part)))
  .sort()
  .map((name) => join(dir, name));

const child = spawn(process.execPath, ['--test', '--test-concurrency=1', '--test-timeout=120000', ...files], { stdio: 'inherit' });
process.exit(await new Promise((resolve) => child.on('close', (status) => resolve(status ?? 1))));
