import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { DomainError } from '../common/domain-error';
import { isStepKindDeclaration, StepKindDeclaration } from './step-kind';

/**
 * Step kinds are found by file name — every `*.step-kind.js` beside this file — rather
 * than from a list, so that adding a kind touches only its own file (and its spec and docs).
 * Discovery is a synchronous `require` at load time: `hookflow validate` reads the static
 * parts without starting Nest, and `ConnectorsModule` turns each kind's connector into a
 * provider, so the connector's dependencies are injected like any other.
 */
const KIND_FILE = /\.step-kind\.js$/;

let discovered: { list: readonly StepKindDeclaration[]; byName: ReadonlyMap<string, StepKindDeclaration> } | undefined;

function catalog(): NonNullable<typeof discovered> {
  if (!discovered) {
    const list = discover(__dirname);
    discovered = { list, byName: new Map(list.map((declaration) => [declaration.kind, declaration])) };
  }
  return discovered;
}

/** Every step kind, in `order`. */
export function stepKinds(): readonly StepKindDeclaration[] {
  return catalog().list;
}

export function stepKindNames(): string[] {
  return stepKinds().map((declaration) => declaration.kind);
}

export function findStepKind(kind: string): StepKindDeclaration | undefined {
  return catalog().byName.get(kind);
}

/** Loaded workflows only name known kinds, so an unknown one is a programming error. */
export function stepKind(kind: string): StepKindDeclaration {
  const declaration = findStepKind(kind);
  if (!declaration) throw new DomainError('UNKNOWN_STEP_KIND', `unknown step kind "${kind}"`);
  return declaration;
}

/** The declarations exported by the kind files of `dir`, one per file. */
function discover(dir: string): StepKindDeclaration[] {
  const files = readdirSync(dir).filter((file) => KIND_FILE.test(file));
  const declarations = files.map((file) => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- discovery by file name is the point
    const exports = require(join(dir, file)) as Record<string, unknown>;
    const found = Object.values(exports).filter(isStepKindDeclaration);
    if (found.length !== 1) throw new Error(`${file} must export exactly one step kind declaration (declareStepKind), found ${found.length}`);
    return found[0];
  });
  const names = declarations.map((declaration) => declaration.kind);
  const repeated = names.findIndex((name, index) => names.indexOf(name) !== index);
  if (repeated !== -1) {
    const first = files[names.indexOf(names[repeated])];
    // tsc never deletes output, so a renamed kind file leaves its old compiled copy behind.
    throw new Error(`step kind "${names[repeated]}" is declared in both ${first} and ${files[repeated]} (in ${dir}: a stale compiled file?)`);
  }
  return declarations.sort((a, b) => a.order - b.order || a.kind.localeCompare(b.kind));
}
