import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { main } from './main';
import type { CliIo } from './cli-io';
import { ORDER_PAID_YAML, SOURCES_YAML, removeDir, workflowDir, yamlLines } from '../workflows/workflow-dir.fixture';

const dirs: string[] = [];
after(async () => Promise.all(dirs.map(removeDir)));

async function run(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: CliIo = { out: (text) => (out += text), err: (text) => (err += text) };
  const code = await main(argv, io);
  return { code, out, err };
}

async function dirWith(files: Record<string, string>): Promise<string> {
  const dir = await workflowDir(files);
  dirs.push(dir);
  return dir;
}

describe('hookflow validate', () => {
  it('exits 0 with a summary when every file is valid', async () => {
    const tick = yamlLines('name: tick', 'on: { schedule: "0 * * * *" }', 'steps: [{ id: a, uses: set }]');
    const dir = await dirWith({ 'sources.yaml': SOURCES_YAML, 'order-paid.yaml': ORDER_PAID_YAML, 'tick.yaml': tick });
    assert.deepEqual(await run(['validate', dir]), { code: 0, out: '2 workflows, 1 source file: OK\n', err: '' });
  });

  it('checks destinations.yaml too, by line and column', async () => {
    const valid = await dirWith({ 'sources.yaml': SOURCES_YAML, 'destinations.yaml': 'destinations:\n  - match: smtp\n    rate_limit: 10/s\n' });
    assert.deepEqual(await run(['validate', valid]), { code: 0, out: '0 workflows, 1 source file, destination settings: OK\n', err: '' });
    const invalid = await dirWith({ 'sources.yaml': SOURCES_YAML, 'destinations.yaml': 'defaults:\n  breaker: { cool_down: soon }\n' });
    const { code, out } = await run(['validate', invalid]);
    assert.equal(code, 1);
    assert.match(out, /destinations\.yaml:2:25 {2}`cool_down` must be a duration from 1s to 1d/);
  });

  it('prints each problem as file:line:column, sorted, then a count, and exits 1', async () => {
    const dir = await dirWith({
      'sources.yaml': SOURCES_YAML,
      'b.yaml': yamlLines('name: b', 'on: { webhook: nowhere }', 'steps: [{ id: a, uses: set, colour: red }]'),
      'a.yaml': yamlLines('name: a', 'on: { webhook: shop }', 'steps:', '  - id: x', '    uses: slack'),
    });
    const { code, out } = await run(['validate', dir]);
    assert.equal(code, 1);
    assert.deepEqual(out.split('\n'), [
      `${join(dir, 'a.yaml')}:4:5  a slack step needs \`with.webhook_url\` or \`with.token\` + \`with.channel\``,
      `${join(dir, 'a.yaml')}:4:5  a slack step needs \`with.text\` or \`with.blocks\``,
      `${join(dir, 'b.yaml')}:2:16  unknown source \`nowhere\` (not declared in sources.yaml)`,
      `${join(dir, 'b.yaml')}:3:29  unknown key \`colour\` in step \`a\` (expected id, name, uses, with, if, needs, timeout, retry, continue_on_error, for_each, max_parallel, max_items)`,
      '4 problems in 2 files',
      '',
    ]);
  });

  it('defaults to the workflows folder of the working directory', async () => {
    const parent = await dirWith({});
    const cwd = process.cwd();
    process.chdir(parent);
    try {
      const { code, out } = await run(['validate']);
      assert.equal(code, 1);
      assert.equal(out, 'workflows:1:1  workflows folder workflows does not exist\n1 problem in 1 file\n');
    } finally {
      process.chdir(cwd);
    }
  });
});

describe('hookflow command line', () => {
  it('prints usage and exits 2 for an unknown command', async () => {
    const { code, out, err } = await run(['frobnicate']);
    assert.equal(code, 2);
    assert.equal(out, '');
    assert.match(err, /unknown command: frobnicate[\s\S]*usage: hookflow/);
  });

  it('prints usage and exits 0 for --help', async () => {
    const { code, out } = await run(['--help']);
    assert.equal(code, 0);
    assert.match(out, /validate \[dir\]/);
  });

  it('exits 2 without a command', async () => {
    assert.equal((await run([])).code, 2);
  });
});
