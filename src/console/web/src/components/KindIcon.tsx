/** Icons of the trigger and the step kinds (24×24 strokes). */
const PATHS: Record<string, string> = {
  trigger: 'M13 2 4 14h7l-1 8 9-12h-7l1-8z',
  http: 'M12 3a9 9 0 1 0 0 18 9 9 0 0 0 0-18zM3 12h18M12 3c2.5 2.6 3.8 5.6 3.8 9s-1.3 6.4-3.8 9c-2.5-2.6-3.8-5.6-3.8-9S9.5 5.6 12 3z',
  slack: 'M9 3v18M15 3v18M3 9h18M3 15h18',
  email: 'M3 6h18v12H3zM3 7l9 6 9-6',
  set: 'M8 4c-2 0-3 1-3 3v2c0 1.5-1 2.5-2 3 1 .5 2 1.5 2 3v2c0 2 1 3 3 3M16 4c2 0 3 1 3 3v2c0 1.5 1 2.5 2 3-1 .5-2 1.5-2 3v2c0 2-1 3-3 3',
  delay: 'M12 3a9 9 0 1 0 0 18 9 9 0 0 0 0-18zM12 7v5l3 3',
  workflow: 'M6 3v6a3 3 0 0 0 3 3h6a3 3 0 0 1 3 3v6M6 3 3 6M6 3l3 3M18 21l-3-3M18 21l3-3',
};

export const KIND_LABELS: Record<string, string> = {
  trigger: 'Trigger',
  http: 'HTTP request',
  slack: 'Slack message',
  email: 'E-mail',
  set: 'Set values',
  delay: 'Delay',
  workflow: 'Start workflow',
};

export function KindIcon({ kind, className = '' }: { kind: string; className?: string }) {
  return (
    <svg className={`kind-icon kind-icon--${kind} ${className}`} viewBox="0 0 24 24" aria-hidden="true">
      <path d={PATHS[kind] ?? PATHS.set} />
    </svg>
  );
}
