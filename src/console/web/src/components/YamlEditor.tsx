import { autocompletion, CompletionContext, CompletionResult } from '@codemirror/autocomplete';
import { isolateHistory } from '@codemirror/commands';
import { yaml } from '@codemirror/lang-yaml';
import { HighlightStyle, syntaxHighlighting } from '@codemirror/language';
import { Diagnostic, lintGutter, setDiagnostics } from '@codemirror/lint';
import { Annotation, Compartment, EditorState, Extension, Range, StateEffect, StateField, Text } from '@codemirror/state';
import { Decoration, DecorationSet, EditorView, MatchDecorator, ViewPlugin, ViewUpdate, WidgetType } from '@codemirror/view';
import { tags } from '@lezer/highlight';
import { basicSetup } from 'codemirror';
import { useEffect, useRef } from 'react';
import { YamlCompletionContext, yamlCompletions } from '../lib/yaml-completion';
import { stepAt } from '../lib/yaml-outline';

export type { YamlCompletionContext } from '../lib/yaml-completion';

/** A problem of the file; `line` and `column` are 1-based, and a problem without a line belongs to the whole file. */
export interface YamlProblem {
  message: string;
  line?: number;
  column?: number;
}

export interface YamlEditorProps {
  /** The document. A change from outside (a visual edit) is applied as one minimal, undoable change. */
  value: string;
  /** Called with the whole text on every edit made in the editor (typing, undo, completion). */
  onChange: (value: string) => void;
  /** Shown under their line, underlined, and in the gutter, until the next list arrives. */
  problems: YamlProblem[];
  completion: YamlCompletionContext;
  readOnly?: boolean;
  /** The accessible name of the editing area. */
  label?: string;
  /** The id of the step the cursor is in, or null; called when it changes. */
  onCursorStep?: (stepId: string | null) => void;
}

/** Marks transactions that bring the `value` prop in, so that they are not reported back through `onChange`. */
const fromProps = Annotation.define<boolean>();

/**
 * The workflow's YAML in CodeMirror: highlighting, line numbers, history, search, the
 * problems of the validator under their lines, and completion from the catalog, the steps
 * of the file, a sample event and secret names (see `lib/yaml-completion.ts`).
 */
export default function YamlEditor({ value, onChange, problems, completion, readOnly = false, label = 'YAML', onCursorStep }: YamlEditorProps) {
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | null>(null);
  const latest = useRef({ onChange, completion, onCursorStep });
  latest.current = { onChange, completion, onCursorStep };
  const settings = useRef({ readOnly: new Compartment(), label: new Compartment() });
  /** Texts sent through `onChange` that have not come back as `value` yet. */
  const reported = useRef<string[]>([]);

  useEffect(() => {
    let cursorStep: string | null | undefined;
    const reportChanges = EditorView.updateListener.of((update: ViewUpdate) => {
      const text = update.docChanged || update.selectionSet ? update.state.doc.toString() : '';
      if (update.docChanged && !update.transactions.some((transaction) => transaction.annotation(fromProps))) {
        // Bounded, for a parent that does not pass every text back.
        if (reported.current.push(text) > 100) reported.current.shift();
        latest.current.onChange(text);
      }
      if ((update.docChanged || update.selectionSet) && latest.current.onCursorStep) {
        const step = stepAt(text, update.state.selection.main.head);
        if (step !== cursorStep) latest.current.onCursorStep((cursorStep = step));
      }
    });
    const complete = (context: CompletionContext): CompletionResult | null => {
      const answer = yamlCompletions(context.state.doc.toString(), context.pos, latest.current.completion);
      return answer && { from: answer.from, options: answer.options, validFor: answer.validFor };
    };
    // CodeMirror writes its styles into <style> elements, which the console's CSP refuses;
    // in a shadow root it uses a constructed style sheet instead.
    const shadow = host.current!.shadowRoot ?? host.current!.attachShadow({ mode: 'open' });
    const editor = new EditorView({
      root: shadow,
      parent: shadow,
      state: EditorState.create({
        doc: value,
        extensions: [
          basicSetup,
          yaml(),
          syntaxHighlighting(HIGHLIGHT),
          templateMarks,
          autocompletion({ override: [complete], icons: false }),
          lintGutter(),
          problemLines,
          THEME,
          EditorState.tabSize.of(2),
          settings.current.readOnly.of(readOnlyExtension(readOnly)),
          settings.current.label.of(labelExtension(label)),
          reportChanges,
        ],
      }),
    });
    view.current = editor;
    return () => {
      editor.destroy();
      view.current = null;
    };
    // The editor is made once; the props below reach it through effects and `latest`.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  useEffect(() => {
    const editor = view.current;
    if (!editor) return;
    // Our own edits coming back, possibly a few keystrokes late: the editor is already ahead of them.
    const echo = reported.current.lastIndexOf(value);
    if (echo >= 0) {
      reported.current = reported.current.slice(echo + 1);
      return;
    }
    const current = editor.state.doc.toString();
    if (current === value) return;
    const change = minimalChange(current, value);
    // Its own step in the history: Ctrl-Z undoes a visual edit and nothing typed around it.
    editor.dispatch({ changes: change, annotations: [fromProps.of(true), isolateHistory.of('full')] });
  }, [value]);

  useEffect(() => {
    const editor = view.current;
    if (!editor) return;
    const diagnostics = problems.map((problem) => diagnosticOf(problem, editor.state.doc));
    const notes = diagnostics.map(({ from, message }, index) => ({ at: from, message, wholeFile: !problems[index].line }));
    editor.dispatch(setDiagnostics(editor.state, diagnostics), { effects: showProblems.of(notes) });
  }, [problems]);

  useEffect(() => {
    view.current?.dispatch({ effects: settings.current.readOnly.reconfigure(readOnlyExtension(readOnly)) });
  }, [readOnly]);

  useEffect(() => {
    view.current?.dispatch({ effects: settings.current.label.reconfigure(labelExtension(label)) });
  }, [label]);

  return <div className="yaml-editor" ref={host} />;
}

