import { kindLook } from '../lib/catalog';

/**
 * The icons the console draws (24×24 strokes), by the icon name a step kind declares in the
 * catalog; a name not drawn here gets the neutral `step` icon.
 */
const PATHS: Record<string, string> = {
  trigger: 'M13 2 4 14h7l-1 8 9-12h-7l1-8z',
  globe: 'M12 3a9 9 0 1 0 0 18 9 9 0 0 0 0-18zM3 12h18M12 3c2.5 2.6 3.8 5.6 3.8 9s-1.3 6.4-3.8 9c-2.5-2.6-3.8-5.6-3.8-9S9.5 5.6 12 3z',
  hash: 'M9 3v18M15 3v18M3 9h18M3 15h18',
  mail: 'M3 6h18v12H3zM3 7l9 6 9-6',
  braces: 'M8 4c-2 0-3 1-3 3v2c0 1.5-1 2.5-2 3 1 .5 2 1.5 2 3v2c0 2 1 3 3 3M16 4c2 0 3 1 3 3v2c0 1.5 1 2.5 2 3-1 .5-2 1.5-2 3v2c0 2-1 3-3 3',
  clock: 'M12 3a9 9 0 1 0 0 18 9 9 0 0 0 0-18zM12 7v5l3 3',
  workflow: 'M6 3v6a3 3 0 0 0 3 3h6a3 3 0 0 1 3 3v6M6 3 3 6M6 3l3 3M18 21l-3-3M18 21l3-3',
  step: 'M5 5h14v14H5zM9 12h6',
  alert: 'M12 3 2 20h20L12 3zM12 9v5M12 17v.5',
};

function drawn(icon: string): string {
  return Object.hasOwn(PATHS, icon) ? icon : 'step';
}

/** The icon of a step kind (or of the trigger), as the catalog names it. */
export function KindIcon({ kind, className = '' }: { kind: string; className?: string }) {
  const icon = drawn(kindLook(kind).icon);
  return (
    <svg className={`kind-icon kind-icon--${icon} ${className}`} viewBox="0 0 24 24" aria-hidden="true" data-icon={icon}>
      <path d={PATHS[icon]} />
    </svg>
  );
}

/** The icon on its coloured tile, as graph cards, the step panel and the dry run show it. */
export function KindTile({ kind }: { kind: string }) {
  const icon = drawn(kindLook(kind).icon);
  return (
    <span className={`gnode__icon gnode__icon--${icon}`}>
      <KindIcon kind={kind} />
    </span>
  );
}

/** The kind's title from the catalog ("HTTP request"). */
export function KindTitle({ kind }: { kind: string }) {
  return <>{kindLook(kind).title}</>;
}
