import type { Destination, DestinationHour, DestinationPolicy } from '../api/types';
import { clockTime, duration, percent, plural, timeAgo } from '../lib/format';
import { CodeBlock } from './CodeBlock';

const HOUR_MS = 3_600_000;

/** Circuits change state without a run changing (cool-downs end, probes go): pages look again this often. */
export const DESTINATION_POLL_MS = 5_000;

/** A destination's console path: its id (an origin, or `smtp`) URL-encoded as one segment. */
export function destinationPath(id: string): string {
  return `/destinations/${encodeURIComponent(id)}`;
}

/** Tone and words of a circuit state; a circuit opened through the API says so. */
const STATES: Record<Destination['state'], { tone: string; label: string }> = {
  closed: { tone: 'succeeded', label: 'closed' },
  open: { tone: 'failed', label: 'open' },
  half_open: { tone: 'cancelled', label: 'half-open' },
  disabled: { tone: 'skipped', label: 'disabled' },
};

export function DestinationStateBadge({ destination }: { destination: Pick<Destination, 'state' | 'held_manually'> }) {
  const { tone, label } = STATES[destination.state];
  return (
    <span className="destination-state">
      <span className={`badge badge--${tone}`} data-state={destination.state}>
        <span className="badge__dot" aria-hidden="true" />
        {label}
      </span>
      {destination.held_manually && destination.state === 'open' && <span className="chip">opened by hand</span>}
    </span>
  );
}

/** "3 d", "5 min", "30 s": policy periods are whole units. */
export function period(ms: number): string {
  const units: [string, number][] = [
    ['d', 86_400_000],
    ['h', HOUR_MS],
    ['min', 60_000],
    ['s', 1000],
  ];
  for (const [unit, size] of units) if (ms >= size && ms % size === 0) return `${ms / size} ${unit}`;
  return duration(ms);
}

/** The breaker thresholds and the rate limit in one or two lines. */
export function PolicySummary({ policy }: { policy: DestinationPolicy }) {
  const breaker = policy.breaker;
  return (
    <ul className="policy" data-policy>
      <li>
        {breaker ? (
          <>
            Opens after <strong>{breaker.failures}</strong> failures in a row, or <strong>{percent(breaker.failure_rate)}</strong> failed of at least{' '}
            {breaker.min_attempts} attempts in {period(breaker.window_ms)}; probes after {period(breaker.cool_down_ms)}; disabled after{' '}
            {period(breaker.disable_after_ms)} open.
          </>
        ) : (
          <>Circuit breaker off: failures never hold steps back.</>
        )}
      </li>
      <li>
        Rate limit: {policy.rate_limit ? <strong className="mono">{policy.rate_limit}</strong> : 'none'}
        {policy.rate_limit && <span className="muted"> (across all processes)</span>}
      </li>
    </ul>
  );
}

/** What happens next for a destination that is not simply closed. */
export function nextStep(destination: Destination, now = Date.now()): string | null {
  if (destination.state === 'disabled') return `Disabled ${timeAgo(destination.disabled_at, now)}: its steps fail until it is enabled.`;
  if (destination.state === 'open' && destination.held_manually) return 'Held open by hand: no probe; it closes only when closed by hand.';
  if (destination.state === 'open' && destination.next_probe_at) {
    const at = new Date(destination.next_probe_at).getTime();
    return at <= now
      ? 'Probe due now: the next step for it goes through as the probe.'
      : `Next probe ${timeAgo(destination.next_probe_at, now)} (${clockTime(destination.next_probe_at)}).`;
  }
  if (destination.state === 'half_open') return 'Half-open: one probe attempt is on its way; its answer closes or reopens the circuit.';
  return null;
}

interface HourSlot {
  start: number;
  hour: DestinationHour | undefined;
}

/** The 24 hours up to the current one, oldest first; the API only lists hours with attempts. */
function lastDay(hours: DestinationHour[], now: number): HourSlot[] {
  const byStart = new Map(hours.map((hour) => [new Date(hour.hour).getTime(), hour]));
  const current = Math.floor(now / HOUR_MS) * HOUR_MS;
  return Array.from({ length: 24 }, (_, index) => {
    const start = current - (23 - index) * HOUR_MS;
    return { start, hour: byStart.get(start) };
  });
}

const CHART = { width: 240, height: 48, gap: 2 };

/**
 * Attempts per hour over the last 24 hours as stacked bars (successes below, failures above),
 * each hour's figures and latency in its tooltip. Drawn with SVG attributes, never inline styles (CSP).
 */