function readOnlyExtension(readOnly: boolean): Extension {
  // Still focusable and searchable when read-only; only changes are refused.
  return [EditorState.readOnly.of(readOnly), EditorView.contentAttributes.of({ 'aria-readonly': String(readOnly) })];
}

function labelExtension(label: string): Extension {
  return EditorView.contentAttributes.of({ 'aria-label': label });
}

/** The one change that turns `from` into `to`: what lies between their common start and end. */
function minimalChange(from: string, to: string): { from: number; to: number; insert: string } {
  let start = 0;
  const shorter = Math.min(from.length, to.length);
  while (start < shorter && from.charCodeAt(start) === to.charCodeAt(start)) start++;
  let end = 0;
  while (end < shorter - start && from.charCodeAt(from.length - 1 - end) === to.charCodeAt(to.length - 1 - end)) end++;
  return { from: start, to: from.length - end, insert: to.slice(start, to.length - end) };
}

const TOKEN = /^("(?:[^"\\]|\\.)*"?|'(?:[^']|'')*'?|[^\s:,\]}]+)/;

/** Where a problem is in the current text: the token at its column, or the line's content. A line past the end is the last line. */
function diagnosticOf(problem: YamlProblem, doc: Text): Diagnostic {
  if (!problem.line) return { from: 0, to: doc.line(1).to, severity: 'error', message: problem.message };
  const line = doc.line(Math.min(Math.max(problem.line, 1), doc.lines));
  const from = line.from + Math.min(Math.max((problem.column ?? 1) - 1, 0), line.length);
  const token = TOKEN.exec(doc.sliceString(from, line.to))?.[0] ?? '';
  if (token) return { from, to: from + token.length, severity: 'error', message: problem.message };
  const indent = line.text.search(/\S/);
  return { from: indent < 0 ? line.from : line.from + indent, to: line.to, severity: 'error', message: problem.message };
}

// ---------- Problems under their line ----------

interface ProblemNote {
  at: number;
  message: string;
  wholeFile: boolean;
}

const showProblems = StateEffect.define<ProblemNote[]>();

class ProblemWidget extends WidgetType {
  constructor(
    readonly message: string,
    readonly column: number,
  ) {
    super();
  }

  eq(other: ProblemWidget): boolean {
    return other.message === this.message && other.column === this.column;
  }

  toDOM(): HTMLElement {
    const note = document.createElement('div');
    note.className = 'cm-problem';
    note.setAttribute('role', 'note');
    if (this.column >= 0) {
      const caret = document.createElement('span');
      caret.className = 'cm-problem__caret';
      caret.textContent = `${' '.repeat(this.column)}^`;
      caret.setAttribute('aria-hidden', 'true');
      note.append(caret);
    }
    const text = document.createElement('span');
    text.className = 'cm-problem__text';
    text.textContent = this.message;
    note.append(text);
    return note;
  }

  ignoreEvent(): boolean {
    return false;
  }
}

/** A block under each problem's line (above the first line for problems of the whole file), moved along with edits. */
const problemLines = StateField.define<DecorationSet>({
  create: () => Decoration.none,
  update(decorations, transaction) {
    for (const effect of transaction.effects) {
      if (!effect.is(showProblems)) continue;
      const doc = transaction.state.doc;
      const widgets: Range<Decoration>[] = effect.value.map(({ at, message, wholeFile }) => {
        const line = doc.lineAt(at);
        const widget = new ProblemWidget(message, wholeFile ? -1 : at - line.from);
        if (wholeFile) return Decoration.widget({ widget, block: true, side: -1 }).range(0);
        if (line.number === doc.lines) return Decoration.widget({ widget, block: true, side: 1 }).range(line.to);
        return Decoration.widget({ widget, block: true, side: -1 }).range(line.to + 1);
      });
      return Decoration.set(widgets, true);
    }
    return decorations.map(transaction.changes);
  },
  provide: (field) => EditorView.decorations.from(field),
});

// ---------- Look ----------

