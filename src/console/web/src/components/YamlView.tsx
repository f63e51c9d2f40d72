import { ReactNode, useEffect, useRef } from 'react';
import type { Problem } from '../api/types';
import { highlight } from '../lib/highlight';

const KEY = /^(\s*(?:-\s+)?)([^\s:#'"{[][^:#]*?)(:)(?=\s|$)/;
const VALUE_TOKEN = /(\{\{[^}]*\}\})|("(?:\\.|[^"\\])*"|'(?:[^']|'')*')|(\b(?:true|false|null|yes|no)\b|-?\b\d+(?:\.\d+)?\b)/g;

/** Where a comment starts: a `#` outside quotes, at the start or after a space. */
function commentStart(line: string): number {
  let quote: string | null = null;
  for (let i = 0; i < line.length; i++) {
    const char = line[i];
    if (quote) {
      if (char === quote) quote = null;
    } else if (char === '"' || char === "'") {
      quote = char;
    } else if (char === '#' && (i === 0 || /\s/.test(line[i - 1]))) {
      return i;
    }
  }
  return -1;
}

const TEMPLATE = /\{\{[^}]*\}\}/g;

function highlightValue(text: string): ReactNode[] {
  return highlight(text, VALUE_TOKEN, ([whole, template, string], key) => (
    <span key={key} className={template ? 'y-template' : string ? 'y-string' : 'y-literal'}>
      {/* A quoted string holding templates: colour them within it. */}
      {string
        ? highlight(whole, TEMPLATE, ([inner], innerKey) => (
            <span key={innerKey} className="y-template">
              {inner}
            </span>
          ))
        : whole}
    </span>
  ));
}

function highlightLine(line: string): ReactNode[] {
  const comment = commentStart(line);
  const code = comment >= 0 ? line.slice(0, comment) : line;
  const parts: ReactNode[] = [];
  const key = KEY.exec(code);
  let rest = code;
  if (key) {
    parts.push(
      key[1],
      <span key="k" className="y-key">
        {key[2]}
      </span>,
      key[3],
    );
    rest = code.slice(key[0].length);
  }
  parts.push(...highlightValue(rest));
  if (comment >= 0)
    parts.push(
      <span key="c" className="y-comment">
        {line.slice(comment)}
      </span>,
    );
  return parts;
}

interface YamlViewProps {
  yaml: string;
  problems: Problem[];
  /** A line to bring into view and mark (the selected step's). */
  focusLine?: number | null;
  fileName: string;
}

/** The workflow file with line numbers, light syntax colours, and each problem under its line. */
export function YamlView({ yaml, problems, focusLine, fileName }: YamlViewProps) {
  const lines = yaml.replace(/\n$/, '').split('\n');
  const byLine = new Map<number, Problem[]>();
  for (const problem of problems) byLine.set(problem.line, [...(byLine.get(problem.line) ?? []), problem]);
  const container = useRef<HTMLDivElement>(null);

  // Scrolls the file only, never the page around it.
  useEffect(() => {
    const scroller = container.current?.querySelector<HTMLElement>('.yaml__scroll');
    const row = scroller?.querySelector<HTMLElement>(`[data-line="${focusLine}"]`);
    if (!focusLine || !scroller || !row) return;
    scroller.scrollTo({ top: row.offsetTop - scroller.clientHeight / 2 + row.clientHeight / 2, behavior: 'smooth' });
  }, [focusLine]);

  return (
    <div className="yaml" ref={container}>
      <div className="code__bar">
        <span className="mono">{fileName}</span>
        <span>{lines.length} lines</span>
      </div>
      <div className="yaml__scroll" tabIndex={0} role="region" aria-label={`${fileName}, with line numbers`}>
        <table className="yaml__table">
          <tbody>
            {lines.map((line, index) => {
              const number = index + 1;
              const lineProblems = byLine.get(number);
              const classes = ['yaml__line', lineProblems && 'yaml__line--problem', focusLine === number && 'yaml__line--focus'].filter(Boolean).join(' ');
              return [
                <tr key={number} className={classes} data-line={number} id={`yaml-line-${number}`}>
                  <td className="yaml__number" aria-hidden="true">
                    {number}
                  </td>
                  <td className="yaml__code">{highlightLine(line)}</td>
                </tr>,
                ...(lineProblems ?? []).map((problem, problemIndex) => (
                  <tr key={`${number}-p${problemIndex}`} className="yaml__problem" data-problem-line={number}>
                    <td className="yaml__number" aria-hidden="true" />
                    <td role="note">
                      <span className="yaml__caret" style={{ paddingLeft: `${Math.max(0, problem.column - 1)}ch` }} aria-hidden="true">
                        ^
                      </span>
                      <span>
                        Line {problem.line}, column {problem.column}: {problem.message}
                      </span>
                    </td>
                  </tr>
                )),
              ];
            })}
          </tbody>
        </table>
      </div>
    </div>
  );
}
