import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '..', '..');
const CLI = join(ROOT, 'bin', 'hookflow.js');
const ORDER_TESTS = join('workflows', 'tests', 'order-paid.test.yaml');

interface CliAnswer {
  code: number;
  stdout: string;
  stderr: string;
}

/** The real command line, as CI runs it: `npx hookflow test …` in `cwd`. No secret is set. */
function hookflowTest(cwd: string, ...args: string[]): Promise<CliAnswer> {
  const env = { PATH: process.env.PATH ?? '' };
  return new Promise((done) => {
    execFile(process.execPath, [CLI, 'test', ...args], { cwd, env }, (error, stdout, stderr) => {
      done({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr });
    });
  });
}

let copy: string;

before(async () => {
  // A copy of the examples, as a project would have them: workflows/ (with tests/) beside examples/events/.
  copy = await mkdtemp(join(tmpdir(), 'hookflow-workflow-tests-'));
  await cp(join(ROOT, 'workflows'), join(copy, 'workflows'), { recursive: true });
  await cp(join(ROOT, 'examples'), join(copy, 'examples'), { recursive: true });
});
after(() => rm(copy, { recursive: true, force: true }));

describe('hookflow test', () => {
  it('passes on the shipped example workflows, with nothing sent and no secret set', async () => {
    // The folder named, so that a developer's .env (HOOKFLOW_WORKFLOWS_DIR) does not choose another.
    const answer = await hookflowTest(ROOT, join('workflows', 'tests'));
    assert.equal(answer.code, 0, answer.stdout + answer.stderr);
    for (const file of ['order-paid', 'security-alert', 'task-done']) assert.match(answer.stdout, new RegExp(`workflows/tests/${file}\\.test\\.yaml\\n  ✓`));
    assert.match(answer.stdout, /\n\d+ tests: (\d+) passed, 0 failed\n$/);
    assert.equal(answer.stdout.includes('\u001b['), false, 'no colour when the output is not a terminal');
  });

  it('fails with the path, the expected and the actual value when an example template changes', async () => {
    const workflow = join(copy, 'workflows', 'order-paid.yaml');
    const original = await readFile(workflow, 'utf8');
    await writeFile(
      workflow,
      original.replace('subject: "Your order {{event.body.order.id}} is on its way"', 'subject: "Order {{event.body.order.id}} has shipped"'),
    );

    const answer = await hookflowTest(copy);
    assert.equal(answer.code, 1, answer.stdout + answer.stderr);
    assert.match(
      answer.stdout,
      /✗ a paid order books a label, tells the team and e-mails the customer \(workflows\/tests\/order-paid\.test\.yaml:4:5\)\n {6}steps\.email\.request\.headers\.subject\n {8}expected: "Your order A-1001 is on its way"\n {8}actual: {3}"Order A-1001 has shipped"\n/,
    );
    assert.match(answer.stdout, /\n\d+ tests: \d+ passed, 1 failed\n$/);
  });

  it('records the new request with --update, changing only that expectation', async () => {
    const before = await readFile(join(copy, ORDER_TESTS), 'utf8');
    const answer = await hookflowTest(copy, ORDER_TESTS, '--update');
    assert.equal(answer.code, 0, answer.stdout + answer.stderr);
    assert.match(answer.stdout, /1 updated/);

    const afterUpdate = await readFile(join(copy, ORDER_TESTS), 'utf8');
    const changed = afterUpdate.split('\n').filter((line, index) => line !== before.split('\n')[index]);
    assert.deepEqual(changed, ['              subject: Order A-1001 has shipped']);
    assert.match(afterUpdate, /# Canned answer of the shipping API/);
    assert.equal((await hookflowTest(copy)).code, 0);
  });

  it('exits 2 on a broken test file, naming file, line and column', async () => {
    await writeFile(join(copy, 'workflows', 'tests', 'task-done.test.yaml'), 'tests:\n  - name: no event\n    expect: { workflows: [task-done] }\n');
    const answer = await hookflowTest(copy);
    assert.equal(answer.code, 2);
    assert.match(answer.stderr, /workflows\/tests\/task-done\.test\.yaml:2:5 {2}test "no event" needs an `event`/);
  });
});