/** `{{ … }}` stands out in values, as on the workflow page. */
const templateMarks = ViewPlugin.fromClass(
  class {
    decorations: DecorationSet;
    private readonly matcher = new MatchDecorator({ regexp: /\{\{[^}\n]*\}?\}?/g, decoration: Decoration.mark({ class: 'cm-template' }) });
    constructor(view: EditorView) {
      this.decorations = this.matcher.createDeco(view);
    }
    update(update: ViewUpdate) {
      this.decorations = this.matcher.updateDeco(update, this.decorations);
    }
  },
  { decorations: (plugin) => plugin.decorations },
);

// The colours of the read-only YAML view (styles.css, `.y-*`).
const HIGHLIGHT = HighlightStyle.define([
  { tag: tags.definition(tags.propertyName), color: '#3b3fb6' },
  { tag: tags.string, color: '#0b7a5a' },
  { tag: tags.special(tags.string), color: '#b54708' },
  { tag: tags.content, color: 'var(--text-2)' },
  { tag: tags.lineComment, color: '#98a2b3', fontStyle: 'italic' },
  { tag: [tags.separator, tags.punctuation, tags.squareBracket, tags.brace], color: '#667085' },
  { tag: tags.meta, color: '#98a2b3' },
  { tag: [tags.labelName, tags.typeName, tags.keyword], color: '#c11574' },
]);

const THEME = EditorView.theme({
  '&': { backgroundColor: '#fcfcfe', color: 'var(--text-2)', fontSize: '12.5px', height: '100%' },
  '&.cm-focused': { outline: 'none' },
  '.cm-scroller': { fontFamily: 'var(--mono)', lineHeight: '1.65' },
  '.cm-content': { padding: '6px 0', caretColor: 'var(--brand-strong)' },
  '.cm-line': { padding: '0 14px 0 8px' },
  '.cm-gutters': { backgroundColor: 'var(--surface-2)', color: '#a6adbb', borderRight: '1px solid var(--border)' },
  '.cm-lineNumbers .cm-gutterElement': { padding: '0 8px 0 14px' },
  '.cm-activeLine': { backgroundColor: '#f6f5ff' },
  '.cm-activeLineGutter': { backgroundColor: '#ecebff', color: 'var(--brand-strong)' },
  '&.cm-focused .cm-cursor': { borderLeftColor: 'var(--brand-strong)', borderLeftWidth: '2px' },
  '&.cm-focused > .cm-scroller > .cm-selectionLayer .cm-selectionBackground, .cm-selectionBackground': { backgroundColor: '#dcd8ff' },
  '.cm-matchingBracket': { backgroundColor: '#e3e0ff', outline: '1px solid #c3bdff' },
  '.cm-searchMatch': { backgroundColor: '#fef0c7', outline: '1px solid #fdb022' },
  '.cm-template': { color: '#6927da', backgroundColor: '#f4f3ff', borderRadius: '3px' },
  '.cm-template *': { color: 'inherit' },
  '.cm-lintRange-error': { backgroundImage: 'none', textDecoration: 'underline wavy var(--failed)', textUnderlineOffset: '3px' },
  '.cm-gutter-lint': { width: '1.1em' },
  '.cm-problem': { display: 'flex', flexDirection: 'column', backgroundColor: '#fff1f0', color: '#912018', padding: '0 14px 6px 8px' },
  '.cm-problem__caret': { whiteSpace: 'pre', color: 'var(--failed)', fontWeight: '700', lineHeight: '1' },
  '.cm-problem__text': { fontFamily: 'var(--font)', fontSize: '12.5px', whiteSpace: 'pre-wrap' },
  '.cm-tooltip': { border: '1px solid var(--border)', borderRadius: 'var(--radius-sm)', backgroundColor: 'var(--surface)', boxShadow: 'var(--shadow-lg)' },
  '.cm-tooltip.cm-tooltip-autocomplete > ul': { fontFamily: 'var(--mono)', fontSize: '12.5px', maxHeight: '16em' },
  '.cm-tooltip.cm-tooltip-autocomplete > ul > li': { padding: '2px 10px 2px 4px' },
  '.cm-tooltip-autocomplete ul li[aria-selected]': { backgroundColor: 'var(--brand-weak)', color: 'var(--text)' },
  '.cm-completionDetail': { color: 'var(--muted)', fontStyle: 'normal', marginLeft: '1em' },
  '.cm-completionMatchedText': { textDecoration: 'none', fontWeight: '700', color: 'var(--brand-strong)' },
  '.cm-tooltip.cm-completionInfo': { fontFamily: 'var(--font)', fontSize: '12.5px', maxWidth: '320px', padding: '6px 10px', color: 'var(--text-2)' },
  '.cm-panels': { backgroundColor: 'var(--surface-2)', color: 'var(--text-2)' },
  '.cm-panels.cm-panels-bottom': { borderTop: '1px solid var(--border)' },
  '.cm-panel.cm-search': { fontFamily: 'var(--font)', fontSize: '12.5px', padding: '6px 10px' },
  '.cm-diagnostic-error': { borderLeftColor: 'var(--failed)' },
});
