import type {} from 'handlebars';
import { TemplateError } from './template-error';
import type { RenderMode } from './template.types';
import type { HelperSpec } from './template-helpers';

type Program = hbs.AST.Program;
type Statement = hbs.AST.Statement;
type Expression = hbs.AST.Expression;
type PathExpression = hbs.AST.PathExpression;
type SourceLocation = hbs.AST.SourceLocation;
/** What a mustache and a sub-expression share: a callee, arguments and named arguments. */
interface Call {
  path: PathExpression | hbs.AST.Literal;
  params: Expression[];
  hash?: hbs.AST.Hash;
  loc: SourceLocation;
}

/** Helpers the rewritten templates call; user templates cannot name them (see DATA and helper checks). */
export const INTERNAL_HELPERS = {
  path: '__path',
  optionalPath: '__optional_path',
  text: '__text',
  html: '__html',
  capture: '__capture',
} as const;
export const BLOCK_HELPERS: ReadonlySet<string> = new Set(['if', 'unless', 'each', 'with']);
const DATA_VARIABLES: ReadonlySet<string> = new Set(['root', 'index', 'key', 'first', 'last']);

export interface RewrittenTemplate {
  program: Program;
  isLone: boolean;
  paths: string[];
}

interface Scope {
  /** Block parameter names visible here (`as |item|`). */
  blockParams: readonly string[];
  /** False inside #each / #with, where `this` is no longer the template context. */
  atRoot: boolean;
}

/**
 * Rewrites a parsed template so that Handlebars itself never resolves a path: every path
 * becomes a call to `__path` (own properties only, missing is an error) or, as an argument
 * of `default`, `__optional_path`. Every output goes through `__text` (`__html`, which
 * escapes, for `{{ }}` in `html` mode), or for a template that is one lone expression in
 * `value` mode, `__capture`, which keeps the value's type. Along the way it
 * rejects unknown helpers, wrong argument counts, partials and decorators, and collects the
 * paths the template reads from its context. One instance per template.
 */
export class TemplateRewriter {
  private readonly paths = new Set<string>();

  constructor(
    private readonly helpers: ReadonlyMap<string, HelperSpec>,
    private readonly mode: RenderMode = 'value',
  ) {}

  rewrite(program: Program): RewrittenTemplate {
    const root: Scope = { blockParams: [], atRoot: true };
    const lone = this.mode === 'value' ? loneMustache(program) : undefined;
    const rewritten = lone ? { ...program, body: [this.mustache(lone, root, INTERNAL_HELPERS.capture)] } : this.program(program, root);
    return { program: rewritten, isLone: lone !== undefined, paths: [...this.paths] };
  }

  private program(program: Program, scope: Scope): Program {
    return { ...program, body: program.body.map((statement) => this.statement(statement, scope)) };
  }

  private statement(statement: Statement, scope: Scope): Statement {
    switch (statement.type) {
      case 'ContentStatement':
      case 'CommentStatement':
        return statement;
      case 'MustacheStatement': {
        const mustache = statement as hbs.AST.MustacheStatement;
        const escaped = this.mode === 'html' && mustache.escaped;
        return this.mustache(mustache, scope, escaped ? INTERNAL_HELPERS.html : INTERNAL_HELPERS.text);
      }
      case 'BlockStatement':
        return this.block(statement as hbs.AST.BlockStatement, scope);
      case 'PartialStatement':
      case 'PartialBlockStatement':
        throw syntaxError('partials ({{> name}}) are not supported', statement.loc);
      default:
        throw syntaxError('decorators ({{* name}}) are not supported', statement.loc);
    }
  }

  private mustache(mustache: hbs.AST.MustacheStatement, scope: Scope, sink: string): hbs.AST.MustacheStatement {
    const value = this.call(mustache, scope);
    return { ...mustache, path: pathNode(sink, mustache.loc), params: [value], hash: undefined as never };
  }

  private block(block: hbs.AST.BlockStatement, scope: Scope): hbs.AST.BlockStatement {
    const name = simpleName(block.path);
    if (name === undefined || !BLOCK_HELPERS.has(name)) {
      throw unknownHelper(`${block.path.original} is not a block helper (blocks are #if, #unless, #each and #with)`, block.path.loc);
    }
    if (block.hash) throw syntaxError(`#${name} takes no named arguments`, block.hash.loc);
    if (block.params.length !== 1) throw syntaxError(`#${name} takes exactly 1 argument`, block.loc);
    const changesContext = name === 'each' || name === 'with';
    const inner: Scope = {
      blockParams: [...scope.blockParams, ...(block.program?.blockParams ?? [])],
      atRoot: scope.atRoot && !changesContext,
    };
    return {
      ...block,
      params: [this.argument(block.params[0], scope, false)],
      program: block.program && this.program(block.program, inner),
      inverse: block.inverse && this.program(block.inverse, scope),
    };
  }

  /** The value of a mustache or sub-expression: a helper call, a path, or a literal. */
  private call(call: Call, scope: Scope): Expression {
    const hasArguments = call.params.length > 0 || call.hash !== undefined;
    if (call.path.type !== 'PathExpression') {
      if (hasArguments) throw unknownHelper(`unknown helper ${JSON.stringify(literalValue(call.path))}`, call.path.loc);
      return call.path;
    }
    const path = call.path as PathExpression;
    const name = simpleName(path);
    const isHelper = name !== undefined && !scope.blockParams.includes(name) && (this.helpers.has(name) || BLOCK_HELPERS.has(name));
    if (isHelper) return this.helperCall(name, path, call, scope);
    if (hasArguments) throw unknownHelper(`unknown helper "${path.original}"`, path.loc);
    return this.pathValue(path, scope, false);
  }

