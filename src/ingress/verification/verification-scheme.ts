import type { VerifyScheme } from '../../workflows/workflow.types';

/** An inbound webhook as it arrived: the exact body bytes and the headers (lower-case names). */
export interface InboundRequest {
  rawBody: Buffer;
  headers: Readonly<Record<string, string | undefined>>;
}

/** A refusal. `reason` is short and safe to show to the sender and to store: it never contains a secret or a computed signature. */
export type Rejection = { ok: false; reason: string };

export type VerificationResult = { ok: true } | Rejection;

/** A step of a verification that either yields `T` or refuses the request. */
export type Checked<T> = ({ ok: true } & T) | Rejection;

/**
 * A source's `verify:` with its secret templates already rendered to plain values: the scheme,
 * every configured secret (a request signed with any one of them is accepted, for rotation) and
 * the scheme's own options, as its `readOptions` returned them.
 */
export interface ResolvedVerify {
  scheme: VerifyScheme;
  secrets: string[];
  [option: string]: unknown;
}

/** What a source's `event_type` and `dedupe_key` default to for a scheme. */
export interface SchemePreset {
  /** Handlebars template for the event type; '' means the event has no type. */
  eventType: string;
  /** Handlebars template for the dedupe key; unset or rendering '' means no dedupe. */
  dedupeKey?: string;
}

/** The part of JSON Schema that describes `verify:` options. */
export interface OptionSchema {
  description: string;
  type?: 'string' | 'array';
  enum?: readonly string[];
  default?: string;
  items?: { type: 'string' };
  minItems?: number;
  oneOf?: readonly Omit<OptionSchema, 'description'>[];
}

/** JSON Schema of what `verify:` accepts beyond `scheme`; its `description` says what the scheme checks. */
export interface OptionsSchema {
  type: 'object';
  description: string;
  properties: Readonly<Record<string, OptionSchema>>;
  required: readonly string[];
  additionalProperties: false;
}

/**
 * How a scheme reads its own options from `verify:` (everything but `scheme` and `secret`, which
 * every source shares). A value of the wrong type is reported at its line and column and read
 * as undefined.
 */
export interface VerifyOptionsInput {
  string(option: string): string | undefined;
  /** The value when it is one of `allowed`; otherwise reports "must be a or b". */
  oneOf<T extends string>(option: string, allowed: readonly T[]): T | undefined;
}

/** Answers a provider's handshake (a body that only asks "is this URL yours?"); undefined for a real event. */
export type Handshake = (body: unknown) => Record<string, unknown> | undefined;

/**
 * Everything about one verification scheme. Each `*.scheme.ts` file in this folder default-exports
 * one, named like the file; the registry discovers them, so nothing else lists schemes.
 */
export interface SchemeDeclaration<Options extends object = object> {
  /** The value of `verify.scheme`; the file is `<scheme>.scheme.ts`. */
  readonly scheme: string;
  readonly optionsSchema: OptionsSchema;
  /** Reads the options `optionsSchema` lists besides `secret`; exactly those. */
  readOptions(input: VerifyOptionsInput): Options;
  readonly preset: SchemePreset;
  /** `null` when the provider has no handshake. */
  readonly handshake: Handshake | null;
  /** Lower-case names of the request headers that carry this source's credential: stored as `[secret]`. */
  credentialHeaders(options: Options): string[];
  verify(request: InboundRequest, verify: ResolvedVerify & Options, now: Date): VerificationResult;
}

/** Declares a scheme (the identity, for type checking). */
export function defineScheme<Options extends object>(declaration: SchemeDeclaration<Options>): SchemeDeclaration<Options> {
  return declaration;
}

/** For schemes with no options of their own. */
export function noOptions(): Record<never, never> {
  return {};
}

/** The preset of schemes whose providers have no convention: the body's `type`, no dedupe. */
export const BODY_TYPE_PRESET: SchemePreset = { eventType: '{{default event.body.type ""}}' };

const SECRET_OPTION: OptionSchema = {
  description: 'The secret, usually "{{secrets.NAME}}"; a list of several accepts any of them, for rotation.',
  oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' }, minItems: 1 }],
};

/** The options schema of a scheme that needs `secret`, plus its own `options`. */
export function secretOptionsSchema(
  description: string,
  options: Readonly<Record<string, OptionSchema>> = {},
  secret: Partial<OptionSchema> = {},
): OptionsSchema {
  return {
    type: 'object',
    description,
    properties: { secret: { ...SECRET_OPTION, ...secret }, ...options },
    required: ['secret'],
    additionalProperties: false,
  };
}
