import { DomainError } from '../common/domain-error';
import type { ErrorCode } from '../common/error-status';

export type TemplateErrorCode = Extract<ErrorCode, `TEMPLATE_${string}`>;

export interface TemplateErrorDetails {
  /** 1-based line inside the template source. */
  line?: number;
  /** 1-based column inside the template source. */
  column?: number;
  /** The dotted path that does not exist (TEMPLATE_MISSING_PATH). */
  path?: string;
  /** Where in a value given to `compileValue` the failing string sits, e.g. `['body', 'items', 0]`. */
  fieldPath?: (string | number)[];
}

/** A template that does not compile or cannot be rendered with the context it was given. */
export class TemplateError extends DomainError {
  readonly line?: number;
  readonly column?: number;
  readonly path?: string;
  readonly fieldPath?: (string | number)[];

  constructor(code: TemplateErrorCode, message: string, details: TemplateErrorDetails = {}) {
    super(code, message, definedOnly(details));
    this.line = details.line;
    this.column = details.column;
    this.path = details.path;
    this.fieldPath = details.fieldPath;
  }

  /** The same error with another message (scope prefixed) or located deeper in a compiled value. */
  with(changes: { message?: string; fieldKey?: string | number }): TemplateError {
    const fieldPath = changes.fieldKey === undefined ? this.fieldPath : [changes.fieldKey, ...(this.fieldPath ?? [])];
    const details = { line: this.line, column: this.column, path: this.path, fieldPath };
    return new TemplateError(this.code as TemplateErrorCode, changes.message ?? this.message, details);
  }
}

function definedOnly(details: TemplateErrorDetails): Record<string, unknown> | undefined {
  const entries = Object.entries(details).filter(([, value]) => value !== undefined);
  return entries.length ? Object.fromEntries(entries) : undefined;
}
