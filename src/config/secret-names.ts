/**
 * Variables that belong to Hookflow or to its database client, never to workflows: whoever
 * can write a workflow could otherwise send `{{secrets.DATABASE_URL}}` or the admin token
 * anywhere. `PG*` are libpq's variables (PGPASSWORD…), which `pg` reads too.
 */
const OWN_SETTINGS: ReadonlySet<string> = new Set(['PORT', 'HOST', 'DATABASE_URL', 'LOG_LEVEL']);
const OWN_PREFIXES = ['HOOKFLOW_', 'PG'] as const;

/** Whether `{{secrets.NAME}}` is refused because NAME is one of Hookflow's own settings. */
export function isHookflowSetting(name: string): boolean {
  return OWN_SETTINGS.has(name) || OWN_PREFIXES.some((prefix) => name.startsWith(prefix));
}

/** The variables `{{secrets.NAME}}` may read: the environment without Hookflow's own settings. */
export function workflowSecrets(environment: Readonly<Record<string, string | undefined>>): Readonly<Record<string, string | undefined>> {
  return Object.freeze(Object.fromEntries(Object.entries(environment).filter(([name]) => !isHookflowSetting(name))));
}
