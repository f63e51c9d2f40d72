import type { EndToEndRun } from './end-to-end-run';
import { percent, whole } from './results-table';
import { median } from './statistics';

export interface EndToEndSummary {
  name: string;
  baseline: boolean;
  runs: EndToEndRun[];
  medians: {
    acceptedPerSecond: number;
    deliveredPerSecondDuringLoad: number;
    deliveredPerSecondLoadAndDrain: number;
    drainSeconds: number;
    p50Ms: number;
    p99Ms: number;
  };
  /** Summed over the runs. */
  lost: number;
  duplicates: number;
  signaturesValid: number;
  signaturesChecked: number;
  /** Median delivered/s (load + drain) over the baseline's. */
  ratioToBaseline: number | null;
}

export function summarizeRelays(relays: { name: string; baseline: boolean; runs: EndToEndRun[] }[]): EndToEndSummary[] {
  const baseline = relays.find((relay) => relay.baseline);
  const baselineRate = baseline ? median(baseline.runs.map((run) => run.saturation.deliveredPerSecondLoadAndDrain)) : 0;
  return relays.map(({ name, baseline: isBaseline, runs }) => {
    const sat = runs.map((run) => run.saturation);
    const medians = {
      acceptedPerSecond: median(sat.map((s) => s.acceptedPerSecond)),
      deliveredPerSecondDuringLoad: median(sat.map((s) => s.deliveredPerSecondDuringLoad)),
      deliveredPerSecondLoadAndDrain: median(sat.map((s) => s.deliveredPerSecondLoadAndDrain)),
      drainSeconds: median(sat.map((s) => s.drainSeconds)),
      p50Ms: median(runs.map((run) => run.fixedRate.latencyMs.p50)),
      p99Ms: median(runs.map((run) => run.fixedRate.latencyMs.p99)),
    };
    const sum = (pick: (run: EndToEndRun) => number) => runs.reduce((total, run) => total + pick(run), 0);
    return {
      name,
      baseline: isBaseline,
      runs,
      medians,
      lost: sum((run) => run.saturation.lost + run.fixedRate.lost + run.audit.storedNotDelivered),
      duplicates: sum((run) => run.audit.duplicates),
      signaturesValid: sum((run) => run.audit.signatures.valid),
      signaturesChecked: sum((run) => run.audit.signatures.checked),
      ratioToBaseline: baselineRate > 0 ? medians.deliveredPerSecondLoadAndDrain / baselineRate : null,
    };
  });
}

const HEADER = [
  '| Relay | Accepted/s during load | Delivered/s during load | Delivered/s load + drain | runs (load + drain) | Drain s | p50 ms @ RATE/s | p99 ms @ RATE/s | Lost | Dupl. | Signatures ok | vs baseline |',
  '|---|--:|--:|--:|---|--:|--:|--:|--:|--:|--:|--:|',
];

/** One row per relay, medians over the runs (lost, duplicates and signatures summed). */
export function formatEndToEndTable(summaries: EndToEndSummary[], ratePerSecond: number): string {
  const rows = summaries.map((summary) => {
    const m = summary.medians;
    const runs = summary.runs.map((run) => whole(run.saturation.deliveredPerSecondLoadAndDrain)).join(' / ');
    const ratio = summary.baseline ? '100% (baseline)' : percent(summary.ratioToBaseline);
    return (
      `| ${summary.name} | ${whole(m.acceptedPerSecond)} | ${whole(m.deliveredPerSecondDuringLoad)} | ${whole(m.deliveredPerSecondLoadAndDrain)} | ${runs} | ` +
      `${m.drainSeconds.toFixed(1)} | ${m.p50Ms.toFixed(1)} | ${m.p99Ms.toFixed(1)} | ${summary.lost} | ${summary.duplicates} | ` +
      `${summary.signaturesValid}/${summary.signaturesChecked} | ${ratio} |`
    );
  });
  return [HEADER[0].replaceAll('RATE', String(ratePerSecond)), HEADER[1], ...rows].join('\n');
}

/** One log line per run. */
export function describeRun(run: EndToEndRun): string {
  const s = run.saturation;
  const f = run.fixedRate;
  const cpu = s.cpu
    ? `  cpu: bench ${s.cpu.loadGenerator.toFixed(2)}, relay ${s.cpu.server.toFixed(2)}, rest ${s.cpu.rest.toFixed(2)} of ${s.cpu.machine.toFixed(2)}`
    : '';
  const idle = run.backgroundCores === undefined ? '' : `  (before start: ${run.backgroundCores.toFixed(2)} cores busy elsewhere)`;
  return (
    `sat: accepted ${Math.round(s.acceptedPerSecond)}/s, delivered ${Math.round(s.deliveredPerSecondDuringLoad)}/s in load, ` +
    `${Math.round(s.deliveredPerSecondLoadAndDrain)}/s load+drain (drain ${s.drainSeconds.toFixed(1)} s at ${Math.round(s.deliveredPerSecondDuringDrain)}/s, lost ${s.lost})${cpu}${idle}\n` +
    `      rate: ${f.accepted}/${f.sent} accepted, delivered ${f.delivered}, p50 ${f.latencyMs.p50.toFixed(1)} ms p99 ${f.latencyMs.p99.toFixed(1)} ms ` +
    `max ${f.latencyMs.max.toFixed(1)} ms (202 p50 ${f.acceptMs.p50.toFixed(1)} ms)\n` +
    (f.stagesMs
      ? `      stages p50/p99 ms: ${Object.entries(f.stagesMs)
          .map(([stage, ms]) => `${stage} ${ms.p50.toFixed(1)}/${ms.p99.toFixed(1)}`)
          .join(', ')}\n`
      : '') +
    `      audit: stored ${run.audit.stored}, delivered ${run.audit.deliveredUnique}, not delivered ${run.audit.storedNotDelivered}, ` +
    `dupl ${run.audit.duplicates} (${run.audit.duplicatesWithSameKey} with the same webhook-id), sig ${run.audit.signatures.valid}/${run.audit.signatures.checked}` +
    `${run.audit.signatures.firstProblem ? ` (${run.audit.signatures.firstProblem})` : ''}, states ${JSON.stringify(run.audit.states)}, ` +
    `per event: ${run.audit.perEvent.commits.toFixed(2)} commits, ${run.audit.perEvent.rowsInserted.toFixed(2)} ins, ` +
    `${run.audit.perEvent.rowsUpdated.toFixed(2)} upd, ${run.audit.perEvent.rowsDeleted.toFixed(2)} del`
  );
}
