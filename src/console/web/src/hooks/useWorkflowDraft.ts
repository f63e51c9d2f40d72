import { useCallback, useRef, useState } from 'react';
import { api, ApiError } from '../api/client';
import type { Problem } from '../api/types';
import type * as Api from '../api/api-models.generated';

/** The file as another save left it, when ours started from an older revision. */
export interface SaveConflict {
  /** null: the file was deleted meanwhile. */
  current: { yaml: string; revision: string } | null;
}

export type SaveOutcome = { saved: Api.SavedWorkflowModel } | { conflict: SaveConflict } | { problems: Problem[] } | { error: ApiError };

export interface WorkflowDraft {
  yaml: string;
  /** The text last loaded or saved; the draft is dirty when it differs. */
  saved: string;
  /** The revision `saved` has on disk; null for a workflow not yet created. */
  revision: string | null;
  dirty: boolean;
  saving: boolean;
  setYaml: (yaml: string) => void;
  /** Applies a visual edit to the current text; a refused edit throws its message. */
  edit: (change: (yaml: string) => string) => void;
  discard: () => void;
  /** `PUT` at the base revision (or `POST` for a new workflow); a conflict or invalid YAML writes nothing. */
  save: (name: string) => Promise<SaveOutcome>;
  /** After a conflict: continue from the file as it is now, keeping `yaml` as the draft. */
  rebase: (current: { yaml: string; revision: string } | null, yaml: string) => void;
}

/** The editor's one piece of state: the YAML text, what is on disk, and saving it without losing anyone's work. */
export function useWorkflowDraft(initial: { yaml: string; revision: string | null }): WorkflowDraft {
  const [yaml, setYamlState] = useState(initial.yaml);
  const [saved, setSaved] = useState(initial.yaml);
  const [revision, setRevision] = useState(initial.revision);
  const [saving, setSaving] = useState(false);
  const latest = useRef(yaml);
  latest.current = yaml;

  const setYaml = useCallback((next: string) => {
    latest.current = next;
    setYamlState(next);
  }, []);

  const edit = useCallback((change: (text: string) => string) => setYaml(change(latest.current)), [setYaml]);

  const save = async (name: string): Promise<SaveOutcome> => {
    setSaving(true);
    const text = latest.current;
    try {
      const saved =
        revision === null
          ? await api<Api.SavedWorkflowModel>('POST', '/api/workflows', { body: { yaml: text } })
          : await api<Api.SavedWorkflowModel>('PUT', `/api/workflows/${encodeURIComponent(name)}`, { body: { yaml: text, base_revision: revision } });
      setSaved(text);
      setRevision(saved.revision);
      return { saved };
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      if (error.code === 'WORKFLOW_REVISION_CONFLICT') return { conflict: { current: (error.details.current as SaveConflict['current']) ?? null } };
      if (error.code === 'INVALID_WORKFLOW' && Array.isArray(error.details.problems)) return { problems: error.details.problems as Problem[] };
      return { error };
    } finally {
      setSaving(false);
    }
  };

  return {
    yaml,
    saved,
    revision,
    dirty: yaml !== saved,
    saving,
    setYaml,
    edit,
    discard: () => setYaml(saved),
    save,
    rebase: (current, text) => {
      setSaved(current?.yaml ?? '');
      setRevision(current?.revision ?? null);
      setYaml(text);
    },
  };
}
