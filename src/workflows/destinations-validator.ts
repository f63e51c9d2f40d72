import { isScalar } from 'yaml';
import type { Node } from 'yaml';
import { BreakerPolicy, DestinationRule, DestinationSettings, RateLimit } from '../destinations/destination-policy';
import { parseDuration } from './duration';
import { ParsedYamlFile } from './workflow-file-parser';
import { MapView, YamlNodeReader } from './yaml-node-reader';

const BREAKER_KEYS = ['failures', 'failure_rate', 'min_attempts', 'window', 'cool_down', 'disable_after'];
const RULE_KEYS = ['match', 'breaker', 'rate_limit'];
const RATE = /^\s*(\d+(?:\.\d+)?)\s*\/\s*(s|sec|second|m|min|minute|h|hour)\s*$/;
const RATE_UNIT_MS: Record<string, number> = { s: 1_000, sec: 1_000, second: 1_000, m: 60_000, min: 60_000, minute: 60_000, h: 3_600_000, hour: 3_600_000 };
/** Origins (`https://host:port`), `smtp`, and globs over them; nothing that could hold a path or a query. */
const MATCH = /^[A-Za-z0-9*?[\]{}!,.:/_-]{1,300}$/;
const MAX_RULES = 1_000;

const DAY_MS = 86_400_000;
const LIMITS = {
  window: { min: 60_000, max: DAY_MS, text: 'from 1m to 1d' },
  cool_down: { min: 1_000, max: DAY_MS, text: 'from 1s to 1d' },
  disable_after: { min: 60_000, max: 365 * DAY_MS, text: 'from 1m to 365d' },
};

/** Validates `workflows/destinations.yaml`: circuit breaker and rate limit settings per destination. */
export class DestinationsValidator {
  private readonly reader: YamlNodeReader;

  constructor(private readonly parsed: ParsedYamlFile) {
    this.reader = new YamlNodeReader(parsed);
  }

  /** The settings, or undefined when the file has any problem. */
  validate(): DestinationSettings | undefined {
    const parsed = this.parsed;
    const empty = parsed.root === undefined || parsed.root === null || (isScalar(parsed.root) && parsed.root.value === null);
    if (empty) return parsed.problems.length === 0 ? { defaults: {}, rules: [] } : undefined;
    const top = this.reader.map(parsed.root, 'the destinations file', ['defaults', 'destinations']);
    if (!top) return undefined;
    const defaultsView = top.has('defaults') ? this.reader.map(top.get('defaults'), '`defaults`', ['breaker', 'rate_limit']) : undefined;
    const defaults = defaultsView ? this.policy(defaultsView) : top.has('defaults') ? undefined : {};
    const rules: DestinationRule[] = [];
    const list = top.has('destinations') ? this.reader.list(top.get('destinations'), '`destinations`') : [];
    if (list && list.length > MAX_RULES) parsed.report(top.get('destinations'), `\`destinations\` may hold at most ${MAX_RULES} entries`);
    for (const item of list ?? []) {
      const view = this.reader.map(item, 'a destination', RULE_KEYS);
      if (!view) continue;
      const match = this.match(view);
      const policy = this.policy(view);
      if (match !== undefined) rules.push({ match, ...policy });
    }
    return parsed.problems.length === 0 && defaults ? { defaults, rules } : undefined;
  }

  private match(view: MapView): string | undefined {
    if (!view.has('match')) {
      this.parsed.report(view.at, 'a destination needs `match`: an origin such as https://api.example.com, `smtp`, or a glob such as https://*.example.com');
      return undefined;
    }
    const match = this.reader.string(view.get('match'), '`match`');
    if (match === undefined) return undefined;
    if (!MATCH.test(match)) {
      this.parsed.report(view.get('match'), '`match` must be an origin (scheme, host and port, no path), `smtp`, or a glob over them');
      return undefined;
    }
    return match.replace(/\/+$/, '');
  }

  private policy(view: MapView): Pick<DestinationRule, 'breaker' | 'rateLimit'> {
    const policy: Pick<DestinationRule, 'breaker' | 'rateLimit'> = {};
    if (view.has('breaker')) policy.breaker = this.breaker(view.get('breaker'));
    if (view.has('rate_limit')) policy.rateLimit = this.rateLimit(view.get('rate_limit'));
    return policy;
  }

  private breaker(node: Node | null | undefined): Partial<BreakerPolicy> | 'off' | undefined {
    const value = this.reader.scalar(node);
    if (value === 'off' || value === false) return 'off';
    const view = this.reader.map(node, '`breaker` (a map, or `off`)', BREAKER_KEYS);
    if (!view) return undefined;
    const breaker: Partial<BreakerPolicy> = {};
    if (view.has('failures')) breaker.consecutiveFailures = this.reader.integer(view.get('failures'), '`failures`', 1, 10_000);
    if (view.has('failure_rate')) breaker.failureRate = this.share(view.get('failure_rate'));
    if (view.has('min_attempts')) breaker.minimumAttempts = this.reader.integer(view.get('min_attempts'), '`min_attempts`', 1, 1_000_000);
    if (view.has('window')) breaker.windowMs = this.duration(view.get('window'), 'window');
    if (view.has('cool_down')) breaker.coolDownMs = this.duration(view.get('cool_down'), 'cool_down');
    if (view.has('disable_after')) breaker.disableAfterMs = this.duration(view.get('disable_after'), 'disable_after');
    return Object.fromEntries(Object.entries(breaker).filter(([, value]) => value !== undefined));
  }

  /** `50%`, or a number from 0 to 1 exclusive of 0. */
  private share(node: Node | null | undefined): number | undefined {
    const value = this.reader.scalar(node);
    const share = typeof value === 'number' ? value : typeof value === 'string' && /^\d+(\.\d+)?%$/.test(value.trim()) ? parseFloat(value) / 100 : NaN;
    if (share > 0 && share <= 1) return share;
    this.parsed.report(node, '`failure_rate` must be a percentage such as 50% (more than 0%, at most 100%)');
    return undefined;
  }

  private duration(node: Node | null | undefined, key: keyof typeof LIMITS): number | undefined {
    const value = this.reader.scalar(node);
    const limit = LIMITS[key];
    const duration = typeof value === 'string' ? parseDuration(value) : undefined;
    if (duration !== undefined && duration >= limit.min && duration <= limit.max) return duration;
    this.parsed.report(node, `\`${key}\` must be a duration ${limit.text}, such as 30s, 5m or 3d`);
    return undefined;
  }

  private rateLimit(node: Node | null | undefined): RateLimit | undefined {
    const value = this.reader.scalar(node);
    const found = typeof value === 'string' ? RATE.exec(value) : null;
    const attempts = found ? Number(found[1]) : NaN;
    if (found && attempts > 0 && attempts <= 100_000) return { attempts, perMs: RATE_UNIT_MS[found[2]], text: String(value).replace(/\s+/g, '') };
    this.parsed.report(node, '`rate_limit` must be attempts per second, minute or hour, such as 10/s, 600/m or 1000/h');
    return undefined;
  }
}
