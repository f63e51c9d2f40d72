import { setField } from '../workflows/yaml-edits';
import { WorkflowTestFile } from './workflow-test-file';
import { recordedExpectation, WorkflowTestResult } from './workflow-test-runner';

/**
 * The test file with each failing test's `expect` replaced by what happened. Only those
 * `expect` maps change, key by key (`setField`): comments, quoting and everything else in
 * the file stay as written.
 */
export function recordExpectations(file: WorkflowTestFile, results: readonly WorkflowTestResult[]): string {
  let text = file.text;
  for (const result of results) {
    if (result.passed) continue;
    const test = file.tests.find((candidate) => candidate.index === result.index);
    text = setField(text, ['tests', result.index, 'expect'], recordedExpectation(result.observed, test?.expect, test?.failure !== undefined));
  }
  return text;
}
