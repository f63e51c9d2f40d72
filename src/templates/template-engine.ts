import { Injectable } from '@nestjs/common';
import Handlebars from 'handlebars';
import { compileValueTree } from './compiled-value';
import { TemplateError } from './template-error';
import { isTruthy, TEMPLATE_HELPERS } from './template-helpers';
import { BLOCK_HELPERS, INTERNAL_HELPERS, TemplateRewriter } from './template-rewriter';
import { resolvePath } from './path-resolver';
import { LexerState, templateSyntaxError } from './template-syntax-error';
import type { CompiledValue, RenderMode, Template, TemplateScope } from './template.types';

export { isTruthy } from './template-helpers';
export { REDACTED, redactedSecrets } from './redacted-secrets';
export type { CompiledValue, RenderMode, Template, TemplateScope } from './template.types';

/** Handlebars' compiler stages, which the package exposes but does not type. */
interface HandlebarsInternals {
  Compiler: new () => { compile(program: hbs.AST.Program, options: CompileOptions): unknown };
  JavaScriptCompiler: new () => {
    compile(environment: unknown, options: CompileOptions, context: undefined, asObject: true): TemplateSpecification;
  };
  Parser?: { lexer?: LexerState };
}

const CAPTURE_KEY = 'hookflowCapture';
const CACHE_SIZE = 1000;

/**
 * Hookflow's templates: Handlebars with our helpers, not HTML-escaped unless compiled for
 * `html`, reading only own data properties, failing on paths that do not exist, and keeping
 * the type of a lone expression. Templates compile once; rendering only runs the compiled function.
 */
@Injectable()
export class TemplateEngine {
  private readonly handlebars = Handlebars.create();
  private readonly knownHelpers: Record<string, boolean>;
  private readonly cache = new Map<string, Template>();

  constructor() {
    this.registerHelpers();
    this.knownHelpers = { lookup: false, log: false };
    for (const name of [...TEMPLATE_HELPERS.keys(), ...BLOCK_HELPERS, ...Object.values(INTERNAL_HELPERS)]) {
      this.knownHelpers[name] = true;
    }
  }

  /** Throws TemplateError TEMPLATE_SYNTAX or TEMPLATE_UNKNOWN_HELPER, with line and column when known. */
  compile(source: string, mode: RenderMode = 'value'): Template {
    if (typeof source !== 'string') throw new TemplateError('TEMPLATE_SYNTAX', `a template must be text, got ${typeof source}`);
    const key = mode === 'value' ? source : `${mode}\u0000${source}`;
    const cached = this.cache.get(key);
    if (cached) return cached;
    const template = this.build(source, mode);
    if (this.cache.size >= CACHE_SIZE) this.cache.delete(this.cache.keys().next().value!);
    this.cache.set(key, template);
    return template;
  }

  /**
   * Compiles every string containing `{{` inside `value` (lists and plain objects walked, keys
   * left alone), each in the mode `modeOf` gives for the top-level key it sits under.
   */
  compileValue(value: unknown, modeOf: (key: string) => RenderMode = () => 'value'): CompiledValue {
    return compileValueTree(value, (text, path) => (this.isTemplate(text) ? this.compile(text, modeOf(String(path[0]))) : constant(text)));
  }

  isTemplate(value: string): boolean {
    return value.includes('{{');
  }

  private build(source: string, mode: RenderMode): Template {
    const internals = this.handlebars as unknown as HandlebarsInternals;
    let program: hbs.AST.Program;
    try {
      program = this.handlebars.parse(source);
    } catch (error) {
      throw templateSyntaxError(error, source, internals.Parser?.lexer);
    }
    const rewritten = new TemplateRewriter(TEMPLATE_HELPERS, mode).rewrite(program);
    const options: CompileOptions = {
      data: true,
      noEscape: true,
      knownHelpersOnly: true,
      knownHelpers: { ...this.knownHelpers },
    };
    const pieces = pathOnlyPieces(rewritten.program);
    if (pieces) return new PathOnlyTemplate(source, rewritten.isLone, rewritten.paths, pieces);
    try {
      const environment = new internals.Compiler().compile(rewritten.program, options);
      const spec = new internals.JavaScriptCompiler().compile(environment, options, undefined, true);
      const run = this.handlebars.template(spec);
      return new CompiledTemplate(source, rewritten.isLone, rewritten.paths, run);
    } catch (error) {
      throw templateSyntaxError(error, source, undefined);
    }
  }

