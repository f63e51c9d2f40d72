import { lazy, Suspense, useEffect, useMemo, useState } from 'react';
import { api, queryString } from '../api/client';
import type { EventDetail, Graph, Page, EventSummary, Problem, Workflow } from '../api/types';
import { PageHeader } from '../components/Layout';
import { Loading, RecordNotLoaded } from '../components/States';
import type { YamlCompletionContext } from '../components/YamlEditor';
import { useApi } from '../hooks/useApi';
import { useDocumentTitle } from '../hooks/useDocumentTitle';
import { currentCatalog } from '../lib/catalog';
import { Link } from '../lib/router';
import { documentSteps, secretNamesIn, triggerOf } from '../lib/yaml-outline';

const YamlEditor = lazy(() => import('../components/YamlEditor'));

const STARTER = `# A new workflow: give it a name, a trigger and its steps.
name: my-workflow
on:
  webhook: shop
steps:
  - id: first
    uses: set
    with:
      received: "{{event.type}}"
`;

const VALIDATE_AFTER_MS = 300;

/** `/workflows/<name>/edit` and `/workflows/new`: the workflow's YAML in the code editor, checked by the server as it is typed. */
export function WorkflowEditorPage({ name }: { name?: string }) {
  useDocumentTitle(name ? `Edit ${name}` : 'New workflow');
  const saved = useApi((signal) => (name ? api<Workflow>('GET', `/api/workflows/${encodeURIComponent(name)}`, { signal }) : Promise.resolve(null)), [name]);
  const workflow = saved.data ?? null;

  // The page's state: the text is the one truth; problems and graph are the server's reading of it.
  const [yaml, setYaml] = useState<string | null>(name ? null : STARTER);
  const [checked, setChecked] = useState<{ problems: Problem[]; graph: Graph | null }>({ problems: [], graph: null });
  const [cursorStep, setCursorStep] = useState<string | null>(null);

  useEffect(() => {
    if (workflow && yaml === null) setYaml(workflow.yaml);
  }, [workflow, yaml]);

  // The file name lets the workflow keep its own name; the validator takes a name, not a path.
  useValidation(yaml, workflow?.file.split('/').pop(), setChecked);
  const trigger = useMemo(() => (yaml === null ? null : triggerOf(yaml)), [yaml]);
  const sampleEvent = useSampleEvent(trigger?.webhook ?? null, trigger?.event ?? null);
  const completion = useMemo<YamlCompletionContext>(
    () => ({
      catalog: currentCatalog() ?? { step_kinds: [], schemes: [], helpers: [] },
      stepIds: yaml === null ? [] : documentSteps(yaml).flatMap((step) => (step.id ? [step.id] : [])),
      sampleEvent,
      secretNames: yaml === null ? [] : secretNamesIn(yaml),
    }),
    [yaml, sampleEvent],
  );

  if (saved.loading) return <Loading label="Loading the workflow…" />;
  if (name && (saved.error || !workflow)) return <RecordNotLoaded error={saved.error} onRetry={saved.reload} noun="workflow" id={name} back="/workflows" />;
  if (yaml === null) return <Loading label="Loading the workflow…" />;

  // A new file is saved as <name>.yaml.
  const fileName = workflow?.file ?? `${/^name:\s*["']?([a-z0-9_-]+)/m.exec(yaml)?.[1] ?? 'new-workflow'}.yaml`;
  const readOnly = workflow !== null && !workflow.editable;
  return (
    <>
      <PageHeader
        crumbs={
          <>
            <Link to="/workflows">Workflows</Link>
            {name && (
              <>
                {' / '}
                <Link to={`/workflows/${encodeURIComponent(name)}`}>{name}</Link>
              </>
            )}
          </>
        }
        title={name ? `Edit ${name}` : 'New workflow'}
      >
        {readOnly && <p>Read-only: {workflow?.read_only_reason ?? 'this file cannot be saved from the console'}.</p>}
      </PageHeader>
      <section className="card card--editor" aria-labelledby="yaml-editor-title">
        <div className="code__bar">
          <h2 id="yaml-editor-title" className="mono">
            {fileName}
          </h2>
          <span role="status">
            {checked.problems.length === 0 ? 'No problems' : `${checked.problems.length} ${checked.problems.length === 1 ? 'problem' : 'problems'}`}
            {cursorStep && ` · step ${cursorStep}`}
            {sampleEvent && ` · sample event ${sampleEvent.type ?? ''}`}
          </span>
        </div>
        <Suspense fallback={<Loading label="Loading the editor…" />}>
          <YamlEditor value={yaml} onChange={setYaml} problems={checked.problems} completion={completion} readOnly={readOnly} onCursorStep={setCursorStep} />
        </Suspense>
      </section>
    </>
  );
}

/** `POST /api/workflows/validate` once typing pauses; an answer for older text is dropped. */
function useValidation(yaml: string | null, file: string | undefined, onAnswer: (answer: { problems: Problem[]; graph: Graph | null }) => void): void {
  useEffect(() => {
    if (yaml === null) return;
    const controller = new AbortController();
    const timer = setTimeout(() => {
      api<{ problems: Problem[]; graph: Graph | null }>('POST', '/api/workflows/validate', {
        body: { yaml, ...(file && { file }) },
        signal: controller.signal,
      }).then(
        ({ problems, graph }) => onAnswer({ problems, graph }),
        () => undefined, // An unreachable server shows elsewhere (the live indicator); the last problems stay.
      );
    }, VALIDATE_AFTER_MS);
    return () => {
      clearTimeout(timer);
      controller.abort();
    };
  }, [yaml, file, onAnswer]);
}

/** The newest stored event of the trigger's source (and type, when one matches), for `event.body.…` completion. */
function useSampleEvent(source: string | null, type: string | null): YamlCompletionContext['sampleEvent'] {
  const [sample, setSample] = useState<YamlCompletionContext['sampleEvent']>();
  useEffect(() => {
    setSample(undefined);
    if (!source) return;
    const controller = new AbortController();
    const newest = (filters: Record<string, string>) =>
      api<Page<EventSummary>>('GET', `/api/events${queryString({ ...filters, limit: 1 })}`, { signal: controller.signal }).then((page) => page.items[0]);
    void (async () => {
      const summary = (type ? await newest({ source, type }) : undefined) ?? (await newest({ source }));
      if (!summary) return;
      const event = await api<EventDetail>('GET', `/api/events/${summary.id}`, { signal: controller.signal });
      setSample({ body: event.body_json ?? event.body, headers: event.headers, type: event.type, source: event.source });
    })().catch(() => undefined);
    return () => controller.abort();
  }, [source, type]);
  return sample;
}