export function HourChart({ hours, now = Date.now(), label }: { hours: DestinationHour[]; now?: number; label: string }) {
  const slots = lastDay(hours, now);
  const most = Math.max(1, ...slots.map(({ hour }) => (hour ? hour.successes + hour.failures : 0)));
  const barWidth = CHART.width / 24 - CHART.gap;
  const successes = hours.reduce((total, hour) => total + hour.successes, 0);
  const failures = hours.reduce((total, hour) => total + hour.failures, 0);
  return (
    <figure className="hour-chart">
      <svg
        viewBox={`0 0 ${CHART.width} ${CHART.height}`}
        preserveAspectRatio="none"
        role="img"
        aria-label={`${label}: ${successes} succeeded and ${failures} failed in the last 24 hours`}
      >
        {slots.map(({ start, hour }, index) => {
          const x = index * (CHART.width / 24) + CHART.gap / 2;
          if (!hour || hour.successes + hour.failures === 0) {
            return <rect key={start} className="hour-chart__empty" x={x} y={CHART.height - 2} width={barWidth} height={2} />;
          }
          const successHeight = (hour.successes / most) * CHART.height;
          const failureHeight = (hour.failures / most) * CHART.height;
          return (
            <g key={start} data-hour={new Date(start).toISOString()}>
              <title>{`${clockTime(new Date(start).toISOString()).slice(0, 5)}: ${hour.successes} succeeded, ${hour.failures} failed · average ${duration(hour.average_ms)}, slowest ${duration(hour.max_ms)}`}</title>
              {hour.successes > 0 && <rect className="hour-chart__success" x={x} y={CHART.height - successHeight} width={barWidth} height={successHeight} />}
              {hour.failures > 0 && (
                <rect className="hour-chart__failure" x={x} y={CHART.height - successHeight - failureHeight} width={barWidth} height={failureHeight} />
              )}
            </g>
          );
        })}
      </svg>
      <figcaption className="hour-chart__axis muted">
        <span>24 h ago</span>
        <span>
          <span className="hour-chart__key hour-chart__key--success" aria-hidden="true" /> succeeded{' '}
          <span className="hour-chart__key hour-chart__key--failure" aria-hidden="true" /> failed
        </span>
        <span>now</span>
      </figcaption>
    </figure>
  );
}

const EXAMPLE = `defaults:            # every destination; these are the built-in values
  breaker:
    failures: 5        # failed attempts in a row
    failure_rate: 50%  # or this share failed…
    min_attempts: 20   # …of at least this many attempts…
    window: 5m         # …in this window
    cool_down: 30s     # open this long, then one probe
    disable_after: 3d  # open this long: disabled
destinations:          # the first match wins, key by key over the defaults
  - match: https://api.example.com
    rate_limit: 10/s
  - match: https://*.internal.example.com
    breaker: off
`;

/** What the breaker and the rate limit do, with their defaults, in plain words. */
export function DestinationHelp({ open = false }: { open?: boolean }) {
  return (
    <details className="card destination-help" open={open}>
      <summary>How circuit breakers and rate limits work</summary>
      <div className="destination-help__body">
        <p>
          A <strong>destination</strong> is where steps send to: an HTTP origin (scheme, host and port, such as <code>https://api.example.com</code>) or the
          SMTP server (<code>smtp</code>). Its health is shared by every Hookflow process.
        </p>
        <h3 className="small-title">When the circuit opens</h3>
        <p>
          After <strong>5 failed attempts in a row</strong>, or when <strong>50%</strong> of the attempts of the last <strong>5 minutes</strong> failed and
          there were at least <strong>20</strong>. A failure is an attempt with no answer (refused, reset, timed out) or answered <strong>5xx</strong> or{' '}
          <strong>408</strong>. Other 4xx answers and <strong>429</strong> are the receiver answering: they do not count.
        </p>
        <h3 className="small-title">While it is open</h3>
        <p>
          Steps for the destination wait: they spend none of their retry attempts and hold no worker. After a <strong>30 s</strong> cool-down the circuit is
          half-open and one probe attempt goes. If it succeeds the circuit closes and the waiting steps go out in the order they came; if it fails the circuit
          opens again for another cool-down. <strong>Open circuit</strong> holds it open by hand (no probes) until <strong>Close circuit</strong>.
        </p>
        <h3 className="small-title">Disabled</h3>
        <p>
          Open for <strong>3 days</strong> without a successful probe (unless opened by hand), the destination is disabled: its waiting steps fail, and new ones
          fail at once, until it is enabled with <strong>Enable</strong>.
        </p>
        <h3 className="small-title">Rate limit</h3>
        <p>
          Optional, none by default. A limit such as <code>10/s</code> (or <code>600/m</code>, <code>1000/h</code>) spaces attempts evenly, across all processes
          together. A <strong>429</strong> with <code>Retry-After</code> pushes the next slot back by that long.
        </p>
        <h3 className="small-title">Settings</h3>
        <p>
          In <code>workflows/destinations.yaml</code>: <code>defaults</code> for every destination, then the first entry of <code>destinations</code> whose{' '}
          <code>match</code> (an origin, <code>smtp</code> or a glob) fits, key by key. Changes apply when the file is saved.
        </p>
        <CodeBlock value={EXAMPLE} label="workflows/destinations.yaml" />
      </div>
    </details>
  );
}

export function DestinationStats({ destination }: { destination: Destination }) {
  return (
    <dl className="stats">
      <div>
        <dt>Success</dt>
        <dd className={destination.success_rate_24h !== null && destination.success_rate_24h < 0.95 ? 'stats__bad' : undefined} data-stat="success-rate">
          {percent(destination.success_rate_24h)}
        </dd>
      </div>
      <div>
        <dt>Latency</dt>
        <dd className="stats__small" data-stat="latency">
          {duration(destination.average_ms_24h)}
        </dd>
      </div>
      <div>
        <dt>Attempts</dt>
        <dd data-stat="attempts">{destination.attempts_24h}</dd>
      </div>
      <div>
        <dt>Waiting</dt>
        <dd className={destination.waiting_steps > 0 ? 'stats__bad' : undefined} data-stat="waiting" title={plural(destination.waiting_steps, 'step')}>
          {destination.waiting_steps}
        </dd>
      </div>
    </dl>
  );
}
