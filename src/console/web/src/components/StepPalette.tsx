import type { CatalogStepKind } from '../api/types';
import { KindTile } from './KindIcon';

export interface StepPaletteProps {
  kinds: CatalogStepKind[];
  onPick: (kind: CatalogStepKind) => void;
  disabled?: boolean;
}

/** The step kinds of the catalog, one button each, titled by the kind's catalog title: picking one appends a step. */
export function StepPalette({ kinds, onPick, disabled }: StepPaletteProps) {
  return (
    <ul className="palette" aria-label="Step kinds">
      {kinds.map((kind) => (
        <li key={kind.kind}>
          <button
            type="button"
            className="palette__kind"
            title={kind.description}
            aria-label={kind.title}
            aria-describedby={`palette-${kind.kind}`}
            disabled={disabled}
            onClick={() => onPick(kind)}
          >
            <KindTile kind={kind.kind} />
            <span className="palette__text">
              <span className="palette__title">{kind.title}</span>
              <span id={`palette-${kind.kind}`} className="palette__about">
                {kind.description}
              </span>
            </span>
          </button>
        </li>
      ))}
    </ul>
  );
}

/** The `with` a new step starts with: each required field, empty, so the validator and the form point at what to fill in. */
export function startingWith(kind: CatalogStepKind): Record<string, unknown> | undefined {
  const required = (kind.with_schema.required as string[] | undefined) ?? [];
  if (required.length === 0) return undefined;
  return Object.fromEntries(required.map((key) => [key, '']));
}
