import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { WorkflowTestResult } from '../workflow-tests/workflow-test-runner';
import { formatTestFile, formatTestSummary } from './test-results.formatter';

const OBSERVED = { workflows: [], steps: {} };
const RESULTS: WorkflowTestResult[] = [
  { name: 'ships', index: 0, line: 3, column: 5, passed: true, differences: [], observed: OBSERVED },
  {
    name: 'mails',
    index: 1,
    line: 9,
    column: 5,
    passed: false,
    observed: OBSERVED,
    differences: [
      { path: 'steps.email.request.headers.subject', expected: 'Your order A-1', actual: 'Order A-1' },
      { path: 'steps.gone', expected: { status: 'sent' }, actual: undefined, note: 'workflow ship has no step gone' },
    ],
  },
];

describe(formatTestFile.name, () => {
  it('marks each test and shows the path, expected and actual value of each difference', () => {
    assert.equal(
      formatTestFile('tests/ship.test.yaml', RESULTS, false),
      [
        'tests/ship.test.yaml',
        '  ✓ ships',
        '  ✗ mails (tests/ship.test.yaml:9:5)',
        '      steps.email.request.headers.subject',
        '        expected: "Your order A-1"',
        '        actual:   "Order A-1"',
        '      steps.gone',
        '        workflow ship has no step gone',
        '        expected: {"status":"sent"}',
        '        actual:   (absent)',
        '',
      ].join('\n'),
    );
  });

  it('colours only when asked (a terminal)', () => {
    assert.equal(formatTestFile('f', RESULTS, false).includes('\u001b['), false);
    assert.equal(formatTestFile('f', RESULTS, true).includes('\u001b[32m✓\u001b[0m ships'), true);
  });
});

describe(formatTestSummary.name, () => {
  it('counts passed, failed, updated and unreadable files', () => {
    assert.equal(formatTestSummary({ passed: 2, failed: 1, updated: 0, broken: 0 }), '\n3 tests: 2 passed, 1 failed\n');
    assert.equal(formatTestSummary({ passed: 1, failed: 0, updated: 1, broken: 1 }), '\n2 tests: 1 passed, 0 failed, 1 updated, 1 file could not be read\n');
  });
});
