import { ReactNode, useState } from 'react';
import { prettyText } from '../lib/format';
import { highlight } from '../lib/highlight';

const JSON_TOKEN = /("(?:\\.|[^"\\])*")(\s*:)?|\b(true|false|null)\b|(-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)/g;

/** Pretty JSON with keys, strings, numbers and `[secret]` coloured. */
function highlightJson(text: string): ReactNode[] {
  return highlight(text, JSON_TOKEN, ([whole, string, colon, literal], key) => {
    if (string !== undefined && colon !== undefined)
      return [
        <span key={key} className="tok-key">
          {string}
        </span>,
        colon,
      ];
    if (string !== undefined)
      return (
        <span key={key} className={string.includes('[secret]') ? 'tok-secret' : 'tok-string'}>
          {string}
        </span>
      );
    return (
      <span key={key} className={literal !== undefined ? 'tok-literal' : 'tok-number'}>
        {whole}
      </span>
    );
  });
}

interface CodeBlockProps {
  /** Any value: strings that parse as JSON are shown pretty, other strings as they are. */
  value: unknown;
  label?: string;
  /** Shown when the value is null or empty. */
  empty?: string;
  tall?: boolean;
}

export function CodeBlock({ value, label, empty = 'Nothing', tall = false }: CodeBlockProps) {
  const [copied, setCopied] = useState(false);
  if (value === null || value === undefined || value === '') return <p className="muted code-empty">{empty}</p>;
  const { text, json } = prettyText(value);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text);
      setCopied(true);
      setTimeout(() => setCopied(false), 1500);
    } catch {
      // clipboard refused (insecure origin): nothing to do
    }
  };
  return (
    <div className={`code${tall ? ' code--tall' : ''}`}>
      <div className="code__bar">
        <span>{label ?? (json ? 'JSON' : 'Text')}</span>
        <button type="button" className="link-button" onClick={copy} aria-label={`Copy ${label ?? 'value'}`}>
          {copied ? 'Copied' : 'Copy'}
        </button>
      </div>
      <pre tabIndex={0}>
        <code>{json ? highlightJson(text) : text}</code>
      </pre>
    </div>
  );
}

/** Name–value rows (headers), secrets highlighted. */
export function KeyValueTable({ values, empty = 'None' }: { values: Record<string, unknown> | null | undefined; empty?: string }) {
  const entries = Object.entries(values ?? {});
  if (entries.length === 0) return <p className="muted code-empty">{empty}</p>;
  return (
    <table className="kv">
      <tbody>
        {entries.map(([name, value]) => {
          const text = typeof value === 'string' ? value : JSON.stringify(value);
          return (
            <tr key={name}>
              <th scope="row">{name}</th>
              <td className={text.includes('[secret]') ? 'tok-secret' : undefined}>{text}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
