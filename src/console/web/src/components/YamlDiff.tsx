import { yaml } from '@codemirror/lang-yaml';
import { defaultHighlightStyle, syntaxHighlighting } from '@codemirror/language';
import { MergeView } from '@codemirror/merge';
import { EditorState, Extension, Text } from '@codemirror/state';
import { EditorView, lineNumbers } from '@codemirror/view';
import { useEffect, useRef, useState } from 'react';
import viewCss from './YamlDiff.css?inline';

export interface YamlDiffProps {
  before: string;
  after: string;
  /** Names the left side, for the eye and for screen readers (`Version 3f2a9c01…`). */
  beforeLabel: string;
  afterLabel: string;
}

function side(doc: string, label: string): { doc: string; extensions: Extension } {
  return {
    doc,
    extensions: [
      lineNumbers(),
      yaml(),
      syntaxHighlighting(defaultHighlightStyle),
      // Read-only, yet focusable: the keyboard moves through the text and copies from it.
      EditorState.readOnly.of(true),
      EditorView.contentAttributes.of({ 'aria-label': label, 'aria-readonly': 'true' }),
    ],
  };
}

/** Lines removed from `before` and added in `after`, over the changed chunks (a chunk spans whole lines). */
function countLines(view: MergeView): { removed: number; added: number } {
  const lines = (doc: Text, from: number, to: number, end: number) => (to > from ? doc.lineAt(end).number - doc.lineAt(from).number + 1 : 0);
  let removed = 0;
  let added = 0;
  for (const chunk of view.chunks) {
    removed += lines(view.a.state.doc, chunk.fromA, chunk.toA, chunk.endA);
    added += lines(view.b.state.doc, chunk.fromB, chunk.toB, chunk.endB);
  }
  return { removed, added };
}

/** Two versions of a YAML file side by side, changed lines marked; long unchanged stretches fold away. */
export default function YamlDiff({ before, after, beforeLabel, afterLabel }: YamlDiffProps) {
  const host = useRef<HTMLDivElement>(null);
  const [counts, setCounts] = useState<{ removed: number; added: number }>();

  useEffect(() => {
    if (!host.current) return;
    // In a shadow root CodeMirror adds its styles as a constructed sheet; in the document it would
    // add a <style> element, which the console's Content-Security-Policy (style-src 'self') refuses.
    const root = host.current.shadowRoot ?? host.current.attachShadow({ mode: 'open' });
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(viewCss);
    root.adoptedStyleSheets = [sheet];
    const view = new MergeView({
      a: side(before, beforeLabel),
      b: side(after, afterLabel),
      parent: root,
      root,
      gutter: true,
      highlightChanges: true,
      collapseUnchanged: { margin: 3, minSize: 6 },
    });
    setCounts(countLines(view));
    return () => view.destroy();
  }, [before, after, beforeLabel, afterLabel]);

  const same = before === after;
  return (
    <div className="yaml-diff" role="group" aria-label={`Changes from ${beforeLabel} to ${afterLabel}`}>
      <p className="yaml-diff__summary" role="status">
        {same ? (
          'The two files are identical.'
        ) : counts ? (
          <>
            <span className="yaml-diff__removed">−{counts.removed}</span> <span className="yaml-diff__added">+{counts.added}</span> lines
          </>
        ) : null}
      </p>
      <div className="yaml-diff__bar">
        <span className="yaml-diff__label yaml-diff__label--before">{beforeLabel}</span>
        <span className="yaml-diff__label yaml-diff__label--after">{afterLabel}</span>
      </div>
      <div className="yaml-diff__views" ref={host} />
    </div>
  );
}