  private registerHelpers(): void {
    const handlebars = this.handlebars;
    handlebars.unregisterHelper('lookup');
    handlebars.unregisterHelper('log');
    for (const [name, spec] of TEMPLATE_HELPERS) {
      // Handlebars passes its options object last; our helpers take only the arguments.
      handlebars.registerHelper(name, (...args: unknown[]) => spec.fn(...args.slice(0, -1)));
    }
    handlebars.registerHelper('if', function (this: unknown, condition: unknown, options: Handlebars.HelperOptions) {
      return isTruthy(condition) ? options.fn(this) : options.inverse(this);
    });
    handlebars.registerHelper('unless', function (this: unknown, condition: unknown, options: Handlebars.HelperOptions) {
      return isTruthy(condition) ? options.inverse(this) : options.fn(this);
    });
    handlebars.registerHelper(INTERNAL_HELPERS.path, (base: unknown, prefix: string, ...rest: unknown[]) =>
      resolvePath(base, prefix, rest.slice(0, -1) as string[], false),
    );
    handlebars.registerHelper(INTERNAL_HELPERS.optionalPath, (base: unknown, prefix: string, ...rest: unknown[]) =>
      resolvePath(base, prefix, rest.slice(0, -1) as string[], true),
    );
    handlebars.registerHelper(INTERNAL_HELPERS.text, (value: unknown) => toText(value));
    handlebars.registerHelper(INTERNAL_HELPERS.html, (value: unknown) => Handlebars.escapeExpression(toText(value)));
    handlebars.registerHelper(INTERNAL_HELPERS.capture, (value: unknown, options: Handlebars.HelperOptions) => {
      (options.data as Record<string, { value?: unknown }>)[CAPTURE_KEY].value = value;
      return '';
    });
  }
}

class CompiledTemplate implements Template {
  constructor(
    readonly source: string,
    readonly isLone: boolean,
    readonly paths: string[],
    private readonly run: HandlebarsTemplateDelegate,
  ) {}

  render(context: object, scope?: TemplateScope): unknown {
    const capture: { value?: unknown } = {};
    try {
      const text = this.run(context, { data: { [CAPTURE_KEY]: capture } });
      return this.isLone ? capture.value : text;
    } catch (error) {
      throw inScope(error, scope);
    }
  }
}

/** Text, or the segments of a path read from the template's context. */
type Piece = string | readonly string[];

/**
 * Most templates only place values: `{{event.body.order.id}}`, `{{secrets.URL}}/orders`.
 * Those render without Handlebars, whose runtime wraps every registered helper again on
 * each call (visible in CPU profiles of the end-to-end bench), doing exactly what
 * the rewritten template would: `__path` from the context, then `__text`, or `__capture`
 * for a lone expression.
 */
class PathOnlyTemplate implements Template {
  constructor(
    readonly source: string,
    readonly isLone: boolean,
    readonly paths: string[],
    private readonly pieces: readonly Piece[],
  ) {}

  render(context: object, scope?: TemplateScope): unknown {
    try {
      if (this.isLone) return resolvePath(context, '', this.pieces[0] as readonly string[], false);
      let text = '';
      for (const piece of this.pieces) text += typeof piece === 'string' ? piece : toText(resolvePath(context, '', piece, false));
      return text;
    } catch (error) {
      throw inScope(error, scope);
    }
  }
}

/**
 * The pieces of a rewritten template made only of text, comments and root-level paths
 * (`{{__text (__path this '' …)}}` or `{{__capture (__path this '' …)}}`); undefined for
 * anything else (helpers, blocks, literals, `../`, `@data`, block parameters).
 */
function pathOnlyPieces(program: hbs.AST.Program): Piece[] | undefined {
  const pieces: Piece[] = [];
  for (const statement of program.body) {
    if (statement.type === 'CommentStatement') continue;
    if (statement.type === 'ContentStatement') {
      pieces.push((statement as hbs.AST.ContentStatement).value);
      continue;
    }
    if (statement.type !== 'MustacheStatement') return undefined;
    // Escaped output is left to the Handlebars runtime.
    if (((statement as hbs.AST.MustacheStatement).path as hbs.AST.PathExpression).original === INTERNAL_HELPERS.html) return undefined;
    const segments = rootPathSegments((statement as hbs.AST.MustacheStatement).params[0]);
    if (!segments) return undefined;
    pieces.push(segments);
  }
  return pieces;
}

function rootPathSegments(expression: hbs.AST.Expression | undefined): string[] | undefined {
  if (expression?.type !== 'SubExpression') return undefined;
  const call = expression as hbs.AST.SubExpression;
  if (call.path.original !== INTERNAL_HELPERS.path) return undefined;
  const [head, prefix, ...segments] = call.params;
  const base = head as hbs.AST.PathExpression | undefined;
  if (base?.type !== 'PathExpression' || base.data || base.depth !== 0 || base.original !== 'this') return undefined;
  if ((prefix as hbs.AST.StringLiteral | undefined)?.value !== '' || segments.length === 0) return undefined;
  if (!segments.every((segment) => segment.type === 'StringLiteral')) return undefined;
  return segments.map((segment) => (segment as hbs.AST.StringLiteral).value);
}

function constant(value: string): CompiledValue {
  return { paths: [], render: () => value };
}

/** How a value reads inside text: objects and lists as JSON, dates as ISO 8601, null as nothing. */
function toText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? '' : value.toISOString();
  if (typeof value === 'object') {
    try {
      return JSON.stringify(value) ?? '';
    } catch (error) {
      throw new TemplateError('TEMPLATE_RENDER', `cannot write the value as JSON (${(error as Error).message})`);
    }
  }
  return String(value);
}

function inScope(error: unknown, scope: TemplateScope | undefined): TemplateError {
  const base = error instanceof TemplateError ? error : new TemplateError('TEMPLATE_RENDER', error instanceof Error ? error.message : String(error));
  const label = [scope?.workflow && `workflow ${scope.workflow}`, scope?.step && `step ${scope.step}`, scope?.field && `field ${scope.field}`]
    .filter(Boolean)
    .join(', ');
  return label ? base.with({ message: `${label}: ${base.message}` }) : base;
}
