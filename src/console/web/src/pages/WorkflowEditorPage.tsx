import { lazy, Suspense, useCallback, useEffect, useMemo, useState } from 'react';
import { api, queryString } from '../api/client';
import type { EventDetail, Graph, Page, EventSummary, Problem, WorkflowFile } from '../api/types';
import { PageHeader } from '../components/Layout';
import { StarterChooser } from '../components/StarterChooser';
import { Loading, RecordNotLoaded } from '../components/States';
import { TestPanel } from '../components/TestPanel';
import { useToast } from '../components/Toasts';
import { WorkflowCanvas } from '../components/WorkflowCanvas';
import type { YamlCompletionContext } from '../components/YamlEditor';
import { useApi } from '../hooks/useApi';
import { useDocumentTitle } from '../hooks/useDocumentTitle';
import { SaveConflict, useWorkflowDraft } from '../hooks/useWorkflowDraft';
import { currentCatalog } from '../lib/catalog';
import { graphOfDraft } from '../lib/draft-graph';
import { plural } from '../lib/format';
import { Link, navigate } from '../lib/router';
import { documentSteps, secretNamesIn, triggerOf } from '../lib/yaml-outline';

const YamlEditor = lazy(() => import('../components/YamlEditor'));
const YamlDiff = lazy(() => import('../components/YamlDiff'));

const VALIDATE_AFTER_MS = 300;

/** `/workflows/<name>/edit` and `/workflows/new`: the YAML in a code editor beside its graph, both editing the same text. */
export function WorkflowEditorPage({ name }: { name?: string }) {
  useDocumentTitle(name ? `Edit ${name}` : 'New workflow');
  // The file as it is on disk (which a save replaces), also while it has problems or was never valid.
  const saved = useApi(
    (signal) => (name ? api<WorkflowFile>('GET', `/api/workflows/${encodeURIComponent(name)}/file`, { signal }) : Promise.resolve(null)),
    [name],
  );
  const [started, setStarted] = useState<string | null>(null);

  if (!name) return started === null ? <StarterChooser onStart={setStarted} /> : <WorkflowEditor workflow={null} initial={{ yaml: started, revision: null }} />;
  if (saved.loading) return <Loading label="Loading the workflow…" />;
  if (saved.error || !saved.data) return <RecordNotLoaded error={saved.error} onRetry={saved.reload} noun="workflow" id={name} back="/workflows" />;
  return <WorkflowEditor workflow={saved.data} initial={{ yaml: saved.data.yaml, revision: saved.data.revision }} />;
}

interface WorkflowEditorProps {
  /** The workflow's file as loaded; null for a new one. */
  workflow: WorkflowFile | null;
  initial: { yaml: string; revision: string | null };
}

