import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { OptionsSchema, SchemeDeclaration } from './verification-scheme';

/** Compiled scheme files; specs (`*.scheme.spec.js`) and source maps do not match. */
const SCHEME_FILE = /^(.+)\.scheme\.js$/;

/** A scheme as `GET /api/catalog` shows it. */
export interface SchemeCatalogEntry {
  scheme: string;
  options_schema: OptionsSchema;
  preset: { event_type: string; dedupe_key: string | null };
}

let discovered: ReadonlyMap<string, SchemeDeclaration> | undefined;

/** Every scheme of this folder by name, loaded once on first use. */
export function verificationSchemes(): ReadonlyMap<string, SchemeDeclaration> {
  discovered ??= discoverSchemes(__dirname);
  return discovered;
}

/** The scheme called `name`, or undefined (never an `Object.prototype` member: the names are a Map's keys). */
export function schemeNamed(name: string): SchemeDeclaration | undefined {
  return verificationSchemes().get(name);
}

/** The scheme names in alphabetical order. */
export function schemeNames(): string[] {
  return [...verificationSchemes().keys()];
}

export function schemeCatalog(): SchemeCatalogEntry[] {
  return [...verificationSchemes().values()].map((declaration) => ({
    scheme: declaration.scheme,
    options_schema: declaration.optionsSchema,
    preset: { event_type: declaration.preset.eventType, dedupe_key: declaration.preset.dedupeKey ?? null },
  }));
}

/**
 * Loads the default export of each `<name>.scheme.js` in `folder`, in name order. A file whose
 * declaration is incomplete stops the start with one line naming the file and what it lacks.
 */
export function discoverSchemes(folder: string): Map<string, SchemeDeclaration> {
  const schemes = new Map<string, SchemeDeclaration>();
  const files = readdirSync(folder)
    .filter((file) => SCHEME_FILE.test(file))
    .sort();
  for (const file of files) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- discovery by file name is the point
    const declaration = (require(join(folder, file)) as { default?: unknown }).default;
    const missing = missingParts(declaration, SCHEME_FILE.exec(file)![1]);
    if (missing.length > 0) throw new Error(`verification scheme ${join(folder, file)} lacks ${missing.join(', ')}`);
    schemes.set((declaration as SchemeDeclaration).scheme, declaration as SchemeDeclaration);
  }
  return schemes;
}

/** What a scheme file's default export lacks of a `SchemeDeclaration` named `expectedName`. */
export function missingParts(declaration: unknown, expectedName: string): string[] {
  if (typeof declaration !== 'object' || declaration === null) return ['a default export made with defineScheme'];
  const part = declaration as Partial<Record<keyof SchemeDeclaration, unknown>>;
  const preset = part.preset as { eventType?: unknown } | undefined;
  const schema = part.optionsSchema as Partial<OptionsSchema> | undefined;
  const checks: Array<[boolean, string]> = [
    [part.scheme === expectedName, `the name \`${expectedName}\` (its file's name)`],
    [typeof schema?.description === 'string' && typeof schema.properties === 'object' && Array.isArray(schema.required), 'an options schema'],
    [typeof part.readOptions === 'function', 'readOptions'],
    [typeof preset?.eventType === 'string', 'a preset event type'],
    [part.handshake === null || typeof part.handshake === 'function', 'a handshake (null when none)'],
    [typeof part.credentialHeaders === 'function', 'credential headers'],
    [typeof part.verify === 'function', 'verify'],
  ];
  return checks.filter(([present]) => !present).map(([, name]) => name);
}
