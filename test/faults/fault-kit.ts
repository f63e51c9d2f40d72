import { chmod, mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { Delivery } from '../support/delivery-count';
import { HookflowProcess } from '../support/hookflow-process';
import { Handler, json } from '../support/receiver';
import { sleep } from '../support/steady-load';

export const ADMIN_TOKEN = 'fault-test-admin-token-0123456789';

/** A source without verification and a workflow with one HTTP step that relays `seq` to `{{secrets.<receiverSecret>}}/deliver`. */
export function relayFiles(workflows: { name: string; source: string; receiverSecret: string }[]): Record<string, string> {
  const sources = [...new Set(workflows.map((workflow) => workflow.source))].map((source) => `  ${source}:\n    verify: { scheme: none }\n`).join('');
  const files: Record<string, string> = { 'sources.yaml': `sources:\n${sources}` };
  for (const { name, source, receiverSecret } of workflows) {
    files[`${name}.yaml`] = `
name: ${name}
on: { webhook: ${source} }
steps:
  - id: deliver
    uses: http
    timeout: 10s
    with:
      url: "{{secrets.${receiverSecret}}}/deliver"
      body: { seq: "{{event.body.seq}}" }
`;
  }
  return files;
}

/** A fresh working folder (readable by the postgres user, as a project folder is) with `workflows/`. */
export async function workDirWith(files: Record<string, string>): Promise<string> {
  const workDir = await mkdtemp(join(tmpdir(), 'hookflow-fault-'));
  await chmod(workDir, 0o755);
  await mkdir(join(workDir, 'workflows'));
  for (const [name, content] of Object.entries(files)) await writeFile(join(workDir, 'workflows', name), content);
  return workDir;
}

export function hookflowEnv(workDir: string, extra: Record<string, string>): Record<string, string> {
  return {
    HOOKFLOW_DATA_DIR: join(workDir, 'data'),
    HOOKFLOW_WORKFLOWS_DIR: join(workDir, 'workflows'),
    HOOKFLOW_ADMIN_TOKEN: ADMIN_TOKEN,
    HOOKFLOW_OUTBOUND_ALLOW: '127.0.0.1',
    ...extra,
  };
}

/**
 * Receiver route: records the event and key of each request it answers 200, after `delayMs`
 * (so that requests are in flight when a fault strikes); `refuse` may answer a status instead.
 */
export function deliveryRoute(deliveries: Delivery[], options: { delayMs?: number; refuse?: () => number | undefined } = {}): Handler {
  return async (request, response) => {
    const status = options.refuse?.();
    if (status !== undefined) return json(response, status, { error: 'unavailable' });
    if (options.delayMs) await sleep(options.delayMs);
    deliveries.push({ seq: (JSON.parse(request.body) as { seq: number }).seq, key: String(request.headers['idempotency-key']) });
    json(response, 200, { ok: true });
  };
}

/** Runs not yet succeeded, by status (empty when every run of the workflow succeeded). */
export async function unfinishedRuns(baseUrl: string, workflow: string): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const status of ['queued', 'running', 'failed', 'cancelled']) {
    const response = await fetch(`${baseUrl}/api/runs?workflow=${workflow}&status=${status}&limit=200`, {
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
    });
    if (response.status !== 200) throw new Error(`GET /api/runs answered ${response.status}`);
    const { items } = (await response.json()) as { items: unknown[] };
    if (items.length > 0) counts[status] = items.length;
  }
  return counts;
}

/** The messages of `GET /api/stream`, read in the background as they arrive, each with its arrival time. */
export function collectChanges(baseUrl: string): { messages: { at: number; type: string }[]; close(): void } {
  const messages: { at: number; type: string }[] = [];
  const abort = new AbortController();
  void (async () => {
    const response = await fetch(`${baseUrl}/api/stream?access_token=${ADMIN_TOKEN}`, { signal: abort.signal });
    const decoder = new TextDecoder();
    let buffer = '';
    for await (const chunk of response.body as AsyncIterable<Uint8Array>) {
      buffer += decoder.decode(chunk, { stream: true });
      const frames = buffer.split('\n\n');
      buffer = frames.pop() ?? '';
      for (const frame of frames) {
        const data = frame.split('\n').find((line) => line.startsWith('data:'));
        if (data) messages.push({ at: Date.now(), ...(JSON.parse(data.slice(5)) as { type: string }) });
      }
    }
  })().catch(() => undefined);
  return { messages, close: () => abort.abort() };
}

/** Polls until `check` holds or `timeoutMs` passes; answers whether it held (the caller asserts, with counts). */
export async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs: number, intervalMs = 250): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (
      await Promise.resolve()
        .then(check)
        .catch(() => false)
    )
      return true;
    if (Date.now() > deadline) return false;
    await sleep(intervalMs);
  }
}

/** SIGTERM, then SIGKILL if it has not exited within 20 s: a test never leaves its process behind. */
export async function stopHookflow(hookflow: HookflowProcess | undefined): Promise<void> {
  if (!hookflow || hookflow.child.exitCode !== null || hookflow.child.signalCode !== null) return;
  hookflow.child.kill('SIGTERM');
  const timer = setTimeout(() => hookflow.child.kill('SIGKILL'), 20_000);
  await hookflow.exited;
  clearTimeout(timer);
}

/** Prints the test's counts on one line in the test report. */
export function report(t: TestContext, line: string): void {
  t.diagnostic(line);
}

export function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)}s`;
}