  private helperCall(name: string, path: PathExpression, call: Call, scope: Scope): hbs.AST.SubExpression {
    if (BLOCK_HELPERS.has(name)) throw syntaxError(`${name} must be used as a block: {{#${name} …}}…{{/${name}}}`, path.loc);
    if (call.hash) throw syntaxError(`${name} takes no named arguments`, call.hash.loc);
    const spec = this.helpers.get(name)!;
    const count = call.params.length;
    if (count < spec.min || count > spec.max) throw syntaxError(`${name} takes ${arity(spec)}, got ${count}`, path.loc);
    const optional = name === 'default';
    const params = call.params.map((param) => this.argument(param, scope, optional));
    return { type: 'SubExpression', path, params, hash: undefined as never, loc: call.loc };
  }

  private argument(argument: Expression, scope: Scope, optional: boolean): Expression {
    switch (argument.type) {
      case 'PathExpression':
        return this.pathValue(argument as PathExpression, scope, optional);
      case 'SubExpression':
        return this.call(argument as hbs.AST.SubExpression, scope);
      case 'StringLiteral':
      case 'NumberLiteral':
      case 'BooleanLiteral':
      case 'NullLiteral':
      case 'UndefinedLiteral':
        return argument;
      default:
        throw syntaxError(`unsupported argument ${argument.type}`, argument.loc);
    }
  }

  /** A path as a `__path` call on its head: `this` (or `../this`), a block parameter, or a data variable. */
  private pathValue(path: PathExpression, scope: Scope, optional: boolean): Expression {
    const loc = path.loc;
    if (path.data) {
      const [variable, ...rest] = path.parts;
      if (variable === undefined || !DATA_VARIABLES.has(variable)) {
        throw syntaxError(`@${variable ?? ''} is not a known data variable (use @root, @index, @key, @first or @last)`, loc);
      }
      if (variable === 'root' && rest.length > 0 && !optional) this.paths.add(rest.join('.'));
      const head: PathExpression = { type: 'PathExpression', data: true, depth: path.depth, parts: [variable], original: `@${variable}`, loc };
      return this.lookup(head, variable === 'root' ? '' : `@${variable}.`, rest, optional, loc);
    }
    const first = path.parts[0];
    if (path.depth === 0 && first !== undefined && !isScoped(path) && scope.blockParams.includes(first)) {
      return this.lookup(pathNode(first, loc), `${first}.`, path.parts.slice(1), optional, loc);
    }
    if (path.depth === 0 && scope.atRoot && path.parts.length > 0 && !optional) this.paths.add(path.parts.join('.'));
    const head: PathExpression = {
      type: 'PathExpression',
      data: false,
      depth: path.depth,
      parts: [],
      original: `${'../'.repeat(path.depth)}this`,
      loc,
    };
    return this.lookup(head, '../'.repeat(path.depth), path.parts, optional, loc);
  }

  private lookup(head: PathExpression, prefix: string, segments: string[], optional: boolean, loc: SourceLocation): Expression {
    if (segments.length === 0) return head;
    const helper = optional ? INTERNAL_HELPERS.optionalPath : INTERNAL_HELPERS.path;
    const params = [head, stringNode(prefix, loc), ...segments.map((segment) => stringNode(segment, loc))];
    return { type: 'SubExpression', path: pathNode(helper, loc), params, hash: undefined as never, loc } as hbs.AST.SubExpression;
  }
}

/** The template's only mustache when everything around it is whitespace. */
function loneMustache(program: Program): hbs.AST.MustacheStatement | undefined {
  const significant = program.body.filter(
    (statement) => !(statement.type === 'ContentStatement' && (statement as hbs.AST.ContentStatement).value.trim() === ''),
  );
  const [only] = significant;
  return significant.length === 1 && only.type === 'MustacheStatement' ? (only as hbs.AST.MustacheStatement) : undefined;
}

/** `name` for a plain one-part path (`eq`), undefined for `a.b`, `this.x`, `../x`, `@x`. */
function simpleName(path: PathExpression): string | undefined {
  return !path.data && path.depth === 0 && path.parts.length === 1 && !isScoped(path) ? path.parts[0] : undefined;
}

function isScoped(path: PathExpression): boolean {
  return /^\.|this\b/.test(path.original);
}

function pathNode(name: string, loc: SourceLocation): PathExpression {
  return { type: 'PathExpression', data: false, depth: 0, parts: [name], original: name, loc };
}

function stringNode(value: string, loc: SourceLocation): hbs.AST.StringLiteral {
  return { type: 'StringLiteral', value, original: value, loc };
}

function literalValue(literal: hbs.AST.Literal): unknown {
  return (literal as { value?: unknown }).value;
}

function arity(spec: HelperSpec): string {
  const plural = (count: number) => `${count} argument${count === 1 ? '' : 's'}`;
  if (spec.max === Infinity) return `at least ${plural(spec.min)}`;
  return spec.min === spec.max ? plural(spec.min) : `${spec.min} to ${plural(spec.max)}`;
}

function position(loc: SourceLocation | undefined): { line?: number; column?: number } {
  return loc?.start ? { line: loc.start.line, column: loc.start.column + 1 } : {};
}

function syntaxError(message: string, loc: SourceLocation | undefined): TemplateError {
  return new TemplateError('TEMPLATE_SYNTAX', message, position(loc));
}

function unknownHelper(message: string, loc: SourceLocation | undefined): TemplateError {
  return new TemplateError('TEMPLATE_UNKNOWN_HELPER', message, position(loc));
}
