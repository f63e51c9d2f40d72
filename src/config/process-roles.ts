import { Role, Settings } from './settings';

/** The three kinds of work a Hookflow process can take on. */
export type Duty = 'ingress' | 'worker' | 'api';

const DUTIES: readonly Duty[] = ['ingress', 'worker', 'api'];

/**
 * What this process serves, from `HOOKFLOW_ROLE`: `all` (the default) is every duty;
 * otherwise one or more of `ingress` (`/hooks/*`), `worker` (runs and schedules) and `api`
 * (`/api/*` and the console), comma-separated, e.g. `ingress,api`.
 */
export class ProcessRoles {
  private readonly duties: ReadonlySet<Duty>;

  constructor(roles: readonly Role[]) {
    this.duties = new Set(roles.includes('all') ? DUTIES : DUTIES.filter((duty) => roles.includes(duty)));
  }

  static of(settings: Pick<Settings, 'HOOKFLOW_ROLE'>): ProcessRoles {
    return new ProcessRoles(settings.HOOKFLOW_ROLE);
  }

  serves(duty: Duty): boolean {
    return this.duties.has(duty);
  }

  /** The duties in a fixed order. */
  list(): Duty[] {
    return DUTIES.filter((duty) => this.duties.has(duty));
  }

  /** `all`, or the duties as configured: `ingress,api`. */
  toString(): string {
    return this.duties.size === DUTIES.length ? 'all' : this.list().join(',');
  }
}