function WorkflowEditor({ workflow, initial }: WorkflowEditorProps) {
  const toast = useToast();
  const draft = useWorkflowDraft(initial);
  const { yaml } = draft;
  // The text is the one truth: problems are the server's reading of it, the graph is drawn from
  // it a moment after typing pauses (the last one that parsed stays meanwhile).
  const [problems, setProblems] = useState<Problem[]>(workflow?.problems ?? []);
  const [inForce, setInForce] = useState(workflow?.in_force ?? false);
  const graph = useDraftGraph(yaml);
  const [selected, setSelected] = useState<string | null>(null);
  const [conflict, setConflict] = useState<SaveConflict | null>(null);
  const [testing, setTesting] = useState(false);

  const onChecked = useCallback((answer: { problems: Problem[] }) => setProblems(answer.problems), []);
  // The file name lets the workflow keep its own name; the validator takes a name, not a path.
  useValidation(yaml, workflow?.file.split('/').pop(), onChecked);
  const trigger = useMemo(() => triggerOf(yaml), [yaml]);
  const sampleEvent = useSampleEvent(trigger?.webhook ?? null, trigger?.event ?? null);
  const completion = useMemo<YamlCompletionContext>(
    () => ({
      catalog: currentCatalog() ?? { step_kinds: [], schemes: [], helpers: [] },
      stepIds: documentSteps(yaml).flatMap((step) => (step.id ? [step.id] : [])),
      sampleEvent,
      secretNames: secretNamesIn(yaml),
    }),
    [yaml, sampleEvent],
  );
  useLeaveGuard(draft.dirty);

  const name = workflow?.name ?? nameIn(yaml);
  // A new file is saved as <name>.yaml.
  const fileName = workflow?.file ?? `${name ?? 'new-workflow'}.yaml`;
  // A file the server may not write can still be edited and tested here, then downloaded or copied.
  const readOnly = workflow !== null && !workflow.editable;

  const save = async () => {
    const target = workflow?.name ?? name;
    if (!target) return toast('error', 'Not saved: the workflow needs a name (name: …).');
    const outcome = await draft.save(target);
    if ('saved' in outcome) {
      setConflict(null);
      setInForce(outcome.saved.in_force);
      toast('success', outcome.saved.in_force ? `Saved ${outcome.saved.file}: this version is in force.` : `Saved ${outcome.saved.file}.`);
      if (!workflow || outcome.saved.name !== workflow.name) navigate(`/workflows/${encodeURIComponent(outcome.saved.name)}/edit`, { replace: true });
    } else if ('conflict' in outcome) {
      setConflict(outcome.conflict);
    } else if ('problems' in outcome) {
      setProblems(outcome.problems);
      toast('error', `Not saved: ${plural(outcome.problems.length, 'problem')} in the YAML. Nothing was written.`);
    } else {
      toast('error', `Not saved: ${outcome.error.message}`);
    }
  };

  return (
    <>
      <PageHeader
        crumbs={
          <>
            <Link to="/workflows">Workflows</Link>
            {workflow && (
              <>
                {' / '}
                <Link to={`/workflows/${encodeURIComponent(workflow.name)}`}>{workflow.name}</Link>
              </>
            )}
          </>
        }
        title={
          <>
            {workflow ? `Edit ${workflow.name}` : 'New workflow'}
            {draft.dirty && <span className="chip chip--unsaved">unsaved</span>}
          </>
        }
        actions={
          <>
            <button type="button" className="button" onClick={draft.discard} disabled={!draft.dirty || draft.saving}>
              Discard
            </button>
            <button type="button" className="button" aria-pressed={testing} onClick={() => setTesting((open) => !open)}>
              Test
            </button>
            <button type="button" className="button button--primary" onClick={save} disabled={readOnly || draft.saving || (!draft.dirty && workflow !== null)}>
              {draft.saving ? 'Saving…' : 'Save'}
            </button>
          </>
        }
      >
        {workflow ? (
          <span className="muted">
            <span className="mono">{fileName}</span> · revision <span className="mono">{(draft.revision ?? '').slice(0, 8)}</span>
            {!inForce && ' · not in force: the file on disk has problems'}
          </span>
        ) : (
          <span className="muted">
            Saved as <span className="mono">{fileName}</span> in the workflows folder.
          </span>
        )}
      </PageHeader>

      {readOnly && <ReadOnlyNotice reason={workflow?.read_only_reason} yaml={yaml} fileName={fileName} />}
      {conflict && (
        <ConflictView
          conflict={conflict}
          mine={yaml}
          onTakeTheirs={() => {
            draft.rebase(conflict.current, conflict.current?.yaml ?? yaml);
            setConflict(null);
          }}
          onKeepMine={() => {
            draft.rebase(conflict.current, yaml);
            setConflict(null);
            toast('info', 'Your text is now based on the saved file: merge what you need, then Save.');
          }}
        />
      )}

      <div className="editor-layout">
        <section className="card card--editor" aria-labelledby="yaml-editor-title">
          <div className="code__bar">
            <h2 id="yaml-editor-title" className="mono">
              {fileName}
            </h2>
            <span role="status">
              {problems.length === 0 ? 'No problems' : plural(problems.length, 'problem')}
              {sampleEvent && ` · sample event ${sampleEvent.type ?? ''}`}
            </span>
          </div>
          <Suspense fallback={<Loading label="Loading the editor…" />}>
            <YamlEditor
              value={yaml}
              onChange={draft.setYaml}
              problems={problems}
              completion={completion}
              onCursorStep={(stepId) => stepId && setSelected(stepId)}
            />
          </Suspense>
        </section>
        <WorkflowCanvas yaml={yaml} graph={graph} onEdit={draft.edit} selected={selected} onSelect={setSelected} />
      </div>

      {testing && <TestPanel yaml={yaml} source={trigger?.webhook ?? undefined} onClose={() => setTesting(false)} />}
    </>
  );
}

const DRAW_AFTER_MS = 250;

