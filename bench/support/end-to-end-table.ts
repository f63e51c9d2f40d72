import type { EndToEndRun } from './end-to-end-run';
import { mebibytes } from './process-memory';
import { markdownTable, percent, whole } from './results-table';
import { median } from './statistics';

/** Medians over the runs of one process of a relay (the one that receives the load first). */
export interface ProcessSummary {
  name: string;
  /** Cores used during the saturation phase. */
  cpuCores: number;
  peakRssMiB: number;
}

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
    /** Summed over the relay's processes in each run; 0 where /proc was unavailable. */
    peakRssMiB: number;
    /** The embedded PostgreSQL during the saturation phase; undefined for an external server. */
    databaseCores?: number;
  };
  processes: ProcessSummary[];
  /** Summed over the runs. */
  lost: number;
  duplicates: number;
  signaturesValid: number;
  signaturesChecked: number;
  /** Median delivered/s (load + drain) over the baseline's. */
  ratioToBaseline: number | null;
  /** Median p99 at the fixed rate over the baseline's (below 1: faster). */
  p99ToBaseline: number | null;
  /** Median peak RSS (all processes) over the baseline's. */
  peakRssToBaseline: number | null;
}

export function summarizeRelays(relays: { name: string; baseline: boolean; runs: EndToEndRun[] }[]): EndToEndSummary[] {
  const summaries = relays.map(({ name, baseline, runs }) => summarizeRuns(name, baseline, runs));
  const reference = summaries.find((summary) => summary.baseline);
  const ratio = (value: number, to: number | undefined) => (to !== undefined && to > 0 ? value / to : null);
  return summaries.map((summary) => ({
    ...summary,
    ratioToBaseline: ratio(summary.medians.deliveredPerSecondLoadAndDrain, reference?.medians.deliveredPerSecondLoadAndDrain),
    p99ToBaseline: ratio(summary.medians.p99Ms, reference?.medians.p99Ms),
    peakRssToBaseline: ratio(summary.medians.peakRssMiB, reference?.medians.peakRssMiB),
  }));
}

function summarizeRuns(name: string, baseline: boolean, runs: EndToEndRun[]): EndToEndSummary {
  const sat = runs.map((run) => run.saturation);
  const databaseCores = sat.flatMap((s) => (s.cpu?.database === undefined ? [] : [s.cpu.database]));
  const medians = {
    acceptedPerSecond: median(sat.map((s) => s.acceptedPerSecond)),
    deliveredPerSecondDuringLoad: median(sat.map((s) => s.deliveredPerSecondDuringLoad)),
    deliveredPerSecondLoadAndDrain: median(sat.map((s) => s.deliveredPerSecondLoadAndDrain)),
    drainSeconds: median(sat.map((s) => s.drainSeconds)),
    p50Ms: median(runs.map((run) => run.fixedRate.latencyMs.p50)),
    p99Ms: median(runs.map((run) => run.fixedRate.latencyMs.p99)),
    peakRssMiB: median(runs.map((run) => mebibytes(run.memory.reduce((sum, measured) => sum + measured.peakRssBytes, 0)))),
    ...(databaseCores.length ? { databaseCores: median(databaseCores) } : {}),
  };
  const sum = (pick: (run: EndToEndRun) => number) => runs.reduce((total, run) => total + pick(run), 0);
  return {
    name,
    baseline,
    runs,
    medians,
    processes: summarizeProcesses(runs),
    lost: sum((run) => run.saturation.lost + run.fixedRate.lost + run.audit.storedNotDelivered),
    duplicates: sum((run) => run.audit.duplicates),
    signaturesValid: sum((run) => run.audit.signatures.valid),
    signaturesChecked: sum((run) => run.audit.signatures.checked),
    ratioToBaseline: null,
    p99ToBaseline: null,
    peakRssToBaseline: null,
  };
}

/** Per process (by position, as every run starts the same processes): median CPU at saturation and peak RSS. */
function summarizeProcesses(runs: EndToEndRun[]): ProcessSummary[] {
  const names = runs[0]?.memory.map((memory) => memory.process) ?? [];
  return names.map((name, index) => ({
    name,
    cpuCores: median(runs.map((run) => (index === 0 ? run.saturation.cpu?.server : run.saturation.cpu?.companions?.[index - 1]) ?? 0)),
    peakRssMiB: median(runs.map((run) => mebibytes(run.memory[index]?.peakRssBytes ?? 0))),
  }));
}

/** "0.48×": a ratio to the baseline for figures where lower is better (latency, memory); "–" when there is none. */
export function times(ratio: number | null): string {
  return ratio === null || !Number.isFinite(ratio) ? '–' : `${ratio.toFixed(2)}×`;
}

/** "212" for one process; "118 + 94 = 212" for several, in the order of `processes`. */
export function perProcess(values: number[], format: (value: number) => string): string {
  const total = format(values.reduce((sum, value) => sum + value, 0));
  return values.length > 1 ? `${values.map(format).join(' + ')} = ${total}` : total;
}

