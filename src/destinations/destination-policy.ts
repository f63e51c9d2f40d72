import picomatch from 'picomatch';

/** When a destination's circuit breaker opens, and what it does while open. */
export interface BreakerPolicy {
  /** Consecutive failed attempts that open it. */
  consecutiveFailures: number;
  /** A share of failed attempts (0–1) over `windowMs` that opens it… */
  failureRate: number;
  /** …once at least this many attempts were made in the window. */
  minimumAttempts: number;
  /** Counted in whole minutes. */
  windowMs: number;
  /** How long it stays open before one probe attempt goes through. */
  coolDownMs: number;
  /** Open this long without a successful probe: disabled, and the steps waiting for it fail. */
  disableAfterMs: number;
}

/** Attempts let through per `perMs`, evenly spaced. */
export interface RateLimit {
  attempts: number;
  perMs: number;
  /** As written: `10/s`. */
  text: string;
}

export interface DestinationPolicy {
  /** `undefined`: `breaker: off`, failures never hold the destination back. */
  breaker: BreakerPolicy | undefined;
  rateLimit: RateLimit | undefined;
}

/** One entry of `destinations:` in `workflows/destinations.yaml`, as validated. */
export interface DestinationRule {
  /** An origin (`https://api.example.com`), `smtp`, or a glob over them (`https://*.example.com`). */
  match: string;
  breaker?: Partial<BreakerPolicy> | 'off';
  rateLimit?: RateLimit;
}

/** `workflows/destinations.yaml`, as validated. */
export interface DestinationSettings {
  defaults: { breaker?: Partial<BreakerPolicy> | 'off'; rateLimit?: RateLimit };
  rules: DestinationRule[];
}

const MINUTE_MS = 60_000;

export const DEFAULT_BREAKER: BreakerPolicy = Object.freeze({
  consecutiveFailures: 5,
  failureRate: 0.5,
  minimumAttempts: 20,
  windowMs: 5 * MINUTE_MS,
  coolDownMs: 30_000,
  disableAfterMs: 3 * 24 * 60 * MINUTE_MS,
});

export const NO_DESTINATION_SETTINGS: DestinationSettings = Object.freeze({ defaults: {}, rules: [] });

/**
 * The policy of each destination: the built-in defaults, then the file's `defaults:`, then
 * the first entry of `destinations:` whose `match` fits the destination, key by key.
 */
export class DestinationPolicies {
  private readonly matchers: { rule: DestinationRule; matches: (destination: string) => boolean }[];
  private readonly cache = new Map<string, DestinationPolicy>();

  constructor(private readonly settings: DestinationSettings = NO_DESTINATION_SETTINGS) {
    this.matchers = settings.rules.map((rule) => ({ rule, matches: matcherOf(rule.match) }));
  }

  of(destination: string): DestinationPolicy {
    let policy = this.cache.get(destination);
    if (!policy) {
      policy = this.resolve(destination);
      // Destinations come from rendered URLs: bounded, so that odd templates cannot grow it forever.
      if (this.cache.size >= 10_000) this.cache.clear();
      this.cache.set(destination, policy);
    }
    return policy;
  }

  private resolve(destination: string): DestinationPolicy {
    const rule = this.matchers.find((matcher) => matcher.matches(destination))?.rule;
    const breakerLayers = [this.settings.defaults.breaker, rule?.breaker];
    const breaker = breakerLayers.reduce<BreakerPolicy | undefined>(
      (policy, layer) => (layer === 'off' ? undefined : layer === undefined ? policy : { ...(policy ?? DEFAULT_BREAKER), ...layer }),
      DEFAULT_BREAKER,
    );
    return { breaker, rateLimit: rule?.rateLimit ?? this.settings.defaults.rateLimit };
  }
}

function matcherOf(pattern: string): (destination: string) => boolean {
  if (!/[*?[\]{}]/.test(pattern)) return (destination) => destination === pattern.replace(/\/+$/, '');
  return picomatch(pattern, { dot: true });
}
