/**
 * How a template renders: `value` keeps the type of a lone expression, `text` always gives
 * a string, `html` is text in which every `{{ }}` value is HTML-escaped while `{{{ }}}`
 * places it as it is (Handlebars' own distinction).
 */
export type RenderMode = 'value' | 'text' | 'html';

/** Where a template sits, for error messages: `workflow order-paid, step label: …`. */
export interface TemplateScope {
  workflow?: string;
  step?: string;
  field?: string;
}

export interface Template {
  readonly source: string;
  /** The whole string is one `{{expression}}` (whitespace around allowed); it renders to a typed value. */
  readonly isLone: boolean;
  /** Dotted paths read from the context (`event.body.order.id`), except those only given to `default`. */
  readonly paths: string[];
  render(context: object, scope?: TemplateScope): unknown;
}

export interface CompiledValue {
  readonly paths: string[];
  render(context: object, scope?: TemplateScope): unknown;
}
