import type { ReactNode } from 'react';

/**
 * `text` cut at each match of `pattern` (a /g regex): the text between matches as is, each
 * match as `render` makes it. Syntax colours are built as elements this way, never as HTML.
 */
export function highlight(text: string, pattern: RegExp, render: (match: RegExpMatchArray, key: string) => ReactNode | ReactNode[]): ReactNode[] {
  const parts: ReactNode[] = [];
  let last = 0;
  for (const match of text.matchAll(pattern)) {
    const index = match.index ?? 0;
    if (index > last) parts.push(text.slice(last, index));
    const rendered = render(match, String(index));
    if (Array.isArray(rendered)) parts.push(...rendered);
    else parts.push(rendered);
    last = index + match[0].length;
  }
  if (last < text.length) parts.push(text.slice(last));
  return parts;
}