function deliveredRuns(summary: EndToEndSummary): string {
  return summary.runs.map((run) => whole(run.saturation.deliveredPerSecondLoadAndDrain)).join(' / ');
}

function deliveredRatio(summary: EndToEndSummary): string {
  return summary.baseline ? '100% (baseline)' : percent(summary.ratioToBaseline);
}

function peakRss(summary: EndToEndSummary): string {
  return summary.medians.peakRssMiB > 0 ? whole(summary.medians.peakRssMiB) : '–';
}

/**
 * The e2e table: one row per relay, medians over the runs (lost, duplicates and signatures
 * summed), each figure beside its ratio to the baseline relay.
 */
export function formatEndToEndTable(summaries: EndToEndSummary[], ratePerSecond: number): string {
  return markdownTable(
    [
      'Relay',
      'Delivered/s load + drain',
      'vs baseline',
      'runs (load + drain)',
      'Drain s',
      `p50 ms @ ${ratePerSecond}/s`,
      `p99 ms @ ${ratePerSecond}/s`,
      'p99 vs baseline',
      'Peak RSS MiB',
      'RSS vs baseline',
      'Lost',
      'Dupl.',
      'Signatures ok',
    ],
    ['---', '--:', '--:', '---', '--:', '--:', '--:', '--:', '--:', '--:', '--:', '--:', '--:'],
    summaries.map((summary) => {
      const m = summary.medians;
      return [
        summary.name,
        whole(m.deliveredPerSecondLoadAndDrain),
        deliveredRatio(summary),
        deliveredRuns(summary),
        m.drainSeconds.toFixed(1),
        m.p50Ms.toFixed(1),
        m.p99Ms.toFixed(1),
        times(summary.p99ToBaseline),
        peakRss(summary),
        times(summary.peakRssToBaseline),
        String(summary.lost),
        String(summary.duplicates),
        `${summary.signaturesValid}/${summary.signaturesChecked}`,
      ];
    }),
  );
}

/**
 * The roles table: one row per way of running Hookflow, CPU and peak RSS per process (in the
 * order the row names them) and their sum, ratios to the reference (role `all`).
 */
export function formatRolesTable(summaries: EndToEndSummary[], ratePerSecond: number): string {
  return markdownTable(
    [
      'Hookflow processes',
      'Accepted/s during load',
      'Delivered/s load + drain',
      'vs role all',
      'runs (load + drain)',
      'Drain s',
      `p50 ms @ ${ratePerSecond}/s`,
      `p99 ms @ ${ratePerSecond}/s`,
      'p99 vs role all',
      'CPU cores at saturation',
      'PostgreSQL cores',
      'Peak RSS MiB',
      'RSS vs role all',
      'Lost',
      'Dupl.',
    ],
    ['---', '--:', '--:', '--:', '---', '--:', '--:', '--:', '--:', '--:', '--:', '--:', '--:', '--:', '--:'],
    summaries.map((summary) => {
      const m = summary.medians;
      const cores = (value: number) => value.toFixed(2);
      const cpu = summary.processes.map((measured) => measured.cpuCores);
      const rss = summary.processes.map((measured) => measured.peakRssMiB);
      return [
        summary.name,
        whole(m.acceptedPerSecond),
        whole(m.deliveredPerSecondLoadAndDrain),
        summary.baseline ? '100% (reference)' : percent(summary.ratioToBaseline),
        deliveredRuns(summary),
        m.drainSeconds.toFixed(1),
        m.p50Ms.toFixed(1),
        m.p99Ms.toFixed(1),
        times(summary.p99ToBaseline),
        cpu.length ? perProcess(cpu, cores) : '–',
        m.databaseCores === undefined ? '–' : cores(m.databaseCores),
        rss.length ? perProcess(rss, whole) : '–',
        times(summary.peakRssToBaseline),
        String(summary.lost),
        String(summary.duplicates),
      ];
    }),
  );
}

/** One log line per run. */
export function describeRun(run: EndToEndRun): string {
  const s = run.saturation;
  const f = run.fixedRate;
  const cpu = s.cpu
    ? `  cpu: bench ${s.cpu.loadGenerator.toFixed(2)}, relay ${[s.cpu.server, ...(s.cpu.companions ?? [])].map((cores) => cores.toFixed(2)).join(' + ')}, ` +
      `${s.cpu.database === undefined ? '' : `PostgreSQL ${s.cpu.database.toFixed(2)}, `}rest ${s.cpu.rest.toFixed(2)} of ${s.cpu.machine.toFixed(2)}`
    : '';
  const memory = run.memory.length
    ? `, peak RSS MiB ${run.memory.map((measured) => `${measured.process} ${whole(mebibytes(measured.peakRssBytes))} (last ${whole(mebibytes(measured.rssBytes))})`).join(', ')}`
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
    `${run.audit.perEvent.rowsUpdated.toFixed(2)} upd, ${run.audit.perEvent.rowsDeleted.toFixed(2)} del${memory}`
  );
}
