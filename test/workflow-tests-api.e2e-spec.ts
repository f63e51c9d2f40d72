import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { cp, readdir, readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { startTestApp, TestApp } from './support/test-app';

const ROOT = resolve(__dirname, '..', '..');

describe('POST /api/workflows/tests', () => {
  let hookflow: TestApp;
  let orderPaid: string;

  before(async () => {
    // The shipped examples as a deployment has them: workflows/ with tests/, and examples/events/ beside it.
    const files: Record<string, string> = {};
    for (const name of (await readdir(join(ROOT, 'workflows'))).filter((name) => name.endsWith('.yaml'))) {
      files[name] = await readFile(join(ROOT, 'workflows', name), 'utf8');
    }
    hookflow = await startTestApp({ files });
    await cp(join(ROOT, 'workflows', 'tests'), join(hookflow.workflowsDir, 'tests'), { recursive: true });
    await cp(join(ROOT, 'examples'), join(dirname(hookflow.workflowsDir), 'examples'), { recursive: true });
    orderPaid = files['order-paid.yaml'];
  });
  after(() => hookflow?.close());

  const runTests = (body: unknown) => hookflow.api('POST', '/api/workflows/tests', body);

  it('runs the test files of the workflow against its unsaved YAML', async () => {
    const answer = await runTests({ yaml: orderPaid });
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    assert.equal(answer.body.workflow, 'order-paid');
    assert.deepEqual(
      answer.body.files.map((file: { file: string }) => file.file),
      ['tests/order-paid.test.yaml'],
    );
    assert.deepEqual(answer.body.files[0].problems, []);
    assert.equal(answer.body.files[0].tests.length, 3);
    assert.equal(answer.body.failed, 0);
    assert.equal(answer.body.passed, 3);
    assert.equal(
      answer.body.files[0].tests.every((test: { passed: boolean }) => test.passed),
      true,
    );
  });

  it('answers the differences of a test the edit breaks', async () => {
    const edited = orderPaid.replace(
      'text: "Tracking number: {{steps.label.output.body.tracking_number}}"',
      'text: "Track it: {{steps.label.output.body.tracking_number}}"',
    );
    const answer = await runTests({ yaml: edited });
    assert.equal(answer.status, 200);
    assert.equal(answer.body.failed, 1);
    const failed = answer.body.files[0].tests.find((test: { passed: boolean }) => !test.passed);
    assert.equal(failed.name, 'a paid order books a label, tells the team and e-mails the customer');
    assert.equal(failed.line, 4);
    assert.deepEqual(failed.differences, [{ path: 'steps.email.request.body', expected: 'Tracking number: 1Z999', actual: 'Track it: 1Z999' }]);
  });

  it('answers no files for a workflow without tests', async () => {
    const answer = await runTests({ yaml: 'name: quiet\non: { webhook: tasks }\nsteps:\n  - id: s\n    uses: set\n    with: { a: 1 }\n' });
    assert.equal(answer.status, 200);
    assert.deepEqual(answer.body, { workflow: 'quiet', passed: 0, failed: 0, files: [] });
  });

  it('refuses YAML with problems, with line and column', async () => {
    const answer = await runTests({ yaml: orderPaid.replace('uses: email', 'uses: emial') });
    assert.equal(answer.status, 422);
    assert.equal(answer.body.error.code, 'INVALID_WORKFLOW');
    assert.match(answer.body.error.problems[0].message, /emial/);
  });

  it('takes no path from the client and needs the admin token', async () => {
    const withPath = await runTests({ yaml: orderPaid, path: '/etc' });
    assert.equal(withPath.status, 400);
    assert.match(JSON.stringify(withPath.body), /property path should not exist/);
    const anonymous = await fetch(`${hookflow.baseUrl}/api/workflows/tests`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ yaml: orderPaid }),
    });
    assert.equal(anonymous.status, 401);
  });
});