/** The graph of the text, redrawn once typing pauses; a text that does not parse keeps the last drawing. */
function useDraftGraph(yaml: string): Graph | undefined {
  const [graph, setGraph] = useState<Graph | undefined>(() => graphOfDraft(yaml));
  useEffect(() => {
    const timer = setTimeout(() => {
      const next = graphOfDraft(yaml);
      if (next) setGraph((current) => (current && JSON.stringify(current) === JSON.stringify(next) ? current : next));
    }, DRAW_AFTER_MS);
    return () => clearTimeout(timer);
  }, [yaml]);
  return graph;
}

/** The file's `name:`, as the new file will be called. */
function nameIn(yaml: string): string | undefined {
  return /^name:\s*["']?([A-Za-z0-9_.-]+)/m.exec(yaml)?.[1];
}

/** Asks before the tab closes or reloads with unsaved changes. */
function useLeaveGuard(dirty: boolean): void {
  useEffect(() => {
    if (!dirty) return;
    const warn = (event: BeforeUnloadEvent) => event.preventDefault();
    window.addEventListener('beforeunload', warn);
    return () => window.removeEventListener('beforeunload', warn);
  }, [dirty]);
}

function ReadOnlyNotice({ reason, yaml, fileName }: { reason: string | null | undefined; yaml: string; fileName: string }) {
  const toast = useToast();
  const download = useMemo(() => URL.createObjectURL(new Blob([yaml], { type: 'application/yaml' })), [yaml]);
  useEffect(() => () => URL.revokeObjectURL(download), [download]);
  return (
    <div className="callout callout--warning editor-readonly" role="status">
      <span>
        <strong>Read-only:</strong> {reason ?? 'this file cannot be saved from the console'}. Change the file where it is kept (in git) and deploy it; here you
        can still try edits and test them.
      </span>
      <a className="button button--small" href={download} download={fileName}>
        Download
      </a>
      <button
        type="button"
        className="button button--small"
        onClick={() =>
          navigator.clipboard.writeText(yaml).then(
            () => toast('success', 'The YAML is on the clipboard.'),
            () => toast('error', 'The browser refused the clipboard; use Download.'),
          )
        }
      >
        Copy
      </button>
    </div>
  );
}

/** Someone saved the file after this edit began: their version beside yours, and what to do. */
function ConflictView({
  conflict,
  mine,
  onTakeTheirs,
  onKeepMine,
}: {
  conflict: SaveConflict;
  mine: string;
  onTakeTheirs: () => void;
  onKeepMine: () => void;
}) {
  const theirs = conflict.current;
  return (
    <section className="card conflict" aria-labelledby="conflict-title" role="alert">
      <div className="card__head">
        <h2 id="conflict-title">{theirs ? 'The file changed since you opened it' : 'The file was deleted since you opened it'}</h2>
      </div>
      <p className="card__pad conflict__text">
        Nothing was saved. {theirs ? 'Left: the file as saved meanwhile; right: your text.' : 'Saving now creates it again with your text.'} Take theirs and
        drop your edit, or keep yours — your text is then based on the saved file, so Save replaces it; bring over what you need from theirs first.
      </p>
      {theirs && (
        <Suspense fallback={<Loading label="Loading the comparison…" />}>
          <YamlDiff before={theirs.yaml} after={mine} beforeLabel={`Saved meanwhile (${theirs.revision.slice(0, 8)})`} afterLabel="Yours" />
        </Suspense>
      )}
      <div className="card__pad conflict__actions">
        {theirs && (
          <button type="button" className="button" onClick={onTakeTheirs}>
            Take theirs
          </button>
        )}
        <button type="button" className="button button--primary" onClick={onKeepMine}>
          Keep mine
        </button>
      </div>
    </section>
  );
}

/** `POST /api/workflows/validate` once typing pauses; an answer for older text is dropped. */
function useValidation(yaml: string | null, file: string | undefined, onAnswer: (answer: { problems: Problem[] }) => void): void {
  useEffect(() => {
    if (yaml === null) return;
    const controller = new AbortController();
    const timer = setTimeout(() => {
      api<{ problems: Problem[]; graph: Graph | null }>('POST', '/api/workflows/validate', {
        body: { yaml, ...(file && { file }) },
        signal: controller.signal,
      }).then(
        ({ problems }) => onAnswer({ problems }),
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
