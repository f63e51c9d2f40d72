import { api } from '../api/client';
import type { Catalog } from '../api/types';

/** How the console shows a step kind (or the trigger), from `GET /api/catalog`. */
export interface KindLook {
  title: string;
  icon: string;
  hasEffects: boolean;
}

const TRIGGER: KindLook = { title: 'Trigger', icon: 'trigger', hasEffects: false };
/** The head of the failure lane: its `on_failure` steps run as a run of their own when a run fails. */
const ON_FAILURE: KindLook = { title: 'On failure', icon: 'alert', hasEffects: false };

let loaded: Catalog | undefined;

/**
 * `GET /api/catalog`, once per page load: it changes only with the server's version. Pages
 * render after it settled (see `CatalogReady`); if it failed they show neutral kinds, and a
 * later `CatalogReady` (after signing in again) tries once more.
 */
export async function loadCatalog(): Promise<void> {
  if (loaded) return;
  try {
    loaded = await api<Catalog>('GET', '/api/catalog');
  } catch {
    // A console without the catalog still works: kinds show their own name and a neutral icon.
  }
}

/** The catalog, loaded before any page rendered; undefined if it could not be loaded. */
export function currentCatalog(): Catalog | undefined {
  return loaded;
}

/** A step kind's title, icon name and effects; a kind the catalog does not list shows its own name and a neutral icon. */
export function kindLook(kind: string): KindLook {
  if (kind === 'trigger') return TRIGGER;
  if (kind === 'on_failure') return ON_FAILURE;
  const entry = loaded?.step_kinds.find((candidate) => candidate.kind === kind);
  return entry ? { title: entry.title, icon: entry.icon, hasEffects: entry.has_effects } : { title: kind || 'Step', icon: '', hasEffects: false };
}
