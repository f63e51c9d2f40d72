import { lazy, Suspense, useMemo, useState } from 'react';
import { parse } from 'yaml';
import { addNeed, addStep, freeStepId, removeNeed, removeStep, renameStep, setStepField, YamlEditError } from '../../../../workflows/yaml-edits';
import type { Graph } from '../api/types';
import { currentCatalog } from '../lib/catalog';
import { FAILURE_LANE_HEAD } from '../lib/graph-data';
import type { FlowNodeData } from './GraphNodes';
import { StepForm } from './StepForm';
import { startingWith, StepPalette } from './StepPalette';
import { Loading } from './States';
import { useToast } from './Toasts';

const WorkflowGraph = lazy(() => import('./WorkflowGraph'));

export interface WorkflowCanvasProps {
  yaml: string;
  /** The graph of the last text that validated: it stays while the text is mid-edit. */
  graph: Graph | undefined;
  /** Applies a visual edit to the YAML text; a `YamlEditError` from it is shown, nothing changes. */
  onEdit: (change: (yaml: string) => string) => void;
  selected: string | null;
  onSelect: (stepId: string | null) => void;
}

/**
 * The visual half of the editor: the graph (drag a need, delete an edge or a step), the palette
 * that appends a step, and the form of the selected step. Every action is a minimal edit of
 * the YAML text, never a regenerated file.
 */
export function WorkflowCanvas({ yaml, graph, onEdit, selected, onSelect }: WorkflowCanvasProps) {
  const toast = useToast();
  const [paletteOpen, setPaletteOpen] = useState(false);
  const document = useMemo(() => parsedWorkflow(yaml), [yaml]);
  const steps = document?.steps ?? [];
  const selectedStep = steps.find((step) => step.id === selected);
  const kinds = currentCatalog()?.step_kinds ?? [];

  const apply = (describe: string, change: (text: string) => string) => {
    try {
      onEdit(change);
      return true;
    } catch (error) {
      if (!(error instanceof YamlEditError)) throw error;
      toast('error', `${describe}: ${error.message}`);
      return false;
    }
  };

  const editing = useMemo(
    () => ({
      onConnect: (from: string, to: string) => apply('Could not add the need', (text) => addNeed(text, to, from)),
      onDeleteEdge: (from: string, to: string) => apply('Could not remove the need', (text) => removeNeed(text, to, from)),
      onDeleteStep: (stepId: string) => deleteStep(stepId),
    }),
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [onEdit],
  );

  const deleteStep = (stepId: string) => {
    if (!steps.some((step) => step.id === stepId)) {
      toast('error', `${stepId} is not in steps: edit on_failure steps in the YAML.`);
      return;
    }
    let references: { stepId: string; line: number; text: string }[] = [];
    const done = apply(`Could not delete ${stepId}`, (text) => {
      const result = removeStep(text, stepId);
      references = result.references;
      return result.yaml;
    });
    if (!done) return;
    onSelect(null);
    if (references.length > 0) {
      const where = references.map((reference) => `${reference.stepId} (line ${reference.line})`).join(', ');
      toast('error', `Deleted ${stepId}; still read by ${where}: fix those templates before saving.`);
    } else toast('success', `Deleted step ${stepId}.`);
  };

  const nodeData = useMemo(() => badgesOf(document), [document]);

  return (
    <div className="canvas">
      <div className="canvas__toolbar">
        <button type="button" className="button" aria-expanded={paletteOpen} onClick={() => setPaletteOpen((open) => !open)}>
          Add step
        </button>
        <span className="muted canvas__hint">
          Drag from a step’s lower dot to another step to make it wait; select an edge or a step and press Delete to remove it. The on_failure lane is edited in
          the YAML.
        </span>
      </div>
      {paletteOpen && (
        <StepPalette
          kinds={kinds}
          onPick={(kind) => {
            let id = '';
            const added = apply('Could not add the step', (text) => {
              id = freeStepId(text, kind.kind);
              return addStep(text, { id, uses: kind.kind, with: startingWith(kind) });
            });
            if (added) {
              setPaletteOpen(false);
              onSelect(id);
            }
          }}
        />
      )}
      <div className="canvas__graph">
        {graph ? (
          <Suspense fallback={<Loading label="Loading the graph…" />}>
            <WorkflowGraph
              graph={graph}
              nodeData={nodeData}
              selectedId={selected}
              onSelect={(id) => onSelect(id === 'trigger' || id === FAILURE_LANE_HEAD ? null : id)}
              label="Workflow graph, editable"
              editing={editing}
            />
          </Suspense>
        ) : (
          <p className="muted canvas__empty">The graph appears once the YAML is valid.</p>
        )}
      </div>
      {selectedStep && selected && (
        <section className="canvas__form" aria-label={`Step ${selected} form`}>
          <div className="canvas__form-head">
            <h2>
              Step <span className="mono">{selected}</span>
            </h2>
            <button type="button" className="button button--small button--danger" onClick={() => deleteStep(selected)}>
              Delete step
            </button>
            <button type="button" className="button button--small" onClick={() => onSelect(null)} aria-label="Close the step form">
              ×
            </button>
          </div>
          <StepForm
            stepId={selected}
            step={selectedStep}
            kind={kinds.find((kind) => kind.kind === selectedStep.uses)}
            onSet={(path, value) => apply(`Could not set ${path.join('.')}`, (text) => setStepField(text, selected, path, value))}
            onRename={(to) => {
              if (apply(`Could not rename ${selected}`, (text) => renameStep(text, selected, to))) onSelect(to);
            }}
          />
        </section>
      )}
    </div>
  );
}

interface ParsedStep extends Record<string, unknown> {
  id: string;
  uses?: string;
}

/** The text as data, for the form and the node badges; undefined while it does not parse. */
function parsedWorkflow(yaml: string): { on?: Record<string, unknown>; steps: ParsedStep[] } | undefined {
  try {
    const data = parse(yaml) as Record<string, unknown> | null;
    if (!data || typeof data !== 'object') return undefined;
    const steps = Array.isArray(data.steps)
      ? (data.steps as unknown[]).filter((step): step is ParsedStep => isRecord(step) && typeof step.id === 'string')
      : [];
    return { on: isRecord(data.on) ? data.on : undefined, steps };
  } catch {
    return undefined;
  }
}

/** The badges the graph shows from the text as it is now (the server's graph answers only for valid text). */
function badgesOf(document: ReturnType<typeof parsedWorkflow>): Record<string, Partial<FlowNodeData>> {
  if (!document) return {};
  const data: Record<string, Partial<FlowNodeData>> = { trigger: { condition: typeof document.on?.if === 'string' ? document.on.if : undefined } };
  for (const step of document.steps) {
    data[step.id] = {
      stepId: step.id,
      condition: typeof step.if === 'string' ? step.if : undefined,
      continueOnError: step.continue_on_error === true || undefined,
    };
  }
  return data;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
