import { TemplateError } from './template-error';

/** The parser's lexer, which still holds its position right after a failed parse. */
export interface LexerState {
  matched?: string;
  match?: string;
  yylloc?: { first_line: number; first_column: number };
}

/**
 * Turns what Handlebars throws while parsing into a TEMPLATE_SYNTAX error with a short
 * message and a 1-based line and column inside the template. Parse errors carry no
 * location, so it is read from the (synchronous, just-failed) lexer.
 */
export function templateSyntaxError(error: unknown, source: string, lexer: LexerState | undefined): TemplateError {
  const message = error instanceof Error ? error.message : String(error);
  const located = error as { lineNumber?: unknown; column?: unknown };
  if (typeof located.lineNumber === 'number' && typeof located.column === 'number') {
    const text = message.replace(/ - \d+:\d+$/, '');
    return new TemplateError('TEMPLATE_SYNTAX', text, { line: located.lineNumber, column: located.column + 1 });
  }
  if (message.startsWith('Parse error') && lexer?.yylloc) {
    const offset = (lexer.matched ?? '').length - (lexer.match ?? '').length;
    const opened = unclosedMustache(source, offset);
    if (opened !== undefined) {
      return new TemplateError('TEMPLATE_SYNTAX', 'a {{ is not closed with }}', positionAt(source, opened));
    }
    const { first_line: line, first_column: column } = lexer.yylloc;
    return new TemplateError('TEMPLATE_SYNTAX', parseErrorMessage(message, lexer.match ?? ''), { line, column: column + 1 });
  }
  if (message.startsWith('Lexical error') && lexer?.matched !== undefined) {
    return new TemplateError('TEMPLATE_SYNTAX', 'unrecognized text', positionAt(source, lexer.matched.length));
  }
  return new TemplateError('TEMPLATE_SYNTAX', message);
}

/** Where the last `{{` before `offset` opened, when no `}}` follows it (`{{foo` fails on the `f`). */
function unclosedMustache(source: string, offset: number): number | undefined {
  const opened = source.lastIndexOf('{{', offset);
  return opened !== -1 && !source.includes('}}', opened) ? opened : undefined;
}

function parseErrorMessage(message: string, text: string): string {
  const got = /got '([^']+)'\s*$/.exec(message)?.[1];
  const expecting = /Expecting (.*), got/.exec(message)?.[1] ?? '';
  if (got === 'EOF') {
    const hint = expecting.includes('OPEN_ENDBLOCK') ? ' (a block is not closed with {{/…}})' : '';
    return `unexpected end of template${hint}`;
  }
  if (got === 'NUMBER' && expecting === "'ID'") {
    return `unexpected "${text}": write a numeric path segment in brackets, e.g. items.[${text}]`;
  }
  return `unexpected "${text}"`;
}

function positionAt(source: string, offset: number): { line: number; column: number } {
  const lines = source.slice(0, offset).split(/\r\n|\r|\n/);
  return { line: lines.length, column: lines[lines.length - 1].length + 1 };
}
