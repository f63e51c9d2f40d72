#!/usr/bin/env node
// Runs the compiled test suite with Node's test runner. Without DATABASE_URL, one embedded
// PostgreSQL is started for the whole run; every end-to-end test file creates its own
// database on it (or on the server DATABASE_URL names), so files can run side by side.
import { spawn } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const require = createRequire(import.meta.url);
const root = new URL('..', import.meta.url).pathname;
const dist = join(root, 'dist');

function find(dir, suffix) {
  let found = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) found = found.concat(find(path, suffix));
    else if (name.endsWith(suffix)) found.push(path);
  }
  return found;
}

const filter = process.argv.slice(2);
const files = [
  ...find(join(dist, 'src'), '.spec.js'),
  ...find(join(dist, 'bench'), '.spec.js'),
  ...find(join(dist, 'test'), '.spec.js'),
  ...find(join(dist, 'test'), '.e2e-spec.js'),
]
  .filter((file) => filter.length === 0 || filter.some((part) => file.includes(part)))
  .sort();

let embedded;
let dataDir;
const env = { ...process.env };
if (!env.DATABASE_URL) {
  require('reflect-metadata');
  const { EmbeddedPostgresServer } = require(join(dist, 'src/database/embedded-postgres.server.js'));
  dataDir = await mkdtemp(join(tmpdir(), 'hookflow-test-db-'));
  embedded = new EmbeddedPostgresServer(dataDir);
  await embedded.start();
  // Test files create a database each: the harness connects as the superuser.
  env.HOOKFLOW_TEST_DATABASE_URL = embedded.superuserUrl;
} else {
  env.HOOKFLOW_TEST_DATABASE_URL = env.DATABASE_URL;
}
delete env.DATABASE_URL;

const child = spawn(process.execPath, ['--test', '--test-concurrency=2', '--test-timeout=120000', ...files], {
  env,
  stdio: 'inherit',
});
const code = await new Promise((resolve) => child.on('close', (status) => resolve(status ?? 1)));
await embedded?.stop();
if (dataDir) await rm(dataDir, { recursive: true, force: true });
// Said once more after the summary, where a person looks, not only as a skipped test in the middle.
if (files.some((file) => file.endsWith('console.e2e-spec.js'))) {
  const { BrowserFinder } = require(join(dist, 'test/support/browser-finder.js'));
  const { skip } = new BrowserFinder().decide();
  if (skip) console.log(`\nNote: ${skip}`);
}
process.exit(code);
