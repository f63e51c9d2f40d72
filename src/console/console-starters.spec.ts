import assert from 'node:assert/strict';
import { copyFile, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { TemplateEngine } from '../templates/template-engine';
import { loadWorkflowDirectory } from '../workflows/workflow-loader';

const REPOSITORY = join(__dirname, '..', '..', '..');
const STARTERS = join(REPOSITORY, 'src', 'console', 'web', 'src', 'starters');

describe('the editor’s starter templates', () => {
  it('are valid workflows against the example sources, each under its own name', async () => {
    const starters = (await readdir(STARTERS)).filter((name) => name.endsWith('.yaml'));
    assert.ok(starters.length >= 4, 'Slack notification, signed webhook, GitHub → Slack, shipping label + e-mail');
    const folder = await mkdtemp(join(tmpdir(), 'hookflow-starters-'));
    try {
      await copyFile(join(REPOSITORY, 'workflows', 'sources.yaml'), join(folder, 'sources.yaml'));
      for (const starter of starters) await copyFile(join(STARTERS, starter), join(folder, starter));
      const loaded = await loadWorkflowDirectory(folder, new TemplateEngine());
      assert.deepEqual(
        loaded.problems.map((problem) => `${problem.file}:${problem.line} ${problem.message}`),
        [],
      );
      const names = [...loaded.workflows.values()].map((workflow) => `${workflow.name}.yaml`);
      assert.deepEqual(names.sort(), starters.sort(), 'each starter is named like its file');
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  });
});
