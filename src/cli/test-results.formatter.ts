import type { Difference } from '../workflow-tests/expectation-diff';
import type { WorkflowTestResult } from '../workflow-tests/workflow-test-runner';

export interface TestTally {
  passed: number;
  failed: number;
  updated: number;
  broken: number;
}

const COLOURS = { red: '\u001b[31m', green: '\u001b[32m', dim: '\u001b[2m', reset: '\u001b[0m' } as const;

/** One test file's results as a person reads them: ✓/✗ per test, and for each failure where it differs. */
export function formatTestFile(file: string, results: readonly WorkflowTestResult[], colour: boolean): string {
  const paint = (name: keyof typeof COLOURS, text: string) => (colour ? `${COLOURS[name]}${text}${COLOURS.reset}` : text);
  const lines = [file];
  for (const result of results) {
    if (result.passed) {
      lines.push(`  ${paint('green', '✓')} ${result.name}`);
      continue;
    }
    lines.push(`  ${paint('red', '✗')} ${result.name} ${paint('dim', `(${file}:${result.line}:${result.column})`)}`);
    for (const difference of result.differences) lines.push(...differenceLines(difference, paint));
  }
  return `${lines.join('\n')}\n`;
}

export function formatTestSummary(tally: TestTally): string {
  const parts = [`${tally.passed} passed`, `${tally.failed} failed`];
  if (tally.updated > 0) parts.push(`${tally.updated} updated`);
  if (tally.broken > 0) parts.push(`${tally.broken} ${tally.broken === 1 ? 'file' : 'files'} could not be read`);
  const total = tally.passed + tally.failed + tally.updated;
  return `\n${total} ${total === 1 ? 'test' : 'tests'}: ${parts.join(', ')}\n`;
}

function differenceLines(difference: Difference, paint: (name: keyof typeof COLOURS, text: string) => string): string[] {
  const lines = [`      ${difference.path}`];
  if (difference.note !== undefined) lines.push(`        ${difference.note}`);
  if (difference.expected !== undefined || difference.actual !== undefined) {
    lines.push(`        expected: ${paint('green', shown(difference.expected))}`);
    lines.push(`        actual:   ${paint('red', shown(difference.actual))}`);
  }
  return lines;
}

/** A value as one line of JSON; an absent key says so. */
function shown(value: unknown): string {
  return value === undefined ? '(absent)' : JSON.stringify(value);
}
